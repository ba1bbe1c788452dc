//! Tracing set-up: human-readable by default, JSON lines on request.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use super::broker_noise::BrokerNoise;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LogFormat {
    /// For people.
    Text,
    /// One JSON object a line, for log collectors.
    Json,
}

/// Installs the global subscriber; `RUST_LOG` replaces the default: `default_level`, with
/// the embedded broker's own bookkeeping (each connection and disconnection) at `warn`.
pub(crate) fn init(format: LogFormat, default_level: &str) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("{default_level},rumqttd=warn")));
    // Colour codes only for a person at a terminal: a pipe, a file or a log collector gets
    // plain text, and `NO_COLOR` (no-color.org) turns them off everywhere.
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.finish().with(BrokerNoise).init(),
        LogFormat::Json => builder.json().finish().with(BrokerNoise).init(),
    }
}
