//! Figures 4 (satellite) and 5: the real `hive-satellite`, hearing "hey hive, what time is
//! it" from a WAV file at a microphone's pace, connected through a counting relay. Its RSS
//! is sampled while it listens for the wake word, while it streams, and once the bridge is
//! killed and it answers alone (degraded mode, with its own whisper loaded); the relay counts
//! the bytes of the audio stream's MQTT packets.

use std::path::Path;
use std::time::Duration;

use hive_topics::TurnSummary;

use super::process::{Program, RssSampler, bench_error};
use super::proxy::CountingProxy;
use super::report::SatelliteFigures;
use crate::error::HarnessError;
use crate::speech::{silence, to_16k};
use crate::{Broker, Message, QoS, TestClient};

/// Silence before the wake word: the satellite's idle time, long enough to read its RSS
/// once it settled.
const IDLE_SECONDS: f32 = 5.0;
/// How long the satellite may take to start, hear its wake word and get its answer.
const TIMEOUT: Duration = Duration::from_secs(120);
/// How long degraded mode may take to show, once the bridge is gone.
const DEGRADED_TIMEOUT: Duration = Duration::from_secs(30);
/// Time for degraded mode's whisper to load once the satellite turned yellow, then the
/// window its RSS is read over.
const DEGRADED_SETTLE: Duration = Duration::from_secs(4);
const DEGRADED_WINDOW: Duration = Duration::from_secs(1);

/// espeak-ng at `speed` words a minute, 16 kHz: the wake word model was made from speech
/// like it (satellite/tests say it at 160).
fn espeak(text: &str, speed: u32) -> Result<Vec<i16>, HarnessError> {
    let output = std::process::Command::new("espeak-ng")
        .args(["--stdout", "-v", "en-us", "-s", &speed.to_string(), text])
        .output()
        .map_err(|error| HarnessError::Speech(format!("espeak-ng: {error}")))?;
    if !output.status.success() {
        return Err(HarnessError::Speech("espeak-ng failed".into()));
    }
    let speech = hive_bridge::tts::decode_wav(&output.stdout)
        .map_err(|error| HarnessError::Speech(error.to_string()))?;
    to_16k(&speech.samples, speech.sample_rate)
}

/// A 16 kHz mono 16-bit WAV file.
fn wav_bytes(samples: &[i16]) -> Vec<u8> {
    let data = (samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + data as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16_u32.to_le_bytes());
    out.extend_from_slice(&1_u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1_u16.to_le_bytes()); // mono
    out.extend_from_slice(&16_000_u32.to_le_bytes());
    out.extend_from_slice(&32_000_u32.to_le_bytes());
    out.extend_from_slice(&2_u16.to_le_bytes());
    out.extend_from_slice(&16_u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data.to_le_bytes());
    for sample in samples {
        out.extend_from_slice(&sample.to_le_bytes());
    }
    out
}

/// The observer's next message before `deadline`, else the error `failure` describes.
async fn next_message(
    observer: &mut TestClient,
    deadline: tokio::time::Instant,
    failure: impl FnOnce() -> String,
) -> Result<Message, HarnessError> {
    observer
        .recv_timeout(deadline.saturating_duration_since(tokio::time::Instant::now()))
        .await
        .ok_or_else(|| bench_error(failure()))
}

