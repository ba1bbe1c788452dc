//! Mosquitto requiring client certificates (`require_certificate true`,
//! `use_identity_as_username true`) with the project's users and ACL: the bridge and a
//! real `hive-satellite` each connect with a certificate from `mosquitto/make-certs.sh
//! --client` and work — a `say` from Home Assistant is spoken by the bridge and reaches the
//! satellite, a satellite typing a question is answered — while a client without a
//! certificate, or with one from another CA, cannot connect at all.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use hive_satellite::SatelliteEvent;
use hive_tests::{Broker, HarnessError, QoS, TestClient};
use hive_topics::{Inbound, SatelliteId, TextInput, Topics};
use rumqttc::{MqttOptions, TlsConfiguration, Transport};

const WAIT: Duration = Duration::from_secs(120);
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../mosquitto/make-certs.sh");
/// Home Assistant, on the plain listener with a password (users and ACL are shared by both
/// listeners: `per_listener_settings false`).
const HA: (&str, &str) = ("homeassistant", "ha-secret");

fn free_port() -> u16 {
    hive_tests::cli::free_port().unwrap()
}

/// Runs `make-certs.sh` with `args`, which must succeed.
fn make_certs(args: &[&str]) {
    let status = Command::new("sh").arg(SCRIPT).args(args).status().unwrap();
    assert!(status.success(), "make-certs.sh {args:?} failed");
}

/// A listener on `port` that requires a certificate signed by the CA in `certs` and takes
/// the certificate's common name as the MQTT user name.
fn client_cert_listener(port: u16, certs: &Path) -> String {
    let file = |name: &str| certs.join(name).display().to_string();
    format!(
        "listener {port} 127.0.0.1\ncafile {}\ncertfile {}\nkeyfile {}\nrequire_certificate true\nuse_identity_as_username true\n",
        file("ca.crt"),
        file("server.crt"),
        file("server.key"),
    )
}

/// A test client on the TLS listener, with the client certificate `name` from `certs` when
/// given.
async fn tls_client(
    port: u16,
    ca: &Path,
    id: &str,
    certificate: Option<(&Path, &str)>,
) -> Result<TestClient, HarnessError> {
    let mut options = MqttOptions::new(id, "localhost", port);
    options.set_keep_alive(Duration::from_secs(5));
    let client_auth = certificate.map(|(dir, name)| {
        (
            std::fs::read(dir.join(format!("{name}.crt"))).unwrap(),
            std::fs::read(dir.join(format!("{name}.key"))).unwrap(),
        )
    });
    options.set_transport(Transport::tls_with_config(TlsConfiguration::Simple {
        ca: std::fs::read(ca).unwrap(),
        alpn: None,
        client_auth,
    }));
    TestClient::connect_with(options).await
}

