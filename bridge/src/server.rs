//! The bridge as a whole: build the engines, connect, route, and shut down gracefully.

use std::sync::Arc;
use std::time::Duration;

use hive_topics::Topics;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::config::BridgeConfig;
use crate::mqtt;
use crate::pipeline::{BuildError, Engines, Router, Shared};

/// Messages parsed but not yet routed; the router is fast, so this only fills when the
/// machine is overloaded, and then the newest messages are dropped and counted.
const INBOUND_QUEUE: usize = 4096;

/// How long turns and the connection get to finish after the shutdown signal.
const GRACE: Duration = Duration::from_secs(5);

/// Why the bridge stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The MQTT settings cannot work.
    #[error(transparent)]
    Mqtt(#[from] mqtt::MqttConfigError),
    /// The prefix is invalid.
    #[error("mqtt.prefix: {0}")]
    Prefix(#[from] hive_topics::TopicError),
    /// An engine could not be built.
    #[error(transparent)]
    Engines(#[from] BuildError),
}

/// Runs the bridge until `shutdown` fires.
///
/// # Errors
/// Start-up failed: a model without fallback failed to load, or the MQTT settings are
/// invalid. Once running, failures are handled and logged, never returned.
pub async fn run(
    config: BridgeConfig,
    env: crate::config::SharedEnv,
    shutdown: CancellationToken,
) -> Result<(), RunError> {
    let topics = Topics::new(config.mqtt.prefix.clone())?;
    let time_zone = config.assistant.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let runtime = tokio::runtime::Handle::current();
    let build_config = config.clone();
    let build_shutdown = shutdown.clone();
    let started = std::time::Instant::now();
    let engines = tokio::task::spawn_blocking(move || {
        Engines::build(&build_config, &*env, runtime, &build_shutdown)
    })
    .await
    .map_err(|_| {
        RunError::Engines(BuildError::Stt(crate::stt::SttError::Inference(
            "engine loading panicked".into(),
        )))
    })??;
    tracing::info!(load_ms = started.elapsed().as_millis() as u64, engines = ?engines, "Engines loaded.");

    let (inbound_tx, inbound_rx) = mpsc::channel(INBOUND_QUEUE);
    let connection_shutdown = CancellationToken::new();
    let connection = mqtt::spawn(
        &config.mqtt,
        topics.clone(),
        inbound_tx,
        connection_shutdown.clone(),
    )?;
    let shared = Arc::new(Shared {
        topics,
        publisher: connection.publisher.clone(),
        engines,
        config,
        time_zone,
    });
    let router = tokio::spawn(Router::new(shared, shutdown.clone()).run(inbound_rx));

    shutdown.cancelled().await;
    tracing::info!("Shutting down.");
    if tokio::time::timeout(GRACE, router).await.is_err() {
        tracing::warn!(grace_s = GRACE.as_secs(), "Turns did not finish in time.");
    }
    // The connection goes last so that final replies and `offline` still leave.
    connection_shutdown.cancel();
    if tokio::time::timeout(GRACE, connection.task).await.is_err() {
        tracing::warn!("MQTT connection did not close in time.");
    }
    Ok(())
}