/// Runs the satellite through one turn with `bridge` on `broker`, then kills the bridge
/// and measures the satellite on its own.
pub(crate) async fn satellite(
    binary: &Path,
    broker: &Broker,
    models: &Path,
    bridge: &mut Program,
) -> Result<SatelliteFigures, HarnessError> {
    let dir = tempfile::tempdir().map_err(|error| bench_error(error.to_string()))?;
    let audio = [
        silence(IDLE_SECONDS),
        espeak("hey hive", 160)?,
        silence(0.3),
        espeak("what time is it?", 160)?,
        silence(2.5),
    ]
    .concat();
    let wav = dir.path().join("question.wav");
    std::fs::write(&wav, wav_bytes(&audio)).map_err(|error| bench_error(error.to_string()))?;
    let stt_model = models.join(super::config::STT_MODEL);
    let model_bytes = std::fs::metadata(&stt_model).map(|m| m.len()).unwrap_or(0);
    let proxy = CountingProxy::start(broker.port()).await?;
    let config = format!(
        r#"[satellite]
id = "bench-sat"
[mqtt]
url = "mqtt://127.0.0.1:{port}"
[audio.input]
type = "wav"
path = "{wav}"
realtime = true
after_end = "silence"
[audio.output]
type = "none"
[storage]
path = "{state}"
[eyes]
outputs = ["log"]
[turn]
reply_timeout_s = 60.0
[degraded]
stt_model = "{stt}"
stt_language = "en"
languages = ["en"]
"#,
        port = proxy.port(),
        wav = wav.display(),
        state = dir.path().join("state.json").display(),
        stt = stt_model.display(),
    );
    let config_path = dir.path().join("satellite.toml");
    std::fs::write(&config_path, config).map_err(|error| bench_error(error.to_string()))?;

    let mut observer = TestClient::connect(broker, "bench-observer", None).await?;
    for suffix in ["wake", "control", "turn", "mode"] {
        observer
            .subscribe(
                &format!("hive/satellite/bench-sat/{suffix}"),
                QoS::AtLeastOnce,
            )
            .await?;
    }
    let config_path = config_path.display().to_string();
    let mut program = Program::spawn(binary, &["run", "--config", &config_path], models)?;
    let sampler = RssSampler::start(program.pid());
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    let (mut wake, mut end_of_speech) = (None, None);
    loop {
        let message = next_message(&mut observer, deadline, || {
            format!(
                "the satellite's turn did not complete (wake word heard: {}); its log:\n{}",
                wake.is_some(),
                program.tail()
            )
        })
        .await?;
        let at = std::time::Instant::now();
        if message.topic.ends_with("/wake") {
            wake.get_or_insert(at);
        } else if message.topic.ends_with("/control") {
            end_of_speech.get_or_insert(at);
        } else if message.topic.ends_with("/turn")
            && TurnSummary::decode(&message.payload).is_ok()
            && wake.is_some()
        {
            break;
        }
        if program.exited() {
            return Err(bench_error(format!(
                "hive-satellite exited:\n{}",
                program.tail()
            )));
        }
    }
    let (Some(wake), Some(end)) = (wake, end_of_speech) else {
        return Err(bench_error("no end of speech for the satellite's stream"));
    };
    let idle_from = wake - Duration::from_millis(1500);
    let idle_bytes = sampler
        .median(idle_from, wake)
        .ok_or_else(|| bench_error("no RSS sample before the wake word"))?;
    let streaming_bytes = sampler
        .peak(wake, end)
        .ok_or_else(|| bench_error("no RSS sample while streaming"))?;

    // The bridge dies; its last will tells the satellite, which loads its own whisper.
    bridge.kill();
    let deadline = tokio::time::Instant::now() + DEGRADED_TIMEOUT;
    loop {
        let message = next_message(&mut observer, deadline, || {
            format!(
                "the satellite did not enter degraded mode once the bridge was killed; its log:\n{}",
                program.tail()
            )
        })
        .await?;
        if message.topic.ends_with("/mode") && message.payload.as_slice() == b"degraded" {
            break;
        }
    }
    tokio::time::sleep(DEGRADED_SETTLE).await;
    let to = std::time::Instant::now();
    let degraded_bytes = sampler
        .median(to - DEGRADED_WINDOW, to)
        .ok_or_else(|| bench_error("no RSS sample in degraded mode"))?;
    program.kill();
    let counts = proxy.counts();
    Ok(SatelliteFigures {
        idle_bytes,
        streaming_bytes,
        degraded_bytes,
        stream_bytes: counts.stream_bytes,
        pcm_bytes: counts.pcm_bytes,
        chunks: counts.chunks,
        model_bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wav_files_are_what_the_bridge_decodes() {
        let samples = [0_i16, 1000, -1000, i16::MAX];
        let decoded = hive_bridge::tts::decode_wav(&wav_bytes(&samples)).unwrap();
        assert_eq!(decoded.sample_rate, 16_000);
        assert_eq!(decoded.samples, samples);
    }
}
