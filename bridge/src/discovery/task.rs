//! The discovery task: its own MQTT connection, the state machine, and the publishing.
//!
//! Why a second connection rather than the bridge's: discovery reads topics outside the
//! Hive tree (`homeassistant/status`, retained configs) that the pipeline's parser would
//! reject, and it must not share the bridge's last will (`bridge/status` `offline`). It
//! has no last will of its own; Home Assistant's availability comes from the retained
//! `status` topics.
//!
//! One task owns the event loop and never blocks: announcements go as batches through a
//! bounded channel to a publishing task; when that is full the batch is dropped and logged,
//! and the next full announcement (reconnect, birth message) repairs it.

use std::time::Duration;

use hive_topics::{Outbound, Topics};
use rumqttc::{AsyncClient, Event, EventLoop, Packet};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::payload::Announcer;
use super::state::DiscoveryState;
use crate::backoff::Backoff;
use crate::config::BridgeConfig;
use crate::mqtt::{MqttConfigError, base_options, qos};

/// Batches waiting for the publishing task: a few full announcements' worth.
const BATCH_QUEUE: usize = 16;

/// After a ConnAck, how long the broker's retained configs get to arrive before the full
/// announcement (which removes stale ones) goes out. Loopback or LAN: milliseconds.
const SETTLE: Duration = Duration::from_millis(750);

/// The shortest wait after Home Assistant's birth message; up to one more second of
/// jitter is added, so many bridges and devices do not answer in the same instant.
const BIRTH_DELAY: Duration = Duration::from_millis(500);

/// Starts discovery if `[discovery] enabled`.
///
/// # Errors
/// The MQTT settings cannot work.
pub fn spawn(
    config: &BridgeConfig,
    topics: Topics,
    shutdown: CancellationToken,
) -> Result<Option<JoinHandle<()>>, MqttConfigError> {
    if !config.discovery.enabled {
        return Ok(None);
    }
    let client_id = format!("{}-discovery", config.mqtt.client_id);
    let options = base_options(&config.mqtt, &client_id)?;
    let (client, event_loop) = AsyncClient::new(options, 64);
    let discovery = config.discovery.with_allowed(&config.satellites.allow);
    let announcer = Announcer::new(topics, discovery, env!("CARGO_PKG_VERSION"));
    let state = DiscoveryState::new(announcer, super::engines::engines_in_use(config));
    Ok(Some(tokio::spawn(run(client, event_loop, state, shutdown))))
}

/// A short pseudo-random delay: the clock's low bits, as the reconnect back-off does.
fn jitter(base: Duration) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.subsec_nanos())
        .unwrap_or(0);
    base + Duration::from_millis(u64::from(nanos % 1000))
}

async fn run(
    client: AsyncClient,
    mut event_loop: EventLoop,
    mut state: DiscoveryState,
    shutdown: CancellationToken,
) {
    let (batches, batch_rx) = mpsc::channel(BATCH_QUEUE);
    let publisher = tokio::spawn(publish_batches(client.clone(), batch_rx));
    let mut backoff = Backoff::new(Duration::from_millis(250), Duration::from_secs(15));
    let mut announce_at: Option<Instant> = None;
    loop {
        let due = async {
            match announce_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        let event = tokio::select! {
            () = shutdown.cancelled() => break,
            () = due => {
                announce_at = None;
                let messages = state.announce_all();
                tracing::info!(
                    satellites = state.satellites().count(),
                    messages = messages.len(),
                    "Announcing to Home Assistant."
                );
                queue(&batches, messages);
                continue;
            }
            event = event_loop.poll() => event,
        };
        match event {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                backoff.reset();
                for filter in state.subscriptions() {
                    if let Err(error) =
                        client.try_subscribe(filter.clone(), rumqttc::QoS::AtLeastOnce)
                    {
                        tracing::error!(%error, filter, "Cannot queue a discovery subscription.");
                    }
                }
                announce_at = Some(Instant::now() + SETTLE);
            }
            Ok(Event::Incoming(Packet::Publish(publish))) => {
                let reaction = state.on_message(&publish.topic, &publish.payload, publish.retain);
                if !reaction.publish.is_empty() {
                    queue(&batches, reaction.publish);
                }
                if reaction.announce_all_soon {
                    tracing::info!("Home Assistant came online; announcing again shortly.");
                    announce_at = Some(Instant::now() + jitter(BIRTH_DELAY));
                }
            }
            Ok(_) => {}
            Err(error) => {
                let delay = backoff.next();
                tracing::warn!(%error, retry_in_ms = delay.as_millis() as u64, "Discovery connection failed; retrying.");
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    () = tokio::time::sleep(delay) => {}
                }
            }
        }
    }
    publisher.abort();
    let _ = client.try_disconnect();
    let drain = async {
        loop {
            match event_loop.poll().await {
                Ok(Event::Outgoing(rumqttc::Outgoing::Disconnect)) | Err(_) => break,
                Ok(_) => {}
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), drain).await;
}

fn queue(batches: &mpsc::Sender<Vec<Outbound>>, messages: Vec<Outbound>) {
    if let Err(mpsc::error::TrySendError::Full(dropped)) = batches.try_send(messages) {
        tracing::warn!(
            messages = dropped.len(),
            "Discovery publisher is behind; batch dropped."
        );
    }
}

/// Publishes batches in order; waits while the client's request queue is full, which is
/// fine here because this task owns no event loop.
async fn publish_batches(client: AsyncClient, mut batches: mpsc::Receiver<Vec<Outbound>>) {
    while let Some(batch) = batches.recv().await {
        for message in batch {
            let Outbound {
                topic,
                payload,
                qos: level,
                retain,
            } = message;
            if client
                .publish(topic, qos(level), retain, payload)
                .await
                .is_err()
            {
                return;
            }
        }
    }
}
