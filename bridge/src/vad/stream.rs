//! [`StreamVad`]: a detector and an endpointer fed with PCM chunks of any size.

use std::ops::Range;

use super::endpoint::{EndpointConfig, EndpointEvent, EndpointState, Endpointer};
use super::engine::Vad;
use super::error::VadError;

/// Endpointing for one audio stream: takes 16 kHz mono `i16` chunks as they arrive (any
/// length, e.g. 20–100 ms), cuts them into the detector's frames, and reports when speech
/// starts and ends.
///
/// Synchronous and CPU-bound (one detector call per 32 ms of audio): run it where blocking is
/// allowed. Memory is fixed after construction: one frame of `f32`, reused.
pub struct StreamVad {
    detector: Box<dyn Vad>,
    endpointer: Endpointer,
    /// The frame being filled; always `detector.frame_len()` long.
    frame: Vec<f32>,
    /// Samples of `frame` filled so far, carried between chunks.
    filled: usize,
}

impl std::fmt::Debug for StreamVad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamVad")
            .field("endpointer", &self.endpointer)
            .field("filled", &self.filled)
            .finish_non_exhaustive()
    }
}

impl StreamVad {
    /// Endpointing with `detector` (fresh, from a [`VadFactory`](super::VadFactory)).
    ///
    /// # Errors
    ///
    /// [`VadError::InvalidConfig`] if `config` does not validate.
    pub fn new(detector: Box<dyn Vad>, config: EndpointConfig) -> Result<Self, VadError> {
        Ok(StreamVad::with_endpointer(
            detector,
            Endpointer::new(config)?,
        ))
    }

    /// Endpointing with `detector` and an already validated endpointer (reset first).
    pub fn with_endpointer(detector: Box<dyn Vad>, mut endpointer: Endpointer) -> Self {
        endpointer.reset();
        let frame = vec![0.0; detector.frame_len()];
        StreamVad {
            detector,
            endpointer,
            frame,
            filled: 0,
        }
    }

    /// Feeds the next chunk of 16 kHz mono PCM and returns the event it caused, if any.
    ///
    /// Samples that do not fill a frame wait for the next chunk. Once the utterance is over
    /// ([`EndpointState::Done`]) the rest of the chunk and later chunks are ignored without
    /// running the detector. A chunk normally causes at most one event; one longer than
    /// `silence_end_s` may cause two, and then the last is returned
    /// ([`EndpointEvent::SpeechEnded`] repeats the start of speech, so nothing is lost).
    ///
    /// # Errors
    ///
    /// Whatever the detector returns; the stream's position is then unreliable, so
    /// [`reset`](StreamVad::reset) before reusing it.
    pub fn push_pcm(&mut self, pcm: &[i16]) -> Result<Option<EndpointEvent>, VadError> {
        let mut event = None;
        let frame_len = self.frame.len();
        let mut rest = pcm;
        while !rest.is_empty() && !self.is_done() {
            let take = (frame_len - self.filled).min(rest.len());
            let (chunk, tail) = rest.split_at(take);
            for (slot, &sample) in self.frame[self.filled..self.filled + take]
                .iter_mut()
                .zip(chunk)
            {
                *slot = f32::from(sample) / 32768.0;
            }
            self.filled += take;
            rest = tail;
            if self.filled == frame_len {
                self.filled = 0;
                let probability = self.detector.speech_probability(&self.frame)?;
                if let Some(happened) = self.endpointer.push(probability, frame_len) {
                    event = Some(happened);
                }
            }
        }
        Ok(event)
    }

    /// Where the endpointer is.
    pub fn state(&self) -> EndpointState {
        self.endpointer.state()
    }

    fn is_done(&self) -> bool {
        self.endpointer.state() == EndpointState::Done
    }

    /// Samples run through the detector so far (whole frames only).
    pub fn samples_seen(&self) -> u64 {
        self.endpointer.samples_seen()
    }

