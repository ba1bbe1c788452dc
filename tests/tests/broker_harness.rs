//! Proves the harness itself: real Mosquitto processes start, carry messages, restart and
//! stop; and the project's `mosquitto/` configuration enforces Hive's ACL.
//!
//! Negative checks ("this message is never delivered") use a sentinel instead of a sleep:
//! the forbidden message is published first and an allowed one after it, from the same
//! client. MQTT keeps one client's messages in order, so once the sentinel has arrived the
//! forbidden message would have arrived before it if the broker had delivered it.

use std::net::TcpStream;
use std::time::Duration;

use hive_tests::{Broker, HarnessError, Message, QoS, TestClient};
use rumqttc::ConnectReturnCode;

/// Bound on every wait; generous because it only matters when a test fails.
const TIMEOUT: Duration = Duration::from_secs(10);

const BRIDGE: (&str, &str) = ("hive-bridge", "bridge-password");
const HOME_ASSISTANT: (&str, &str) = ("homeassistant", "ha-password");
const KITCHEN: (&str, &str) = ("kitchen", "kitchen-password");
const BEDROOM: (&str, &str) = ("bedroom", "bedroom-password");

/// The project's configuration with a bridge, Home Assistant and two satellites.
fn project_broker() -> Broker {
    Broker::with_project_config(&[BRIDGE, HOME_ASSISTANT, KITCHEN, BEDROOM]).unwrap()
}

async fn connect_as(broker: &Broker, (username, password): (&str, &str)) -> TestClient {
    TestClient::connect(broker, username, Some((username, password)))
        .await
        .unwrap()
}

fn topics(messages: &[Message]) -> Vec<&str> {
    messages.iter().map(|m| m.topic.as_str()).collect()
}

// --- The generated configuration ------------------------------------------------------

#[tokio::test]
async fn a_published_message_reaches_a_subscriber() {
    let broker = Broker::start().unwrap();
    let mut subscriber = TestClient::connect(&broker, "subscriber", None)
        .await
        .unwrap();
    let granted = subscriber
        .subscribe("hive/test/#", QoS::AtLeastOnce)
        .await
        .unwrap();
    assert_eq!(granted, QoS::AtLeastOnce);

    let mut publisher = TestClient::connect(&broker, "publisher", None)
        .await
        .unwrap();
    publisher
        .publish("hive/test/hello", "world", QoS::AtLeastOnce, false)
        .await
        .unwrap();

    let message = subscriber.expect("hive/test/hello", TIMEOUT).await.unwrap();
    assert_eq!(message.text(), Some("world"), "{}", broker.log());
    assert!(!message.retain);
}

