//! `wakeword train` and `wakeword test`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use hive_satellite::audio::{RATE, Resampler, read_wav};
use hive_satellite::config::WakeConfig;
use hive_satellite::wake::{RustpotterDetector, WakeDetector, WakeModel, train};

#[derive(Debug, clap::Subcommand)]
pub(crate) enum WakewordCommand {
    /// Build a wake word model from recordings of the phrase (WAV, any rate; 5–20 samples,
    /// several voices and speeds, little silence around the words).
    #[command(
        after_help = "Example:\n  hive-satellite wakeword train --name \"hey hive\" --out hey_hive.rpw samples/*.wav"
    )]
    Train {
        /// The wake word's name.
        #[arg(long)]
        name: String,
        /// The model file to write (`.rpw`).
        #[arg(long)]
        out: PathBuf,
        /// The recordings.
        #[arg(required = true)]
        samples: Vec<PathBuf>,
    },
    /// Run a model over WAV files and print each detection.
    #[command(
        after_help = "Examples:\n  hive-satellite wakeword test recording.wav\n  hive-satellite wakeword test --model hey_hive.rpw --threshold 0.5 *.wav\n\nExit codes: 0 the wake word was heard in some file; 3 it was heard in none; 2 the command line is wrong."
    )]
    Test {
        /// The model (default: the built-in "hey hive").
        #[arg(long)]
        model: Option<PathBuf>,
        /// The detection threshold.
        #[arg(long, default_value_t = WakeConfig::default().threshold)]
        threshold: f32,
        /// The recordings.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

pub(crate) fn run(command: WakewordCommand) -> anyhow::Result<ExitCode> {
    match command {
        WakewordCommand::Train { name, out, samples } => {
            let report = train(&name, &samples, &out)?;
            println!(
                "{}: {} samples ({}–{} ms), {} bytes",
                report.out.display(),
                report.samples,
                report.shortest_ms,
                report.longest_ms,
                report.bytes
            );
            Ok(ExitCode::SUCCESS)
        }
        WakewordCommand::Test {
            model,
            threshold,
            files,
        } => {
            let model = WakeModel::load(model.as_deref())?;
            let config = WakeConfig {
                threshold,
                ..WakeConfig::default()
            };
            let mut any = false;
            for file in files {
                let pcm = read_wav(&file).with_context(|| file.display().to_string())?;
                let audio = Resampler::convert(&pcm.samples, pcm.sample_rate, RATE);
                let mut detector = RustpotterDetector::new(&model, &config)?;
                let mut heard = 0_usize;
                for block in audio.chunks(320) {
                    heard += block.len();
                    if let Some(hit) = detector.process(block) {
                        any = true;
                        let end = heard.saturating_sub(hit.samples_since_end);
                        println!(
                            "{}: wake word ending at {:.2} s, score {:.3}",
                            file.display(),
                            end as f64 / f64::from(RATE),
                            hit.score
                        );
                    }
                }
            }
            // Not 2, which clap gives a wrong command line: a script tells them apart.
            Ok(if any {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(3)
            })
        }
    }
}
