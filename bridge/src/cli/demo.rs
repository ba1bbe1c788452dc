//! `hive-bridge demo "what time is it"`: one command to a spoken answer, with no broker
//! installed and no microphone. Provisions the default models if missing, starts an
//! embedded broker, the bridge and a virtual satellite that speaks the question with the
//! bridge's own text-to-speech into the real MQTT pipeline, then prints what was heard, the
//! reply and the timings, and writes the reply audio to a WAV file.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use hive_bridge::broker::{BrokerMode, EmbeddedBroker, EmbeddedBrokerConfig};
use hive_bridge::config::{self, BridgeConfig};
use hive_bridge::demo::{HeardReply, VirtualSatellite, to_protocol_audio, with_pauses};
use hive_bridge::metrics::{Stage, Telemetry};
use hive_bridge::models::{self, ModelsDir, Provisioner};
use hive_bridge::tts::{BuildContext, Speech, TtsChain, write_wav_file};
use hive_topics::{Timings, Topics};
use indicatif::{ProgressBar, ProgressStyle};
use tokio_util::sync::CancellationToken;

use super::style::Style;

/// Exit codes, as `--help` documents them.
pub(crate) mod exit {
    /// The configuration file is invalid (the same code as every command's).
    pub(crate) const CONFIG: u8 = super::super::run::EXIT_CONFIG;
    /// Models are missing and could not be installed.
    pub(crate) const MODELS: u8 = 3;
    /// The broker or the bridge could not start.
    pub(crate) const START: u8 = 4;
    /// The question got no answer (or an error) in time.
    pub(crate) const NO_ANSWER: u8 = 5;
    /// The reply audio could not be written.
    pub(crate) const OUTPUT: u8 = 6;
}

/// The satellite id the demo speaks as.
const SATELLITE: &str = "demo";

/// `hive-bridge demo` arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct DemoArgs {
    /// The question, spoken by the virtual satellite.
    #[arg(default_value = "what time is it")]
    question: String,
    /// Where to write the spoken reply.
    #[arg(long, default_value = "hive-demo-reply.wav")]
    out: PathBuf,
    /// Do not install missing models (fail instead).
    #[arg(long)]
    no_install: bool,
    /// Seconds to wait for the bridge to load and answer.
    #[arg(long, default_value_t = 300)]
    timeout_s: u64,
}

pub(crate) fn run(config_path: Option<PathBuf>, args: DemoArgs) -> anyhow::Result<ExitCode> {
    let style = Style::detect();
    let fail = |code: u8, what: &str, detail: &dyn std::fmt::Display| {
        eprintln!("{} {what}: {detail}", style.bad("demo failed:"));
        Ok(ExitCode::from(code))
    };
    let mut config = match super::run::load_config(config_path) {
        Ok(config) => config,
        Err(error) => return fail(exit::CONFIG, "configuration", &format!("{error:#}")),
    };
    let env = |name: &str| std::env::var(name).ok();
    let models = config.models_dir(&env);
    if let Err(error) = provision(&models, args.no_install) {
        return fail(exit::MODELS, "models", &format!("{error:#}"));
    }
    // A private conversation, so that the demo neither reads nor changes the household's.
    let data = tempfile::tempdir()?;
    config.context.path = Some(data.path().join("context"));
    config.http.enabled = false;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let outcome = runtime.block_on(turn(config, models, &args));
    let (heard, reply) = match outcome {
        Ok(done) => done,
        Err(Failure::Start(detail)) => return fail(exit::START, "starting", &detail),
        Err(Failure::Answer(detail)) => return fail(exit::NO_ANSWER, "no answer", &detail),
    };
    let speech = Speech {
        samples: reply.audio.clone(),
        sample_rate: reply.sample_rate,
    };
    if speech.samples.is_empty() {
        return fail(exit::NO_ANSWER, "reply audio", &"the bridge sent no audio");
    }
    if let Err(error) = write_wav_file(&args.out, &speech) {
        return fail(exit::OUTPUT, "writing the reply audio", &error);
    }
    let out = std::fs::canonicalize(&args.out).unwrap_or(args.out.clone());
    println!("{}   {}", style.bold("Question:"), args.question);
    println!("{} {}", style.bold("Transcript:"), heard);
    println!("{}      {}", style.bold("Reply:"), reply.text());
    println!(
        "{}    {}",
        style.bold("Timings:"),
        timings_line(reply.timings.as_ref())
    );
    println!(
        "{}      {} {}",
        style.bold("Audio:"),
        out.display(),
        style.dim(&format!(
            "({:.1} s at {} Hz)",
            speech.duration().as_secs_f32(),
            speech.sample_rate
        ))
    );
    Ok(ExitCode::SUCCESS)
}

