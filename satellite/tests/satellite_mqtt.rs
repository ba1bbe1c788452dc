//! The satellite's MQTT surface over a real broker: retained availability, mode and eyes;
//! heartbeats with counters; sensor readings; actions and their acks; `offline` at
//! shutdown; and timers that survive a restart.

mod common;

use std::time::Duration;

use common::*;
use hive_satellite::SatelliteEvent;
use hive_satellite::audio::QueueInput;
use hive_satellite::config::SatelliteConfig;
use hive_skills::Lang;
use hive_tests::{Broker, QoS, TestClient};
use hive_topics::{Emotion, Inbound, Mode, SensorValue, Topics};

async fn next_on(client: &mut TestClient, topic: &str) -> hive_tests::Message {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let message = client
            .recv_timeout(left)
            .await
            .unwrap_or_else(|| panic!("nothing on {topic}"));
        if message.topic == topic {
            return message;
        }
    }
}

/// The first message on each of `topics`, in whatever order they arrive: the satellite
/// starts its heartbeat and each sensor concurrently, and a reading skipped while waiting
/// for another topic would not come back before the sensor's next interval.
async fn first_on_each(
    client: &mut TestClient,
    topics: &[&str],
) -> std::collections::HashMap<String, hive_tests::Message> {
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut firsts = std::collections::HashMap::new();
    while firsts.len() < topics.len() {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let message = client
            .recv_timeout(left)
            .await
            .unwrap_or_else(|| panic!("waiting for {topics:?}, saw only {:?}", firsts.keys()));
        if topics.contains(&message.topic.as_str()) && !firsts.contains_key(&message.topic) {
            firsts.insert(message.topic.clone(), message);
        }
    }
    firsts
}

