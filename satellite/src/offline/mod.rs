//! Degraded mode's own voice: local speech-to-text (whisper), the local assistant (clock,
//! timers, stopwatch through `hive-skills`), and local text-to-speech (espeak-ng).

mod assistant;
mod error;
mod on_demand;
mod stt;
mod tts;

pub use assistant::{LocalAnswer, LocalAssistant, not_understood, timer_announcement};
pub use error::OfflineError;
pub use on_demand::{Loader, OnDemandStt};
#[cfg(feature = "offline-stt")]
pub use stt::WhisperOffline;
pub use stt::{Heard, OfflineStt, default_prompt};
pub use tts::{EspeakTts, OfflineTts};
