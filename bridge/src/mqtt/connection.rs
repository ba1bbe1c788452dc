//! The one task that owns the MQTT event loop.
//!
//! It never blocks: parsed messages go to the router through a bounded channel with
//! `try_send`, and when that is full the message is dropped and counted (audio would be stale
//! by the time it was read anyway). On every ConnAck it re-subscribes and re-publishes the
//! bridge's retained availability; after a failed poll it backs off exponentially with jitter.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hive_topics::{Availability, Inbound, Topics};
use rumqttc::{
    AsyncClient, Event, EventLoop, LastWill, MqttOptions, Packet, TlsConfiguration, Transport,
};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::config::{MqttConfig, MqttConfigError};
use super::publisher::{Publisher, qos};
use crate::backoff::Backoff;
use crate::cluster::ClusterConfig;

/// Whether the bridge is connected; `generation` grows with every new connection so that
/// watchers re-publish their retained state exactly once per reconnect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConnectionState {
    /// Connected now.
    pub connected: bool,
    /// How many ConnAcks so far.
    pub generation: u64,
}

/// Counters of what arrived, for metrics.
#[derive(Debug, Default)]
pub struct InboundStats {
    /// Messages parsed and handed on.
    pub accepted: AtomicU64,
    /// Messages refused by the parser (malformed, oversized, unknown).
    pub rejected: AtomicU64,
    /// Messages dropped because the router was behind.
    pub dropped: AtomicU64,
    /// The refused ones by parse error code.
    pub by_code: crate::metrics::Rejections,
}

/// What [`spawn`] returns.
#[derive(Debug)]
pub struct Connection {
    /// Publishes through the connection.
    pub publisher: Publisher,
    /// Connection state, for tasks that re-publish on reconnect.
    pub state: watch::Receiver<ConnectionState>,
    /// Counters.
    pub stats: Arc<InboundStats>,
    /// The event-loop task; ends after `shutdown`, once `offline` is published.
    pub task: JoinHandle<()>,
}

/// Connects (in the background; the first attempt happens in the task) and starts the task.
///
/// # Errors
/// The configuration cannot work (bad URL, unreadable TLS or password file).
pub fn spawn(
    config: &MqttConfig,
    cluster: &ClusterConfig,
    topics: Topics,
    inbound: mpsc::Sender<Inbound>,
    shutdown: CancellationToken,
) -> Result<Connection, MqttConfigError> {
    let options = options(config, cluster, &topics)?;
    let subscriptions = crate::cluster::subscriptions(&topics, cluster);
    // The request queue absorbs bursts of TTS audio while the socket is busy.
    let (client, event_loop) = AsyncClient::new(options, 256);
    let (state_tx, state) = watch::channel(ConnectionState::default());
    let stats = Arc::new(InboundStats::default());
    let task = tokio::spawn(run(
        client.clone(),
        event_loop,
        topics,
        subscriptions,
        inbound,
        state_tx,
        stats.clone(),
        shutdown,
    ));
    Ok(Connection {
        publisher: Publisher::new(client),
        state,
        stats,
        task,
    })
}

fn options(
    config: &MqttConfig,
    cluster: &ClusterConfig,
    topics: &Topics,
) -> Result<MqttOptions, MqttConfigError> {
    let mut options = base_options(config, &config.client_id)?;
    // Alone, a persistent session: QoS 1 messages for the bridge (wakes, asks, says) queue at
    // the broker while it is away and arrive when it comes back. In a group, a clean one: the
    // others take the work, and a dead instance's session would otherwise keep receiving its
    // share of the group's messages until it expired.
    options.set_clean_session(cluster.enabled());
    let will = topics.bridge_last_will();
    options.set_last_will(LastWill::new(
        will.topic,
        will.payload,
        qos(will.qos),
        will.retain,
    ));
    Ok(options)
}

/// Address, keep-alive, packet size, credentials and TLS, without a last will or session
/// settings: shared by the bridge's connection and the discovery connection.
///
/// # Errors
/// The configuration cannot work (bad URL, unreadable TLS or password file).
pub(crate) fn base_options(
    config: &MqttConfig,
    client_id: &str,
) -> Result<MqttOptions, MqttConfigError> {
    config.validate()?;
    let endpoint = config.endpoint()?;
    let mut options = MqttOptions::new(client_id, &endpoint.host, endpoint.port);
    options.set_keep_alive(config.keep_alive());
    options.set_max_packet_size(config.max_packet_bytes, config.max_packet_bytes);
    if let Some(username) = &config.username {
        options.set_credentials(username, config.resolved_password()?.unwrap_or_default());
    }
    if endpoint.tls {
        options.set_transport(Transport::tls_with_config(tls(config)?));
    }
    Ok(options)
}

