//! Shared helpers for the satellite's integration tests: configuration over a test broker,
//! a running satellite with its event stream, synthetic speech and sounds, and the models.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hive_satellite::audio::{AudioInput, RATE, Resampler, decode_wav, write_wav};
use hive_satellite::config::{self, Env, SatelliteConfig};
use hive_satellite::{RunError, RunOptions, SatelliteEvent};
use hive_tests::Broker;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Generous: whisper on two loaded cores, espeak-ng, a broker.
pub const WAIT: Duration = Duration::from_secs(90);

pub fn init_logs() {
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter("info,whisper_rs=warn")
        .try_init();
}

/// The models directory, as `hive-bridge models install` fills it.
pub fn models_dir() -> PathBuf {
    std::env::var("HIVE_MODELS_DIR")
        .ok()
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| "/root".into()))
                .join(".cache/hive/models")
        })
}

/// A model file that must exist; fails the test with how to get it otherwise.
pub fn model(relative: &str) -> PathBuf {
    let path = models_dir().join(relative);
    assert!(
        path.is_file(),
        "{} is missing: run `cargo run -p hive-bridge -- models install --all` first",
        path.display()
    );
    path
}

/// Configuration for satellite `kitchen` on `broker`, writing into `dir`; `input` is the
/// body of `[audio.input]`, `degraded` the body of `[degraded]`.
pub fn config(
    broker: &Broker,
    dir: &Path,
    input: &str,
    realtime_output: bool,
    degraded: &str,
) -> SatelliteConfig {
    let text = format!(
        r#"
[satellite]
id = "kitchen"
[mqtt]
url = "{url}"
reconnect_min_ms = 50
reconnect_max_ms = 500
[audio.input]
{input}
[audio.output]
type = "wav_dir"
dir = "{out}"
per_sentence = true
realtime = {realtime_output}
[storage]
path = "{state}"
[eyes]
outputs = ["log"]
[degraded]
{degraded}
"#,
        url = broker.url(),
        out = dir.join("out").display(),
        state = dir.join("state.json").display(),
    );
    let env: Env = Arc::new(|name: &str| match name {
        "HIVE_MODELS_DIR" => Some(models_dir().display().to_string()),
        _ => None,
    });
    config::parse(&text, Path::new("test.toml"), &env).unwrap()
}

/// A satellite running in the test's runtime.
pub struct Running {
    pub events: broadcast::Receiver<SatelliteEvent>,
    shutdown: CancellationToken,
    task: Option<JoinHandle<Result<(), RunError>>>,
    /// Every event seen so far, for failure messages.
    pub seen: Vec<SatelliteEvent>,
}

impl Running {
    pub fn start(config: SatelliteConfig, input: Option<Box<dyn AudioInput>>) -> Running {
        let (events_tx, events) = broadcast::channel(4096);
        let options = RunOptions {
            events: events_tx,
            input,
            ..RunOptions::default()
        };
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(hive_satellite::run(config, options, shutdown.clone()));
        Running {
            events,
            shutdown,
            task: Some(task),
            seen: Vec::new(),
        }
    }

    /// The next event matching `wanted`, within `timeout`.
    pub async fn expect(
        &mut self,
        what: &str,
        timeout: Duration,
        wanted: impl Fn(&SatelliteEvent) -> bool,
    ) -> SatelliteEvent {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let event = match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Ok(event)) => event,
                Ok(Err(broadcast::error::RecvError::Lagged(_))) => continue,
                Ok(Err(broadcast::error::RecvError::Closed)) => {
                    panic!(
                        "the satellite stopped while waiting for {what}; saw {:#?}",
                        self.seen
                    )
                }
                Err(_) => panic!("no {what} within {timeout:?}; saw {:#?}", self.seen),
            };
            self.seen.push(event.clone());
            if wanted(&event) {
                return event;
            }
        }
    }

    /// An event matching `wanted` already seen, or the next one.
    pub async fn saw_or_expect(
        &mut self,
        what: &str,
        timeout: Duration,
        wanted: impl Fn(&SatelliteEvent) -> bool,
    ) -> SatelliteEvent {
        if let Some(event) = self.seen.iter().find(|event| wanted(event)) {
            return event.clone();
        }
        self.expect(what, timeout, wanted).await
    }

    pub async fn stop(mut self) {
        self.shutdown.cancel();
        if let Some(task) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(20), task)
                .await
                .expect("the satellite stops within 20 s")
                .unwrap()
                .unwrap();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// espeak-ng saying `text` with `voice` at `speed` words a minute, at 16 kHz.
pub fn speak(text: &str, voice: &str, speed: u32) -> Vec<i16> {
    let output = std::process::Command::new("espeak-ng")
        .args(["--stdout", "-v", voice, "-s", &speed.to_string(), text])
        .output()
        .expect("espeak-ng (apt-get install espeak-ng)");
    assert!(output.status.success(), "espeak-ng -v {voice} failed");
    let pcm = decode_wav(&output.stdout, "espeak-ng").unwrap();
    Resampler::convert(&pcm.samples, pcm.sample_rate, RATE)
}

pub fn silence(seconds: f32) -> Vec<i16> {
    vec![0; (seconds * RATE as f32) as usize]
}

/// "hey hive", then `question` in `voice`, then enough silence to end the utterance.
pub fn wake_and_ask(question: &str, voice: &str, speed: u32) -> Vec<i16> {
    [
        silence(0.5),
        speak("hey hive", "en-us", 160),
        silence(0.3),
        speak(question, voice, speed),
        silence(2.0),
    ]
    .concat()
}

/// A pure tone.
pub fn tone(hz: f32, seconds: f32, rate: u32) -> Vec<i16> {
    (0..(seconds * rate as f32) as usize)
        .map(|n| {
            ((2.0 * std::f32::consts::PI * hz * n as f32 / rate as f32).sin() * 12_000.0) as i16
        })
        .collect()
}

/// Writes `samples` (16 kHz) to `dir/name` and returns the path.
pub fn wav(dir: &Path, name: &str, samples: &[i16]) -> PathBuf {
    let path = dir.join(name);
    write_wav(&path, samples, RATE).unwrap();
    path
}

/// What 16 kHz audio says, lower-cased, when the tests' ear hears what `expected` accepts;
/// otherwise what each of its models heard.
pub fn hears(samples: &[i16], expected: impl Fn(&str) -> bool) -> Result<String, Vec<String>> {
    model("whisper/ggml-tiny.en.bin");
    let models = hive_bridge::models::ModelsDir::new(models_dir());
    hive_tests::Ear::new(&models).hears(samples, RATE, expected)
}