/// The environment the bridge gets: the real one for the models directory only.
fn env(name: &str) -> Option<String> {
    match name {
        "HIVE_MODELS_DIR" => std::env::var(name).ok(),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bridge_and_satellite_work_with_client_certificates_and_clients_without_are_refused() {
    hive_tests::init_logs();
    // The provider the bridge installs, for the test's own TLS clients too.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let certs = tempfile::tempdir().unwrap();
    let dir = certs.path().to_str().unwrap();
    make_certs(&[dir, "localhost"]);
    for name in ["hive-bridge", "kitchen", "office"] {
        make_certs(&["--client", name, dir]);
    }
    let ca = certs.path().join("ca.crt");
    let tls_port = free_port();
    let broker = Broker::builder()
        .project_config()
        .user(HA.0, HA.1)
        .extra_config(client_cert_listener(tls_port, certs.path()))
        .start()
        .unwrap();

    // Home Assistant watches the bridge's and the satellite's retained status.
    let mut ha = TestClient::connect(&broker, "ha", Some(HA)).await.unwrap();
    for filter in ["hive/bridge/status", "hive/satellite/kitchen/status"] {
        ha.subscribe(filter, QoS::AtLeastOnce).await.unwrap();
    }

    // The bridge, over TLS with its certificate and no password.
    let data = tempfile::tempdir().unwrap();
    let file = |name: &str| certs.path().join(name).display().to_string();
    let bridge_toml = format!(
        "[mqtt]\nurl = \"mqtts://localhost:{tls_port}\"\nclient_id = \"hive-bridge\"\n\
         [mqtt.tls]\nca_file = \"{}\"\ncert_file = \"{}\"\nkey_file = \"{}\"\n\
         [context]\npath = \"{}\"\n\
         [stt]\ntype = \"whisper\"\nmodel = \"whisper/ggml-tiny.en.bin\"\nlanguage = \"en\"\n",
        file("ca.crt"),
        file("hive-bridge.crt"),
        file("hive-bridge.key"),
        data.path().join("context").display(),
    );
    let config = hive_bridge::config::parse(&bridge_toml, Path::new("tls.toml"), &env).unwrap();
    let shutdown = tokio_util::sync::CancellationToken::new();
    let bridge = tokio::spawn(hive_bridge::run(config, Arc::new(env), shutdown.clone()));
    let online = ha.expect("hive/bridge/status", WAIT).await.unwrap();
    assert_eq!(online.payload, b"online");

    // A real satellite, over TLS with its certificate: silent microphone, no speaker.
    let satellite_toml = format!(
        "[satellite]\nid = \"kitchen\"\n[mqtt]\nurl = \"mqtts://localhost:{tls_port}\"\n\
         [mqtt.tls]\nca_file = \"{}\"\ncert_file = \"{}\"\nkey_file = \"{}\"\n\
         [audio.input]\ntype = \"microphone\"\n[audio.output]\ntype = \"none\"\n\
         [storage]\npath = \"{}\"\n[eyes]\noutputs = [\"log\"]\n[degraded]\nenabled = false\n",
        file("ca.crt"),
        file("kitchen.crt"),
        file("kitchen.key"),
        data.path().join("kitchen.json").display(),
    );
    let satellite_env: hive_satellite::config::Env = Arc::new(|_: &str| None);
    let satellite_config =
        hive_satellite::config::parse(&satellite_toml, Path::new("kitchen.toml"), &satellite_env)
            .unwrap();
    let (input, _microphone) = hive_satellite::audio::QueueInput::new();
    let options = hive_satellite::RunOptions {
        input: Some(Box::new(input)),
        ..hive_satellite::RunOptions::default()
    };
    let mut events = options.events.subscribe();
    let satellite_shutdown = tokio_util::sync::CancellationToken::new();
    let satellite = tokio::spawn(hive_satellite::run(
        satellite_config,
        options,
        satellite_shutdown.clone(),
    ));
    let status = ha
        .expect("hive/satellite/kitchen/status", WAIT)
        .await
        .unwrap();
    assert_eq!(status.payload, b"online");

    // Home Assistant has the kitchen say something: the bridge (certificate `hive-bridge`)
    // speaks it to the satellite (certificate `kitchen`), which shows the text.
    ha.publish(
        "hive/satellite/kitchen/say",
        "Dinner is ready",
        QoS::AtLeastOnce,
        false,
    )
    .await
    .unwrap();
    let heard = tokio::time::timeout(WAIT, async {
        loop {
            match events.recv().await {
                Ok(SatelliteEvent::Reply { text, .. }) if !text.is_empty() => return text,
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(error) => panic!("satellite events ended: {error}"),
            }
        }
    })
    .await
    .expect("the satellite never received the announcement");
    assert!(heard.to_lowercase().contains("dinner"), "{heard}");

    // Another satellite, scripted, with its own certificate: its typed question is
    // answered (the ACL's `%u` patterns apply to the certificate's name).
    let topics = Topics::default();
    let office = SatelliteId::new("office").unwrap();
    let mut scripted = tls_client(tls_port, &ca, "office", Some((certs.path(), "office")))
        .await
        .unwrap();
    scripted
        .subscribe("hive/satellite/office/reply", QoS::AtLeastOnce)
        .await
        .unwrap();
    let question = topics.encode_text(
        &office,
        &TextInput {
            text: "What time is it?".into(),
            session: Some(7),
            lang: Some("en".into()),
        },
    );
    scripted
        .publish(&question.topic, question.payload, QoS::AtLeastOnce, false)
        .await
        .unwrap();
    let mut answer = String::new();
    loop {
        let message = scripted
            .recv_timeout(WAIT)
            .await
            .expect("the office's question was not answered");
        if let Ok(Inbound::Reply { reply, .. }) = topics.parse(&message.topic, &message.payload) {
            assert_eq!(reply.session, 7);
            answer.push_str(&reply.text);
            if reply.is_final {
                break;
            }
        }
    }
    assert!(!answer.trim().is_empty());

    // Without a certificate the TLS handshake fails: no MQTT session at all.
    let anonymous = tls_client(tls_port, &ca, "stranger", None).await;
    assert!(
        matches!(anonymous, Err(HarnessError::Connect { .. })),
        "a client without a certificate connected: {anonymous:?}"
    );
    // A certificate signed by another CA is refused the same way.
    let other = tempfile::tempdir().unwrap();
    let other_dir = other.path().to_str().unwrap();
    make_certs(&[other_dir, "localhost"]);
    make_certs(&["--client", "kitchen", other_dir]);
    let forged = tls_client(tls_port, &ca, "kitchen-2", Some((other.path(), "kitchen"))).await;
    assert!(
        matches!(forged, Err(HarnessError::Connect { .. })),
        "a certificate from another CA was accepted: {forged:?}"
    );

    satellite_shutdown.cancel();
    satellite.await.unwrap().unwrap();
    shutdown.cancel();
    bridge.await.unwrap().unwrap();
}
