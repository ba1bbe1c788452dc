//! Degraded mode over a real broker with no bridge: yellow eyes, the time asked in English,
//! French and Dutch answered locally (whisper + the skills matcher), a two-second timer that
//! rings, events kept and reported when the bridge comes back, and white eyes then.

mod common;

use chrono::{Duration as Minutes, Utc};
use common::*;
use hive_satellite::SatelliteEvent;
use hive_satellite::audio::{QueueInput, read_wav, rms_dbfs};
use hive_satellite::playback::PlayKey;
use hive_skills::Lang;
use hive_skills::clock::time_sentence;
use hive_tests::{Broker, QoS, TestClient};
use hive_topics::{Inbound, LocalEvent, Topics};

/// The clock's sentence now or a minute ago (the minute may turn during the test), in UTC,
/// the satellite's default time zone.
fn the_time(lang: Lang) -> Vec<String> {
    let now = Utc::now();
    [now - Minutes::minutes(1), now]
        .iter()
        .map(|time| time_sentence(time.time(), lang))
        .collect()
}

async fn wait_for(client: &mut TestClient, topic: &str, payload: &str) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let message = client
            .recv_timeout(left)
            .await
            .unwrap_or_else(|| panic!("no {payload} on {topic}"));
        if message.topic == topic && message.text() == Some(payload) {
            return;
        }
    }
}

