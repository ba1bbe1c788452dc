//! The bridge as a whole: build the engines, connect, route, and shut down gracefully.

use std::sync::Arc;
use std::time::Duration;

use hive_topics::Topics;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::broker::EmbeddedBroker;
use crate::config::BridgeConfig;
use crate::metrics::Telemetry;
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
    /// The embedded broker could not start.
    #[error(transparent)]
    Broker(#[from] crate::broker::BrokerError),
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
    run_with(config, env, shutdown, Arc::new(Telemetry::default())).await
}

/// [`run`], reporting to `telemetry` (which the caller can read: the demo prints the
/// transcript from it).
///
/// # Errors
/// As [`run`]; also when the embedded broker cannot start.
pub async fn run_with(
    mut config: BridgeConfig,
    env: crate::config::SharedEnv,
    shutdown: CancellationToken,
    telemetry: Arc<Telemetry>,
) -> Result<(), RunError> {
    // The embedded broker starts first and stops last: everything else talks through it.
    let embedded = match config.mqtt.broker {
        crate::broker::BrokerMode::Embedded => {
            let broker =
                EmbeddedBroker::start(&config.mqtt.embedded, config.mqtt.max_packet_bytes).await?;
            config.mqtt.url = broker.url();
            if !broker.addr().ip().is_loopback() && broker.login().is_none() {
                tracing::warn!(listen = %broker.addr(), code = "broker_open", "The embedded broker listens beyond this machine without users: anyone who reaches it can speak for any satellite. Set [mqtt.embedded] users.");
            }
            if let Some((user, password)) = broker.login() {
                config.mqtt.username = Some(user.to_owned());
                config.mqtt.password = Some(password.to_owned());
                config.mqtt.password_file = None;
            }
            Some(broker)
        }
        _ => None,
    };
    let topics = Topics::new(config.mqtt.prefix.clone())?.with_limits(config.limits.payload);
    // In a group every instance needs its own client id (the discovery connection's too) and
    // its own timer record.
    config.cluster.name_instance();
    config.mqtt.client_id = config.cluster.client_id(&config.mqtt.client_id);
    let time_zone = config.assistant.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let runtime = tokio::runtime::Handle::current();
    let build_config = config.clone();
    let build_shutdown = shutdown.clone();
    let build_telemetry = telemetry.clone();
    let started = std::time::Instant::now();
    let engines = tokio::task::spawn_blocking(move || {
        Engines::build(
            &build_config,
            &*env,
            runtime,
            &build_shutdown,
            &build_telemetry,
        )
    })
    .await
    .map_err(|_| {
        RunError::Engines(BuildError::Stt(crate::stt::SttError::Inference(
            "engine loading panicked".into(),
        )))
    })??;
    tracing::info!(load_ms = started.elapsed().as_millis() as u64, engines = ?engines, "Engines loaded.");
    for (engine, took) in &engines.load_times {
        telemetry.loaded(engine, *took);
    }

    let (inbound_tx, inbound_rx) = mpsc::channel(INBOUND_QUEUE);
    let connection_shutdown = CancellationToken::new();
    let inbound_probe = inbound_tx.downgrade();
    let connection = mqtt::spawn(
        &config.mqtt,
        &config.cluster,
        topics.clone(),
        inbound_tx,
        connection_shutdown.clone(),
    )?;
    // Home Assistant discovery runs on its own connection and stops with the bridge's.
    let discovery = crate::discovery::spawn(&config, topics.clone(), connection_shutdown.clone())?;
    // Built-in skills plus the external ones registered later over MQTT; matched with the
    // same settings as the built-in registry.
    let skills = crate::skills::SkillCatalog::new(&engines.skills, config.skills.clone())
        .map_err(BuildError::Skills)?;
    let (timers, timer_commands) = crate::timers::Timers::channel();
    let timer_store = engines.timer_store.clone();
    let shared = Arc::new(Shared {
        topics,
        publisher: connection.publisher.clone(),
        engines,
        config,
        time_zone,
        telemetry,
        timers,
        skills,
        skill_calls: crate::skills::SkillCalls::default(),
        history_anchor: std::sync::Mutex::default(),
        rewarming: std::sync::atomic::AtomicBool::default(),
    });
    let timers = tokio::spawn(crate::timers::run(
        shared.clone(),
        timer_store,
        timer_commands,
        shutdown.clone(),
    ));
    let http_state = crate::http::HttpState {
        shared: shared.clone(),
        connection: connection.state.clone(),
        stats: connection.stats.clone(),
        inbound: inbound_probe,
        checked: Default::default(),
    };
    let http = crate::http::spawn(&shared.config.http, http_state, shutdown.clone()).await;
    tokio::spawn(crate::pipeline::warm_up(shared.clone(), shutdown.clone()));
    let router = tokio::spawn(Router::new(shared, shutdown.clone()).run(inbound_rx));

    shutdown.cancelled().await;
    tracing::info!("Shutting down.");
    if let Some((_, http)) = http
        && tokio::time::timeout(GRACE, http).await.is_err()
    {
        tracing::warn!("Status page did not close in time.");
    }
    if tokio::time::timeout(GRACE, router).await.is_err() {
        tracing::warn!(grace_s = GRACE.as_secs(), "Turns did not finish in time.");
    }
    // The timer driver holds the database: it must be gone before `run` returns, so that a
    // bridge started again in the same process can open it.
    if tokio::time::timeout(GRACE, timers).await.is_err() {
        tracing::warn!("Timers did not stop in time.");
    }
    // The connection goes last so that final replies and `offline` still leave.
    connection_shutdown.cancel();
    if tokio::time::timeout(GRACE, connection.task).await.is_err() {
        tracing::warn!("MQTT connection did not close in time.");
    }
    if let Some(discovery) = discovery
        && tokio::time::timeout(GRACE, discovery).await.is_err()
    {
        tracing::warn!("Discovery connection did not close in time.");
    }
    if let Some(broker) = embedded {
        let _ = tokio::task::spawn_blocking(move || broker.stop()).await;
    }
    Ok(())
}