pub(super) fn tls(config: &MqttConfig) -> Result<TlsConfiguration, MqttConfigError> {
    // Two rustls crypto providers are compiled in (ring through reqwest, aws-lc-rs through
    // tokio-rustls), so rustls cannot choose and would panic on the first TLS connection.
    // Installing one is idempotent: an error only means one is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let read = |path: &std::path::PathBuf| {
        std::fs::read(path).map_err(|error| MqttConfigError::File {
            path: path.clone(),
            detail: error.to_string(),
        })
    };
    let ca = match &config.tls.ca_file {
        Some(path) => read(path)?,
        None => {
            return Err(MqttConfigError::Invalid(
                "tls.ca_file is required for mqtts:// (the CA that signed the broker's certificate)".into(),
            ));
        }
    };
    let client_auth = match (&config.tls.cert_file, &config.tls.key_file) {
        (Some(cert), Some(key)) => Some((read(cert)?, read(key)?)),
        _ => None,
    };
    Ok(TlsConfiguration::Simple {
        ca,
        alpn: None,
        client_auth,
    })
}

#[allow(clippy::too_many_arguments)] // One task's whole state, handed over once.
async fn run(
    client: AsyncClient,
    mut event_loop: EventLoop,
    topics: Topics,
    subscriptions: Vec<String>,
    inbound: mpsc::Sender<Inbound>,
    state: watch::Sender<ConnectionState>,
    stats: Arc<InboundStats>,
    shutdown: CancellationToken,
) {
    let mut backoff = Backoff::new(Duration::from_millis(250), Duration::from_secs(15));
    let mut oversize = crate::limits::OversizeReplies::default();
    let mut generation = 0;
    loop {
        let event = tokio::select! {
            () = shutdown.cancelled() => break,
            event = event_loop.poll() => event,
        };
        match event {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                backoff.reset();
                generation += 1;
                tracing::info!(generation, "Connected to the MQTT broker.");
                on_connect(&client, &topics, &subscriptions).await;
                let _ = state.send(ConnectionState {
                    connected: true,
                    generation,
                });
            }
            Ok(Event::Incoming(Packet::Publish(publish))) => {
                match topics.parse(&publish.topic, &publish.payload) {
                    Ok(message) => match inbound.try_send(message) {
                        Ok(()) => {
                            stats.accepted.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(mpsc::error::TrySendError::Full(message)) => {
                            stats.dropped.fetch_add(1, Ordering::Relaxed);
                            tracing::warn!(
                                kind = message.kind(),
                                "Router is behind; message dropped."
                            );
                        }
                        Err(mpsc::error::TrySendError::Closed(_)) => break,
                    },
                    Err(error) => {
                        stats.rejected.fetch_add(1, Ordering::Relaxed);
                        stats.by_code.count(&error);
                        // Debug level: a flood of garbage must not flood the logs.
                        tracing::debug!(topic = %publish.topic, code = error.code(), %error, "Message refused.");
                        // A satellite over a size limit is told (at most once a second).
                        if let Some(report) = oversize.reply(
                            &topics,
                            &publish.topic,
                            &error,
                            std::time::Instant::now(),
                        ) && let Err(error) = client.try_publish(
                            report.topic,
                            qos(report.qos),
                            report.retain,
                            report.payload,
                        ) {
                            tracing::debug!(%error, "Oversize report not queued.");
                        }
                    }
                }
            }
            Ok(_) => {}
            Err(error) => {
                if state.borrow().connected {
                    let _ = state.send(ConnectionState {
                        connected: false,
                        generation,
                    });
                }
                let delay = backoff.next();
                tracing::warn!(%error, retry_in_ms = delay.as_millis() as u64, "MQTT connection failed; retrying.");
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    () = tokio::time::sleep(delay) => {}
                }
            }
        }
    }
    goodbye(&client, &mut event_loop, &topics).await;
}

async fn on_connect(client: &AsyncClient, topics: &Topics, subscriptions: &[String]) {
    // Mode and eye colour are not for the pipeline, but the status page shows them.
    let prefix = topics.prefix();
    let dashboard = ["mode", "eyes"].map(|kind| format!("{prefix}/satellite/+/{kind}"));
    for filter in subscriptions.iter().cloned().chain(dashboard) {
        if let Err(error) = client.try_subscribe(filter.clone(), rumqttc::QoS::AtLeastOnce) {
            tracing::error!(%error, filter, "Cannot queue a subscription.");
        }
    }
    let online = topics.encode_bridge_status(Availability::Online);
    if let Err(error) =
        client.try_publish(online.topic, qos(online.qos), online.retain, online.payload)
    {
        tracing::error!(%error, "Cannot queue the availability message.");
    }
}

/// Publishes `offline` and disconnects cleanly, so that satellites learn at once rather than
/// after the keep-alive runs out. Bounded: a dead broker must not hold up shutdown.
async fn goodbye(client: &AsyncClient, event_loop: &mut EventLoop, topics: &Topics) {
    let offline = topics.encode_bridge_status(Availability::Offline);
    if client
        .try_publish(
            offline.topic,
            qos(offline.qos),
            offline.retain,
            offline.payload,
        )
        .is_err()
    {
        return;
    }
    let _ = client.try_disconnect();
    let drain = async {
        loop {
            match event_loop.poll().await {
                Ok(Event::Outgoing(rumqttc::Outgoing::Disconnect)) | Err(_) => break,
                Ok(_) => {}
            }
        }
    };
    if tokio::time::timeout(Duration::from_secs(2), drain)
        .await
        .is_err()
    {
        tracing::warn!("Broker did not take the offline message within 2 s.");
    }
}
