//! Command-line parsing and the subcommands.

pub(crate) mod logging;
mod run;
mod wakeword;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Hive's satellite: wake word, streaming to the bridge, playback, eyes, and an offline
/// degraded mode.
#[derive(Debug, Parser)]
#[command(
    version,
    about,
    long_about = None,
    after_help = "Examples:\n  hive-satellite run --config /etc/hive/satellite.toml\n  hive-satellite check --config config/satellite.toml\n  hive-satellite wakeword train --name \"hey hive\" --out hey_hive.rpw samples/*.wav"
)]
pub(crate) struct Args {
    /// Log format on standard error.
    #[arg(long, global = true, value_enum, default_value_t = logging::LogFormat::Text)]
    pub(crate) log_format: logging::LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the satellite.
    Run {
        /// The configuration file (default: `$HIVE_SATELLITE_CONFIG`, else
        /// /etc/hive/satellite.toml).
        #[arg(
            long,
            short,
            env = "HIVE_SATELLITE_CONFIG",
            default_value = "/etc/hive/satellite.toml"
        )]
        config: PathBuf,
    },
    /// Check a configuration file and print what it resolves to.
    Check {
        /// The configuration file.
        #[arg(
            long,
            short,
            env = "HIVE_SATELLITE_CONFIG",
            default_value = "/etc/hive/satellite.toml"
        )]
        config: PathBuf,
    },
    /// Build and try wake word models.
    #[command(subcommand)]
    Wakeword(wakeword::WakewordCommand),
}

pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Run { config } => run::run(&config),
        Command::Check { config } => run::check(&config),
        Command::Wakeword(command) => wakeword::run(command),
    }
}