    /// The sample offsets worth transcribing, padded by `speech_pad_s` on both sides (see
    /// [`Endpointer::speech_range`]); `None` if no speech was detected.
    pub fn speech_range(&self) -> Option<Range<u64>> {
        self.endpointer.speech_range()
    }

    /// Starts a new utterance: forgets the detector's state, the endpointer's progress and any
    /// partial frame.
    pub fn reset(&mut self) {
        self.detector.reset();
        self.endpointer.reset();
        self.filled = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vad::endpoint::EndReason;

    /// Says "speech" for frames whose first sample is loud; counts calls.
    struct Scripted {
        calls: usize,
    }

    impl Vad for Scripted {
        fn frame_len(&self) -> usize {
            512
        }
        fn speech_probability(&mut self, frame: &[f32]) -> Result<f32, VadError> {
            assert_eq!(frame.len(), 512);
            self.calls += 1;
            Ok(if frame[0].abs() > 0.25 { 0.9 } else { 0.0 })
        }
        fn reset(&mut self) {
            self.calls = 0;
        }
    }

    /// 1 s of silence, 1 s of "speech", 2 s of silence.
    fn utterance() -> Vec<i16> {
        let mut pcm = vec![0i16; 16_000];
        pcm.extend(std::iter::repeat_n(16_000i16, 16_000));
        pcm.extend(std::iter::repeat_n(0i16, 32_000));
        pcm
    }

    fn events(chunk: usize) -> (StreamVad, Vec<EndpointEvent>) {
        let mut stream =
            StreamVad::new(Box::new(Scripted { calls: 0 }), EndpointConfig::default()).unwrap();
        let mut events = Vec::new();
        for piece in utterance().chunks(chunk) {
            events.extend(stream.push_pcm(piece).unwrap());
        }
        (stream, events)
    }

    #[test]
    fn chunk_size_does_not_change_the_events() {
        let (_, reference) = events(512);
        // Speech begins at sample 16000, inside frame 31 (15872..16384), whose first sample
        // is silent; frame 32 (16384) is the first "speech" frame.
        assert_eq!(
            reference,
            [
                EndpointEvent::SpeechStarted { at_sample: 16_384 },
                EndpointEvent::SpeechEnded {
                    at_sample: 32_256 + 11_264,
                    reason: EndReason::Silence,
                    speech_started_at: 16_384
                },
            ]
        );
        for chunk in [1, 320, 640, 1000, 1600, 4096] {
            assert_eq!(events(chunk).1, reference, "chunks of {chunk}");
        }
    }

    #[test]
    fn a_huge_chunk_returns_the_last_event() {
        let (_, all) = events(usize::MAX);
        assert_eq!(all.len(), 1);
        assert!(matches!(
            all[0],
            EndpointEvent::SpeechEnded {
                speech_started_at: 16_384,
                ..
            }
        ));
    }

    #[test]
    fn stops_running_the_detector_after_the_end() {
        let (stream, _) = events(640);
        // Ended at sample 43520 = 85 frames; the remaining 20480 samples were not analysed.
        assert_eq!(stream.samples_seen(), 43_520);
        assert_eq!(stream.state(), EndpointState::Done);
        assert_eq!(stream.speech_range(), Some(16_384 - 3_200..32_256 + 3_200));
    }

    #[test]
    fn reset_starts_over() {
        let (mut stream, _) = events(640);
        stream.reset();
        assert_eq!(stream.state(), EndpointState::WaitingForSpeech);
        assert_eq!(stream.samples_seen(), 0);
        assert_eq!(stream.push_pcm(&[0; 300]).unwrap(), None);
        assert_eq!(stream.samples_seen(), 0, "partial frames wait");
        assert_eq!(stream.push_pcm(&[0; 300]).unwrap(), None);
        assert_eq!(stream.samples_seen(), 512);
    }

    #[test]
    fn invalid_config_is_rejected() {
        let config = EndpointConfig {
            threshold: 2.0,
            ..EndpointConfig::default()
        };
        assert!(StreamVad::new(Box::new(Scripted { calls: 0 }), config).is_err());
    }
}
