//! Real speech for tests: espeak-ng synthesises a sentence, resampled to the protocol's
//! 16 kHz mono, and cut into protocol chunks.

use std::io::Write;
use std::process::{Command, Stdio};

use hive_bridge::tts::decode_wav;
use hive_bridge::vad::resample;

use crate::error::HarnessError;

/// Speaks `text` with espeak-ng's `voice` and returns 16 kHz mono samples.
///
/// # Errors
/// espeak-ng is missing or fails.
pub fn synthesize(text: &str, voice: &str) -> Result<Vec<i16>, HarnessError> {
    synthesize_at(text, voice, 175)
}

/// As [`synthesize`], at `words_per_minute` (espeak-ng's default is 175; slower speech is
/// easier for small speech-to-text models in French and Dutch).
///
/// # Errors
/// espeak-ng is missing or fails.
pub fn synthesize_at(
    text: &str,
    voice: &str,
    words_per_minute: u32,
) -> Result<Vec<i16>, HarnessError> {
    let failed = |detail: String| HarnessError::Speech(format!("espeak-ng -v {voice}: {detail}"));
    let mut child = Command::new("espeak-ng")
        .args([
            "--stdout",
            "-v",
            voice,
            "-s",
            &words_per_minute.to_string(),
            "--stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| failed(format!("{error} (apt-get install espeak-ng)")))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(text.as_bytes())
            .map_err(|error| failed(error.to_string()))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|error| failed(error.to_string()))?;
    if !output.status.success() {
        return Err(failed(String::from_utf8_lossy(&output.stderr).into_owned()));
    }
    let speech = decode_wav(&output.stdout).map_err(|error| failed(error.to_string()))?;
    to_16k(&speech.samples, speech.sample_rate)
}

/// Resamples 16-bit audio at `rate` to 16 kHz.
///
/// # Errors
/// The rate is unusable.
pub fn to_16k(samples: &[i16], rate: u32) -> Result<Vec<i16>, HarnessError> {
    let floats: Vec<f32> = samples
        .iter()
        .map(|&sample| f32::from(sample) / 32_768.0)
        .collect();
    let resampled =
        resample(&floats, rate, 16_000).map_err(|error| HarnessError::Speech(error.to_string()))?;
    Ok(resampled
        .iter()
        .map(|&sample| (sample * 32_767.0).clamp(-32_768.0, 32_767.0) as i16)
        .collect())
}

/// `seconds` of silence at 16 kHz.
pub fn silence(seconds: f32) -> Vec<i16> {
    vec![0; (seconds * 16_000.0) as usize]
}
