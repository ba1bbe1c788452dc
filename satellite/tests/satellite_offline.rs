//! Offline from the other side: the broker itself unreachable (not just the bridge), and
//! timers kept across a restart while the bridge was away, reported once it is back.

mod common;

use std::time::Duration;

use chrono::{Duration as Minutes, Utc};
use common::*;
use hive_satellite::SatelliteEvent;
use hive_satellite::audio::{QueueInput, read_wav, rms_dbfs, write_wav};
use hive_satellite::playback::PlayKey;
use hive_satellite::state::DegradedReason;
use hive_skills::Lang;
use hive_skills::clock::time_sentence;
use hive_tests::{Broker, QoS, TestClient};
use hive_topics::{EyeColour, Inbound, LocalEvent, Topics};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_broker_unreachable_a_spoken_question_is_answered_locally_in_a_wav() {
    init_logs();
    let dir = tempfile::tempdir().unwrap();
    let question = dir.path().join("question.wav");
    write_wav(
        &question,
        &wake_and_ask("what time is it?", "en-us", 160),
        16_000,
    )
    .unwrap();
    // A broker that was there and is gone: its port answers nothing.
    let mut broker = Broker::start().unwrap();
    let config = config(
        &broker,
        dir.path(),
        &format!(
            "type = \"wav\"\npath = \"{}\"\nrealtime = false\nafter_end = \"silence\"",
            question.display()
        ),
        false,
        "",
    );
    broker.stop().unwrap();
    let mut satellite = Running::start(config, None);

    satellite
        .expect("degraded for the broker", WAIT, |event| {
            matches!(
                event,
                SatelliteEvent::Degraded(Some(DegradedReason::BrokerUnreachable))
            )
        })
        .await;
    let SatelliteEvent::Wake { to_bridge, .. } = satellite
        .expect("the wake word", WAIT, |event| {
            matches!(event, SatelliteEvent::Wake { .. })
        })
        .await
    else {
        unreachable!()
    };
    assert!(!to_bridge, "no broker: answered locally");
    let SatelliteEvent::LocalReply {
        text, lang, intent, ..
    } = satellite
        .expect("the local answer", WAIT, |event| {
            matches!(event, SatelliteEvent::LocalReply { .. })
        })
        .await
    else {
        unreachable!()
    };
    let now = Utc::now();
    let expected: Vec<String> = [now - Minutes::minutes(1), now]
        .iter()
        .map(|time| time_sentence(time.time(), Lang::En))
        .collect();
    assert_eq!((lang, intent.as_deref()), (Lang::En, Some("clock.time")));
    assert!(expected.contains(&text), "{text:?} vs {expected:?}");

    // Spoken into a WAV file in the output directory: real speech, not silence.
    let SatelliteEvent::Played {
        path: Some(path), ..
    } = satellite
        .expect("the answer written out", WAIT, |event| {
            matches!(
                event,
                SatelliteEvent::Played {
                    key: PlayKey::Local(_),
                    path: Some(_),
                    ..
                }
            )
        })
        .await
    else {
        unreachable!()
    };
    assert!(
        path.starts_with(dir.path().join("out")),
        "{}",
        path.display()
    );
    let spoken = read_wav(&path).unwrap();
    assert!(
        spoken.samples.len() > spoken.sample_rate as usize,
        "over a second of speech"
    );
    assert!(rms_dbfs(&spoken.samples) > -40.0, "audible");
    // The turn over, the eyes are yellow again (the first yellow shows before any event),
    // and never white: nothing came back.
    satellite
        .saw_or_expect(
            "yellow eyes after the answer",
            WAIT,
            |event| matches!(event, SatelliteEvent::Eyes(view) if view.colour == EyeColour::Yellow),
        )
        .await;
    assert!(
        !satellite.seen.iter().any(|event| matches!(
            event,
            SatelliteEvent::Eyes(view) if view.colour == EyeColour::White
        )),
        "never white without a broker: {:#?}",
        satellite.seen
    );
    satellite.stop().await;
}

fn event_of(topics: &Topics, message: &hive_tests::Message) -> LocalEvent {
    match topics.parse(&message.topic, &message.payload) {
        Ok(Inbound::Event { event, .. }) => event,
        other => panic!("not an event on {}: {other:?}", message.topic),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timers_kept_across_a_restart_reach_the_bridge_once_it_is_online() {
    init_logs();
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // A state file as a satellite left it when it stopped while the bridge was away: a
    // timer due a second from now, and its `timer_set` not yet reported.
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let mut state = hive_satellite::state::LocalState::default();
    let timer = state
        .timers
        .add("kitchen", 1, Some("pasta".into()), Lang::En, now_ms);
    let set = LocalEvent::TimerSet {
        timer_id: timer.id.clone(),
        name: Some("pasta".into()),
        duration_s: 1,
        ends_at: timer.ends_at_ms / 1000,
    };
    state.outbox.push(set.clone());
    hive_satellite::Store::new(dir.path().join("state.json"))
        .save(&state)
        .await
        .unwrap();

    // The bridge's end: it hears events, and has not said it is online.
    let mut bridge = TestClient::connect(&broker, "bridge", None).await.unwrap();
    bridge
        .subscribe("hive/satellite/kitchen/event", QoS::AtLeastOnce)
        .await
        .unwrap();
    let (input, _clips) = QueueInput::new();
    let config = config(
        &broker,
        dir.path(),
        "type = \"microphone\"",
        false,
        "enabled = false",
    );
    let mut satellite = Running::start(config, Some(Box::new(input)));
    let SatelliteEvent::TimerFired(fired) = satellite
        .expect("the timer", Duration::from_secs(30), |event| {
            matches!(event, SatelliteEvent::TimerFired(_))
        })
        .await
    else {
        unreachable!()
    };
    assert_eq!(fired, timer);
    assert!(
        bridge.recv_timeout(Duration::ZERO).await.is_none(),
        "nothing reported while the bridge is away"
    );

    // The bridge comes online (retained, as the real one says it).
    bridge
        .publish("hive/bridge/status", "online", QoS::AtLeastOnce, true)
        .await
        .unwrap();
    let topics = Topics::default();
    let first = bridge
        .expect("hive/satellite/kitchen/event", WAIT)
        .await
        .unwrap();
    let second = bridge
        .expect("hive/satellite/kitchen/event", WAIT)
        .await
        .unwrap();
    assert_eq!(
        [event_of(&topics, &first), event_of(&topics, &second)],
        [
            set,
            LocalEvent::TimerFired {
                timer_id: timer.id.clone(),
                name: Some("pasta".into()),
            }
        ],
        "the kept events, oldest first"
    );
    satellite
        .saw_or_expect(
            "white eyes",
            WAIT,
            |event| matches!(event, SatelliteEvent::Eyes(view) if view.colour == EyeColour::White),
        )
        .await;
    satellite.stop().await;
    // Reported: nothing left to send after the next restart.
    let state = hive_satellite::Store::new(dir.path().join("state.json"))
        .load()
        .unwrap();
    assert!(state.outbox.is_empty(), "{:?}", state.outbox);
    assert!(state.timers.is_empty());
}
