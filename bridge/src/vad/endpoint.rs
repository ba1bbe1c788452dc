//! Endpointing: deciding from per-frame speech probabilities when an utterance starts and ends.
//!
//! [`Endpointer`] is a pure state machine: no I/O and no clock. Time is counted in samples at
//! [`SAMPLE_RATE`], so tests feed it probabilities and check the exact sample of every event.
//!
//! ```text
//! WaitingForSpeech ──≥ speech_start_s of speech──▶ Speech ──≥ silence_end_s of silence──▶ Done
//!        │                                           └──────≥ max_speech_s since start───▶ Done
//!        └──────── no_speech_timeout_s without speech ─────────────────────────────────▶ Done
//! ```

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::engine::SAMPLE_RATE;
use super::error::VadError;

/// Speech frames separated by gaps up to this long still count as one run when deciding that
/// speech started. Silero dips below the threshold for a frame or two inside words (plosives,
/// short pauses); without this slack a quiet speaker could take much longer than
/// `speech_start_s` to trigger. Longer gaps mean the earlier frames were a blip.
const START_GAP_TOLERANCE_S: f32 = 0.1;

/// How far below `threshold` the default `neg_threshold` sits (Silero's own choice in
/// `get_speech_timestamps`).
const DEFAULT_HYSTERESIS: f32 = 0.15;

/// The lowest default `neg_threshold`, so a very low `threshold` still leaves room for silence.
const MIN_NEG_THRESHOLD: f32 = 0.01;

/// When speech starts and ends: the `[vad.endpoint]` configuration section.
///
/// Defaults match Home Assistant's: 0.3 s of speech to start, 0.7 s of silence to end, and a
/// 15 s cap, so a satellite that never sends "end" still gets an answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EndpointConfig {
    /// Seconds of speech (frames with probability ≥ `threshold`, short gaps allowed) before
    /// the utterance counts as started.
    pub speech_start_s: f32,
    /// Seconds of silence (probability < `neg_threshold`) after speech that end the utterance.
    pub silence_end_s: f32,
    /// Longest utterance in seconds, counted from the start of speech; then it ends anyway.
    pub max_speech_s: f32,
    /// Seconds from the start of the stream without any speech after which the stream gives
    /// up with [`EndpointEvent::NoSpeech`].
    pub no_speech_timeout_s: f32,
    /// Probability at or above which a frame is speech, in `(0, 1)`.
    pub threshold: f32,
    /// Probability below which a frame is silence once speech has started; frames in between
    /// neither start nor interrupt a silence (hysteresis). Default `threshold - 0.15`.
    pub neg_threshold: Option<f32>,
    /// Seconds of audio kept before the start and after the end of speech in
    /// [`Endpointer::speech_range`], so trimming never clips a soft first or last sound.
    pub speech_pad_s: f32,
}

impl Default for EndpointConfig {
    fn default() -> Self {
        EndpointConfig {
            speech_start_s: 0.3,
            silence_end_s: 0.7,
            max_speech_s: 15.0,
            no_speech_timeout_s: 8.0,
            threshold: 0.5,
            neg_threshold: None,
            speech_pad_s: 0.2,
        }
    }
}

