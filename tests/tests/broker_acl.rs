//! The project's Mosquitto configuration (`mosquitto/`) as a satellite, Home Assistant and a
//! stranger meet it: no anonymous access; a satellite cannot publish as another satellite nor
//! read another's replies (shown with a sentinel: the refused message would have arrived
//! before it); the optional TLS listener works with certificates from
//! `mosquitto/make-certs.sh`.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use hive_tests::{Broker, HarnessError, Message, QoS, TestClient};
use rumqttc::{MqttOptions, TlsConfiguration, Transport};

const WAIT: Duration = Duration::from_secs(10);
const BRIDGE: (&str, &str) = ("hive-bridge", "bridge-secret");
const HA: (&str, &str) = ("homeassistant", "ha-secret");
const KITCHEN: (&str, &str) = ("kitchen", "kitchen-secret");
const HALL: (&str, &str) = ("hall", "hall-secret");
const PROJECT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../mosquitto");

fn with_users(builder: hive_tests::BrokerBuilder) -> hive_tests::BrokerBuilder {
    [BRIDGE, HA, KITCHEN, HALL]
        .iter()
        .fold(builder, |builder, (user, password)| {
            builder.user(*user, *password)
        })
}

fn project_broker() -> Broker {
    with_users(Broker::builder().project_config())
        .start()
        .unwrap()
}

async fn client(broker: &Broker, id: &str, user: (&str, &str)) -> TestClient {
    TestClient::connect(broker, id, Some(user)).await.unwrap()
}

