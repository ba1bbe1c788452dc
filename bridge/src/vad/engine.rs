//! The detector trait every VAD engine implements, and the factory that hands one detector to
//! each session.

use super::error::VadError;

/// The sample rate every detector works at: satellites stream 16 kHz mono.
pub const SAMPLE_RATE: u32 = 16_000;

/// A voice-activity detector: turns fixed-size frames of audio into speech probabilities.
///
/// A detector holds the per-stream state (Silero's recurrent state and context), so every
/// audio stream needs its own; get one from a [`VadFactory`]. Detectors are synchronous and
/// CPU-bound: call them from a blocking thread, never from an async worker.
pub trait Vad: Send {
    /// Samples per frame this detector wants (512 at 16 kHz for Silero).
    fn frame_len(&self) -> usize;

    /// Probability in `0..=1` that `frame` is speech.
    ///
    /// `frame` holds exactly [`frame_len`](Vad::frame_len) samples, `f32` in `-1..1`,
    /// 16 kHz mono, and continues the previous frame of the same stream.
    ///
    /// # Errors
    ///
    /// [`VadError::FrameLength`] if `frame` has the wrong length; an engine error
    /// (e.g. [`VadError::Onnx`]) if inference fails.
    fn speech_probability(&mut self, frame: &[f32]) -> Result<f32, VadError>;

    /// Forgets all state, so the next frame starts a new stream.
    fn reset(&mut self);
}

/// Makes detectors that share one loaded model; one detector per audio stream.
///
/// Built once from the configuration (see [`VadSection::build`](super::VadSection::build))
/// and held as `Arc<dyn VadFactory>`.
pub trait VadFactory: Send + Sync {
    /// The engine's name for logs and health reports (`"silero"`, `"energy"`).
    fn name(&self) -> &'static str;

    /// A fresh detector with its own state, sharing the factory's model.
    fn detector(&self) -> Box<dyn Vad>;

    /// Checks that the engine works by running one frame of silence through a fresh detector.
    ///
    /// # Errors
    ///
    /// Whatever the detector returns, or [`VadError::Unhealthy`] if it answers with a
    /// probability outside `0..=1`.
    fn health_check(&self) -> Result<(), VadError> {
        let mut detector = self.detector();
        let silence = vec![0.0; detector.frame_len()];
        let probability = detector.speech_probability(&silence)?;
        if (0.0..=1.0).contains(&probability) {
            Ok(())
        } else {
            Err(VadError::Unhealthy {
                engine: self.name(),
                reason: format!("probability {probability} for a frame of silence"),
            })
        }
    }
}
