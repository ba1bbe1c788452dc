//! Running rumqttd inside the bridge's process.
//!
//! rumqttd's router runs on a thread of its own that cannot be stopped; its listener and
//! connections run here on a dedicated thread with a small current-thread runtime, so
//! broker traffic never competes with the pipeline's workers and stopping the broker closes
//! its socket and every connection. The router thread stays parked until the process exits.

use std::net::SocketAddr;
use std::time::Duration;

use rumqttd::protocol::v4::V4;
use rumqttd::{ConnectionSettings, LinkType, RouterConfig, Server, ServerSettings};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;

use super::config::{EmbeddedBrokerConfig, local_url};

/// How long the broker gets to accept its first connection.
const READY_WITHIN: Duration = Duration::from_secs(10);

/// Why the embedded broker cannot run.
#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    /// The address is taken (often by a Mosquitto already running) or not ours.
    #[error(
        "the embedded MQTT broker cannot listen on {addr}: {source} (is another broker running there? then set mqtt.url = \"{url}\" to use it, or pick another [mqtt.embedded] listen address)"
    )]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The URL that would reach whatever holds it.
        url: String,
        /// Why.
        source: std::io::Error,
    },
    /// Its thread could not start.
    #[error("the embedded MQTT broker could not start: {0}")]
    Start(String),
}

/// A running embedded broker; stopped by [`EmbeddedBroker::stop`] or on drop.
#[derive(Debug)]
pub struct EmbeddedBroker {
    addr: SocketAddr,
    /// The bridge's own user name and password when `users` are set.
    login: Option<(String, String)>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl EmbeddedBroker {
    /// Starts a broker on `config.listen` (port 0 picks a free port) that accepts packets
    /// up to `max_packet_bytes`, and waits until it answers an MQTT CONNECT.
    ///
    /// # Errors
    /// The address cannot be bound, or the broker does not come up.
    pub async fn start(
        config: &EmbeddedBrokerConfig,
        max_packet_bytes: usize,
    ) -> Result<Self, BrokerError> {
        // rumqttd only logs a failed bind from its own thread: bind here first to report a
        // taken address clearly, and to learn the port when 0 was asked for.
        let bind_error = |source| BrokerError::Bind {
            addr: config.listen,
            url: local_url(config.listen),
            source,
        };
        let probe = std::net::TcpListener::bind(config.listen).map_err(bind_error)?;
        let addr = probe.local_addr().map_err(bind_error)?;
        drop(probe);

        // Segments hold recent publishes per subscription; two large TTS messages fit in
        // one, and four segments bound the memory a slow subscriber can pin.
        let segment = max_packet_bytes.saturating_mul(2).max(1024 * 1024);
        let router = RouterConfig {
            max_connections: config.max_connections.max(2),
            max_outgoing_packet_count: 200,
            max_segment_size: segment,
            max_segment_count: 4,
            custom_segment: None,
            initialized_filters: None,
            shared_subscriptions_strategy: Default::default(),
        };
        let login = (!config.users.is_empty()).then(own_login);
        let auth = login.as_ref().map(|(user, password)| {
            let mut users: std::collections::HashMap<String, String> = config
                .users
                .iter()
                .map(|(user, password)| (user.clone(), password.clone()))
                .collect();
            users.insert(user.clone(), password.clone());
            users
        });
        let settings = ServerSettings {
            name: "hive-embedded".into(),
            listen: addr,
            tls: None,
            next_connection_delay_ms: 0,
            connections: ConnectionSettings {
                connection_timeout_ms: 10_000,
                max_payload_size: max_packet_bytes,
                max_inflight_count: 256,
                auth,
                external_auth: None,
                dynamic_filters: true,
            },
        };
        let router_tx = rumqttd::Router::new(0, router).spawn();
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("hive-broker".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(error) => {
                        tracing::error!(%error, "Embedded broker runtime failed to start.");
                        return;
                    }
                };
                let mut server = Server::new(settings, router_tx, V4);
                runtime.block_on(async move {
                    tokio::select! {
                        result = server.start(LinkType::Remote) => {
                            if let Err(error) = result {
                                tracing::error!(error = %error, "Embedded broker stopped.");
                            }
                        }
                        _ = stopped => {}
                    }
                });
                // Dropping the runtime here closes the listener and every connection.
            })
            .map_err(|error| BrokerError::Start(error.to_string()))?;
        let broker = EmbeddedBroker {
            addr,
            login,
            stop: Some(stop),
            thread: Some(thread),
        };
        wait_ready(addr, broker.login()).await?;
        tracing::info!(listen = %addr, "Embedded MQTT broker listening.");
        Ok(broker)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The user name and password the bridge's own clients use, when `users` are set.
    pub fn login(&self) -> Option<(&str, &str)> {
        self.login
            .as_ref()
            .map(|(user, password)| (user.as_str(), password.as_str()))
    }

    /// The URL clients on this machine connect to.
    pub fn url(&self) -> String {
        local_url(self.addr)
    }

    /// Stops the listener and closes every connection.
    pub fn stop(mut self) {
        self.shut();
    }

