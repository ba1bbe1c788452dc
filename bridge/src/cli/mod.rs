//! Command-line parsing and the subcommands.

pub(crate) mod logging;
mod models;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Hive's bridge: the voice pipeline between satellites, models and skills over MQTT.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None, after_help = "Examples:\n  hive-bridge models list\n  hive-bridge models install --all")]
pub(crate) struct Args {
    /// Log format on standard error.
    #[arg(long, global = true, value_enum, default_value_t = logging::LogFormat::Text)]
    pub(crate) log_format: logging::LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List, install and fetch the models Hive uses.
    #[command(subcommand)]
    Models(models::ModelsCommand),
}

pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Models(command) => models::run(command),
    }
}
