//! What Home Assistant sees of a real bridge: the whole `hive-bridge` (speech models, pipeline,
//! discovery on its own connection) runs against a real Mosquitto, a satellite asks a question,
//! and a client subscribed as Home Assistant would be finds the satellite announced, every
//! config valid, and — rendering each entity's own state topic through its own template, as
//! Home Assistant does — the question, the answer and the bridge's turn count.

mod ha;

use std::collections::BTreeMap;
use std::time::Duration;

use hive_tests::{Broker, Message, QoS, RunningBridge, ScriptedSatellite, TestClient};
use hive_topics::Topics;
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(60);
const BRIDGE_CONFIG: &str = "homeassistant/device/hive_bridge/config";
const KITCHEN_CONFIG: &str = "homeassistant/device/hive_satellite_kitchen/config";

fn json(message: &Message) -> Value {
    serde_json::from_slice(&message.payload).unwrap()
}

/// The state Home Assistant shows for component `key` of the device config at `config`:
/// the latest message on the entity's state topic through its value template.
fn state(messages: &BTreeMap<String, Message>, config: &str, key: &str) -> String {
    let config = json(&messages[config]);
    let component = &config["cmps"][key];
    let topic = component["stat_t"]
        .as_str()
        .unwrap_or_else(|| panic!("{key} has no state topic: {component}"));
    let message = messages
        .get(topic)
        .unwrap_or_else(|| panic!("nothing on {topic}, the state topic of {key}"));
    let value = message.text().unwrap_or_default().to_owned();
    match component["val_tpl"].as_str() {
        Some(template) => ha::render(template, &value),
        None => value,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_assistant_sees_the_satellite_and_its_last_turn_from_a_running_bridge() {
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let bridge = RunningBridge::start(&broker, data.path(), "").unwrap();
    let mut home_assistant = TestClient::connect(&broker, "homeassistant", None)
        .await
        .unwrap();
    home_assistant
        .subscribe("homeassistant/#", QoS::AtLeastOnce)
        .await
        .unwrap();
    home_assistant
        .subscribe("hive/#", QoS::AtLeastOnce)
        .await
        .unwrap();
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();
    // A real satellite says it is online (retained); this scripted one only types, and the
    // bridge must announce it from its turn alone, so the status comes only afterwards.
    kitchen.type_text(7, "What time is it?").await.unwrap();
    let reply = kitchen.reply(7, WAIT).await.unwrap();
    let answer = reply.text();
    assert!(!answer.is_empty(), "{reply:?}");
    home_assistant
        .publish(
            "hive/satellite/kitchen/status",
            "online",
            QoS::AtLeastOnce,
            true,
        )
        .await
        .unwrap();

    let mut messages: BTreeMap<String, Message> = BTreeMap::new();
    let deadline = tokio::time::Instant::now() + WAIT;
    let complete = |messages: &BTreeMap<String, Message>| {
        let turns = messages
            .get("hive/bridge/stats")
            .and_then(|stats| serde_json::from_slice::<Value>(&stats.payload).ok())
            .and_then(|stats| stats["turns_answered"].as_u64());
        messages.contains_key(KITCHEN_CONFIG)
            && messages.contains_key(BRIDGE_CONFIG)
            && messages.contains_key("hive/satellite/kitchen/turn")
            && messages.contains_key("hive/satellite/kitchen/status")
            && turns >= Some(1)
    };
    while !complete(&messages) {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let Some(message) = home_assistant.recv_timeout(left).await else {
            panic!(
                "Home Assistant never saw the satellite and its turn; got {:?}",
                messages.keys().collect::<Vec<_>>()
            );
        };
        messages.insert(message.topic.clone(), message);
    }

    let topics = Topics::default();
    let mut checked = Vec::new();
    for config in [BRIDGE_CONFIG, KITCHEN_CONFIG] {
        let payload = &messages[config].payload;
        checked.push(
            ha::check(&topics, "homeassistant", config, payload)
                .unwrap_or_else(|problems| panic!("{config}: {}", problems.join("\n"))),
        );
    }
    ha::unique_ids(&checked).unwrap();

    assert_eq!(
        state(&messages, KITCHEN_CONFIG, "transcript"),
        "What time is it?"
    );
    assert_eq!(state(&messages, KITCHEN_CONFIG, "reply"), answer);
    assert_eq!(state(&messages, KITCHEN_CONFIG, "connectivity"), "online");
    assert_eq!(state(&messages, BRIDGE_CONFIG, "turns"), "1");
    assert_eq!(state(&messages, BRIDGE_CONFIG, "engine_tts"), {
        let stats = json(&messages["hive/bridge/stats"]);
        stats["engines"]["tts"].as_str().unwrap().to_owned()
    });
    let total = state(&messages, BRIDGE_CONFIG, "latency_total");
    assert!(
        total.parse::<u64>().is_ok_and(|ms| ms > 0),
        "the last turn's total latency, in ms: {total:?}"
    );
    bridge.stop().await.unwrap();
}
