//! The tests' own ear for the bridge's spoken answers.
//!
//! Piper samples its voice afresh on every run and whisper tiny.en now and then mishears a
//! clear word of it ("Paris" as "pairs", "rain" as "ring"). A judge that errs fails a test
//! for nothing, so the ear asks a second, larger model (multilingual base) when the first
//! does not hear what the test expects. Audio that does not say it fails with both.

use std::sync::OnceLock;

use hive_bridge::models::ModelsDir;
use hive_bridge::stt::{Stt, WhisperConfig, WhisperStt};

use crate::speech::to_16k;

const FIRST: &str = "whisper/ggml-tiny.en.bin";
const SECOND: &str = "whisper/ggml-base.bin";

/// Whisper on the whole 30 s window (its most accurate setting), so that a test judges the
/// audio, not the product's fitted window.
pub struct Ear {
    models: ModelsDir,
    first: WhisperStt,
    second: OnceLock<Option<WhisperStt>>,
}

impl Ear {
    /// # Panics
    /// tiny.en cannot be loaded.
    #[must_use]
    pub fn new(models: &ModelsDir) -> Self {
        Self {
            models: models.clone(),
            first: load(&models.path(FIRST)).expect("whisper tiny.en for the test's ear"),
            second: OnceLock::new(),
        }
    }

    /// What `audio` (s16 mono at `rate` Hz) says in English, lower-cased, as heard by the first
    /// model that hears something `expected` accepts; otherwise every model's transcript.
    ///
    /// # Errors
    /// No model heard what `expected` accepts: what each one heard.
    ///
    /// # Panics
    /// The audio cannot be resampled or transcribed.
    pub fn hears(
        &self,
        audio: &[i16],
        rate: u32,
        expected: impl Fn(&str) -> bool,
    ) -> Result<String, Vec<String>> {
        let heard: Vec<f32> = to_16k(audio, rate)
            .expect("reply audio at a supported rate")
            .iter()
            .map(|&sample| f32::from(sample) / 32_768.0)
            .collect();
        let mut transcripts = Vec::new();
        let text = transcribe(&self.first, &heard);
        if expected(&text) {
            return Ok(text);
        }
        transcripts.push(text);
        let second = self.second.get_or_init(|| {
            let path = self.models.path(SECOND);
            path.is_file().then(|| load(&path)).flatten()
        });
        if let Some(second) = second {
            let text = transcribe(second, &heard);
            if expected(&text) {
                return Ok(text);
            }
            transcripts.push(text);
        }
        Err(transcripts)
    }
}

fn transcribe(whisper: &WhisperStt, heard: &[f32]) -> String {
    whisper
        .transcribe(heard, Some("en"))
        .expect("transcription by the test's ear")
        .text
        .to_lowercase()
}

fn load(path: &std::path::Path) -> Option<WhisperStt> {
    let mut config = WhisperConfig::new(path);
    config.fit_window = false;
    WhisperStt::load(config).ok()
}

/// Whether `said` holds a word at most one edit (insertion, deletion, substitution or swap of
/// neighbours) away from `word`: the judge of a name whisper spells by ear ("Paris" heard as
/// "pairs" or "peris") while the audio plainly says it.
#[must_use]
pub fn sounds_like(said: &str, word: &str) -> bool {
    let word: Vec<char> = word.to_lowercase().chars().collect();
    said.split(|c: char| !c.is_alphanumeric())
        .any(|heard| edits(&heard.to_lowercase().chars().collect::<Vec<_>>(), &word) <= 1)
}

/// Damerau-Levenshtein distance (optimal string alignment).
fn edits(a: &[char], b: &[char]) -> usize {
    let mut rows = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::sounds_like;

    #[test]
    fn a_name_heard_one_edit_away_still_counts_and_another_word_does_not() {
        assert!(sounds_like("and pairs at 17 degrees", "Paris"));
        assert!(sounds_like("and peris at 17 degrees", "Paris"));
        assert!(sounds_like("in paris, it's 17", "Paris"));
        assert!(!sounds_like("in london it's 17", "Paris"));
        assert!(!sounds_like("in pa it's 17", "Paris"));
        assert!(!sounds_like("", "Paris"));
    }
}
