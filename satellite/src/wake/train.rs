//! Building a wake word model from recordings: `hive-satellite wakeword train`.
//!
//! Each sample is read (any WAV), brought to 16 kHz mono, trimmed of the silence around the
//! words (rustpotter compares whole templates, so leading silence would have to be matched
//! too), and turned into a rustpotter reference.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rustpotter::{WakewordRef, WakewordRefBuildFromBuffers};

use super::error::WakeError;
use super::rustpotter::save;
use crate::audio::{RATE, Resampler, encode_wav, read_wav, rms_dbfs};

/// MFCC coefficients per frame, rustpotter's usual size.
const MFCC_SIZE: u16 = 16;
/// Loudness below which the edges of a sample are trimmed, relative to its loudest 10 ms.
const TRIM_BELOW_PEAK_DB: f32 = 35.0;

/// What training produced.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainReport {
    /// The model file.
    pub out: PathBuf,
    /// Samples used.
    pub samples: usize,
    /// The trimmed samples' lengths in milliseconds, shortest and longest.
    pub shortest_ms: u64,
    /// See `shortest_ms`.
    pub longest_ms: u64,
    /// The model's size in bytes.
    pub bytes: u64,
}

/// Trains a model named `name` from `samples` and writes it to `out`.
///
/// # Errors
/// No samples, an unreadable or silent sample, or the model cannot be written.
pub fn train(name: &str, samples: &[PathBuf], out: &Path) -> Result<TrainReport, WakeError> {
    if samples.is_empty() {
        return Err(WakeError::NoSamples);
    }
    let mut buffers = HashMap::new();
    let mut lengths = Vec::new();
    for path in samples {
        let bad = |detail: String| WakeError::Sample {
            path: path.clone(),
            detail,
        };
        let pcm = read_wav(path).map_err(|error| bad(error.to_string()))?;
        let audio = Resampler::convert(&pcm.samples, pcm.sample_rate, RATE);
        let trimmed = trim(&audio).ok_or_else(|| bad("no sound in it".into()))?;
        if trimmed.len() < RATE as usize / 10 {
            return Err(bad("shorter than 100 ms once trimmed".into()));
        }
        lengths.push(trimmed.len() as u64 * 1000 / u64::from(RATE));
        let key = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| format!("sample-{}", buffers.len()));
        buffers.insert(key, encode_wav(trimmed, RATE));
    }
    let model =
        WakewordRef::new_from_sample_buffers(name.to_owned(), None, None, buffers, MFCC_SIZE)
            .map_err(WakeError::Engine)?;
    save(&model, out)?;
    let bytes = std::fs::metadata(out).map(|meta| meta.len()).unwrap_or(0);
    Ok(TrainReport {
        out: out.to_owned(),
        samples: samples.len(),
        shortest_ms: lengths.iter().copied().min().unwrap_or(0),
        longest_ms: lengths.iter().copied().max().unwrap_or(0),
        bytes,
    })
}

/// The part of `audio` between the first and last 10 ms within
/// [`TRIM_BELOW_PEAK_DB`] of its loudest, with 20 ms of margin on each side; `None` when silent.
fn trim(audio: &[i16]) -> Option<&[i16]> {
    let window = RATE as usize / 100;
    let levels: Vec<f32> = audio.chunks(window).map(rms_dbfs).collect();
    let peak = levels.iter().copied().fold(f32::MIN, f32::max);
    if peak <= -90.0 {
        return None;
    }
    let floor = peak - TRIM_BELOW_PEAK_DB;
    let first = levels.iter().position(|&level| level >= floor)?;
    let last = levels.iter().rposition(|&level| level >= floor)?;
    let start = first.saturating_sub(2) * window;
    let end = ((last + 3) * window).min(audio.len());
    Some(&audio[start..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_around_a_sample_is_trimmed() {
        let mut audio = vec![0_i16; 8000];
        audio.extend((0..3200).map(|n| if n % 2 == 0 { 5000 } else { -5000 }));
        audio.extend(vec![0_i16; 8000]);
        let trimmed = trim(&audio).unwrap();
        // Two 10 ms windows of margin on each side.
        assert_eq!(trimmed.len(), 3200 + 4 * 160);
        assert_eq!(trim(&[0; 1600]), None);
    }

    #[test]
    fn training_without_samples_or_with_a_silent_one_fails_readably() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("model.rpw");
        assert!(matches!(train("hey", &[], &out), Err(WakeError::NoSamples)));
        let silent = dir.path().join("silent.wav");
        crate::audio::write_wav(&silent, &[0; 16_000], 16_000).unwrap();
        let error = train("hey", &[silent], &out).unwrap_err();
        assert!(error.to_string().contains("silent.wav"), "{error}");
    }
}