    fn shut(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for EmbeddedBroker {
    fn drop(&mut self) {
        self.shut();
    }
}

/// Polls until the broker answers a CONNECT with a CONNACK (a bare TCP probe would make
/// rumqttd log an error for the connection that never spoke MQTT).
async fn wait_ready(addr: SocketAddr, login: Option<(&str, &str)>) -> Result<(), BrokerError> {
    let deadline = tokio::time::Instant::now() + READY_WITHIN;
    let mut delay = Duration::from_millis(5);
    loop {
        match tokio::time::timeout(Duration::from_secs(2), handshake(addr, login)).await {
            Ok(Ok(())) => return Ok(()),
            Ok(Err(_)) | Err(_) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_millis(200));
            }
            Ok(Err(error)) => {
                return Err(BrokerError::Start(format!(
                    "{addr} does not answer: {error}"
                )));
            }
            Err(_) => return Err(BrokerError::Start(format!("{addr} does not answer"))),
        }
    }
}

/// The bridge's own login: a user name no one would pick and 128 random bits, new at each
/// start (std's `RandomState` draws its keys from the operating system).
fn own_login() -> (String, String) {
    use std::hash::{BuildHasher, Hasher};
    let half = || {
        std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish()
    };
    (
        "hive-bridge-self".to_owned(),
        format!("{:016x}{:016x}", half(), half()),
    )
}

/// An MQTT 3.1.1 CONNECT (clean session, client id `hive-probe`, with `login` if given), its
/// CONNACK, DISCONNECT.
async fn handshake(addr: SocketAddr, login: Option<(&str, &str)>) -> std::io::Result<()> {
    let field = |packet: &mut Vec<u8>, text: &str| {
        packet.extend_from_slice(&(text.len() as u16).to_be_bytes());
        packet.extend_from_slice(text.as_bytes());
    };
    let mut body = vec![0, 4, b'M', b'Q', b'T', b'T', 4];
    body.push(if login.is_some() { 0xc2 } else { 0x02 });
    body.extend_from_slice(&[0, 10]);
    field(&mut body, "hive-probe");
    if let Some((user, password)) = login {
        field(&mut body, user);
        field(&mut body, password);
    }
    // The remaining length, 7 bits a byte; a CONNECT this small needs at most two.
    let mut connect = vec![0x10];
    let mut left = body.len();
    loop {
        let byte = (left % 128) as u8;
        left /= 128;
        connect.push(if left > 0 { byte | 0x80 } else { byte });
        if left == 0 {
            break;
        }
    }
    connect.extend_from_slice(&body);
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    stream.write_all(&connect).await?;
    let mut connack = [0u8; 4];
    stream.read_exact(&mut connack).await?;
    if connack[0] != 0x20 || connack[3] != 0 {
        return Err(std::io::Error::other(format!(
            "unexpected answer {connack:02x?}"
        )));
    }
    stream.write_all(&[0xe0, 0]).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_taken_address_is_reported_with_what_to_do() {
        let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let config = EmbeddedBrokerConfig {
            listen: holder.local_addr().unwrap(),
            ..EmbeddedBrokerConfig::default()
        };
        let error = EmbeddedBroker::start(&config, 1 << 20).await.unwrap_err();
        let text = error.to_string();
        assert!(text.contains("mqtt.url"), "{text}");
        assert!(text.contains(&config.listen.to_string()), "{text}");
    }

    #[tokio::test]
    async fn it_answers_mqtt_on_a_free_port_and_stops() {
        let config = EmbeddedBrokerConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            ..EmbeddedBrokerConfig::default()
        };
        let broker = EmbeddedBroker::start(&config, 1 << 20).await.unwrap();
        let addr = broker.addr();
        assert_ne!(addr.port(), 0);
        handshake(addr, None).await.unwrap();
        broker.stop();
        assert!(
            handshake(addr, None).await.is_err(),
            "still answering after stop"
        );
    }

    #[tokio::test]
    async fn with_users_only_they_and_the_bridge_connect() {
        let config = EmbeddedBrokerConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            users: [("kitchen".to_owned(), "s3cret".to_owned())].into(),
            ..EmbeddedBrokerConfig::default()
        };
        let broker = EmbeddedBroker::start(&config, 1 << 20).await.unwrap();
        let addr = broker.addr();
        handshake(addr, Some(("kitchen", "s3cret"))).await.unwrap();
        handshake(addr, broker.login()).await.unwrap();
        for refused in [None, Some(("kitchen", "wrong")), Some(("hall", "s3cret"))] {
            assert!(handshake(addr, refused).await.is_err(), "{refused:?}");
        }
        let (user, password) = broker.login().unwrap();
        assert_eq!(password.len(), 32);
        assert!(!format!("{config:?}").contains("s3cret"));
        let again = EmbeddedBroker::start(
            &EmbeddedBrokerConfig {
                listen: "127.0.0.1:0".parse().unwrap(),
                ..config.clone()
            },
            1 << 20,
        )
        .await
        .unwrap();
        assert_ne!(
            again.login().unwrap(),
            (user, password),
            "new at each start"
        );
    }
}
