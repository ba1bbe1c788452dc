//! Command-line parsing and the subcommands.

pub(crate) mod logging;
mod models;
mod run;

use std::path::PathBuf;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Hive's bridge: the voice pipeline between satellites, models and skills over MQTT.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None, after_help = "Examples:\n  hive-bridge run --config config/bridge.toml\n  hive-bridge models list\n  hive-bridge models install --all")]
pub(crate) struct Args {
    /// Log format on standard error.
    #[arg(long, global = true, value_enum, default_value_t = logging::LogFormat::Text)]
    pub(crate) log_format: logging::LogFormat,
    /// The configuration file (default: `$HIVE_CONFIG`, else built-in defaults).
    #[arg(long, short, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the bridge: connect to the broker and answer every satellite.
    #[command(
        after_help = "Examples:\n  hive-bridge run --config config/bridge.toml\n  HIVE_MQTT_URL=mqtt://broker.lan:1883 hive-bridge run"
    )]
    Run,
    /// List, install and fetch the models Hive uses.
    #[command(subcommand)]
    Models(models::ModelsCommand),
}

pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Run => run::run(args.config),
        Command::Models(command) => models::run(command),
    }
}
