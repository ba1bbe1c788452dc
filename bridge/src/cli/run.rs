//! `hive-bridge run`: the bridge itself.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use hive_bridge::config::{self, BridgeConfig};
use tokio_util::sync::CancellationToken;

/// Where the configuration comes from when no `--config` is given.
pub(crate) const CONFIG_ENV: &str = "HIVE_CONFIG";

pub(crate) fn load_config(path: Option<PathBuf>) -> anyhow::Result<BridgeConfig> {
    let env = |name: &str| std::env::var(name).ok();
    let path = path.or_else(|| env(CONFIG_ENV).map(PathBuf::from));
    match path {
        Some(path) => Ok(config::load(&path, &env)?),
        None => Ok(config::parse("", std::path::Path::new("(defaults)"), &env)?),
    }
}

/// The exit code of a bad configuration file (or environment), for every command.
pub(crate) const EXIT_CONFIG: u8 = 2;

pub(crate) fn run(config_path: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let config = match load_config(config_path) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("hive-bridge: {error:#}");
            return Ok(ExitCode::from(EXIT_CONFIG));
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime.block_on(async move {
        let shutdown = CancellationToken::new();
        tokio::spawn(signal(shutdown.clone()));
        let env: config::SharedEnv = Arc::new(|name: &str| std::env::var(name).ok());
        hive_bridge::run(config, env, shutdown).await
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Fires `shutdown` on SIGINT or SIGTERM.
async fn signal(shutdown: CancellationToken) {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        () = terminate => {}
    }
    shutdown.cancel();
}