impl EndpointConfig {
    /// Checks every value, returning the first problem in words.
    ///
    /// # Errors
    ///
    /// [`VadError::InvalidConfig`] naming the field: durations must be finite and positive
    /// (padding may be zero), `threshold` must lie strictly between 0 and 1, `neg_threshold`
    /// in `[0, threshold)`, and `max_speech_s` / `no_speech_timeout_s` must exceed
    /// `speech_start_s`.
    pub fn validate(&self) -> Result<(), VadError> {
        positive("endpoint.speech_start_s", self.speech_start_s)?;
        positive("endpoint.silence_end_s", self.silence_end_s)?;
        positive("endpoint.max_speech_s", self.max_speech_s)?;
        positive("endpoint.no_speech_timeout_s", self.no_speech_timeout_s)?;
        if !(self.speech_pad_s.is_finite() && self.speech_pad_s >= 0.0) {
            return Err(invalid(
                "endpoint.speech_pad_s",
                format!(
                    "must be zero or a positive number of seconds, got {}",
                    self.speech_pad_s
                ),
            ));
        }
        if !(self.threshold > 0.0 && self.threshold < 1.0) {
            return Err(invalid(
                "endpoint.threshold",
                format!(
                    "must be a probability strictly between 0 and 1, got {}",
                    self.threshold
                ),
            ));
        }
        if let Some(neg) = self.neg_threshold
            && !(neg >= 0.0 && neg < self.threshold)
        {
            return Err(invalid(
                "endpoint.neg_threshold",
                format!(
                    "must be at least 0 and below threshold ({}), got {neg}",
                    self.threshold
                ),
            ));
        }
        if self.max_speech_s <= self.speech_start_s {
            return Err(invalid(
                "endpoint.max_speech_s",
                format!(
                    "must be longer than speech_start_s ({} s), got {} s",
                    self.speech_start_s, self.max_speech_s
                ),
            ));
        }
        if self.no_speech_timeout_s <= self.speech_start_s {
            return Err(invalid(
                "endpoint.no_speech_timeout_s",
                format!(
                    "must be longer than speech_start_s ({} s), got {} s",
                    self.speech_start_s, self.no_speech_timeout_s
                ),
            ));
        }
        Ok(())
    }

    /// The silence threshold in effect: `neg_threshold`, else `threshold - 0.15` (at least 0.01).
    pub fn effective_neg_threshold(&self) -> f32 {
        self.neg_threshold.unwrap_or_else(|| {
            (self.threshold - DEFAULT_HYSTERESIS)
                .max(MIN_NEG_THRESHOLD)
                .min(self.threshold)
        })
    }
}

fn positive(field: &'static str, seconds: f32) -> Result<(), VadError> {
    if seconds.is_finite() && seconds > 0.0 {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!("must be a positive number of seconds, got {seconds}"),
        ))
    }
}

fn invalid(field: &'static str, reason: String) -> VadError {
    VadError::InvalidConfig { field, reason }
}

/// Seconds to samples at [`SAMPLE_RATE`], rounded to the nearest sample.
fn samples(seconds: f32) -> u64 {
    // Validated finite and non-negative, so the cast cannot wrap.
    (f64::from(seconds) * f64::from(SAMPLE_RATE)).round() as u64
}

/// Why an utterance ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// `silence_end_s` of silence followed the speech.
    Silence,
    /// The utterance reached `max_speech_s`.
    MaxDuration,
}

/// Something the caller acts on. Sample offsets count from the first sample of the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointEvent {
    /// Speech began; `at_sample` is the first sample of the first speech frame (the decision
    /// itself comes `speech_start_s` later).
    SpeechStarted {
        /// First sample of speech.
        at_sample: u64,
    },
    /// The utterance is over: stop listening and transcribe.
    SpeechEnded {
        /// The sample at which the end was decided (end of the frame that completed the
        /// silence or reached the cap).
        at_sample: u64,
        /// Why it ended.
        reason: EndReason,
        /// First sample of speech, as in [`EndpointEvent::SpeechStarted`]; repeated so a
        /// caller that pushed a long chunk and saw only this event still knows it.
        speech_started_at: u64,
    },
    /// Nothing was said within `no_speech_timeout_s`; the satellite should be told.
    NoSpeech {
        /// The sample at which the stream gave up.
        at_sample: u64,
    },
}

/// Where the endpointer is, for callers that poll instead of reacting to events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointState {
    /// No speech yet.
    WaitingForSpeech,
    /// Inside an utterance that began at `started_at`.
    Speech {
        /// First sample of speech.
        started_at: u64,
    },
    /// The utterance ended or the stream timed out; further frames are ignored until
    /// [`Endpointer::reset`].
    Done,
}

