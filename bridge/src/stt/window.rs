//! Whisper's encoder window fitted to the utterance, and the decoding states that remember it.
//!
//! whisper.cpp encodes a 30-second window whatever the audio's length; a two-second command
//! needs a tenth of it. `audio_ctx` shortens the window for transcription, but language
//! detection encodes with the window of the state's *previous* full pass (a fresh state: the
//! whole 30 s, mostly silence, which both costs seconds and pulls detection towards English).
//! So states are kept per window: one reused for the same window detects on that window too.

use std::sync::Mutex;

use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperState};

/// Encoder positions per second of audio: 100 mel frames, halved by the encoder's stride.
const POSITIONS_PER_SECOND: usize = 50;
/// The whole 30-second window.
pub(super) const FULL_WINDOW: usize = 30 * POSITIONS_PER_SECOND;
/// Idle states kept; each holds whisper's buffers, so few (commands fall into a handful of
/// window sizes).
const MAX_IDLE: usize = 3;

/// The encoder window for `samples` of 16 kHz audio: the audio, a second of margin (less
/// makes whisper drop or reorder the last words), rounded up to a multiple of 64 positions.
pub(super) fn fitted_window(samples: usize) -> usize {
    let needed = samples.div_ceil(16_000 / POSITIONS_PER_SECOND) + POSITIONS_PER_SECOND;
    needed.next_multiple_of(64).min(FULL_WINDOW)
}

/// Idle decoding states, each with the window of its last full pass.
#[derive(Default)]
pub(super) struct States {
    idle: Mutex<Vec<(usize, WhisperState)>>,
}

impl States {
    /// A state whose last full pass used `window`: an idle one, or a new one primed with a
    /// pass over a second of silence. `prime` false (the caller does not detect the language,
    /// and transcription sets its own window): any idle state, else a new one as is.
    pub(super) fn take(
        &self,
        context: &WhisperContext,
        window: usize,
        threads: usize,
        prime: bool,
    ) -> Result<WhisperState, whisper_rs::WhisperError> {
        {
            let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
            let same = idle.iter().position(|(w, _)| *w == window);
            let newest = idle.len().checked_sub(1).filter(|_| !prime);
            if let Some(at) = same.or(newest) {
                return Ok(idle.swap_remove(at).1);
            }
        }
        let mut state = context.create_state()?;
        if prime && window < FULL_WINDOW {
            let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
            params.set_n_threads(threads as i32);
            params.set_language(Some("en"));
            params.set_audio_ctx(window as i32);
            params.set_max_tokens(1);
            params.set_no_context(true);
            params.set_single_segment(true);
            params.set_print_progress(false);
            params.set_print_realtime(false);
            state.full(params, &[0.0; 17_600])?;
        }
        Ok(state)
    }

    /// Gives back a state whose last full pass used `window`, dropping the oldest idle one
    /// beyond the limit.
    pub(super) fn put(&self, window: usize, state: WhisperState) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        idle.push((window, state));
        if idle.len() > MAX_IDLE {
            idle.remove(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_fits_the_audio_with_a_second_of_margin() {
        // Two seconds: 100 positions + 50 of margin, rounded up to 192.
        assert_eq!(fitted_window(32_000), 192);
        assert_eq!(fitted_window(16_000 * 30), FULL_WINDOW);
        assert_eq!(fitted_window(16_000 * 60), FULL_WINDOW);
        assert!(fitted_window(1) >= 64);
    }
}
