//! Per-stage timings of a turn, reported in the final reply and in logs.

use std::time::{Duration, Instant};

use hive_topics::Timings;

/// Instants of a turn's stages. The clock starts at the end of listening (the endpoint),
/// except `endpoint`, which is how long listening took.
#[derive(Debug, Clone)]
pub(crate) struct TurnClock {
    pub(crate) listening: Option<Duration>,
    pub(crate) origin: Instant,
    pub(crate) stt: Option<Duration>,
    pub(crate) first_token: Option<Duration>,
    pub(crate) first_sentence: Option<Duration>,
    pub(crate) first_audio: Option<Duration>,
    pub(crate) llm_done: Option<Duration>,
    /// Time inside the speech-to-text engine (not instants: durations of engine calls).
    pub(crate) stt_compute: Option<Duration>,
    /// Time inside the text-to-speech engine for the first sentence.
    pub(crate) tts_compute: Option<Duration>,
}

impl TurnClock {
    pub(crate) fn start() -> Self {
        TurnClock {
            listening: None,
            origin: Instant::now(),
            stt: None,
            first_token: None,
            first_sentence: None,
            first_audio: None,
            llm_done: None,
            stt_compute: None,
            tts_compute: None,
        }
    }

    /// Listening ended now: record how long it took and restart the clock from here.
    pub(crate) fn endpoint(&mut self) {
        self.listening = Some(self.origin.elapsed());
        self.origin = Instant::now();
    }

    pub(crate) fn mark(&self, slot: &mut Option<Duration>) {
        if slot.is_none() {
            *slot = Some(self.origin.elapsed());
        }
    }

    pub(crate) fn report(&self) -> Timings {
        let ms = |duration: Option<Duration>| duration.map(|duration| duration.as_millis() as u64);
        Timings {
            endpoint_ms: ms(self.listening),
            stt_ms: ms(self.stt),
            first_token_ms: ms(self.first_token),
            first_sentence_ms: ms(self.first_sentence),
            first_audio_ms: ms(self.first_audio),
            llm_done_ms: ms(self.llm_done),
            total_ms: ms(Some(self.origin.elapsed())),
            stt_compute_ms: ms(self.stt_compute),
            tts_compute_ms: ms(self.tts_compute),
        }
    }
}