/// A candidate start of speech while waiting: speech frames with short gaps between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    /// First sample of the first speech frame.
    start: u64,
    /// Samples of speech frames in the run (gaps not counted).
    speech: u64,
    /// Samples since the last speech frame.
    gap: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Waiting {
        run: Option<Run>,
    },
    Speech {
        started_at: u64,
        silence_since: Option<u64>,
    },
    Done {
        speech: Option<(u64, u64)>,
    },
}

/// Decides the start and end of one utterance from per-frame speech probabilities.
///
/// Feed it one probability per frame, in order, with [`push`](Endpointer::push); it returns
/// an [`EndpointEvent`] when something happens. One endpointer serves one utterance; call
/// [`reset`](Endpointer::reset) to start the next.
#[derive(Debug, Clone)]
pub struct Endpointer {
    config: EndpointConfig,
    threshold: f32,
    neg_threshold: f32,
    speech_start: u64,
    silence_end: u64,
    max_speech: u64,
    no_speech_timeout: u64,
    gap_tolerance: u64,
    pad: u64,
    /// Samples consumed so far (end of the last frame).
    position: u64,
    phase: Phase,
}

impl Endpointer {
    /// An endpointer for a new stream.
    ///
    /// # Errors
    ///
    /// [`VadError::InvalidConfig`] if `config` does not [validate](EndpointConfig::validate).
    pub fn new(config: EndpointConfig) -> Result<Self, VadError> {
        config.validate()?;
        Ok(Endpointer {
            threshold: config.threshold,
            neg_threshold: config.effective_neg_threshold(),
            speech_start: samples(config.speech_start_s),
            silence_end: samples(config.silence_end_s),
            max_speech: samples(config.max_speech_s),
            no_speech_timeout: samples(config.no_speech_timeout_s),
            gap_tolerance: samples(START_GAP_TOLERANCE_S),
            pad: samples(config.speech_pad_s),
            position: 0,
            phase: Phase::Waiting { run: None },
            config,
        })
    }

    /// The configuration this endpointer was built with.
    pub fn config(&self) -> &EndpointConfig {
        &self.config
    }

    /// Takes the speech probability of the next `frame_len` samples and returns the event it
    /// causes, if any. A NaN probability counts as silence. Frames after
    /// [`EndpointState::Done`] are ignored.
    pub fn push(&mut self, probability: f32, frame_len: usize) -> Option<EndpointEvent> {
        if matches!(self.phase, Phase::Done { .. }) || frame_len == 0 {
            return None;
        }
        let probability = if probability.is_nan() {
            0.0
        } else {
            probability
        };
        let frame_start = self.position;
        self.position += frame_len as u64;
        let position = self.position;

        match &mut self.phase {
            Phase::Waiting { run } => {
                if probability >= self.threshold {
                    let current = run.get_or_insert(Run {
                        start: frame_start,
                        speech: 0,
                        gap: 0,
                    });
                    current.speech += frame_len as u64;
                    current.gap = 0;
                    if current.speech >= self.speech_start {
                        let started_at = current.start;
                        self.phase = Phase::Speech {
                            started_at,
                            silence_since: None,
                        };
                        return Some(EndpointEvent::SpeechStarted {
                            at_sample: started_at,
                        });
                    }
                } else if let Some(current) = run {
                    current.gap += frame_len as u64;
                    if current.gap > self.gap_tolerance {
                        *run = None;
                    }
                }
                // A run in progress postpones the timeout: cutting off someone who started
                // talking just before it would be rude.
                if run.is_none() && position >= self.no_speech_timeout {
                    self.phase = Phase::Done { speech: None };
                    return Some(EndpointEvent::NoSpeech {
                        at_sample: position,
                    });
                }
                None
            }
            Phase::Speech {
                started_at,
                silence_since,
            } => {
                let started_at = *started_at;
                if probability >= self.threshold {
                    *silence_since = None;
                } else if probability < self.neg_threshold && silence_since.is_none() {
                    *silence_since = Some(frame_start);
                }
                // Frames between the thresholds neither start nor interrupt a silence.
                let silence_since = *silence_since;
                let reason = match silence_since {
                    Some(since) if position - since >= self.silence_end => EndReason::Silence,
                    _ if position - started_at >= self.max_speech => EndReason::MaxDuration,
                    _ => return None,
                };
                let speech_end = silence_since.unwrap_or(position);
                self.phase = Phase::Done {
                    speech: Some((started_at, speech_end)),
                };
                Some(EndpointEvent::SpeechEnded {
                    at_sample: position,
                    reason,
                    speech_started_at: started_at,
                })
            }
            Phase::Done { .. } => None,
        }
    }

