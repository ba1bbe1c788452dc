//! A real `hive-bridge` running in the test's process against the test's broker.

use std::sync::Arc;
use std::time::Duration;

use hive_bridge::config::{self, BridgeConfig};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::broker::Broker;
use crate::error::HarnessError;

/// A running bridge; stopped (gracefully) by [`RunningBridge::stop`] or on drop.
pub struct RunningBridge {
    shutdown: CancellationToken,
    task: Option<JoinHandle<Result<(), hive_bridge::RunError>>>,
    /// The configuration it runs with.
    pub config: BridgeConfig,
}

/// The environment tests give the bridge: the real one for the models directory only.
fn env(name: &str) -> Option<String> {
    match name {
        "HIVE_MODELS_DIR" => std::env::var(name).ok(),
        _ => None,
    }
}

impl RunningBridge {
    /// Starts a bridge on `broker` with `extra` TOML appended to a test configuration
    /// (its conversation in `data_dir`).
    ///
    /// # Errors
    /// The configuration is invalid.
    pub fn start(
        broker: &Broker,
        data_dir: &std::path::Path,
        extra: &str,
    ) -> Result<Self, HarnessError> {
        let text = format!(
            "[mqtt]\nurl = \"{}\"\nclient_id = \"bridge-{}\"\n[context]\npath = \"{}\"\n{extra}",
            broker.url(),
            broker.port(),
            data_dir.join("context").display()
        );
        let config = config::parse(&text, std::path::Path::new("test.toml"), &env)
            .map_err(|error| HarnessError::Bridge(error.to_string()))?;
        let shutdown = CancellationToken::new();
        let env: config::SharedEnv = Arc::new(env);
        let task = tokio::spawn(hive_bridge::run(config.clone(), env, shutdown.clone()));
        Ok(RunningBridge {
            shutdown,
            task: Some(task),
            config,
        })
    }

    /// Stops it gracefully and waits (bounded).
    ///
    /// # Errors
    /// It failed, or did not stop in time.
    pub async fn stop(mut self) -> Result<(), HarnessError> {
        self.shutdown.cancel();
        let Some(task) = self.task.take() else {
            return Ok(());
        };
        match tokio::time::timeout(Duration::from_secs(20), task).await {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(error))) => Err(HarnessError::Bridge(error.to_string())),
            Ok(Err(error)) => Err(HarnessError::Bridge(error.to_string())),
            Err(_) => Err(HarnessError::Bridge("did not stop within 20 s".into())),
        }
    }
}

impl Drop for RunningBridge {
    fn drop(&mut self) {
        self.shutdown.cancel();
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
