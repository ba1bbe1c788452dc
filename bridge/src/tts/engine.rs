//! The trait every text-to-speech engine implements, and the audio it returns.

use std::time::Duration;

use super::error::TtsError;

/// Synthesised speech: mono 16-bit PCM.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Speech {
    /// The samples, mono.
    pub samples: Vec<i16>,
    /// Samples per second.
    pub sample_rate: u32,
}

impl Speech {
    /// How long the speech lasts; zero for an empty clip or a zero sample rate.
    pub fn duration(&self) -> Duration {
        if self.sample_rate == 0 {
            return Duration::ZERO;
        }
        Duration::from_secs_f64(self.samples.len() as f64 / f64::from(self.sample_rate))
    }

    /// Root mean square of the samples, in `0..=1` of full scale; zero for an empty clip.
    pub fn rms(&self) -> f64 {
        if self.samples.is_empty() {
            return 0.0;
        }
        let sum: f64 = self
            .samples
            .iter()
            .map(|&s| (f64::from(s) / 32768.0).powi(2))
            .sum();
        (sum / self.samples.len() as f64).sqrt()
    }

    /// Appends `other`, which must be at the same sample rate (an empty `self` takes
    /// `other`'s rate).
    ///
    /// # Errors
    ///
    /// [`TtsError::Synthesis`] if the rates differ.
    pub fn append(&mut self, other: &Speech) -> Result<(), TtsError> {
        if self.samples.is_empty() && self.sample_rate == 0 {
            self.sample_rate = other.sample_rate;
        }
        if other.sample_rate != self.sample_rate {
            return Err(TtsError::synthesis(
                "speech",
                format!(
                    "cannot join audio at {} Hz to audio at {} Hz",
                    other.sample_rate, self.sample_rate
                ),
            ));
        }
        self.samples.extend_from_slice(&other.samples);
        Ok(())
    }

    /// Appends `duration` of silence.
    pub fn append_silence(&mut self, duration: Duration) {
        let count = (duration.as_secs_f64() * f64::from(self.sample_rate)).round() as usize;
        self.samples.resize(self.samples.len() + count, 0);
    }
}

/// A text-to-speech engine.
///
/// Engines are synchronous and may be CPU-heavy (Piper) or wait on a program or a server:
/// call them from a blocking thread (`tokio::task::spawn_blocking`), never from an async
/// worker. One engine value is shared by every session (`Arc<dyn Tts>`).
pub trait Tts: Send + Sync {
    /// Speaks `text` (already normalised, see [`normalize`](super::normalize())) in `lang`
    /// (BCP-47-ish: `"en"`, `"fr"`, `"nl"`, `"en-US"`).
    ///
    /// # Errors
    ///
    /// [`TtsError::UnsupportedLanguage`] if [`supports`](Tts::supports) is false for `lang`;
    /// [`TtsError::Synthesis`] if the engine fails on this text;
    /// [`TtsError::EngineUnavailable`] if the engine's model, program or server is missing.
    fn synthesize(&self, text: &str, lang: &str) -> Result<Speech, TtsError>;

    /// Whether this engine can speak `lang`. The bridge uses the first engine of the
    /// configured chain that can.
    fn supports(&self, lang: &str) -> bool;

    /// Name for logs and metrics (`"piper"`, `"espeak"`, `"http"`).
    fn name(&self) -> &str;

    /// Checks that the engine works by speaking a short word.
    ///
    /// The default speaks "ok" in English; engines that may not speak English override it.
    ///
    /// # Errors
    ///
    /// Whatever [`synthesize`](Tts::synthesize) returns, or [`TtsError::Synthesis`] if it
    /// returns no audio.
    fn health(&self) -> Result<(), TtsError> {
        check_speaks(self, "en")
    }
}

/// Speaks a short word in `lang` and checks that audio comes back: the body of the health
/// checks.
pub(crate) fn check_speaks<T: Tts + ?Sized>(engine: &T, lang: &str) -> Result<(), TtsError> {
    let speech = engine.synthesize("ok", lang)?;
    if speech.samples.is_empty() || speech.sample_rate == 0 {
        return Err(TtsError::synthesis(
            engine.name(),
            "health check produced no audio",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_and_rms_of_a_clip() {
        let speech = Speech {
            samples: vec![16384, -16384, 16384, -16384],
            sample_rate: 2,
        };
        assert_eq!(speech.duration(), Duration::from_secs(2));
        assert!((speech.rms() - 0.5).abs() < 1e-9);
        assert_eq!(Speech::default().rms(), 0.0);
        assert_eq!(Speech::default().duration(), Duration::ZERO);
    }

    #[test]
    fn append_refuses_mixed_rates_and_adopts_the_first_rate() {
        let mut speech = Speech::default();
        speech
            .append(&Speech {
                samples: vec![1, 2],
                sample_rate: 100,
            })
            .unwrap();
        assert_eq!(speech.sample_rate, 100);
        speech.append_silence(Duration::from_millis(30));
        assert_eq!(speech.samples, vec![1, 2, 0, 0, 0]);
        assert!(
            speech
                .append(&Speech {
                    samples: vec![1],
                    sample_rate: 200
                })
                .is_err()
        );
    }
}