/// Installs the default models that are missing, one progress step per model.
fn provision(models: &ModelsDir, no_install: bool) -> anyhow::Result<()> {
    let missing: Vec<&str> = models::DEFAULT_MODELS
        .iter()
        .copied()
        .filter(|id| {
            models::find(id).is_some_and(|spec| {
                !matches!(models.status(spec), hive_bridge::models::ModelStatus::Ready)
            })
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if no_install {
        anyhow::bail!(
            "missing {}: run `hive-bridge models install`",
            missing.join(", ")
        );
    }
    eprintln!(
        "Installing the default models into {} (once; later runs start at once).",
        models.root().display()
    );
    // indicatif draws only when standard error is a terminal.
    let bar = ProgressBar::new(missing.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    let provisioner = Provisioner::new(models.clone());
    for id in missing {
        bar.set_message(id.to_string());
        provisioner.install(&[id])?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(())
}

enum Failure {
    Start(String),
    Answer(String),
}

/// Broker, bridge, satellite: one spoken turn. Returns what the bridge heard and the reply.
async fn turn(
    config: BridgeConfig,
    models: ModelsDir,
    args: &DemoArgs,
) -> Result<(String, HeardReply), Failure> {
    let timeout = Duration::from_secs(args.timeout_s);
    // Its own broker on a free port: the demo never meets a broker that is already running.
    let embedded = EmbeddedBrokerConfig {
        listen: "127.0.0.1:0".parse().expect("a valid address"),
        ..EmbeddedBrokerConfig::default()
    };
    let broker = EmbeddedBroker::start(&embedded, config.mqtt.max_packet_bytes)
        .await
        .map_err(|error| Failure::Start(error.to_string()))?;
    let mut bridge_config = config.clone();
    bridge_config.mqtt.broker = BrokerMode::External;
    bridge_config.mqtt.url = broker.url();
    bridge_config.mqtt.client_id = "hive-bridge-demo".into();
    let telemetry = Arc::new(Telemetry::default());
    let shutdown = CancellationToken::new();
    let env: config::SharedEnv = Arc::new(|name: &str| std::env::var(name).ok());
    let mut bridge = tokio::spawn(hive_bridge::run_with(
        bridge_config,
        env,
        shutdown.clone(),
        telemetry.clone(),
    ));
    let topics = Topics::new(config.mqtt.prefix.clone())
        .map_err(|error| Failure::Start(error.to_string()))?;
    let result = async {
        let mut satellite = VirtualSatellite::connect(&broker.url(), SATELLITE, topics)
            .map_err(|error| Failure::Start(error.to_string()))?;
        // The question is synthesised while the bridge loads its models.
        let question = synthesize(&config, models, &args.question);
        tokio::select! {
            online = satellite.wait_bridge_online(timeout) => online.map_err(|error| Failure::Start(error.to_string()))?,
            stopped = &mut bridge => return Err(Failure::Start(match stopped {
                Ok(Err(error)) => error.to_string(),
                _ => "the bridge stopped".into(),
            })),
        }
        let pcm = question.await?;
        let session = (hive_bridge::metrics::now_ms() as u32) | 1;
        satellite
            .speak(session, &pcm)
            .await
            .map_err(|error| Failure::Answer(error.to_string()))?;
        let reply = satellite
            .reply(session, timeout)
            .await
            .map_err(|error| Failure::Answer(error.to_string()))?;
        let heard = heard(&telemetry).await;
        Ok((heard, reply, satellite))
    }
    .await;
    // The bridge stops first: the turn may still be storing its summary, and a satellite
    // leaving before it ends would be a satellite gone mid-turn.
    shutdown.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(20), bridge).await;
    let result = match result {
        Ok((heard, reply, satellite)) => {
            satellite.disconnect().await;
            Ok((heard, reply))
        }
        Err(failure) => Err(failure),
    };
    let _ = tokio::task::spawn_blocking(move || broker.stop()).await;
    result
}

/// Speaks `text` with the configured text-to-speech chain, as 16 kHz protocol audio with
/// the pauses of a person asking.
async fn synthesize(
    config: &BridgeConfig,
    models: ModelsDir,
    text: &str,
) -> Result<Vec<i16>, Failure> {
    let tts = config.tts.clone();
    let lang = config.assistant.language.clone();
    let text = text.to_string();
    let runtime = tokio::runtime::Handle::current();
    let spoken = tokio::task::spawn_blocking(move || {
        let context = BuildContext::new(models).with_runtime(runtime);
        let built = TtsChain::build(&tts, &context).map_err(|error| error.to_string())?;
        built
            .chain
            .speak(&text, &lang)
            .map_err(|error| error.to_string())
    })
    .await
    .map_err(|error| Failure::Start(error.to_string()))?
    .map_err(|error| Failure::Start(format!("cannot speak the question: {error}")))?;
    let pcm =
        to_protocol_audio(&spoken.speech).map_err(|error| Failure::Start(error.to_string()))?;
    Ok(with_pauses(
        &pcm,
        Duration::from_millis(500),
        Duration::from_millis(1500),
    ))
}

/// What the bridge transcribed: its status board records the turn just after the reply's
/// final piece leaves, so wait for it briefly.
async fn heard(telemetry: &Telemetry) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(turn) = telemetry
            .turns()
            .into_iter()
            .find(|turn| turn.satellite.as_deref() == Some(SATELLITE))
        {
            return turn.question;
        }
        if tokio::time::Instant::now() >= deadline {
            return "(not recorded)".into();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn timings_line(timings: Option<&Timings>) -> String {
    let Some(timings) = timings else {
        return "(none)".into();
    };
    let label = |stage: Stage| match stage {
        Stage::Endpoint => "listening",
        Stage::Stt => "speech-to-text",
        Stage::FirstToken => "first LLM token",
        Stage::FirstSentence => "first sentence",
        Stage::FirstAudio => "first audio",
        Stage::Turn => "whole turn",
    };
    Stage::ALL
        .iter()
        .filter_map(|&stage| {
            stage
                .of(timings)
                .map(|ms| format!("{} {ms} ms", label(stage)))
        })
        .collect::<Vec<_>>()
        .join(" | ")
}
