//! The whole benchmark, in order: one bridge for the turns, the memory and the real
//! satellite; then a fresh bridge per ingest step. A figure that cannot be measured is
//! reported as failed or skipped; the others are still measured.

use std::path::Path;
use std::time::Duration;

use super::config::{BenchConfig, LLM_MODEL, STT_MODEL, TTS_MODEL, VAD_MODEL};
use super::latency::{figures, voice_turn, wait_llm_ready};
use super::process::{BridgeProcess, RssSampler, bench_error, build, children, rss};
use super::report::{BridgeMemory, Outcome, Report, TurnFigures};
use super::stream::Streamer;
use super::{footprint, ingest};
use crate::error::HarnessError;
use crate::speech::{silence, synthesize};
use crate::{Broker, QoS, TestClient};

/// How long a bridge may take to load its models and come online.
const ONLINE_TIMEOUT: Duration = Duration::from_secs(120);
/// The local intent's question.
const LOCAL_QUESTION: &str = "what time is it";
/// A question no local skill answers.
const LLM_QUESTION: &str = "why is the sky blue";

/// Runs every measurement of `config` and returns the report (print it with
/// [`Report::render`]).
///
/// # Errors
/// Only what stops everything: a model file missing, a program that does not build, no
/// Mosquitto. A figure that fails on its own is reported in the table.
pub async fn run(config: &BenchConfig) -> Result<Report, HarnessError> {
    let models = config.models_dir.as_path();
    for needed in [STT_MODEL, TTS_MODEL, VAD_MODEL] {
        if !models.join(needed).is_file() {
            return Err(bench_error(format!(
                "{} is missing: run `cargo run -p hive-bridge -- models install --all` first",
                models.join(needed).display()
            )));
        }
    }
    // Every program is built before anything is measured: a build running meanwhile would
    // take the CPU the measurements need.
    progress("building the programs (cargo build; waits for other builds' lock)");
    let llm_model = models.join(LLM_MODEL);
    let use_llm = config.llm && llm_model.is_file();
    let bridge_binary = match &config.bridge {
        Some(program) if program.is_file() => program.clone(),
        Some(program) => {
            return Err(bench_error(format!(
                "--bridge: {} is not a file",
                program.display()
            )));
        }
        None => build_blocking("hive-bridge", "hive-bridge").await?,
    };
    if use_llm {
        build_blocking("hive-llm", "hive-llm").await?;
    }
    let satellite_binary = if config.satellite {
        Some(build_blocking("hive-satellite", "hive-satellite").await)
    } else {
        None
    };
    let broker = Broker::start()?;
    let mut machine = machine();
    if let Some(program) = &config.bridge {
        machine.push_str(&format!(", hive-bridge given: {}", program.display()));
    }
    let date = utc_now();

    // Waiting for the local model to load asks a question every half second; the turn
    // rate limit (`[limits]`, 20 a minute per satellite) is a policy, not what is measured.
    let mut extra = String::from("[limits]\nturns_per_minute = 10000\n");
    if use_llm {
        extra.push_str(&format!(
            "[[llm]]\ntype = \"local\"\nmodel = \"{LLM_MODEL}\"\nmax_tokens = 80\ncontext = 4096\n"
        ));
    }
    progress("starting the bridge");
    let mut bridge = BridgeProcess::start(&bridge_binary, &broker.url(), models, &extra)?;
    wait_online(&broker, &mut bridge).await?;
    let sampler = RssSampler::start(bridge.program.pid());
    // Let start-up work (the LLM's server starting, the first heartbeat) settle.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = bridge.program.rss();
    let turns_from = std::time::Instant::now();

    progress("local-intent turns");
    let local = turns(
        &bridge,
        &broker,
        "bench-kitchen",
        LOCAL_QUESTION,
        config.runs,
        false,
        100,
    )
    .await
    .into();
    let llm = if !config.llm {
        Outcome::Skipped("--no-llm".into())
    } else if !use_llm {
        Outcome::Skipped(format!("{} is missing", llm_model.display()))
    } else {
        progress("LLM turns (waits for the local model to load)");
        turns(
            &bridge,
            &broker,
            "bench-study",
            LLM_QUESTION,
            config.runs,
            true,
            200,
        )
        .await
        .into()
    };
    let turn_peak = sampler.peak(turns_from, std::time::Instant::now());
    let llm_memory = use_llm
        .then(|| {
            let child = children(bridge.program.pid()).into_iter().find(|pid| {
                std::fs::read_to_string(format!("/proc/{pid}/comm"))
                    .is_ok_and(|comm| comm.trim() == "hive-llm")
            })?;
            Some((rss(child)?, file_size(&llm_model)))
        })
        .flatten();
    let bridge_memory = match (idle, turn_peak) {
        (Some(idle_bytes), Some(turn_bytes)) => Outcome::Done(BridgeMemory {
            idle_bytes,
            turn_bytes,
            model_bytes: [STT_MODEL, TTS_MODEL, VAD_MODEL]
                .iter()
                .map(|model| file_size(&models.join(model)))
                .sum(),
            llm: llm_memory,
        }),
        _ => Outcome::Failed("the bridge's RSS could not be read".into()),
    };
    drop(sampler);

    let satellite = match satellite_binary {
        Some(Ok(binary)) => {
            progress("the real hive-satellite: memory and bandwidth");
            footprint::satellite(&binary, &broker, models, &mut bridge.program)
                .await
                .into()
        }
        Some(Err(error)) => Outcome::Failed(error.to_string()),
        None => Outcome::Skipped("--no-satellite".into()),
    };
    bridge.program.kill();

    progress("ingest capacity");
    let ingest = ingest_search(&bridge_binary, &broker, models, &config.ingest_steps)
        .await
        .into();
    let machine = match load_average() {
        Some(load) => format!("{machine}, {load} at the end"),
        None => machine,
    };
    Ok(Report {
        machine,
        date,
        local,
        llm,
        ingest,
        bridge_memory,
        satellite,
    })
}

