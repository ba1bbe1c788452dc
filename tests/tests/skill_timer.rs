//! Timers held by the bridge, over a real Mosquitto with the real bridge: a spoken timer
//! (synthesised speech streamed on the satellite's audio topics) is confirmed, then announced on the satellite that set it (text and speech) and reported on
//! `timer/event`; the retained `timer/list` follows; a timer survives a bridge restart and
//! still rings, once.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::Timelike;

use hive_tests::speech::{silence, synthesize};
use hive_tests::{Broker, QoS, Reply, RunningBridge, ScriptedSatellite, TestClient};
use hive_topics::{AudioPayload, Inbound, TimerEvent, TimerEventKind, TimerInfo, Topics};

const WAIT: Duration = Duration::from_secs(120);

/// English speech-to-text with the fast model.
const ENGLISH: &str =
    "[stt]\ntype = \"whisper\"\nmodel = \"whisper/ggml-tiny.en.bin\"\nlanguage = \"en\"\n";

fn models() {
    hive_tests::require_models(hive_tests::VOICE_TURN_MODELS);
}

/// An automation watching the timers.
async fn watcher(broker: &Broker) -> TestClient {
    let mut client = TestClient::connect(broker, "automation", None)
        .await
        .unwrap();
    client
        .subscribe("hive/timer/event", QoS::AtLeastOnce)
        .await
        .unwrap();
    client
        .subscribe("hive/timer/list", QoS::AtLeastOnce)
        .await
        .unwrap();
    client
}

/// The next timer event of `kind`, skipping list updates and other events.
async fn next_event(client: &mut TestClient, kind: TimerEventKind) -> TimerInfo {
    let topics = Topics::default();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let message = client
            .recv_timeout(left)
            .await
            .unwrap_or_else(|| panic!("no {kind:?} timer event"));
        if let Ok(Inbound::TimerEvent(TimerEvent { kind: got, timer })) =
            topics.parse(&message.topic, &message.payload)
            && got == kind
        {
            return timer;
        }
    }
}

/// The next timer list matching `wanted`.
async fn next_list(
    client: &mut TestClient,
    wanted: impl Fn(&[TimerInfo]) -> bool,
) -> Vec<TimerInfo> {
    let topics = Topics::default();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let message = client
            .recv_timeout(left)
            .await
            .expect("the expected timer list never came");
        if let Ok(Inbound::TimerList(list)) = topics.parse(&message.topic, &message.payload)
            && wanted(&list)
        {
            return list;
        }
    }
}

