//! The listener's logic, without threads: audio in, wake and capture events out.
//!
//! Idle, every sample goes to the wake word detector and to a short history. On a detection
//! the capture starts with the history from `pre_roll` before the estimated end of the wake
//! word, and from then on audio leaves in protocol-sized chunks until the endpointer says
//! the utterance is over or the runtime stops it. Wake detection pauses during a capture.

use std::collections::VecDeque;

use hive_topics::EndReason;

use crate::audio::{EndOfSpeech, Endpointer, RATE};
use crate::config::ListenConfig;
use crate::wake::WakeDetector;

/// Audio kept while idle: the pre-roll plus the detector's latency, with room to spare.
const HISTORY_SAMPLES: usize = 3 * RATE as usize;

/// A wake word detection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WakeInfo {
    /// The detector's confidence.
    pub score: f32,
    /// Loudness (RMS, 0–1) of the second before the end of the wake word.
    pub energy: f32,
    /// Samples of pre-roll at the start of the capture, before the estimated end of the
    /// wake word (they may hold its last syllable).
    pub pre_roll: usize,
}

/// What the listener reports.
#[derive(Debug, Clone, PartialEq)]
pub enum FrontEvent {
    /// The wake word was heard; a capture begins.
    Wake(WakeInfo),
    /// A capture began without the wake word (`control` `listen`).
    Listening,
    /// One chunk of the capture.
    Chunk(Vec<i16>),
    /// The capture ended by itself.
    Ended(EndReason),
    /// The audio source ended for good (a WAV file with `after_end = "stop"`).
    InputEnded,
}

/// What the runtime tells the listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontCommand {
    /// Start capturing now, without the wake word.
    Listen,
    /// Stop capturing (the bridge's `end_of_speech`, `cancel`); no `Ended` follows.
    Stop,
    /// Mute (true) or unmute the microphone: no wake word, no capture.
    Mute(bool),
}

/// The listener.
pub struct FrontEnd {
    detector: Box<dyn WakeDetector>,
    config: ListenConfig,
    chunk: usize,
    pre_roll: usize,
    history: VecDeque<i16>,
    capture: Option<Capture>,
    muted: bool,
}

struct Capture {
    endpointer: Endpointer,
    pending: Vec<i16>,
}

impl std::fmt::Debug for FrontEnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrontEnd")
            .field("capturing", &self.capture.is_some())
            .field("muted", &self.muted)
            .finish_non_exhaustive()
    }
}

impl FrontEnd {
    /// A listener over `detector`; `pre_roll_ms` of audio before the wake word's end start
    /// each capture.
    pub fn new(
        detector: Box<dyn WakeDetector>,
        config: ListenConfig,
        pre_roll_ms: u32,
    ) -> FrontEnd {
        let chunk = (RATE * config.chunk_ms / 1000) as usize;
        FrontEnd {
            detector,
            config,
            chunk,
            pre_roll: (RATE * pre_roll_ms / 1000) as usize,
            history: VecDeque::with_capacity(HISTORY_SAMPLES),
            capture: None,
            muted: false,
        }
    }

    /// Whether a capture is running.
    pub fn capturing(&self) -> bool {
        self.capture.is_some()
    }

    /// Applies a command.
    pub fn command(&mut self, command: FrontCommand, events: &mut Vec<FrontEvent>) {
        match command {
            FrontCommand::Listen if !self.muted => {
                self.start_capture(Vec::new(), 0);
                events.push(FrontEvent::Listening);
            }
            FrontCommand::Listen => {}
            FrontCommand::Stop => self.end_capture(),
            FrontCommand::Mute(muted) => {
                self.muted = muted;
                if muted {
                    self.end_capture();
                    self.history.clear();
                }
            }
        }
    }

    /// Takes the next samples.
    pub fn push(&mut self, samples: &[i16], events: &mut Vec<FrontEvent>) {
        if self.muted {
            return;
        }
        if self.capture.is_some() {
            self.feed_capture(samples, events);
            return;
        }
        if self.history.len() + samples.len() > HISTORY_SAMPLES {
            let excess = (self.history.len() + samples.len()).saturating_sub(HISTORY_SAMPLES);
            self.history.drain(..excess.min(self.history.len()));
        }
        self.history.extend(samples.iter().copied());
        let Some(hit) = self.detector.process(samples) else {
            return;
        };
        let history: Vec<i16> = self.history.iter().copied().collect();
        let end = history.len().saturating_sub(hit.samples_since_end);
        let energy = rms(&history[end.saturating_sub(RATE as usize)..end]);
        let start = end.saturating_sub(self.pre_roll);
        let grace = end - start;
        events.push(FrontEvent::Wake(WakeInfo {
            score: hit.score,
            energy,
            pre_roll: grace,
        }));
        self.start_capture(history[start..].to_vec(), grace);
        self.feed_capture(&[], events);
    }

    fn start_capture(&mut self, pre_roll: Vec<i16>, grace: usize) {
        let config = &self.config;
        self.capture = Some(Capture {
            endpointer: Endpointer::new(
                config.speech_threshold_db,
                config.end_silence_ms,
                config.no_speech_ms,
                config.max_utterance_ms,
                grace,
            ),
            pending: pre_roll,
        });
        self.history.clear();
    }

    fn end_capture(&mut self) {
        if self.capture.take().is_some() {
            self.detector.reset();
        }
    }