#[tokio::test]
async fn large_payloads_such_as_tts_audio_cross_the_broker() {
    let broker = Broker::start().unwrap();
    let mut speaker = TestClient::connect(&broker, "speaker", None).await.unwrap();
    speaker
        .subscribe("hive/satellite/kitchen/tts", QoS::AtLeastOnce)
        .await
        .unwrap();
    let mut bridge = TestClient::connect(&broker, "bridge", None).await.unwrap();

    let audio: Vec<u8> = (0..4 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    bridge
        .publish(
            "hive/satellite/kitchen/tts",
            audio.clone(),
            QoS::AtLeastOnce,
            false,
        )
        .await
        .unwrap();

    let message = speaker
        .expect("hive/satellite/kitchen/tts", TIMEOUT)
        .await
        .unwrap();
    assert!(
        message.payload == audio,
        "{} bytes arrived",
        message.payload.len()
    );
}

#[test]
fn dropping_the_broker_stops_mosquitto_and_frees_its_port() {
    let broker = Broker::start().unwrap();
    let address = broker.address();
    TcpStream::connect(address).unwrap();

    drop(broker);

    // Drop kills and reaps the process, and the kernel closes a process's sockets before
    // it can be reaped, so nothing listens any more.
    assert!(TcpStream::connect(address).is_err());
}

#[test]
fn a_stopped_broker_refuses_connections_until_restarted() {
    let mut broker = Broker::start().unwrap();
    broker.stop().unwrap();
    assert!(TcpStream::connect(broker.address()).is_err());

    broker.restart().unwrap();
    TcpStream::connect(broker.address()).unwrap();
}

#[tokio::test]
async fn two_brokers_run_side_by_side_on_different_ports() {
    let (first, second) = std::thread::scope(|scope| {
        let first = scope.spawn(Broker::start);
        let second = scope.spawn(Broker::start);
        (
            first.join().unwrap().unwrap(),
            second.join().unwrap().unwrap(),
        )
    });
    assert_ne!(first.port(), second.port());

    for (broker, payload) in [(&first, "first"), (&second, "second")] {
        let mut client = TestClient::connect(broker, "client", None).await.unwrap();
        client
            .subscribe("hive/which", QoS::AtLeastOnce)
            .await
            .unwrap();
        client
            .publish("hive/which", payload, QoS::AtLeastOnce, true)
            .await
            .unwrap();
        let message = client.expect("hive/which", TIMEOUT).await.unwrap();
        assert_eq!(message.text(), Some(payload));
    }

    // Each broker kept its own retained message.
    for (broker, payload) in [(&first, "first"), (&second, "second")] {
        let mut late = TestClient::connect(broker, "late", None).await.unwrap();
        late.subscribe("hive/which", QoS::AtLeastOnce)
            .await
            .unwrap();
        let message = late.expect("hive/which", TIMEOUT).await.unwrap();
        assert_eq!(message.text(), Some(payload), "{}", broker.log());
    }
}

#[tokio::test]
async fn a_retained_message_survives_a_restart_with_persistence() {
    let mut broker = Broker::builder().persistence(true).start().unwrap();
    let port = broker.port();
    let mut bridge = TestClient::connect(&broker, "bridge", None).await.unwrap();
    bridge
        .publish("hive/bridge/status", "online", QoS::AtLeastOnce, true)
        .await
        .unwrap();

    broker.restart().unwrap();
    assert_eq!(broker.port(), port);

    let mut late = TestClient::connect(&broker, "late", None).await.unwrap();
    late.subscribe("hive/bridge/status", QoS::AtLeastOnce)
        .await
        .unwrap();
    let message = late.expect("hive/bridge/status", TIMEOUT).await.unwrap();
    assert_eq!(message.text(), Some("online"), "{}", broker.log());
    assert!(message.retain);
}

#[tokio::test]
async fn a_retained_message_is_lost_on_restart_without_persistence() {
    let mut broker = Broker::start().unwrap();
    let mut bridge = TestClient::connect(&broker, "bridge", None).await.unwrap();
    bridge
        .publish("hive/bridge/status", "online", QoS::AtLeastOnce, true)
        .await
        .unwrap();

    broker.restart().unwrap();

    // Retained messages are queued during SUBSCRIBE, before the SUBACK; the sentinel is
    // published after it, so a retained message would arrive first.
    let mut late = TestClient::connect(&broker, "late", None).await.unwrap();
    late.subscribe("hive/#", QoS::AtLeastOnce).await.unwrap();
    let mut sentinel = TestClient::connect(&broker, "sentinel", None)
        .await
        .unwrap();
    sentinel
        .publish("hive/sentinel", "", QoS::AtLeastOnce, false)
        .await
        .unwrap();
    let received = late.collect_until("hive/sentinel", TIMEOUT).await.unwrap();
    assert_eq!(topics(&received), ["hive/sentinel"]);
}

#[tokio::test]
async fn clients_reconnect_to_the_same_port_after_a_restart() {
    let mut broker = Broker::start().unwrap();
    let mut bridge = TestClient::connect(&broker, "bridge", None).await.unwrap();
    bridge
        .subscribe("hive/satellite/+/wake", QoS::AtLeastOnce)
        .await
        .unwrap();
    let mut kitchen = TestClient::connect(&broker, "kitchen", None).await.unwrap();

    broker.restart().unwrap();

    bridge.wait_reconnected(TIMEOUT).await.unwrap();
    kitchen.wait_reconnected(TIMEOUT).await.unwrap();
    kitchen
        .publish("hive/satellite/kitchen/wake", "{}", QoS::AtLeastOnce, false)
        .await
        .unwrap();
    bridge
        .expect("hive/satellite/kitchen/wake", TIMEOUT)
        .await
        .unwrap();
}

#[tokio::test]
async fn expect_rejects_a_message_on_another_topic() {
    let broker = Broker::start().unwrap();
    let mut client = TestClient::connect(&broker, "client", None).await.unwrap();
    client.subscribe("hive/#", QoS::AtLeastOnce).await.unwrap();
    client
        .publish("hive/say", "hello", QoS::AtLeastOnce, false)
        .await
        .unwrap();

    let error = client.expect("hive/ask", TIMEOUT).await.unwrap_err();
    assert!(
        matches!(&error, HarnessError::UnexpectedMessage { topic, .. } if topic == "hive/say"),
        "{error}"
    );
}

// --- The project's configuration: users and ACL --------------------------------------

#[tokio::test]
async fn project_config_refuses_anonymous_clients_and_wrong_passwords() {
    let broker = project_broker();

    let anonymous = TestClient::connect(&broker, "anonymous", None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            anonymous,
            HarnessError::ConnectRefused {
                code: ConnectReturnCode::NotAuthorized,
                ..
            }
        ),
        "{anonymous}"
    );

    let wrong = TestClient::connect(&broker, "kitchen", Some(("kitchen", "guess")))
        .await
        .unwrap_err();
    assert!(
        matches!(wrong, HarnessError::ConnectRefused { .. }),
        "{wrong}"
    );

    // The right password gets in.
    connect_as(&broker, KITCHEN).await;
}