fn topics(messages: &[Message]) -> Vec<&str> {
    messages.iter().map(|m| m.topic.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_clients_and_wrong_passwords_are_refused() {
    let broker = project_broker();
    let anonymous = TestClient::connect(&broker, "stranger", None).await;
    assert!(
        matches!(anonymous, Err(HarnessError::ConnectRefused { .. })),
        "{anonymous:?}"
    );
    let wrong = TestClient::connect(&broker, "kitchen", Some(("kitchen", "guess"))).await;
    assert!(
        matches!(wrong, Err(HarnessError::ConnectRefused { .. })),
        "{wrong:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_satellite_cannot_publish_as_another_satellite_or_as_the_bridge() {
    let broker = project_broker();
    let mut bridge = client(&broker, "bridge", BRIDGE).await;
    bridge.subscribe("hive/#", QoS::AtLeastOnce).await.unwrap();
    let mut kitchen = client(&broker, "kitchen", KITCHEN).await;

    let forged = [
        (
            "hive/satellite/hall/wake",
            r#"{"session":7,"wake_word":"hey","score":0.9}"#,
        ),
        ("hive/satellite/hall/status", "offline"),
        ("hive/satellite/hall/sensor/temperature", "5"),
        (
            "hive/satellite/kitchen/reply",
            r#"{"session":7,"index":0,"text":"forged","final":true}"#,
        ),
        (
            "hive/satellite/kitchen/turn",
            r#"{"transcript":"x","reply":"y"}"#,
        ),
        ("hive/bridge/status", "offline"),
        ("homeassistant/device/hive_bridge/config", "{}"),
    ];
    for (topic, payload) in forged {
        kitchen
            .publish(topic, payload, QoS::AtLeastOnce, false)
            .await
            .unwrap();
    }
    // The sentinel: the kitchen's own wake, which it may publish.
    kitchen
        .publish(
            "hive/satellite/kitchen/wake",
            r#"{"session":8,"wake_word":"hey","score":0.9}"#,
            QoS::AtLeastOnce,
            false,
        )
        .await
        .unwrap();
    let received = bridge
        .collect_until("hive/satellite/kitchen/wake", WAIT)
        .await
        .unwrap();
    assert_eq!(
        topics(&received),
        ["hive/satellite/kitchen/wake"],
        "the broker let a forgery through"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_satellite_cannot_read_another_satellites_replies() {
    let broker = project_broker();
    let mut kitchen = client(&broker, "kitchen", KITCHEN).await;
    // Mosquitto grants the subscriptions and then delivers only what the ACL allows.
    kitchen
        .subscribe("hive/satellite/hall/#", QoS::AtLeastOnce)
        .await
        .unwrap();
    kitchen
        .subscribe("hive/satellite/kitchen/reply", QoS::AtLeastOnce)
        .await
        .unwrap();
    kitchen.subscribe("hive/#", QoS::AtLeastOnce).await.unwrap();
    let mut bridge = client(&broker, "bridge", BRIDGE).await;
    let reply = r#"{"session":7,"index":0,"text":"It is four.","final":true}"#;
    for topic in [
        "hive/satellite/hall/reply",
        "hive/satellite/hall/control",
        "hive/satellite/hall/say",
        "hive/satellite/hall/turn",
        "hive/satellite/kitchen/reply",
    ] {
        let payload = if topic.ends_with("control") {
            r#"{"command":"stop"}"#
        } else {
            reply
        };
        bridge
            .publish(topic, payload, QoS::AtLeastOnce, false)
            .await
            .unwrap();
    }
    let received = kitchen
        .collect_until("hive/satellite/kitchen/reply", WAIT)
        .await
        .unwrap();
    assert_eq!(topics(&received), ["hive/satellite/kitchen/reply"]);

    // Home Assistant, though, reads the bridge's summaries for its entities.
    let mut ha = client(&broker, "ha", HA).await;
    ha.subscribe("hive/#", QoS::AtLeastOnce).await.unwrap();
    bridge
        .publish("hive/satellite/hall/turn", reply, QoS::AtLeastOnce, false)
        .await
        .unwrap();
    ha.expect("hive/satellite/hall/turn", WAIT).await.unwrap();
}

/// A free port on 127.0.0.1 for the second listener (the harness picks the first).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The commented TLS block of the project's mosquitto.conf, uncommented, on `port`, with the
/// certificate files taken from `certs`.
fn project_tls_block(port: u16, certs: &Path) -> String {
    let conf = std::fs::read_to_string(Path::new(PROJECT).join("mosquitto.conf")).unwrap();
    let mut block = String::new();
    let mut inside = false;
    for line in conf.lines() {
        let line = line.trim();
        if line.starts_with("#listener 8883") {
            inside = true;
            block.push_str(&format!("listener {port} 127.0.0.1\n"));
            continue;
        }
        if !inside {
            continue;
        }
        let Some(option) = line
            .strip_prefix('#')
            .filter(|o| !o.starts_with(' ') && !o.is_empty())
        else {
            break;
        };
        let mut words = option.split_whitespace();
        let key = words.next().unwrap();
        let value = words.next().unwrap_or("");
        match key {
            "cafile" | "certfile" | "keyfile" => {
                let name = Path::new(value).file_name().unwrap();
                block.push_str(&format!("{key} {}\n", certs.join(name).display()));
            }
            _ => block.push_str(&format!("{option}\n")),
        }
    }
    assert!(
        block.contains("certfile") && block.contains("keyfile"),
        "no TLS block in mosquitto.conf:\n{block}"
    );
    block
}

async fn tls_client(
    port: u16,
    ca: &[u8],
    id: &str,
    user: Option<(&str, &str)>,
) -> Result<TestClient, HarnessError> {
    let mut options = MqttOptions::new(id, "localhost", port);
    options.set_keep_alive(Duration::from_secs(5));
    if let Some((user, password)) = user {
        options.set_credentials(user, password);
    }
    options.set_transport(Transport::tls_with_config(TlsConfiguration::Simple {
        ca: ca.to_vec(),
        alpn: None,
        client_auth: None,
    }));
    TestClient::connect_with(options).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tls_listener_works_with_certificates_from_make_certs() {
    let certs = tempfile::tempdir().unwrap();
    let status = Command::new("sh")
        .arg(Path::new(PROJECT).join("make-certs.sh"))
        .arg(certs.path())
        .arg("localhost")
        .status()
        .unwrap();
    assert!(status.success(), "make-certs.sh failed");
    let tls_port = free_port();
    let broker = with_users(Broker::builder().project_config())
        .extra_config(project_tls_block(tls_port, certs.path()))
        .start()
        .unwrap();
    let ca = std::fs::read(certs.path().join("ca.crt")).unwrap();

    // The bridge over TLS (its discovery connection, which shares the bridge's connection
    // settings): Home Assistant, on the plain listener, receives its announcement.
    let mut ha = client(&broker, "ha", HA).await;
    ha.subscribe("homeassistant/device/hive_bridge/config", QoS::AtLeastOnce)
        .await
        .unwrap();
    let bridge_toml = format!(
        "[mqtt]\nurl = \"mqtts://localhost:{tls_port}\"\nusername = \"{}\"\npassword = \"{}\"\n[mqtt.tls]\nca_file = \"{}\"\n",
        BRIDGE.0,
        BRIDGE.1,
        certs.path().join("ca.crt").display()
    );
    let no_env = |_: &str| None;
    let config = hive_bridge::config::parse(&bridge_toml, Path::new("tls.toml"), &no_env).unwrap();
    let shutdown = tokio_util::sync::CancellationToken::new();
    let discovery =
        hive_bridge::discovery::spawn(&config, hive_topics::Topics::default(), shutdown.clone())
            .unwrap()
            .unwrap();
    let announced = ha
        .expect("homeassistant/device/hive_bridge/config", WAIT)
        .await
        .unwrap();
    assert!(!announced.payload.is_empty());
    shutdown.cancel();
    discovery.await.unwrap();

    // The same provider choice the bridge makes, for the test's own TLS clients.
    let _ = rustls::crypto::ring::default_provider().install_default();

    // Over TLS, the same users and ACL: the kitchen's heartbeat reaches the bridge on the
    // plain listener; a stranger is refused.
    let mut bridge = client(&broker, "bridge", BRIDGE).await;
    bridge
        .subscribe("hive/satellite/+/heartbeat", QoS::AtLeastOnce)
        .await
        .unwrap();
    let mut kitchen = tls_client(tls_port, &ca, "kitchen", Some(KITCHEN))
        .await
        .unwrap();
    kitchen
        .publish(
            "hive/satellite/kitchen/heartbeat",
            r#"{"uptime_s":1,"mode":"idle","version":"0.1.0","protocol":1}"#,
            QoS::AtLeastOnce,
            false,
        )
        .await
        .unwrap();
    bridge
        .expect("hive/satellite/kitchen/heartbeat", WAIT)
        .await
        .unwrap();
    let stranger = tls_client(tls_port, &ca, "stranger", None).await;
    assert!(
        matches!(stranger, Err(HarnessError::ConnectRefused { .. })),
        "{stranger:?}"
    );

    // A client that does not trust the CA cannot connect at all.
    let other = tempfile::tempdir().unwrap();
    assert!(
        Command::new("sh")
            .arg(Path::new(PROJECT).join("make-certs.sh"))
            .arg(other.path())
            .arg("localhost")
            .status()
            .unwrap()
            .success()
    );
    let untrusted = std::fs::read(other.path().join("ca.crt")).unwrap();
    let refused = tls_client(tls_port, &untrusted, "kitchen-2", Some(KITCHEN)).await;
    assert!(
        refused.is_err(),
        "a certificate from another CA was accepted"
    );
}