    fn feed_capture(&mut self, samples: &[i16], events: &mut Vec<FrontEvent>) {
        let Some(capture) = self.capture.as_mut() else {
            return;
        };
        capture.pending.extend_from_slice(samples);
        let mut start = 0;
        let mut ended = None;
        while capture.pending.len() - start >= self.chunk {
            let chunk = capture.pending[start..start + self.chunk].to_vec();
            start += self.chunk;
            let end = capture.endpointer.push(&chunk);
            events.push(FrontEvent::Chunk(chunk));
            if let Some(end) = end {
                ended = Some(end);
                break;
            }
        }
        capture.pending.drain(..start);
        if let Some(end) = ended {
            let reason = match end {
                EndOfSpeech::SpeechEnded | EndOfSpeech::NoSpeech => EndReason::SpeechEnded,
                EndOfSpeech::MaxLength => EndReason::Timeout,
            };
            events.push(FrontEvent::Ended(reason));
            self.end_capture();
        }
    }
}

fn rms(samples: &[i16]) -> f32 {
    if samples.is_empty() {
        return 0.0;
    }
    let power = samples
        .iter()
        .map(|&sample| (f64::from(sample) / 32_768.0).powi(2))
        .sum::<f64>()
        / samples.len() as f64;
    power.sqrt() as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wake::WakeHit;

    /// Fires once, when the total heard reaches `at`, reporting the word ended `lag`
    /// samples earlier.
    struct Scripted {
        heard: usize,
        at: usize,
        lag: usize,
        resets: std::rc::Rc<std::cell::Cell<u32>>,
    }

    impl WakeDetector for Scripted {
        fn process(&mut self, samples: &[i16]) -> Option<WakeHit> {
            let before = self.heard;
            self.heard += samples.len();
            (before < self.at && self.heard >= self.at).then(|| WakeHit {
                score: 0.7,
                samples_since_end: self.lag + (self.heard - self.at),
            })
        }

        fn reset(&mut self) {
            self.resets.set(self.resets.get() + 1);
        }
    }

    fn front(at: usize, lag: usize) -> (FrontEnd, std::rc::Rc<std::cell::Cell<u32>>) {
        let resets = std::rc::Rc::new(std::cell::Cell::new(0));
        let detector = Scripted {
            heard: 0,
            at,
            lag,
            resets: resets.clone(),
        };
        (
            FrontEnd::new(Box::new(detector), ListenConfig::default(), 300),
            resets,
        )
    }

    /// Audio where sample `n` has value `n % 1000 + 1000` (loud and recognisable).
    fn ramp(from: usize, len: usize) -> Vec<i16> {
        (from..from + len)
            .map(|n| (n % 1000 + 1000) as i16)
            .collect()
    }

    fn chunks(events: &[FrontEvent]) -> Vec<&Vec<i16>> {
        events
            .iter()
            .filter_map(|event| match event {
                FrontEvent::Chunk(chunk) => Some(chunk),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_capture_starts_with_the_pre_roll_before_the_end_of_the_wake_word() {
        // Detected at 1.0 s, the word ended 0.4 s earlier: audio from 0.3 s before that.
        let (mut front, _) = front(16_000, 6_400);
        let mut events = Vec::new();
        for block in 0..50 {
            front.push(&ramp(block * 320, 320), &mut events);
        }
        assert!(
            matches!(events[0], FrontEvent::Wake(WakeInfo { score, pre_roll, .. }) if score == 0.7 && pre_roll == 4_800)
        );
        let chunks = chunks(&events);
        let first_sample = chunks[0][0];
        let expected_start = 16_000 - 6_400 - 4_800;
        assert_eq!(first_sample, ramp(expected_start, 1)[0]);
        assert!(chunks.iter().all(|chunk| chunk.len() == 640));
        // Everything from the pre-roll on arrives, in order, without gaps.
        let joined: Vec<i16> = chunks
            .iter()
            .flat_map(|chunk| chunk.iter().copied())
            .collect();
        assert_eq!(joined, ramp(expected_start, joined.len()));
        assert!(front.capturing());
    }

    #[test]
    fn silence_after_speech_ends_the_capture_and_resets_the_detector() {
        let (mut front, resets) = front(3_200, 0);
        let mut events = Vec::new();
        front.push(&ramp(0, 3_200), &mut events);
        front.push(&ramp(3_200, 16_000), &mut events);
        for _ in 0..100 {
            front.push(&[0; 320], &mut events);
        }
        assert_eq!(
            events.last(),
            Some(&FrontEvent::Ended(EndReason::SpeechEnded))
        );
        assert!(!front.capturing());
        assert_eq!(resets.get(), 1);
        let ended = events
            .iter()
            .filter(|e| matches!(e, FrontEvent::Ended(_)))
            .count();
        assert_eq!(ended, 1);
    }

    #[test]
    fn commands_listen_stop_and_mute() {
        let (mut front, _) = front(usize::MAX, 0);
        let mut events = Vec::new();
        front.command(FrontCommand::Listen, &mut events);
        assert_eq!(events, [FrontEvent::Listening]);
        front.push(&ramp(0, 1280), &mut events);
        assert_eq!(chunks(&events).len(), 2);
        front.command(FrontCommand::Stop, &mut events);
        assert!(!front.capturing());
        front.push(&ramp(0, 1280), &mut events);
        assert_eq!(chunks(&events).len(), 2, "no chunks after stop");

        front.command(FrontCommand::Mute(true), &mut events);
        front.command(FrontCommand::Listen, &mut events);
        assert!(!front.capturing(), "muted: no capture");
        front.command(FrontCommand::Mute(false), &mut events);
        front.command(FrontCommand::Listen, &mut events);
        assert!(front.capturing());
    }
}
