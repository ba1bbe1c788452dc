//! Command-line parsing and the subcommands.

mod broker_noise;
mod demo;
mod doctor;
pub(crate) mod logging;
mod models;
mod run;
mod style;

use std::path::PathBuf;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Shown under the top-level `--help`: examples, where the configuration comes from, and
/// the exit codes every subcommand shares (demo adds its own, in its help).
const TOP_HELP: &str = "\
Examples:
  hive-bridge demo \"what time is it\"
  hive-bridge doctor --config config/bridge.toml
  hive-bridge run --config config/bridge.toml
  HIVE_CONFIG=/etc/hive/bridge.toml hive-bridge run
  hive-bridge models list
  hive-bridge models install --all

Configuration: --config <file>, else $HIVE_CONFIG, else built-in defaults (with no [mqtt] url
the bridge starts its own embedded broker).

Exit codes:
  0  done (run: stopped by SIGINT or SIGTERM)
  1  failed while running, or a doctor check failed
  2  bad configuration file or command-line arguments
  3  models missing (models list, demo --no-install)
  4-6  demo only, see hive-bridge demo --help";

/// Hive's bridge: the voice pipeline between satellites, models and skills over MQTT.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None, after_help = TOP_HELP)]
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
        after_help = "Examples:\n  hive-bridge run --config config/bridge.toml\n  HIVE_MQTT_URL=mqtt://broker.lan:1883 hive-bridge run\n\n\
Exit codes: 0 stopped by SIGINT or SIGTERM; 1 failed while running; 2 bad configuration."
    )]
    Run,
    /// List, install and fetch the models Hive uses.
    #[command(
        subcommand,
        after_help = "Examples:\n  hive-bridge models list\n  hive-bridge models install\n  hive-bridge models path whisper-base"
    )]
    Models(models::ModelsCommand),
    /// Ask one spoken question end to end: embedded broker, bridge and a virtual satellite.
    #[command(
        after_help = "Installs the default models if they are missing, starts an embedded MQTT broker, the \
bridge and a virtual satellite that speaks the question with text-to-speech, then prints the \
transcript, the reply and the timings, and writes the spoken reply to a WAV file.\n\n\
Examples:\n  hive-bridge demo \"what time is it\"\n  hive-bridge demo \"what time is it\" --out reply.wav\n\n\
Exit codes: 0 answered; 2 bad configuration or arguments; 3 models missing; 4 broker or \
bridge did not start; 5 no answer in time; 6 the WAV could not be written."
    )]
    Demo(demo::DemoArgs),
    /// Check the set-up and say in plain words what to fix.
    #[command(
        after_help = "Checks the configuration file, the broker and its credentials, the models, ONNX \
Runtime, espeak-ng, Home Assistant (when configured) and the disk for the conversation store.\n\n\
Examples:\n  hive-bridge doctor\n  hive-bridge doctor --config /etc/hive/bridge.toml\n  HIVE_CONFIG=config/bridge.toml hive-bridge doctor\n\n\
Exit codes: 0 every check passed; 1 a check failed."
    )]
    Doctor,
    /// Loads a Whisper model and exits: the doctor runs it apart, because whisper.cpp aborts
    /// the process on some damaged files.
    #[command(name = "load-whisper", hide = true)]
    LoadWhisper {
        /// The ggml model file.
        model: PathBuf,
    },
}

impl Args {
    /// The log level when `RUST_LOG` is unset: commands that print a report keep the
    /// terminal for it.
    pub(crate) fn default_log_level(&self) -> &'static str {
        match self.command {
            Command::Demo(_) | Command::Doctor | Command::LoadWhisper { .. } => "warn",
            _ => "info",
        }
    }
}

pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Run => run::run(args.config),
        Command::Models(command) => models::run(command, args.config),
        Command::Demo(demo) => demo::run(args.config, demo),
        Command::Doctor => doctor::run(args.config),
        Command::LoadWhisper { model } => Ok(doctor::load_whisper(model)),
    }
}
