//! `hive-bridge run` with no broker configured, as on a desktop trial: it starts its own
//! MQTT broker, and an outside client (what `hive-satellite` or Home Assistant would be)
//! connects to it and sees the bridge's retained `online`.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use hive_tests::cli::{bridge_binary, free_port};
use hive_tests::{QoS, TestClient};
use rumqttc::MqttOptions;

const WAIT: Duration = Duration::from_secs(180);

/// The bridge process, stopped on drop.
struct Bridge(Child);

impl Drop for Bridge {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outside_client_sees_the_bridge_online_on_its_embedded_broker() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port().unwrap();
    let config = dir.path().join("bridge.toml");
    let log = dir.path().join("bridge.log");
    // No [mqtt] url: the embedded broker, moved off 1883 so that the test meets no other.
    std::fs::write(
        &config,
        format!(
            "[mqtt.embedded]\nlisten = \"127.0.0.1:{port}\"\n[http]\nenabled = false\n\
             [context]\npath = \"{}\"\n",
            dir.path().join("context").display()
        ),
    )
    .unwrap();
    let mut bridge = Bridge(
        Command::new(bridge_binary().unwrap())
            .args(["run", "--config"])
            .arg(&config)
            .env_remove("HIVE_CONFIG")
            .env_remove("HIVE_MQTT_URL")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap(),
    );

    // The broker comes up with the bridge; connect as soon as it takes connections.
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut client = loop {
        let options = MqttOptions::new("desk-satellite", "127.0.0.1", port);
        match TestClient::connect_with(options).await {
            Ok(client) => break client,
            Err(error) => {
                assert!(
                    bridge.0.try_wait().unwrap().is_none(),
                    "the bridge exited before its broker took a connection"
                );
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "the embedded broker never took a connection: {error}"
                );
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }
    };
    client
        .subscribe("hive/bridge/status", QoS::AtLeastOnce)
        .await
        .unwrap();
    // Offline may come first (the will, while the bridge loads); online follows.
    let online = loop {
        let message = client
            .expect("hive/bridge/status", WAIT)
            .await
            .expect("the bridge's availability on its own broker");
        if message.text() == Some("online") {
            break message;
        }
    };
    assert_eq!(online.text(), Some("online"));

    // A client that connects later gets it from the retained store, as a satellite that
    // starts after the bridge does.
    let options = MqttOptions::new("late-satellite", "127.0.0.1", port);
    let mut late = TestClient::connect_with(options).await.unwrap();
    late.subscribe("hive/bridge/status", QoS::AtLeastOnce)
        .await
        .unwrap();
    let retained = late.expect("hive/bridge/status", WAIT).await.unwrap();
    assert!(retained.retain, "{retained:?}");
    assert_eq!(retained.text(), Some("online"));

    // Clients that leave cleanly and a bridge stopped as systemd stops it leave no ERROR
    // in the log, nor the broker's bookkeeping of each connection.
    late.disconnect().await.unwrap();
    client.disconnect().await.unwrap();
    let stopped = Command::new("kill")
        .args(["-TERM", &bridge.0.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    let deadline = std::time::Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = bridge.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "SIGTERM did not stop the bridge"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(status.success(), "{status:?}\n{log}");
    assert!(log.contains("Shutting down."), "{log}");
    for line in log.lines() {
        assert!(!line.contains("ERROR"), "{line}\n\n{log}");
        assert!(!line.contains("rumqttd"), "{line}\n\n{log}");
    }
    drop(bridge);
}

/// `[mqtt.embedded] users`: a satellite on the network connects with its login, a client
/// without one (or with a wrong password) is turned away, and the bridge itself, which has
/// no entry there, is connected all along.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_users_only_they_connect_and_the_bridge_still_serves() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port().unwrap();
    let config = dir.path().join("bridge.toml");
    std::fs::write(
        &config,
        format!(
            "[mqtt.embedded]\nlisten = \"127.0.0.1:{port}\"\nusers = {{ kitchen = \"${{KITCHEN_PASSWORD}}\" }}\n\
             [http]\nenabled = false\n[context]\npath = \"{}\"\n",
            dir.path().join("context").display()
        ),
    )
    .unwrap();
    let bridge = Bridge(
        Command::new(bridge_binary().unwrap())
            .args(["run", "--config"])
            .arg(&config)
            .env_remove("HIVE_CONFIG")
            .env_remove("HIVE_MQTT_URL")
            .env("KITCHEN_PASSWORD", "pasta-al-dente")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let login = |user: &str, password: &str| {
        let mut options = MqttOptions::new(format!("as-{user}-{password}"), "127.0.0.1", port);
        options.set_credentials(user, password);
        options
    };

    let deadline = tokio::time::Instant::now() + WAIT;
    let mut kitchen = loop {
        match TestClient::connect_with(login("kitchen", "pasta-al-dente")).await {
            Ok(client) => break client,
            Err(error) => {
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "the embedded broker never took the kitchen's login: {error}"
                );
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }
    };
    kitchen
        .subscribe("hive/bridge/status", QoS::AtLeastOnce)
        .await
        .unwrap();
    loop {
        let message = kitchen.expect("hive/bridge/status", WAIT).await.unwrap();
        if message.text() == Some("online") {
            break;
        }
    }

    let anonymous = MqttOptions::new("anonymous", "127.0.0.1", port);
    assert!(TestClient::connect_with(anonymous).await.is_err());
    assert!(
        TestClient::connect_with(login("kitchen", "wrong"))
            .await
            .is_err()
    );
    assert!(
        TestClient::connect_with(login("hive-bridge-self", "guess"))
            .await
            .is_err()
    );
    drop(bridge);
}
