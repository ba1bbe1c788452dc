//! The one task that owns the MQTT event loop.
//!
//! It never blocks: parsed messages go to the runtime through a bounded channel with
//! `try_send` (dropped and counted when full); publishing happens elsewhere through
//! [`Publisher`]s. On every ConnAck it subscribes, publishes `online` and the current mode
//! and eye colour (all retained); the last will says `offline`. After a failed poll it backs
//! off exponentially with jitter. On shutdown it publishes `offline` and disconnects, within
//! a bounded time.

use std::sync::Arc;
use std::time::Duration;

use hive_topics::{Availability, Inbound, SatelliteId, Topics};
use rumqttc::{Event, EventLoop, LastWill, MqttOptions, Packet, TlsConfiguration, Transport};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::backoff::Backoff;
use super::endpoint::Endpoint;
use super::publisher::{Publisher, qos};
use crate::config::MqttConfig;
use crate::counters::Counters;
use crate::state::EyeView;

/// rumqttc's request queue: bursts of audio chunks while the socket is busy. A full queue
/// makes [`Publisher`] drop (and count).
const REQUEST_CAPACITY: usize = 512;
/// How long the goodbye (`offline`, DISCONNECT) may take at shutdown.
const GOODBYE_TIMEOUT: Duration = Duration::from_secs(2);

/// Whether the satellite is connected; `generation` grows with every ConnAck.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConnectionState {
    /// Connected now.
    pub connected: bool,
    /// ConnAcks so far.
    pub generation: u64,
}

