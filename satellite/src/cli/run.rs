//! `run` and `check`.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use hive_satellite::config::{self, Env};
use hive_satellite::{RunOptions, run as run_satellite};
use tokio_util::sync::CancellationToken;

fn env() -> Env {
    Arc::new(|name: &str| std::env::var(name).ok())
}

/// `check`: parses and validates, prints the resolved configuration.
pub(crate) fn check(path: &Path) -> anyhow::Result<ExitCode> {
    let config = config::load(path, &env())?;
    println!("{config:#?}");
    println!("{}: OK", path.display());
    Ok(ExitCode::SUCCESS)
}

/// `run`: the satellite until SIGINT or SIGTERM.
pub(crate) fn run(path: &Path) -> anyhow::Result<ExitCode> {
    let config = config::load(path, &env())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let result = runtime.block_on(async move {
        let shutdown = CancellationToken::new();
        let signal = shutdown.clone();
        tokio::spawn(async move {
            wait_for_signal().await;
            tracing::info!("Signal received; stopping.");
            signal.cancel();
        });
        run_satellite(config, RunOptions::default(), shutdown).await
    });
    // The satellite already waited its grace period for its tasks; a blocking thread still
    // running (a read nothing will interrupt) must not keep the process alive after it.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    result?;
    Ok(ExitCode::SUCCESS)
}

/// SIGINT or SIGTERM (systemd's stop).
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