#[tokio::test]
async fn project_config_lets_the_bridge_use_all_of_hive_and_home_assistant_discovery() {
    let broker = project_broker();
    let mut bridge = connect_as(&broker, BRIDGE).await;
    bridge.subscribe("hive/#", QoS::AtLeastOnce).await.unwrap();
    bridge
        .subscribe("homeassistant/#", QoS::AtLeastOnce)
        .await
        .unwrap();

    let published = [
        "hive/satellite/kitchen/reply",
        "hive/satellite/bedroom/tts",
        "hive/satellite/kitchen/wake",
        "hive/say",
        "hive/bridge/status",
        "hive/timer/kitchen/done",
        "homeassistant/sensor/hive_kitchen/config",
    ];
    for topic in published {
        bridge
            .publish(topic, "{}", QoS::AtLeastOnce, false)
            .await
            .unwrap();
    }
    let received = bridge
        .collect_until("homeassistant/sensor/hive_kitchen/config", TIMEOUT)
        .await
        .unwrap();
    assert_eq!(topics(&received), published, "{}", broker.log());
}

#[tokio::test]
async fn project_config_lets_a_satellite_publish_only_its_own_satellite_to_bridge_topics() {
    let broker = project_broker();
    let mut bridge = connect_as(&broker, BRIDGE).await;
    bridge.subscribe("hive/#", QoS::AtLeastOnce).await.unwrap();
    let mut kitchen = connect_as(&broker, KITCHEN).await;

    let allowed = [
        "hive/satellite/kitchen/wake",
        "hive/satellite/kitchen/audio/start",
        "hive/satellite/kitchen/audio/chunk",
        "hive/satellite/kitchen/audio/end",
        "hive/satellite/kitchen/sensor/temperature",
        "hive/satellite/kitchen/heartbeat",
        "hive/satellite/kitchen/action/ack",
        "hive/satellite/kitchen/event",
        "hive/satellite/kitchen/text",
        "hive/satellite/kitchen/status",
        "hive/satellite/kitchen/mode",
        "hive/satellite/kitchen/eyes",
    ];
    let forbidden = [
        // Another satellite's topics.
        "hive/satellite/bedroom/wake",
        "hive/satellite/bedroom/audio/chunk",
        // What only the bridge sends, even to the kitchen itself.
        "hive/satellite/kitchen/reply",
        "hive/satellite/kitchen/tts",
        "hive/satellite/kitchen/action",
        "hive/satellite/kitchen/error",
        "hive/satellite/kitchen/control",
        "hive/satellite/kitchen/say",
        "hive/say",
        "hive/ask",
        "hive/bridge/status",
        // Deeper than the ACL allows.
        "hive/satellite/kitchen/sensor/temperature/raw",
    ];
    assert_eq!(forbidden.len(), allowed.len());
    // Interleaved, so each allowed message is the sentinel for the forbidden one before.
    for (forbidden, allowed) in forbidden.iter().zip(&allowed) {
        kitchen
            .publish(forbidden, "{}", QoS::AtLeastOnce, false)
            .await
            .unwrap();
        kitchen
            .publish(allowed, "{}", QoS::AtLeastOnce, false)
            .await
            .unwrap();
    }

    let received = bridge
        .collect_until(allowed[allowed.len() - 1], TIMEOUT)
        .await
        .unwrap();
    assert_eq!(topics(&received), allowed, "{}", broker.log());
}

#[tokio::test]
async fn project_config_lets_a_satellite_read_only_its_own_bridge_to_satellite_topics() {
    let broker = project_broker();
    let mut bridge = connect_as(&broker, BRIDGE).await;
    let mut kitchen = connect_as(&broker, KITCHEN).await;

    let allowed = [
        "hive/satellite/kitchen/reply",
        "hive/satellite/kitchen/tts",
        "hive/satellite/kitchen/action",
        "hive/satellite/kitchen/error",
        "hive/satellite/kitchen/control",
        "hive/satellite/kitchen/say",
        "hive/say",
        "hive/bridge/status",
    ];
    let forbidden = [
        "hive/satellite/bedroom/reply",
        "hive/satellite/bedroom/tts",
        "hive/satellite/bedroom/say",
        // The kitchen's own satellite-to-bridge topics are write-only.
        "hive/satellite/kitchen/wake",
        "hive/satellite/kitchen/audio/chunk",
        "hive/ask",
        "hive/timer/kitchen",
    ];
    // Mosquitto 2.0 grants a subscription the ACL does not cover and filters delivery; a
    // refusal (failure code 0x80) would be just as good.
    for topic in forbidden {
        match kitchen.subscribe(topic, QoS::AtLeastOnce).await {
            Ok(_) | Err(HarnessError::SubscriptionRefused { .. }) => {}
            Err(error) => panic!("subscribing to {topic}: {error}"),
        }
    }
    for topic in allowed {
        let granted = kitchen.subscribe(topic, QoS::AtLeastOnce).await.unwrap();
        assert_eq!(granted, QoS::AtLeastOnce);
    }

    for forbidden in forbidden {
        bridge
            .publish(forbidden, "{}", QoS::AtLeastOnce, false)
            .await
            .unwrap();
    }
    for allowed in allowed {
        bridge
            .publish(allowed, "{}", QoS::AtLeastOnce, false)
            .await
            .unwrap();
    }

    let received = kitchen
        .collect_until(allowed[allowed.len() - 1], TIMEOUT)
        .await
        .unwrap();
    assert_eq!(topics(&received), allowed, "{}", broker.log());
}

