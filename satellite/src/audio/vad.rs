//! End of speech from loudness alone: cheap enough for a Pi Zero, and the bridge runs the
//! real voice-activity detector on what it receives anyway.

use super::RATE;

/// Why a capture ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndOfSpeech {
    /// Speech was heard, then enough silence.
    SpeechEnded,
    /// No speech began in time.
    NoSpeech,
    /// The longest utterance was reached.
    MaxLength,
}

/// Loudness of `samples` in dBFS (-100 for silence).
pub fn rms_dbfs(samples: &[i16]) -> f32 {
    if samples.is_empty() {
        return -100.0;
    }
    let power = samples
        .iter()
        .map(|&sample| (f64::from(sample) / 32_768.0).powi(2))
        .sum::<f64>()
        / samples.len() as f64;
    if power <= 1e-10 {
        -100.0
    } else {
        (10.0 * power.log10()) as f32
    }
}

/// Decides when an utterance ended, chunk by chunk.
#[derive(Debug, Clone)]
pub struct Endpointer {
    threshold_db: f32,
    end_silence: u64,
    no_speech: u64,
    max_length: u64,
    /// Samples at the start that cannot begin speech: the pre-roll, which holds the end of
    /// the wake word itself.
    grace: u64,
    heard: u64,
    speech: bool,
    silence_run: u64,
}

impl Endpointer {
    /// An endpointer for 16 kHz audio; durations in milliseconds.
    pub fn new(
        threshold_db: f32,
        end_silence_ms: u32,
        no_speech_ms: u32,
        max_length_ms: u32,
        grace_samples: usize,
    ) -> Endpointer {
        let samples = |ms: u32| u64::from(ms) * u64::from(RATE) / 1000;
        Endpointer {
            threshold_db,
            end_silence: samples(end_silence_ms),
            no_speech: samples(no_speech_ms) + grace_samples as u64,
            max_length: samples(max_length_ms) + grace_samples as u64,
            grace: grace_samples as u64,
            heard: 0,
            speech: false,
            silence_run: 0,
        }
    }

    /// Takes the next chunk; says when the utterance is over.
    pub fn push(&mut self, chunk: &[i16]) -> Option<EndOfSpeech> {
        let loud = rms_dbfs(chunk) >= self.threshold_db;
        let in_grace = self.heard < self.grace;
        self.heard += chunk.len() as u64;
        if loud && !in_grace {
            self.speech = true;
            self.silence_run = 0;
        } else if self.speech {
            self.silence_run += chunk.len() as u64;
        }
        if self.speech && self.silence_run >= self.end_silence {
            Some(EndOfSpeech::SpeechEnded)
        } else if !self.speech && self.heard >= self.no_speech {
            Some(EndOfSpeech::NoSpeech)
        } else if self.heard >= self.max_length {
            Some(EndOfSpeech::MaxLength)
        } else {
            None
        }
    }

    /// Whether speech has been heard.
    pub fn heard_speech(&self) -> bool {
        self.speech
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHUNK: usize = 640;

    fn loud() -> Vec<i16> {
        (0..CHUNK)
            .map(|n| if n % 2 == 0 { 8000 } else { -8000 })
            .collect()
    }

    fn quiet() -> Vec<i16> {
        vec![3; CHUNK]
    }

    /// Feeds `chunks` and returns at which chunk (0-based) it ended and why.
    fn run(endpointer: &mut Endpointer, chunks: &[Vec<i16>]) -> Option<(usize, EndOfSpeech)> {
        chunks
            .iter()
            .enumerate()
            .find_map(|(index, chunk)| endpointer.push(chunk).map(|end| (index, end)))
    }

    #[test]
    fn loudness_is_measured_in_dbfs() {
        assert_eq!(rms_dbfs(&[]), -100.0);
        assert_eq!(rms_dbfs(&[0; 10]), -100.0);
        assert!(
            (rms_dbfs(&loud()) - (-12.25)).abs() < 0.1,
            "{}",
            rms_dbfs(&loud())
        );
    }

    #[test]
    fn endings() {
        // 40 ms chunks: 800 ms of silence is 20 chunks, 4 s is 100.
        let speech_then_silence: Vec<Vec<i16>> = std::iter::repeat_n(loud(), 10)
            .chain(std::iter::repeat_n(quiet(), 40))
            .collect();
        let mut endpointer = Endpointer::new(-45.0, 800, 4000, 12_000, 0);
        assert_eq!(
            run(&mut endpointer, &speech_then_silence),
            Some((29, EndOfSpeech::SpeechEnded))
        );

        let silence: Vec<Vec<i16>> = std::iter::repeat_n(quiet(), 200).collect();
        let mut endpointer = Endpointer::new(-45.0, 800, 4000, 12_000, 0);
        assert_eq!(
            run(&mut endpointer, &silence),
            Some((99, EndOfSpeech::NoSpeech))
        );

        let talking: Vec<Vec<i16>> = std::iter::repeat_n(loud(), 400).collect();
        let mut endpointer = Endpointer::new(-45.0, 800, 4000, 12_000, 0);
        assert_eq!(
            run(&mut endpointer, &talking),
            Some((299, EndOfSpeech::MaxLength))
        );
    }

    #[test]
    fn the_pre_roll_does_not_start_speech() {
        // The wake word's tail in the pre-roll, then a pause: still waiting for the question.
        let chunks: Vec<Vec<i16>> = std::iter::repeat_n(loud(), 5)
            .chain(std::iter::repeat_n(quiet(), 30))
            .chain(std::iter::repeat_n(loud(), 10))
            .chain(std::iter::repeat_n(quiet(), 30))
            .collect();
        let mut endpointer = Endpointer::new(-45.0, 800, 4000, 12_000, 5 * CHUNK);
        assert_eq!(
            run(&mut endpointer, &chunks),
            Some((64, EndOfSpeech::SpeechEnded))
        );
    }
}