fn with_extras(mut config: SatelliteConfig, dir: &std::path::Path) -> SatelliteConfig {
    let temp = dir.join("temp");
    std::fs::write(&temp, "48312\n").unwrap();
    let extra: SatelliteConfig = toml::from_str(&format!(
        r#"
[heartbeat]
interval_s = 0.5
[[sensors]]
name = "cpu_temperature"
type = "file"
path = "{}"
scale = 0.001
unit = "°C"
device_class = "temperature"
interval_s = 0.5
[[sensors]]
name = "door"
type = "command"
command = ["echo", "open"]
[actions]
# Values as positional parameters, never spliced into the script: no injection.
command = ["sh", "-c", "test \"$1\" = wave && printf %s \"$2\" > {}", "hook", "{{name}}", "{{args}}"]
"#,
        temp.display(),
        dir.join("action.json").display()
    ))
    .unwrap();
    config.heartbeat = extra.heartbeat;
    config.sensors = extra.sensors;
    config.actions = extra.actions;
    // Emotions fade in a fraction of a second instead of a minute and a half.
    config.eyes.emotion_half_life_s = 0.2;
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn availability_heartbeats_sensors_and_actions() {
    init_logs();
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut bridge = TestClient::connect(&broker, "bridge", None).await.unwrap();
    bridge
        .publish("hive/bridge/status", "online", QoS::AtLeastOnce, true)
        .await
        .unwrap();
    bridge
        .subscribe("hive/satellite/kitchen/#", QoS::AtLeastOnce)
        .await
        .unwrap();
    let (input, _clips) = QueueInput::new();
    let config = with_extras(
        config(
            &broker,
            dir.path(),
            "type = \"microphone\"",
            false,
            "enabled = false",
        ),
        dir.path(),
    );
    let mut satellite = Running::start(config, Some(Box::new(input)));
    let topics = Topics::default();

    let mut firsts = first_on_each(
        &mut bridge,
        &[
            "hive/satellite/kitchen/status",
            "hive/satellite/kitchen/heartbeat",
            "hive/satellite/kitchen/sensor/cpu_temperature",
            "hive/satellite/kitchen/sensor/door",
        ],
    )
    .await;
    let mut first = |topic: &str| firsts.remove(topic).unwrap();
    assert_eq!(
        first("hive/satellite/kitchen/status").text(),
        Some("online")
    );
    let heartbeat = first("hive/satellite/kitchen/heartbeat");
    let Ok(Inbound::Heartbeat { heartbeat, .. }) =
        topics.parse(&heartbeat.topic, &heartbeat.payload)
    else {
        panic!("not a heartbeat");
    };
    assert_eq!(
        (heartbeat.protocol, heartbeat.version.as_str()),
        (1, env!("CARGO_PKG_VERSION"))
    );
    assert!(matches!(heartbeat.mode, Mode::Idle | Mode::Degraded));
    for counter in [
        "wakes",
        "turns",
        "degraded_turns",
        "chunks_sent",
        "chunks_dropped",
    ] {
        assert!(heartbeat.counters.contains_key(counter), "{counter}");
    }
    let reading = first("hive/satellite/kitchen/sensor/cpu_temperature");
    let Ok(Inbound::Sensor { reading, .. }) = topics.parse(&reading.topic, &reading.payload) else {
        panic!("not a reading");
    };
    assert_eq!(reading.value, SensorValue::Number(48.312));
    assert_eq!(reading.device_class.as_deref(), Some("temperature"));
    let door = first("hive/satellite/kitchen/sensor/door");
    assert_eq!(door.text(), Some(r#"{"value":"open"}"#));

    // Retained state for late subscribers. The satellite starts degraded until it reads the
    // bridge's retained `online`, so a subscriber arriving in that window rightly sees
    // `degraded`: each try is a fresh late subscriber, until the settled state shows.
    for (topic, word) in [
        ("hive/satellite/kitchen/status", "online"),
        ("hive/satellite/kitchen/mode", "idle"),
        ("hive/satellite/kitchen/eyes", "white"),
    ] {
        let deadline = tokio::time::Instant::now() + WAIT;
        for attempt in 0.. {
            let mut dashboard = TestClient::connect(&broker, &format!("dashboard-{attempt}"), None)
                .await
                .unwrap();
            dashboard.subscribe(topic, QoS::AtLeastOnce).await.unwrap();
            let message = dashboard.expect(topic, WAIT).await.unwrap();
            assert!(message.retain, "{message:?}");
            dashboard.disconnect().await.unwrap();
            if message.text() == Some(word) {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{topic} stayed {message:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    // show_emotion is shown and acked; other actions go to the command hook.
    bridge
        .publish(
            "hive/satellite/kitchen/action",
            r#"{"id":"a1","name":"show_emotion","args":{"emotion":"happy","intensity":0.8}}"#,
            QoS::AtLeastOnce,
            false,
        )
        .await
        .unwrap();
    let ack = next_on(&mut bridge, "hive/satellite/kitchen/action/ack").await;
    assert_eq!(ack.text(), Some(r#"{"id":"a1","ok":true}"#));
    satellite
        .saw_or_expect("the emotion", WAIT, |event| {
            matches!(
                event,
                SatelliteEvent::Emotion {
                    emotion: Emotion::Happy,
                    ..
                }
            )
        })
        .await;
    // Three half-lives later (0.8 → 0.1) the eyes are neutral again by themselves.
    satellite
        .saw_or_expect("the emotion fading", WAIT, |event| {
            matches!(
                event,
                SatelliteEvent::Emotion {
                    emotion: Emotion::Neutral,
                    ..
                }
            )
        })
        .await;
    bridge
        .publish(
            "hive/satellite/kitchen/action",
            r#"{"id":"a2","name":"wave","args":{"arm":"left"}}"#,
            QoS::AtLeastOnce,
            false,
        )
        .await
        .unwrap();
    let ack = next_on(&mut bridge, "hive/satellite/kitchen/action/ack").await;
    assert_eq!(ack.text(), Some(r#"{"id":"a2","ok":true}"#));
    let written = std::fs::read_to_string(dir.path().join("action.json")).unwrap();
    assert_eq!(written.trim(), r#"{"arm":"left"}"#);
    bridge
        .publish(
            "hive/satellite/kitchen/action",
            r#"{"id":"a3","name":"jump"}"#,
            QoS::AtLeastOnce,
            false,
        )
        .await
        .unwrap();
    let ack = next_on(&mut bridge, "hive/satellite/kitchen/action/ack").await;
    assert_eq!(
        ack.text(),
        Some(r#"{"id":"a3","ok":false,"error":"exit_status_1"}"#)
    );

    // A clean shutdown says offline at once.
    satellite.stop().await;
    assert_eq!(
        next_on(&mut bridge, "hive/satellite/kitchen/status")
            .await
            .text(),
        Some("offline")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timer_set_before_a_restart_rings_after_it() {
    init_logs();
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // A state file as a satellite left it: a timer due a second from now.
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let mut state = hive_satellite::state::LocalState::default();
    let timer = state
        .timers
        .add("kitchen", 1, Some("pasta".into()), Lang::Fr, now_ms);
    hive_satellite::Store::new(dir.path().join("state.json"))
        .save(&state)
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
    let SatelliteEvent::LocalReply { text, lang, .. } = satellite
        .saw_or_expect("the announcement", WAIT, |event| {
            matches!(event, SatelliteEvent::LocalReply { .. })
        })
        .await
    else {
        unreachable!()
    };
    assert_eq!(
        (text.as_str(), lang),
        ("Le minuteur pasta est terminé.", Lang::Fr)
    );
    satellite.stop().await;
    // Rung once: gone from the state file, and its events kept for the bridge.
    let state = hive_satellite::Store::new(dir.path().join("state.json"))
        .load()
        .unwrap();
    assert!(state.timers.is_empty());
    assert_eq!(state.outbox.len(), 1, "{:?}", state.outbox);
}
