//! Command-line parsing and the subcommands.

pub(crate) mod logging;
mod run;
mod wakeword;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// What `--help` ends with: one example per subcommand, the environment and the exit codes.
const AFTER_HELP: &str = "\
Without a subcommand, the satellite runs (as `run`).

Examples:
  hive-satellite --config /etc/hive/satellite.toml
  hive-satellite run --config /etc/hive/satellite.toml --log-format json
  HIVE_CONFIG=config/satellite.toml hive-satellite
  hive-satellite check --config config/satellite.toml
  hive-satellite wakeword train --name \"hey hive\" --out hey_hive.rpw samples/*.wav
  hive-satellite wakeword test --model hey_hive.rpw recording.wav

Environment:
  HIVE_CONFIG              the configuration file when --config is not given
                           (HIVE_SATELLITE_CONFIG is still read when it is unset)
  RUST_LOG                 log filter, e.g. `debug` or `info,hive_satellite=debug`

Exit codes:
  0  run: stopped by SIGINT or SIGTERM; check: the file is valid;
     wakeword train: the model was written; wakeword test: the wake word was heard
  1  the configuration cannot be read or is invalid, or the satellite could not start
     (sound card, models, state file)
  2  the command line is wrong
  3  wakeword test heard no wake word in any file";

/// Where the configuration is read from when neither `--config` nor an environment variable
/// names it.
const DEFAULT_CONFIG: &str = "/etc/hive/satellite.toml";

/// Hive's satellite: wake word, streaming to the bridge, playback, eyes, and an offline
/// degraded mode.
#[derive(Debug, Parser)]
#[command(
    version,
    about,
    long_about = None,
    // `hive-satellite --config FILE` runs; a subcommand takes its own `--config`.
    args_conflicts_with_subcommands = true,
    after_help = AFTER_HELP
)]
pub(crate) struct Args {
    /// Log format on standard error.
    #[arg(long, global = true, value_enum, default_value_t = logging::LogFormat::Text)]
    pub(crate) log_format: logging::LogFormat,
    #[command(flatten)]
    config: ConfigArg,
    #[command(subcommand)]
    command: Option<Command>,
}

/// `--config`, shared by running and checking.
#[derive(Debug, clap::Args)]
struct ConfigArg {
    /// The configuration file (default: `$HIVE_CONFIG`, else `$HIVE_SATELLITE_CONFIG`,
    /// else /etc/hive/satellite.toml).
    #[arg(long, short, env = "HIVE_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
}

impl ConfigArg {
    /// The file to read. `HIVE_SATELLITE_CONFIG` was the variable's first name; installs
    /// that set it keep working.
    fn path(self) -> PathBuf {
        self.config
            .or_else(|| std::env::var_os("HIVE_SATELLITE_CONFIG").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG))
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the satellite (the default).
    #[command(
        after_help = "Examples:\n  hive-satellite run --config /etc/hive/satellite.toml\n  HIVE_CONFIG=config/satellite.toml hive-satellite run"
    )]
    Run(ConfigArg),
    /// Check a configuration file and print what it resolves to.
    #[command(after_help = "Example:\n  hive-satellite check --config config/satellite.toml")]
    Check(ConfigArg),
    /// Build and try wake word models.
    #[command(subcommand)]
    Wakeword(wakeword::WakewordCommand),
}

pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        None => run::run(&args.config.path()),
        Some(Command::Run(config)) => run::run(&config.path()),
        Some(Command::Check(config)) => run::check(&config.path()),
        Some(Command::Wakeword(command)) => wakeword::run(command),
    }
}
