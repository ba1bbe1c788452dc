//! `[satellites] allow`: a bridge that answers only the listed satellites. An unlisted one
//! that types a question or wakes gets nothing back, not even an error report, while a
//! listed one goes on being answered; the refusals show in `/metrics`, and the intruder is
//! neither on the status board nor announced to Home Assistant.

use std::time::Duration;

use hive_tests::cli::free_port;
use hive_tests::{Broker, QoS, RunningBridge, ScriptedSatellite, TestClient};
use hive_topics::{Inbound, Wake};

const WAIT: Duration = Duration::from_secs(120);

/// How long the intruder listens for anything the bridge might send it. Longer than the
/// bridge's audio idle timeout below, so that a voice turn opened by its wake would have
/// ended with an error report inside the window.
const QUIET: Duration = Duration::from_secs(5);

const CONFIG: &str = "[stt]\ntype = \"whisper\"\nmodel = \"whisper/ggml-tiny.en.bin\"\nlanguage = \"en\"\n\
[session]\naudio_idle_timeout_s = 2.0\n[satellites]\nallow = [\"kitchen\"]\n";

async fn get(url: &str) -> String {
    match reqwest::get(url).await {
        Ok(response) => response.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// `hive_refused_total{reason="satellite_not_allowed"}` once it reaches `at_least`.
async fn refused_counted(metrics: &str, at_least: f64) -> f64 {
    let name = "hive_refused_total{reason=\"satellite_not_allowed\"} ";
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let text = get(metrics).await;
        let value = text
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|value| value.trim().parse::<f64>().ok())
            .unwrap_or(0.0);
        if value >= at_least {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "refused {value} times, expected {at_least}:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unlisted_satellite_gets_nothing_while_a_listed_one_is_answered() {
    hive_tests::init_logs();
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let port = free_port().unwrap();
    let extra = format!("{CONFIG}[http]\nlisten = \"127.0.0.1:{port}\"\n");
    let bridge = RunningBridge::start(&broker, data.path(), &extra).unwrap();
    let base = format!("http://127.0.0.1:{port}");

    // Home Assistant watches the discovery configs; both satellites say they are online.
    let mut home = TestClient::connect(&broker, "home-assistant", None)
        .await
        .unwrap();
    home.subscribe("homeassistant/device/+/config", QoS::AtLeastOnce)
        .await
        .unwrap();
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    let mut intruder = ScriptedSatellite::connect(&broker, "intruder")
        .await
        .unwrap();
    for satellite in [&mut kitchen, &mut intruder] {
        let topic = format!("hive/satellite/{}/status", satellite.id);
        satellite
            .client
            .publish(&topic, "online", QoS::AtLeastOnce, true)
            .await
            .unwrap();
    }
    kitchen.wait_bridge_online(WAIT).await.unwrap();

    kitchen.type_text(1, "What time is it?").await.unwrap();
    let first = kitchen.reply(1, WAIT).await.unwrap();
    assert!(first.errors.is_empty(), "{first:?}");
    assert!(!first.text().is_empty(), "{first:?}");

    // The intruder types the same question and wakes the bridge as for a spoken one.
    intruder.type_text(2, "What time is it?").await.unwrap();
    let wake = Wake {
        session: 3,
        wake_word: "hey_hive".into(),
        score: 0.9,
        energy: None,
    };
    let out = intruder.topics.encode_wake(&intruder.id, &wake);
    intruder
        .client
        .publish(&out.topic, out.payload, hive_tests::QoS::AtLeastOnce, false)
        .await
        .unwrap();

    // The kitchen's next question, sent after the intruder's, is still answered.
    kitchen.type_text(4, "What time is it?").await.unwrap();
    let second = kitchen.reply(4, WAIT).await.unwrap();
    assert!(second.errors.is_empty(), "{second:?}");
    assert!(!second.text().is_empty(), "{second:?}");

    // Both of the intruder's messages were seen and refused...
    refused_counted(&format!("{base}/metrics"), 2.0).await;
    // ...and nothing came back to it: no reply, no audio, no error report, no action.
    let deadline = tokio::time::Instant::now() + QUIET;
    let mut received = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let Some(message) = intruder.client.recv_timeout(left).await else {
            break;
        };
        match intruder.topics.parse(&message.topic, &message.payload) {
            // Its own messages come back through its `#` subscription.
            Ok(Inbound::Text { .. } | Inbound::Wake { .. } | Inbound::SatelliteStatus { .. }) => {}
            Ok(Inbound::BridgeStatus(_)) => {}
            other => received.push((message.topic.clone(), other)),
        }
    }
    assert!(received.is_empty(), "the intruder was sent: {received:?}");

    // The status board knows the kitchen and not the intruder.
    let status = get(&format!("{base}/api/status")).await;
    assert!(status.contains("kitchen"), "{status}");
    assert!(!status.contains("intruder"), "{status}");

    // Home Assistant was told of the kitchen, never of the intruder.
    let mut announced = Vec::new();
    while let Some(message) = home.recv_timeout(Duration::from_millis(500)).await {
        announced.push(message.topic);
    }
    assert!(
        announced.contains(&"homeassistant/device/hive_satellite_kitchen/config".to_string()),
        "{announced:?}"
    );
    assert!(
        !announced.iter().any(|topic| topic.contains("intruder")),
        "{announced:?}"
    );
    bridge.stop().await.unwrap();
}