/// Collects what the satellite receives until `count` replies are complete (final text and
/// final audio), whatever their sessions and however they interleave.
async fn complete_replies(kitchen: &mut ScriptedSatellite, count: usize) -> BTreeMap<u32, Reply> {
    let mut replies: BTreeMap<u32, (Reply, bool, bool)> = BTreeMap::new();
    let deadline = tokio::time::Instant::now() + WAIT;
    while replies
        .values()
        .filter(|(_, text, audio)| *text && *audio)
        .count()
        < count
    {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let Some(message) = kitchen.client.recv_timeout(left).await else {
            panic!("{count} replies did not complete: {replies:?}");
        };
        match kitchen.topics.parse(&message.topic, &message.payload) {
            Ok(Inbound::Reply { reply: chunk, .. }) => {
                let entry = replies.entry(chunk.session).or_default();
                if !chunk.text.is_empty() {
                    entry.0.chunks.push(chunk.text);
                }
                entry.1 |= chunk.is_final;
            }
            Ok(Inbound::Tts { audio, .. }) => {
                let entry = replies.entry(audio.session).or_default();
                if let AudioPayload::Pcm(pcm) = &audio.audio
                    && !pcm.is_empty()
                {
                    entry.0.audio.extend(
                        pcm.chunks_exact(2)
                            .map(|pair| i16::from_le_bytes([pair[0], pair[1]])),
                    );
                    entry.0.sample_rate = audio.sample_rate;
                    entry.0.audio_messages += 1;
                }
                entry.2 |= audio.is_final;
            }
            _ => {}
        }
    }
    replies
        .into_iter()
        .map(|(session, (reply, _, _))| (session, reply))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spoken_timer_is_confirmed_then_announced_on_its_satellite_and_reported_fired() {
    hive_tests::init_logs();
    models();
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let bridge = RunningBridge::start(&broker, data.path(), ENGLISH).unwrap();
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();
    let mut automation = watcher(&broker).await;

    let question = [
        silence(0.5),
        synthesize("set a timer for two seconds", "en-us").unwrap(),
        silence(1.5),
    ]
    .concat();
    kitchen.speak(7001, &question).await.unwrap();
    // The confirmation and, two seconds later, the announcement: on a slow machine the second
    // may begin before the first has finished, so both are collected together.
    let replies = complete_replies(&mut kitchen, 2).await;
    let confirmation = &replies[&7001];
    assert_eq!(confirmation.text(), "Timer set for 2 seconds.");
    assert!(
        confirmation.audio_messages > 0,
        "the confirmation is spoken"
    );
    let (_, announcement) = replies
        .iter()
        .find(|(session, _)| **session != 7001)
        .expect("an announcement in a session of its own");
    assert_eq!(announcement.text(), "Your timer is done.");
    assert!(
        announcement.sample_rate > 0
            && announcement.audio.len() > announcement.sample_rate as usize / 4,
        "{} samples at {} Hz",
        announcement.audio.len(),
        announcement.sample_rate
    );

    let set = next_event(&mut automation, TimerEventKind::Set).await;
    assert_eq!(
        set.satellite.as_ref().map(|id| id.as_str()),
        Some("kitchen")
    );
    assert_eq!(set.duration_s, Some(2));
    let listed = next_list(&mut automation, |list| !list.is_empty()).await;
    assert_eq!(listed[0].timer_id, set.timer_id);
    let fired = next_event(&mut automation, TimerEventKind::Fired).await;
    assert_eq!(fired.timer_id, set.timer_id);
    next_list(&mut automation, <[TimerInfo]>::is_empty).await;
    bridge.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timer_due_while_the_bridge_was_down_rings_late_once_after_a_restart() {
    hive_tests::init_logs();
    models();
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let bridge = RunningBridge::start(&broker, data.path(), ENGLISH).unwrap();
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();
    let mut automation = watcher(&broker).await;

    kitchen
        .type_text(7002, "Set a pasta timer for 10 seconds.")
        .await
        .unwrap();
    let confirmation = kitchen.reply(7002, WAIT).await.unwrap();
    assert_eq!(confirmation.text(), "Pasta timer set for 10 seconds.");
    let set = next_event(&mut automation, TimerEventKind::Set).await;
    let ends_at = set.ends_at.expect("a set timer says when it rings");
    bridge.stop().await.unwrap();

    // The bridge stays down until the timer is due: the scenario under test, not a wait for
    // something to happen.
    let now = chrono::Utc::now().timestamp() as u64;
    tokio::time::sleep(Duration::from_secs(ends_at.saturating_sub(now) + 1)).await;

    let bridge = RunningBridge::start(&broker, data.path(), ENGLISH).unwrap();
    let announcement = kitchen.next_reply(WAIT).await.unwrap();
    assert_eq!(announcement.text(), "Your pasta timer is done.");
    assert!(
        announcement.audio_messages > 0,
        "the announcement is spoken"
    );
    let fired = next_event(&mut automation, TimerEventKind::Fired).await;
    assert_eq!(fired.timer_id, set.timer_id);
    next_list(&mut automation, <[TimerInfo]>::is_empty).await;

    // Once: after another restart nothing is announced again. A typed question answered on
    // the same satellite is the sentinel: had a second announcement been made, it would come
    // first.
    bridge.stop().await.unwrap();
    let bridge = RunningBridge::start(&broker, data.path(), ENGLISH).unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();
    kitchen
        .type_text(7003, "How much time is left on the timer?")
        .await
        .unwrap();
    let next = kitchen.next_reply(WAIT).await.unwrap();
    assert_eq!(next.text(), "There is no timer running.");
    bridge.stop().await.unwrap();
}

/// "Remind me to call mom at 16 31" and "remind me in 3 seconds to stir the soup": each
/// goes into the calendar and, at its time, the satellite it was asked at says it (text and
/// speech); automations see them fire. Spoken timer requests leave them alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_rings_on_its_satellite_at_its_time() {
    hive_tests::init_logs();
    models();
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let extra = format!("{ENGLISH}[assistant]\ntime_zone = \"UTC\"\n");
    let bridge = RunningBridge::start(&broker, data.path(), &extra).unwrap();
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();
    let mut automation = watcher(&broker).await;

    // The first whole minute at least 40 s away: time enough for the request itself.
    let soon = chrono::Utc::now() + chrono::Duration::seconds(40);
    let at =
        soon.with_second(0).unwrap().with_nanosecond(0).unwrap() + chrono::Duration::minutes(1);
    let request = format!("Remind me to call mom at {}.", at.format("%-H %M"));
    kitchen.type_text(1, &request).await.unwrap();
    let confirmed = kitchen.reply(1, WAIT).await.unwrap();
    assert!(
        confirmed
            .text()
            .starts_with("Okay, I added call mom to your calendar for "),
        "{request}: {confirmed:?}"
    );
    let set = next_event(&mut automation, TimerEventKind::Set).await;
    assert_eq!(set.name.as_deref(), Some("call mom"));

    // "Cancel the timer" is about timers: the reminder still runs.
    kitchen.type_text(2, "Cancel the timer.").await.unwrap();
    let cancel = kitchen.reply(2, WAIT).await.unwrap();
    assert!(cancel.text().contains("no timer"), "{cancel:?}");

    // One after a delay rings first.
    kitchen
        .type_text(3, "Remind me in 3 seconds to stir the soup.")
        .await
        .unwrap();
    let confirmed = kitchen.reply(3, WAIT).await.unwrap();
    assert_eq!(
        confirmed.text(),
        "Okay, I'll remind you to stir the soup in 3 seconds."
    );
    let announced = complete_replies(&mut kitchen, 1).await;
    let (_, soup) = announced.into_iter().next().unwrap();
    assert_eq!(soup.text(), "Reminder: stir the soup.");
    assert!(chrono::Utc::now() < at, "the soup rang after the call");

    let announced = complete_replies(&mut kitchen, 1).await;
    let (_, reminder) = announced.into_iter().next().unwrap();
    assert_eq!(reminder.text(), "Reminder: call mom.");
    assert!(!reminder.audio.is_empty(), "the reminder is spoken");
    let rang = chrono::Utc::now();
    assert!(rang >= at, "rang at {rang}, before {at}");
    let fired = [
        next_event(&mut automation, TimerEventKind::Fired).await,
        next_event(&mut automation, TimerEventKind::Fired).await,
    ];
    assert_eq!(
        fired.map(|timer| timer.name),
        [Some("stir the soup".into()), Some("call mom".into())]
    );
    bridge.stop().await.unwrap();
}
