//! Audio and model helpers shared by the `vad_*` integration tests.
//!
//! Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::ops::Range;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use hive_bridge::models::ModelsDir;
use hive_bridge::vad::{
    EndpointEvent, ONNX_RUNTIME_FILE, SAMPLE_RATE, SILERO_MODEL_FILE, SileroModel, StreamVad,
    resample,
};

/// What to run when a model file is missing. Tests fail rather than skip: a skipped real-model
/// test proves nothing.
pub(crate) const INSTALL_HINT: &str = "run `cargo run -p hive-bridge -- models install --all`";

/// 40 ms at 16 kHz: a typical satellite chunk, deliberately not a multiple of 512.
pub(crate) const CHUNK: usize = 640;

pub(crate) fn models_dir() -> ModelsDir {
    ModelsDir::from_env(|name| std::env::var(name).ok())
}

/// A file from the models directory, or a failure saying how to install it.
pub(crate) fn model_file(relative: &str) -> PathBuf {
    let path = models_dir().path(relative);
    assert!(
        path.is_file(),
        "{} is missing: {INSTALL_HINT}",
        path.display()
    );
    path
}

/// The Silero model, loaded once per test binary (two sessions, as on a 2-core bridge).
pub(crate) fn silero() -> &'static SileroModel {
    static MODEL: OnceLock<SileroModel> = OnceLock::new();
    MODEL.get_or_init(|| {
        let model = model_file(SILERO_MODEL_FILE);
        let runtime = model_file(ONNX_RUNTIME_FILE);
        SileroModel::load(&model, &runtime, 2)
            .unwrap_or_else(|error| panic!("loading Silero: {error}"))
    })
}

/// A 16-bit PCM WAV file: rate and samples (channels averaged to mono).
pub(crate) fn parse_wav(bytes: &[u8]) -> (u32, Vec<i16>) {
    assert!(
        bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WAVE",
        "not a WAV file"
    );
    let u16_at = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]);
    let u32_at =
        |at: usize| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let mut format = None;
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let body = at + 8;
        // Streamed WAVs (espeak-ng --stdout) carry a placeholder size: clamp to what is there.
        let size = (u32_at(at + 4) as usize).min(bytes.len() - body);
        match id {
            b"fmt " => {
                let (tag, channels, rate, bits) = (
                    u16_at(body),
                    u16_at(body + 2),
                    u32_at(body + 4),
                    u16_at(body + 14),
                );
                assert!(
                    tag == 1 && bits == 16,
                    "only 16-bit PCM is supported (format {tag}, {bits} bits)"
                );
                format = Some((channels as usize, rate));
            }
            b"data" => {
                let (channels, rate) = format.expect("data before fmt");
                let samples: Vec<i16> = bytes[body..body + size]
                    .chunks_exact(2 * channels)
                    .map(|frame| {
                        let sum: i32 = frame
                            .chunks_exact(2)
                            .map(|s| i32::from(i16::from_le_bytes([s[0], s[1]])))
                            .sum();
                        (sum / channels as i32) as i16
                    })
                    .collect();
                return (rate, samples);
            }
            _ => {}
        }
        at = body + size + (size & 1);
    }
    panic!("WAV file has no data chunk");
}

/// `text` spoken by espeak-ng at 16 kHz.
pub(crate) fn espeak(text: &str) -> Vec<i16> {
    let output = Command::new("espeak-ng")
        .args(["--stdout", "-v", "en-us", text])
        .output()
        .unwrap_or_else(|error| {
            panic!("running espeak-ng (install the espeak-ng package): {error}")
        });
    assert!(
        output.status.success(),
        "espeak-ng failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (rate, samples) = parse_wav(&output.stdout);
    to_16k(&samples, rate)
}

/// Resamples `i16` PCM to 16 kHz.
pub(crate) fn to_16k(samples: &[i16], rate: u32) -> Vec<i16> {
    let floats: Vec<f32> = samples.iter().map(|&s| f32::from(s) / 32768.0).collect();
    resample(&floats, rate, SAMPLE_RATE)
        .unwrap()
        .iter()
        .map(|&s| (s * 32768.0).round().clamp(-32768.0, 32767.0) as i16)
        .collect()
}

/// Where the sound is: from the first to the last 10 ms window louder than −40 dBFS.
pub(crate) fn audible_range(samples: &[i16]) -> Range<usize> {
    const WINDOW: usize = 160;
    let loud: Vec<usize> = samples
        .chunks(WINDOW)
        .enumerate()
        .filter(|(_, window)| {
            let energy: f64 = window
                .iter()
                .map(|&s| (f64::from(s) / 32768.0).powi(2))
                .sum();
            10.0 * (energy / window.len() as f64).log10() > -40.0
        })
        .map(|(index, _)| index)
        .collect();
    let (first, last) = (
        loud.first().expect("silent audio"),
        loud.last().expect("silent audio"),
    );
    first * WINDOW..(last + 1) * WINDOW
}

/// `speech` with `before_s` seconds of silence before and `after_s` after; returns the audio
/// and where the speech is in it.
pub(crate) fn padded(speech: &[i16], before_s: f32, after_s: f32) -> (Vec<i16>, Range<usize>) {
    let before = (before_s * SAMPLE_RATE as f32) as usize;
    let after = (after_s * SAMPLE_RATE as f32) as usize;
    let mut audio = vec![0i16; before];
    audio.extend_from_slice(speech);
    audio.extend(std::iter::repeat_n(0, after));
    let audible = audible_range(speech);
    (audio, before + audible.start..before + audible.end)
}

/// Deterministic white noise with the given RMS level in dBFS.
pub(crate) fn white_noise(seconds: f32, level_dbfs: f32) -> Vec<i16> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    // Uniform in -1..1 has RMS 1/√3.
    let scale = 10f32.powf(level_dbfs / 20.0) * 3f32.sqrt() * 32768.0;
    (0..(seconds * SAMPLE_RATE as f32) as usize)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let uniform = (state >> 11) as f32 / (1u64 << 53) as f32 * 2.0 - 1.0;
            (uniform * scale) as i16
        })
        .collect()
}

/// Streams `audio` in chunks of `chunk` samples and collects every event.
pub(crate) fn stream_events(
    stream: &mut StreamVad,
    audio: &[i16],
    chunk: usize,
) -> Vec<EndpointEvent> {
    audio
        .chunks(chunk)
        .filter_map(|piece| {
            stream
                .push_pcm(piece)
                .unwrap_or_else(|error| panic!("VAD failed: {error}"))
        })
        .collect()
}

/// Seconds, for readable assertion messages.
pub(crate) fn seconds(samples: u64) -> f64 {
    samples as f64 / f64::from(SAMPLE_RATE)
}