/// A setting that cannot work.
#[derive(Debug, thiserror::Error)]
pub enum MqttError {
    /// Bad URL or options.
    #[error("mqtt: {0}")]
    Config(String),
    /// A TLS or password file cannot be read.
    #[error("mqtt: cannot read {path}: {source}")]
    File {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// What [`spawn`] returns.
#[derive(Debug)]
pub struct Connection {
    /// Publishes through the connection.
    pub publisher: Publisher,
    /// Connection state.
    pub state: watch::Receiver<ConnectionState>,
    /// The event-loop task; ends after shutdown, once `offline` went out (or timed out).
    pub task: JoinHandle<()>,
}

/// Builds the client and starts the event-loop task (the first connection attempt happens
/// in the task).
///
/// # Errors
/// The configuration cannot work (bad URL, unreadable TLS or password file).
pub fn spawn(
    config: &MqttConfig,
    topics: Topics,
    satellite: SatelliteId,
    inbound: mpsc::Sender<Inbound>,
    view: watch::Receiver<EyeView>,
    counters: Arc<Counters>,
    shutdown: CancellationToken,
) -> Result<Connection, MqttError> {
    let options = options(config, &topics, &satellite)?;
    let (client, event_loop) = rumqttc::AsyncClient::new(options, REQUEST_CAPACITY);
    let publisher = Publisher::new(client, counters.clone());
    let (state_tx, state) = watch::channel(ConnectionState::default());
    let backoff = Backoff::new(
        Duration::from_millis(config.reconnect_min_ms),
        Duration::from_millis(config.reconnect_max_ms),
    );
    let task = tokio::spawn(
        Driver {
            publisher: publisher.clone(),
            topics,
            satellite,
            inbound,
            view,
            state: state_tx,
            counters,
            backoff,
        }
        .run(event_loop, shutdown),
    );
    Ok(Connection {
        publisher,
        state,
        task,
    })
}

fn options(
    config: &MqttConfig,
    topics: &Topics,
    satellite: &SatelliteId,
) -> Result<MqttOptions, MqttError> {
    let endpoint = Endpoint::parse(&config.url).map_err(MqttError::Config)?;
    let client_id = if config.client_id.is_empty() {
        format!("hive-satellite-{satellite}")
    } else {
        config.client_id.clone()
    };
    let mut options = MqttOptions::new(client_id, endpoint.host.clone(), endpoint.port);
    options.set_keep_alive(Duration::from_secs(config.keep_alive_s));
    options.set_max_packet_size(config.max_packet_bytes, config.max_packet_bytes);
    // A persistent session: what the bridge sends while the satellite is cut off (a broker
    // restart, a Wi-Fi drop) waits at the broker. Replies are matched to the current
    // session, so a late one for a turn already answered locally is ignored.
    options.set_clean_session(false);
    let will = topics.satellite_last_will(satellite);
    options.set_last_will(LastWill::new(
        will.topic,
        will.payload,
        qos(will.qos),
        will.retain,
    ));
    if let Some(username) = &config.username {
        let password = match (&config.password, &config.password_file) {
            (_, Some(path)) => std::fs::read_to_string(path)
                .map_err(|source| MqttError::File {
                    path: path.clone(),
                    source,
                })?
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned(),
            (Some(password), None) => password.clone(),
            (None, None) => String::new(),
        };
        options.set_credentials(username, password);
    }
    if endpoint.tls {
        let read = |path: &std::path::PathBuf| {
            std::fs::read(path).map_err(|source| MqttError::File {
                path: path.clone(),
                source,
            })
        };
        let ca = match &config.tls.ca_file {
            Some(path) => read(path)?,
            None => {
                return Err(MqttError::Config(
                    "tls.ca_file is required for mqtts://".into(),
                ));
            }
        };
        let client_auth = match (&config.tls.cert_file, &config.tls.key_file) {
            (Some(cert), Some(key)) => Some((read(cert)?, read(key)?)),
            _ => None,
        };
        options.set_transport(Transport::tls_with_config(TlsConfiguration::Simple {
            ca,
            alpn: None,
            client_auth,
        }));
    }
    Ok(options)
}

struct Driver {
    publisher: Publisher,
    topics: Topics,
    satellite: SatelliteId,
    inbound: mpsc::Sender<Inbound>,
    view: watch::Receiver<EyeView>,
    state: watch::Sender<ConnectionState>,
    counters: Arc<Counters>,
    backoff: Backoff,
}

impl Driver {
    async fn run(mut self, mut event_loop: EventLoop, shutdown: CancellationToken) {
        let mut generation = 0_u64;
        loop {
            let event = tokio::select! {
                () = shutdown.cancelled() => break,
                event = event_loop.poll() => event,
            };
            match event {
                Ok(Event::Incoming(Packet::ConnAck(_))) => {
                    self.backoff.reset();
                    generation += 1;
                    if generation > 1 {
                        Counters::bump(&self.counters.reconnects);
                    }
                    tracing::info!(satellite = %self.satellite, generation, "Connected to the MQTT broker.");
                    self.on_connect();
                    let _ = self.state.send(ConnectionState {
                        connected: true,
                        generation,
                    });
                }
                Ok(Event::Incoming(Packet::Publish(publish))) => {
                    self.on_publish(&publish.topic, &publish.payload);
                }
                Ok(_) => {}
                Err(error) => {
                    if self.state.borrow().connected {
                        let _ = self.state.send(ConnectionState {
                            connected: false,
                            generation,
                        });
                    }
                    let delay = self.backoff.next_delay();
                    tracing::warn!(satellite = %self.satellite, error = %error, retry_in_ms = delay.as_millis() as u64, "MQTT connection failed; retrying.");
                    tokio::select! {
                        () = shutdown.cancelled() => break,
                        () = tokio::time::sleep(delay) => {}
                    }
                }
            }
        }
        self.goodbye(&mut event_loop).await;
    }

    fn on_connect(&self) {
        let client = self.publisher.client();
        for filter in self.topics.satellite_subscriptions(&self.satellite) {
            if let Err(error) = client.try_subscribe(filter.clone(), rumqttc::QoS::AtLeastOnce) {
                tracing::error!(%error, filter, "Cannot queue a subscription.");
            }
        }
        let view = *self.view.borrow();
        self.publisher.send(
            self.topics
                .encode_satellite_status(&self.satellite, Availability::Online),
        );
        self.publisher
            .send(self.topics.encode_mode(&self.satellite, view.mode));
        self.publisher
            .send(self.topics.encode_eyes(&self.satellite, view.colour));
    }

    fn on_publish(&self, topic: &str, payload: &[u8]) {
        match self.topics.parse(topic, payload) {
            Ok(message) => match self.inbound.try_send(message) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(message)) => {
                    Counters::bump(&self.counters.inbound_dropped);
                    tracing::warn!(kind = message.kind(), "Runtime is behind; message dropped.");
                }
                Err(mpsc::error::TrySendError::Closed(_)) => {}
            },
            Err(error) => {
                Counters::bump(&self.counters.inbound_rejected);
                // Debug level: a flood of garbage must not flood the logs.
                tracing::debug!(topic, code = error.code(), error = %error, "Message refused.");
            }
        }
    }

    /// `offline` and a clean DISCONNECT, so that dashboards learn at once; bounded, since a
    /// dead broker must not hold up shutdown.
    async fn goodbye(&self, event_loop: &mut EventLoop) {
        if !self.state.borrow().connected {
            return;
        }
        let offline = self
            .topics
            .encode_satellite_status(&self.satellite, Availability::Offline);
        if !self.publisher.send(offline) {
            return;
        }
        let _ = self.publisher.client().try_disconnect();
        let drain = async {
            loop {
                match event_loop.poll().await {
                    Ok(Event::Outgoing(rumqttc::Outgoing::Disconnect)) | Err(_) => break,
                    Ok(_) => {}
                }
            }
        };
        if tokio::time::timeout(GOODBYE_TIMEOUT, drain).await.is_err() {
            tracing::warn!(satellite = %self.satellite, "Broker did not take the offline message in time.");
        }
    }
}