impl<T> From<Result<T, HarnessError>> for Outcome<T> {
    fn from(result: Result<T, HarnessError>) -> Self {
        match result {
            Ok(value) => Outcome::Done(value),
            Err(error) => Outcome::Failed(error.to_string()),
        }
    }
}

/// A warm-up turn (not counted), then `runs` measured turns of `question`.
async fn turns(
    bridge: &BridgeProcess,
    broker: &Broker,
    id: &str,
    question: &str,
    runs: usize,
    with_llm: bool,
    first_session: u32,
) -> Result<TurnFigures, HarnessError> {
    let mut satellite = Streamer::connect(broker, id, &["control", "tts", "turn", "error"]).await?;
    if with_llm {
        wait_llm_ready(&mut satellite, first_session + 50, question).await?;
    }
    let speech = [silence(0.5), synthesize(question, "en-us")?, silence(2.5)].concat();
    let mut samples = Vec::with_capacity(runs);
    for run in 0..=runs {
        let sample =
            voice_turn(bridge, &mut satellite, first_session + run as u32, &speech).await?;
        if with_llm && sample.summary.intent.is_some() {
            return Err(bench_error(format!(
                "{:?} was answered by the local intent {:?}, not the LLM",
                sample.summary.transcript, sample.summary.intent
            )));
        }
        if run > 0 {
            samples.push(sample);
        }
    }
    Ok(figures(&samples, with_llm))
}

async fn ingest_search(
    binary: &Path,
    broker: &Broker,
    models: &Path,
    steps: &[usize],
) -> Result<Vec<super::report::IngestStep>, HarnessError> {
    let speech = [
        silence(0.3),
        synthesize(LOCAL_QUESTION, "en-us")?,
        silence(2.0),
    ]
    .concat();
    let reference = ingest::reference_endpoint(models, &speech)?;
    let mut results = Vec::new();
    for &satellites in steps {
        progress(&format!("ingest: {satellites} satellites"));
        let step = ingest::step(binary, broker, models, satellites, &speech, reference).await?;
        let failed = step.failure.is_some();
        results.push(step);
        if failed {
            break;
        }
    }
    Ok(results)
}

/// Waits until `bridge` reports `online` on the broker.
///
/// # Errors
/// It exits or does not come online in time (with its last log lines).
pub(crate) async fn wait_online(
    broker: &Broker,
    bridge: &mut BridgeProcess,
) -> Result<(), HarnessError> {
    let mut watcher = TestClient::connect(broker, "bench-watcher", None).await?;
    watcher
        .subscribe("hive/bridge/status", QoS::AtLeastOnce)
        .await?;
    let deadline = tokio::time::Instant::now() + ONLINE_TIMEOUT;
    loop {
        if bridge.program.exited() {
            return Err(bench_error(format!(
                "hive-bridge exited:\n{}",
                bridge.program.tail()
            )));
        }
        if tokio::time::Instant::now() > deadline {
            return Err(bench_error(format!(
                "hive-bridge not online within {ONLINE_TIMEOUT:?}:\n{}",
                bridge.program.tail()
            )));
        }
        if let Some(message) = watcher.recv_timeout(Duration::from_millis(200)).await
            && message.payload == b"online"
        {
            return Ok(());
        }
    }
}

async fn build_blocking(
    package: &'static str,
    binary: &'static str,
) -> Result<std::path::PathBuf, HarnessError> {
    tokio::task::spawn_blocking(move || build(package, binary))
        .await
        .map_err(|error| bench_error(error.to_string()))?
}

/// A line on standard error saying what is being measured: a run takes minutes.
fn progress(what: &str) {
    eprintln!("hive-bench: {what}…");
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|meta| meta.len()).unwrap_or(0)
}

/// CPU model, cores and memory of this machine.
fn machine() -> String {
    let cpu = std::process::Command::new("lscpu")
        .output()
        .ok()
        .and_then(|output| {
            String::from_utf8_lossy(&output.stdout)
                .lines()
                .find(|line| line.starts_with("Model name:"))
                .map(|line| line.trim_start_matches("Model name:").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            let line = info.lines().find(|line| line.starts_with("MemTotal:"))?;
            let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(format!("{:.1} GB RAM", kb * 1024.0 / 1e9))
        })
        .unwrap_or_else(|| "unknown RAM".into());
    // Other work on the machine slows every figure down: say how busy it was.
    let load = load_average().map_or_else(String::new, |load| format!(", {load} at the start"));
    // The programs are built in this program's profile: say which, since Hive's own code is
    // unoptimised in the dev profile.
    let build = if cfg!(debug_assertions) {
        "programs built in the dev profile"
    } else {
        "programs built in release"
    };
    format!("{cpu}, {cores} cores, {memory}, {build}{load}")
}

/// The one-minute load average, e.g. `load average 1.90`.
fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let load = text.split_whitespace().next()?;
    Some(format!("load average {load}"))
}

fn utc_now() -> String {
    std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .ok()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_string())
        .filter(|date| !date.is_empty())
        .unwrap_or_else(|| "unknown date".into())
}
