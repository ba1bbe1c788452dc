//! A loudness-threshold detector: the fallback when ONNX Runtime or the Silero model is not
//! available, so the bridge still endpoints (badly in noise, fine in a quiet room).

use super::engine::{Vad, VadFactory};
use super::error::VadError;

/// Frame length: 32 ms at 16 kHz, the same as Silero, so the endpointer's timing granularity
/// does not depend on the engine.
pub const ENERGY_FRAME_LEN: usize = 512;

/// The default threshold: quiet speech at arm's length is around −35 dBFS RMS, a quiet room
/// around −60.
pub const DEFAULT_THRESHOLD_DBFS: f32 = -40.0;

/// Decibels over which the probability goes from 0.27 to 0.73 around the threshold. A soft
/// step instead of a hard one lets the endpointer's hysteresis work for this engine too.
const SLOPE_DB: f32 = 2.0;

/// The energy engine's settings, checked and ready to make detectors.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EnergyFactory {
    threshold_dbfs: f32,
}

impl EnergyFactory {
    /// Detectors that call a frame speech when its RMS level is above `threshold_dbfs`
    /// (0 dBFS is a full-scale square wave).
    ///
    /// # Errors
    ///
    /// [`VadError::InvalidConfig`] unless `threshold_dbfs` is finite and in `-120..0`.
    pub fn new(threshold_dbfs: f32) -> Result<Self, VadError> {
        if !(threshold_dbfs.is_finite() && (-120.0..0.0).contains(&threshold_dbfs)) {
            return Err(VadError::InvalidConfig {
                field: "threshold_dbfs",
                reason: format!("must be between -120 and 0 dBFS, got {threshold_dbfs}"),
            });
        }
        Ok(EnergyFactory { threshold_dbfs })
    }

    /// A detector with this threshold.
    pub fn detector(&self) -> EnergyVad {
        EnergyVad {
            threshold_dbfs: self.threshold_dbfs,
        }
    }
}

impl VadFactory for EnergyFactory {
    fn name(&self) -> &'static str {
        "energy"
    }

    fn detector(&self) -> Box<dyn Vad> {
        Box::new(EnergyFactory::detector(self))
    }
}

/// A stateless RMS-level detector.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EnergyVad {
    threshold_dbfs: f32,
}

impl EnergyVad {
    /// The RMS level of `frame` in dBFS (−∞ for digital silence).
    pub fn level_dbfs(frame: &[f32]) -> f32 {
        if frame.is_empty() {
            return f32::NEG_INFINITY;
        }
        let energy: f32 = frame.iter().map(|sample| sample * sample).sum();
        10.0 * (energy / frame.len() as f32).log10()
    }
}

impl Vad for EnergyVad {
    fn frame_len(&self) -> usize {
        ENERGY_FRAME_LEN
    }

    fn speech_probability(&mut self, frame: &[f32]) -> Result<f32, VadError> {
        if frame.len() != ENERGY_FRAME_LEN {
            return Err(VadError::FrameLength {
                expected: ENERGY_FRAME_LEN,
                got: frame.len(),
            });
        }
        let above = Self::level_dbfs(frame) - self.threshold_dbfs;
        // Logistic step; −∞ (silence) gives exactly 0, and NaN input counts as silence.
        let probability = 1.0 / (1.0 + (-above / SLOPE_DB).exp());
        Ok(if probability.is_nan() {
            0.0
        } else {
            probability
        })
    }

    fn reset(&mut self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(amplitude: f32) -> Vec<f32> {
        (0..ENERGY_FRAME_LEN)
            .map(|i| amplitude * (i as f32 * 0.2).sin())
            .collect()
    }

    #[test]
    fn loud_frames_are_speech_and_quiet_ones_are_not() {
        let mut vad = EnergyFactory::new(-40.0).unwrap().detector();
        // A sine's RMS is amplitude / √2: 0.1 → −23 dBFS, 0.001 → −63 dBFS.
        assert!(vad.speech_probability(&tone(0.1)).unwrap() > 0.99);
        assert!(vad.speech_probability(&tone(0.001)).unwrap() < 0.01);
        assert_eq!(
            vad.speech_probability(&[0.0; ENERGY_FRAME_LEN]).unwrap(),
            0.0
        );
        let at_threshold = 10f32.powf(-40.0 / 20.0) * std::f32::consts::SQRT_2;
        let probability = vad.speech_probability(&tone(at_threshold)).unwrap();
        assert!((probability - 0.5).abs() < 0.05, "{probability}");
    }

    #[test]
    fn wrong_frame_length_is_an_error() {
        let mut vad = EnergyFactory::new(-40.0).unwrap().detector();
        assert!(matches!(
            vad.speech_probability(&[0.0; 100]),
            Err(VadError::FrameLength {
                expected: 512,
                got: 100
            })
        ));
    }

    #[test]
    fn threshold_must_be_a_negative_level() {
        for bad in [0.0, 3.0, -150.0, f32::NAN] {
            assert!(
                matches!(
                    EnergyFactory::new(bad),
                    Err(VadError::InvalidConfig {
                        field: "threshold_dbfs",
                        ..
                    })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn health_check_passes() {
        EnergyFactory::new(DEFAULT_THRESHOLD_DBFS)
            .unwrap()
            .health_check()
            .unwrap();
    }
}