    /// Where the endpointer is.
    pub fn state(&self) -> EndpointState {
        match self.phase {
            Phase::Waiting { .. } => EndpointState::WaitingForSpeech,
            Phase::Speech { started_at, .. } => EndpointState::Speech { started_at },
            Phase::Done { .. } => EndpointState::Done,
        }
    }

    /// Samples consumed so far (frames after the end are not counted).
    pub fn samples_seen(&self) -> u64 {
        self.position
    }

    /// The sample range worth transcribing: the detected speech widened by `speech_pad_s`
    /// on both sides and clipped to the samples seen. While speech is still going on it ends
    /// at the last sample seen. `None` before speech starts or if there was none.
    pub fn speech_range(&self) -> Option<Range<u64>> {
        let (start, end) = match self.phase {
            Phase::Waiting { .. } | Phase::Done { speech: None } => return None,
            Phase::Speech { started_at, .. } => (started_at, self.position),
            Phase::Done {
                speech: Some((start, end)),
            } => (start, end),
        };
        Some(start.saturating_sub(self.pad)..end.saturating_add(self.pad).min(self.position))
    }

    /// Forgets the stream, ready for the next utterance from sample 0.
    pub fn reset(&mut self) {
        self.position = 0;
        self.phase = Phase::Waiting { run: None };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Silero's frame: 512 samples, 32 ms.
    const FRAME: usize = 512;
    const SPEECH: f32 = 0.9;
    const SILENCE: f32 = 0.05;
    /// Between the default thresholds (0.35 and 0.5).
    const UNSURE: f32 = 0.4;

    /// Frames covering `seconds` (rounded up).
    fn frames(seconds: f32) -> usize {
        (seconds * SAMPLE_RATE as f32 / FRAME as f32).ceil() as usize
    }

    /// Feeds `(probability, frame count)` segments and returns every event.
    fn run(config: EndpointConfig, segments: &[(f32, usize)]) -> (Endpointer, Vec<EndpointEvent>) {
        let mut endpointer = Endpointer::new(config).unwrap();
        let mut events = Vec::new();
        for &(probability, count) in segments {
            for _ in 0..count {
                events.extend(endpointer.push(probability, FRAME));
            }
        }
        (endpointer, events)
    }

    /// A named scenario: `(probability, frame count)` segments and the events they cause.
    type Case = (&'static str, Vec<(f32, usize)>, Vec<EndpointEvent>);

    fn at(frame_count: usize) -> u64 {
        (frame_count * FRAME) as u64
    }

    #[test]
    fn transitions() {
        // Frames needed with the defaults: 0.3 s → 10 frames of speech (5120 ≥ 4800 samples),
        // 0.7 s → 22 frames of silence (11264 ≥ 11200), 15 s → 469 frames, 8 s → 250 frames.
        let second = frames(1.0); // 32 frames
        let cases: Vec<Case> = vec![
            (
                "silence only gives up at the no-speech timeout",
                vec![(SILENCE, 400)],
                vec![EndpointEvent::NoSpeech { at_sample: at(250) }],
            ),
            (
                "a blip shorter than speech_start does not start speech",
                vec![(SILENCE, 32), (SPEECH, 9), (SILENCE, 400)],
                vec![EndpointEvent::NoSpeech { at_sample: at(250) }],
            ),
            (
                "speech then 0.7 s of silence ends with Silence",
                vec![(SILENCE, second), (SPEECH, second), (SILENCE, 100)],
                vec![
                    EndpointEvent::SpeechStarted { at_sample: at(32) },
                    EndpointEvent::SpeechEnded {
                        at_sample: at(64 + 22),
                        reason: EndReason::Silence,
                        speech_started_at: at(32),
                    },
                ],
            ),
            (
                "a 0.4 s pause in the middle does not end the utterance",
                vec![
                    (SILENCE, second),
                    (SPEECH, second),
                    (SILENCE, 13),
                    (SPEECH, second),
                    (SILENCE, 100),
                ],
                vec![
                    EndpointEvent::SpeechStarted { at_sample: at(32) },
                    EndpointEvent::SpeechEnded {
                        at_sample: at(32 + 32 + 13 + 32 + 22),
                        reason: EndReason::Silence,
                        speech_started_at: at(32),
                    },
                ],
            ),
            (
                "speech longer than max_speech ends with MaxDuration",
                vec![(SPEECH, 600)],
                vec![
                    EndpointEvent::SpeechStarted { at_sample: 0 },
                    EndpointEvent::SpeechEnded {
                        at_sample: at(469),
                        reason: EndReason::MaxDuration,
                        speech_started_at: 0,
                    },
                ],
            ),
            (
                "unsure frames after speech do not start a silence",
                vec![(SPEECH, second), (UNSURE, 3 * second), (SILENCE, 100)],
                vec![
                    EndpointEvent::SpeechStarted { at_sample: 0 },
                    EndpointEvent::SpeechEnded {
                        at_sample: at(32 + 96 + 22),
                        reason: EndReason::Silence,
                        speech_started_at: 0,
                    },
                ],
            ),
            (
                "unsure frames inside a silence keep counting it",
                vec![(SPEECH, second), (SILENCE, 5), (UNSURE, 100)],
                vec![
                    EndpointEvent::SpeechStarted { at_sample: 0 },
                    EndpointEvent::SpeechEnded {
                        at_sample: at(32 + 22),
                        reason: EndReason::Silence,
                        speech_started_at: 0,
                    },
                ],
            ),
            (
                "unsure frames never start speech",
                vec![(UNSURE, 400)],
                vec![EndpointEvent::NoSpeech { at_sample: at(250) }],
            ),
            (
                "speech frames with short gaps count as one run",
                [(SPEECH, 3), (SILENCE, 3)].repeat(4),
                // Speech frames 3 + 3 + 3 + 1 = 10 reached in the fourth group.
                vec![EndpointEvent::SpeechStarted { at_sample: 0 }],
            ),
            (
                "speech frames with long gaps are separate blips",
                [(SPEECH, 5), (SILENCE, 5)].repeat(30),
                vec![EndpointEvent::NoSpeech { at_sample: at(250) }],
            ),
            (
                "speech starting just before the timeout postpones it",
                vec![(SILENCE, 245), (SPEECH, second), (SILENCE, 100)],
                vec![
                    EndpointEvent::SpeechStarted { at_sample: at(245) },
                    EndpointEvent::SpeechEnded {
                        at_sample: at(245 + 32 + 22),
                        reason: EndReason::Silence,
                        speech_started_at: at(245),
                    },
                ],
            ),
            (
                "a blip cut short after the timeout gives up then",
                vec![(SILENCE, 248), (SPEECH, 4), (SILENCE, 100)],
                // The run ends when its gap exceeds 0.1 s: 4 silent frames (2048 > 1600).
                vec![EndpointEvent::NoSpeech {
                    at_sample: at(248 + 4 + 4),
                }],
            ),
            (
                "frames after the end are ignored",
                vec![(SPEECH, second), (SILENCE, 22), (SPEECH, 600)],
                vec![
                    EndpointEvent::SpeechStarted { at_sample: 0 },
                    EndpointEvent::SpeechEnded {
                        at_sample: at(32 + 22),
                        reason: EndReason::Silence,
                        speech_started_at: 0,
                    },
                ],
            ),
            (
                "NaN probabilities count as silence",
                vec![(f32::NAN, 400)],
                vec![EndpointEvent::NoSpeech { at_sample: at(250) }],
            ),
        ];
        for (name, segments, expected) in cases {
            let (_, events) = run(EndpointConfig::default(), &segments);
            assert_eq!(events, expected, "{name}");
        }
    }

    #[test]
    fn states_follow_the_utterance() {
        let mut endpointer = Endpointer::new(EndpointConfig::default()).unwrap();
        assert_eq!(endpointer.state(), EndpointState::WaitingForSpeech);
        for _ in 0..10 {
            endpointer.push(SPEECH, FRAME);
        }
        assert_eq!(endpointer.state(), EndpointState::Speech { started_at: 0 });
        for _ in 0..22 {
            endpointer.push(SILENCE, FRAME);
        }
        assert_eq!(endpointer.state(), EndpointState::Done);
        assert_eq!(endpointer.samples_seen(), at(32));
    }

    #[test]
    fn speech_range_is_padded_and_clipped() {
        // Pad 0.2 s = 3200 samples.
        let (endpointer, _) = run(
            EndpointConfig::default(),
            &[(SILENCE, 32), (SPEECH, 32), (SILENCE, 100)],
        );
        assert_eq!(
            endpointer.speech_range(),
            Some(at(32) - 3200..at(64) + 3200)
        );

        let (endpointer, _) = run(EndpointConfig::default(), &[(SPEECH, 32), (SILENCE, 5)]);
        assert_eq!(
            endpointer.speech_range(),
            Some(0..at(37)),
            "still in speech: up to the last sample"
        );

        let (endpointer, _) = run(EndpointConfig::default(), &[(SILENCE, 400)]);
        assert_eq!(endpointer.speech_range(), None);

        let (endpointer, _) = run(EndpointConfig::default(), &[(SPEECH, 600)]);
        assert_eq!(
            endpointer.speech_range(),
            Some(0..at(469)),
            "capped: up to the cap"
        );
    }

    #[test]
    fn reset_starts_a_new_utterance() {
        let (mut endpointer, events) =
            run(EndpointConfig::default(), &[(SPEECH, 32), (SILENCE, 22)]);
        assert_eq!(events.len(), 2);
        endpointer.reset();
        assert_eq!(endpointer.state(), EndpointState::WaitingForSpeech);
        assert_eq!(endpointer.samples_seen(), 0);
        let mut events = Vec::new();
        for _ in 0..10 {
            events.extend(endpointer.push(SPEECH, FRAME));
        }
        assert_eq!(events, [EndpointEvent::SpeechStarted { at_sample: 0 }]);
    }

    #[test]
    fn custom_timings_are_honoured() {
        let config = EndpointConfig {
            speech_start_s: 0.1,
            silence_end_s: 0.2,
            max_speech_s: 2.0,
            no_speech_timeout_s: 3.0,
            threshold: 0.7,
            neg_threshold: Some(0.6),
            speech_pad_s: 0.0,
        };
        // 0.1 s → 4 frames (2048 ≥ 1600); 0.2 s → 7 frames (3584 ≥ 3200).
        let (endpointer, events) = run(
            config.clone(),
            &[(0.65, 10), (0.8, 10), (0.65, 20), (0.5, 20)],
        );
        assert_eq!(
            events,
            [
                EndpointEvent::SpeechStarted { at_sample: at(10) },
                EndpointEvent::SpeechEnded {
                    at_sample: at(40 + 7),
                    reason: EndReason::Silence,
                    speech_started_at: at(10)
                },
            ]
        );
        assert_eq!(endpointer.speech_range(), Some(at(10)..at(40)));
        // 2 s → 63 frames from the start of speech; 3 s → 94 frames.
        let (_, events) = run(config.clone(), &[(0.8, 100)]);
        assert_eq!(
            events[1],
            EndpointEvent::SpeechEnded {
                at_sample: at(63),
                reason: EndReason::MaxDuration,
                speech_started_at: 0
            }
        );
        let (_, events) = run(config, &[(0.0, 100)]);
        assert_eq!(events, [EndpointEvent::NoSpeech { at_sample: at(94) }]);
    }

    #[test]
    fn default_neg_threshold_sits_below_threshold() {
        let config = EndpointConfig::default();
        assert!((config.effective_neg_threshold() - 0.35).abs() < 1e-6);
        let low = EndpointConfig {
            threshold: 0.1,
            ..EndpointConfig::default()
        };
        assert!((low.effective_neg_threshold() - 0.01).abs() < 1e-6);
        low.validate().unwrap();
    }

    #[test]
    fn config_validation_names_the_field() {
        let base = EndpointConfig::default;
        let cases: Vec<(EndpointConfig, &str)> = vec![
            (
                EndpointConfig {
                    speech_start_s: -0.3,
                    ..base()
                },
                "endpoint.speech_start_s",
            ),
            (
                EndpointConfig {
                    speech_start_s: 0.0,
                    ..base()
                },
                "endpoint.speech_start_s",
            ),
            (
                EndpointConfig {
                    silence_end_s: 0.0,
                    ..base()
                },
                "endpoint.silence_end_s",
            ),
            (
                EndpointConfig {
                    silence_end_s: f32::NAN,
                    ..base()
                },
                "endpoint.silence_end_s",
            ),
            (
                EndpointConfig {
                    max_speech_s: f32::INFINITY,
                    ..base()
                },
                "endpoint.max_speech_s",
            ),
            (
                EndpointConfig {
                    max_speech_s: 0.2,
                    ..base()
                },
                "endpoint.max_speech_s",
            ),
            (
                EndpointConfig {
                    no_speech_timeout_s: -8.0,
                    ..base()
                },
                "endpoint.no_speech_timeout_s",
            ),
            (
                EndpointConfig {
                    no_speech_timeout_s: 0.3,
                    ..base()
                },
                "endpoint.no_speech_timeout_s",
            ),
            (
                EndpointConfig {
                    threshold: 1.5,
                    ..base()
                },
                "endpoint.threshold",
            ),
            (
                EndpointConfig {
                    threshold: 0.0,
                    ..base()
                },
                "endpoint.threshold",
            ),
            (
                EndpointConfig {
                    threshold: f32::NAN,
                    ..base()
                },
                "endpoint.threshold",
            ),
            (
                EndpointConfig {
                    neg_threshold: Some(0.5),
                    ..base()
                },
                "endpoint.neg_threshold",
            ),
            (
                EndpointConfig {
                    neg_threshold: Some(-0.1),
                    ..base()
                },
                "endpoint.neg_threshold",
            ),
            (
                EndpointConfig {
                    speech_pad_s: -0.2,
                    ..base()
                },
                "endpoint.speech_pad_s",
            ),
        ];
        for (config, field) in cases {
            match Endpointer::new(config.clone()) {
                Err(VadError::InvalidConfig {
                    field: found,
                    reason,
                }) => {
                    assert_eq!(found, field, "{config:?}: {reason}");
                    let message = VadError::InvalidConfig {
                        field: found,
                        reason,
                    }
                    .to_string();
                    assert!(message.contains(field), "{message}");
                }
                other => panic!("{config:?} should be rejected, got {other:?}"),
            }
        }
        base().validate().unwrap();
        EndpointConfig {
            speech_pad_s: 0.0,
            ..base()
        }
        .validate()
        .unwrap();
    }

    #[test]
    fn config_parses_with_defaults_and_rejects_unknown_fields() {
        let config: EndpointConfig = toml::from_str("silence_end_s = 1.0").unwrap();
        assert_eq!(
            config,
            EndpointConfig {
                silence_end_s: 1.0,
                ..EndpointConfig::default()
            }
        );
        let config: EndpointConfig = toml::from_str("").unwrap();
        assert_eq!(config, EndpointConfig::default());
        let error = toml::from_str::<EndpointConfig>("silence_end = 1.0").unwrap_err();
        assert!(error.to_string().contains("unknown field"), "{error}");
    }
}
