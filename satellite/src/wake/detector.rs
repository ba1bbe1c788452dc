//! What a wake word engine must do. The listener knows only this trait.

/// A detection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WakeHit {
    /// Confidence, 0–1.
    pub score: f32,
    /// How many samples ago (of those given so far) the wake word ended, by the engine's
    /// estimate: detectors fire a little after the words, and the audio streamed to the
    /// bridge starts from there.
    pub samples_since_end: usize,
}

/// A streaming wake word detector over 16 kHz mono audio.
///
/// Not `Send`: engines may hold thread-bound state, so the listener builds its detector on
/// its own thread.
pub trait WakeDetector {
    /// Takes the next samples (any count); returns a detection when one completes.
    fn process(&mut self, samples: &[i16]) -> Option<WakeHit>;
    /// Forgets the audio heard so far (after a capture, so the question's audio cannot
    /// re-trigger on stale state).
    fn reset(&mut self);
}