/// Asks a question after the wake word and returns the local answer (text, language,
/// intent).
async fn ask(
    satellite: &mut Running,
    clips: &hive_satellite::audio::ClipSender,
    question: &str,
    voice: &str,
    speed: u32,
) -> (String, Lang, Option<String>) {
    clips.say(wake_and_ask(question, voice, speed));
    let SatelliteEvent::Wake {
        session, to_bridge, ..
    } = satellite
        .expect("the wake word", WAIT, |event| {
            matches!(event, SatelliteEvent::Wake { .. })
        })
        .await
    else {
        unreachable!()
    };
    assert!(!to_bridge, "degraded: answered locally");
    let SatelliteEvent::LocalReply {
        text, lang, intent, ..
    } = satellite
        .expect("the local answer", WAIT, |event| {
            matches!(event, SatelliteEvent::LocalReply { session: Some(s), .. } if *s == session)
        })
        .await
    else {
        unreachable!()
    };
    // It is spoken, too.
    satellite
        .expect("the answer played", WAIT, |event| {
            matches!(
                event,
                SatelliteEvent::Played {
                    key: PlayKey::Local(_),
                    interrupted: false,
                    ..
                }
            )
        })
        .await;
    (text, lang, intent)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_bridge_the_satellite_answers_the_time_and_rings_timers_then_recovers() {
    init_logs();
    let stt_model = model("whisper/ggml-base.bin");
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut home = TestClient::connect(&broker, "home-assistant", None)
        .await
        .unwrap();
    home.subscribe("hive/satellite/kitchen/#", QoS::AtLeastOnce)
        .await
        .unwrap();
    let (input, clips) = QueueInput::new();
    let config = config(
        &broker,
        dir.path(),
        "type = \"microphone\"",
        false,
        &format!("stt_model = \"{}\"", stt_model.display()),
    );
    let mut satellite = Running::start(config, Some(Box::new(input)));

    // No bridge has ever said `online`: degraded, yellow, on the retained state too.
    wait_for(&mut home, "hive/satellite/kitchen/status", "online").await;
    wait_for(&mut home, "hive/satellite/kitchen/eyes", "yellow").await;
    let mut retained = TestClient::connect(&broker, "dashboard", None)
        .await
        .unwrap();
    retained
        .subscribe("hive/satellite/kitchen/eyes", QoS::AtLeastOnce)
        .await
        .unwrap();
    let eyes = retained
        .expect("hive/satellite/kitchen/eyes", WAIT)
        .await
        .unwrap();
    assert_eq!((eyes.text(), eyes.retain), (Some("yellow"), true));
    retained.disconnect().await.unwrap();

    let (text, lang, intent) = ask(&mut satellite, &clips, "what time is it?", "en-us", 160).await;
    assert_eq!(
        (lang, intent.as_deref()),
        (Lang::En, Some("clock.time")),
        "{text}"
    );
    assert!(
        the_time(Lang::En).contains(&text),
        "{text:?} vs {:?}",
        the_time(Lang::En)
    );

    let (text, lang, intent) =
        ask(&mut satellite, &clips, "quelle heure est-il ?", "fr", 120).await;
    assert_eq!(
        (lang, intent.as_deref()),
        (Lang::Fr, Some("clock.time")),
        "{text}"
    );
    assert!(
        the_time(Lang::Fr).contains(&text),
        "{text:?} vs {:?}",
        the_time(Lang::Fr)
    );

    let (text, lang, intent) = ask(&mut satellite, &clips, "hoe laat is het?", "nl", 120).await;
    assert_eq!(
        (lang, intent.as_deref()),
        (Lang::Nl, Some("clock.time")),
        "{text}"
    );
    assert!(
        the_time(Lang::Nl).contains(&text),
        "{text:?} vs {:?}",
        the_time(Lang::Nl)
    );

    // A two-second timer: set, rung with the alarm, announced.
    let (text, _, intent) = ask(
        &mut satellite,
        &clips,
        "set a timer for two seconds",
        "en-us",
        150,
    )
    .await;
    assert_eq!(intent.as_deref(), Some("timer.set"), "{text}");
    assert!(text.contains("2 seconds"), "{text}");
    let SatelliteEvent::TimerFired(timer) = satellite
        .saw_or_expect("the timer", WAIT, |event| {
            matches!(event, SatelliteEvent::TimerFired(_))
        })
        .await
    else {
        unreachable!()
    };
    assert_eq!(timer.duration_s, 2);
    let SatelliteEvent::Played { path, .. } = satellite
        .saw_or_expect("the alarm", WAIT, |event| {
            matches!(
                event,
                SatelliteEvent::Played {
                    key: PlayKey::Alarm(_),
                    ..
                }
            )
        })
        .await
    else {
        unreachable!()
    };
    let alarm = read_wav(&path.unwrap()).unwrap();
    assert!(rms_dbfs(&alarm.samples) > -20.0, "the alarm is loud");
    satellite
        .saw_or_expect("the announcement", WAIT, |event| {
            matches!(event, SatelliteEvent::LocalReply { session: None, text, .. } if text == "Your timer is done.")
        })
        .await;

    // The bridge comes back: white eyes, and the events kept while it was away.
    let mut bridge = TestClient::connect(&broker, "bridge", None).await.unwrap();
    bridge
        .subscribe("hive/satellite/+/event", QoS::AtLeastOnce)
        .await
        .unwrap();
    bridge
        .publish("hive/bridge/status", "online", QoS::AtLeastOnce, true)
        .await
        .unwrap();
    wait_for(&mut home, "hive/satellite/kitchen/eyes", "white").await;
    let topics = Topics::default();
    let mut events = Vec::new();
    for _ in 0..2 {
        let message = bridge
            .expect("hive/satellite/kitchen/event", WAIT)
            .await
            .unwrap();
        let Ok(Inbound::Event { event, .. }) = topics.parse(&message.topic, &message.payload)
        else {
            panic!("not an event: {message:?}");
        };
        events.push(event);
    }
    assert!(
        matches!(&events[0], LocalEvent::TimerSet { timer_id, duration_s: 2, .. } if *timer_id == timer.id),
        "{events:?}"
    );
    assert_eq!(
        events[1],
        LocalEvent::TimerFired {
            timer_id: timer.id.clone(),
            name: None
        }
    );
    satellite.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bridge_that_does_not_answer_in_time_is_replaced_by_a_local_answer() {
    init_logs();
    let stt_model = model("whisper/ggml-tiny.en.bin");
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // A bridge that says it is online, takes the question, and never answers.
    let mut bridge = TestClient::connect(&broker, "bridge", None).await.unwrap();
    bridge
        .publish("hive/bridge/status", "online", QoS::AtLeastOnce, true)
        .await
        .unwrap();
    bridge
        .subscribe("hive/satellite/kitchen/#", QoS::AtLeastOnce)
        .await
        .unwrap();
    let (input, clips) = QueueInput::new();
    let mut config = config(
        &broker,
        dir.path(),
        "type = \"microphone\"",
        false,
        &format!(
            "stt_model = \"{}\"\nstt_language = \"en\"",
            stt_model.display()
        ),
    );
    config.turn.reply_timeout_s = 1.0;
    let mut satellite = Running::start(config, Some(Box::new(input)));
    wait_for(&mut bridge, "hive/satellite/kitchen/eyes", "white").await;

    clips.say(wake_and_ask("what time is it?", "en-us", 160));
    let SatelliteEvent::Wake {
        session, to_bridge, ..
    } = satellite
        .expect("the wake word", WAIT, |event| {
            matches!(event, SatelliteEvent::Wake { .. })
        })
        .await
    else {
        unreachable!()
    };
    assert!(to_bridge, "the bridge is asked first");
    let end = loop {
        let message = bridge
            .expect("hive/satellite/kitchen/#", WAIT)
            .await
            .unwrap();
        if message.topic == "hive/satellite/kitchen/audio/end" {
            break message;
        }
    };
    let Ok(Inbound::AudioEnd { end, .. }) = Topics::default().parse(&end.topic, &end.payload)
    else {
        panic!("not an audio end");
    };
    assert_eq!(end.session, session);
    let SatelliteEvent::LocalReply { text, .. } = satellite
        .expect("the local answer", WAIT, |event| {
            matches!(event, SatelliteEvent::LocalReply { session: Some(s), .. } if *s == session)
        })
        .await
    else {
        unreachable!()
    };
    assert!(the_time(Lang::En).contains(&text), "{text:?}");
    // Degraded now: yellow until the bridge proves itself.
    wait_for(&mut bridge, "hive/satellite/kitchen/eyes", "yellow").await;
    satellite.stop().await;
}