#[tokio::test]
async fn project_config_lets_a_satellite_subscribe_to_its_whole_tree_but_delivers_only_its_reads() {
    let broker = project_broker();
    let mut bridge = connect_as(&broker, BRIDGE).await;
    let mut kitchen = connect_as(&broker, KITCHEN).await;
    kitchen
        .subscribe("hive/satellite/kitchen/#", QoS::AtLeastOnce)
        .await
        .unwrap();

    bridge
        .publish("hive/satellite/kitchen/wake", "{}", QoS::AtLeastOnce, false)
        .await
        .unwrap();
    bridge
        .publish(
            "hive/satellite/kitchen/reply",
            "{}",
            QoS::AtLeastOnce,
            false,
        )
        .await
        .unwrap();

    let received = kitchen
        .collect_until("hive/satellite/kitchen/reply", TIMEOUT)
        .await
        .unwrap();
    assert_eq!(topics(&received), ["hive/satellite/kitchen/reply"]);
}

#[tokio::test]
async fn project_config_lets_home_assistant_read_hive_and_send_only_commands() {
    let broker = project_broker();
    let mut bridge = connect_as(&broker, BRIDGE).await;
    bridge.subscribe("hive/#", QoS::AtLeastOnce).await.unwrap();
    let mut home_assistant = connect_as(&broker, HOME_ASSISTANT).await;
    home_assistant
        .subscribe("hive/#", QoS::AtLeastOnce)
        .await
        .unwrap();
    home_assistant
        .subscribe("homeassistant/#", QoS::AtLeastOnce)
        .await
        .unwrap();

    // Reads: what the bridge and satellites publish, and discovery.
    bridge
        .publish("hive/bridge/status", "online", QoS::AtLeastOnce, false)
        .await
        .unwrap();
    bridge
        .publish(
            "homeassistant/sensor/hive_kitchen/config",
            "{}",
            QoS::AtLeastOnce,
            false,
        )
        .await
        .unwrap();
    let mut kitchen = connect_as(&broker, KITCHEN).await;
    kitchen
        .publish(
            "hive/satellite/kitchen/heartbeat",
            "{}",
            QoS::AtLeastOnce,
            false,
        )
        .await
        .unwrap();
    home_assistant
        .expect("hive/bridge/status", TIMEOUT)
        .await
        .unwrap();
    home_assistant
        .expect("homeassistant/sensor/hive_kitchen/config", TIMEOUT)
        .await
        .unwrap();
    home_assistant
        .expect("hive/satellite/kitchen/heartbeat", TIMEOUT)
        .await
        .unwrap();
    // The bridge saw its own status and the heartbeat; start its check from here.
    bridge.expect("hive/bridge/status", TIMEOUT).await.unwrap();
    bridge
        .expect("hive/satellite/kitchen/heartbeat", TIMEOUT)
        .await
        .unwrap();

    // Writes: commands only, never what the bridge or a satellite says.
    let attempts = [
        ("hive/satellite/kitchen/reply", false),
        ("hive/say", true),
        ("hive/satellite/kitchen/wake", false),
        ("hive/ask", true),
        ("hive/bridge/status", false),
        ("hive/satellite/kitchen/say", true),
        ("hive/satellite/kitchen/tts", false),
        ("hive/satellite/kitchen/control", true),
        ("hive/timer/kitchen/cancel", true),
    ];
    for (topic, _) in attempts {
        home_assistant
            .publish(topic, "{}", QoS::AtLeastOnce, false)
            .await
            .unwrap();
    }
    let received = bridge
        .collect_until("hive/timer/kitchen/cancel", TIMEOUT)
        .await
        .unwrap();
    let allowed: Vec<&str> = attempts
        .iter()
        .filter(|(_, allowed)| *allowed)
        .map(|(topic, _)| *topic)
        .collect();
    assert_eq!(topics(&received), allowed, "{}", broker.log());
}
