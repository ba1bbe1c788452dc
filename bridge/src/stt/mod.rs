//! Speech-to-text: the engine trait, its configuration, the whisper.cpp engine, the stand-by
//! wrapper that loads it later when its model is missing at start-up, and the queue that
//! admits utterances to it.

mod config;
mod engine;
mod queue;
mod standby;
mod whisper;
mod window;

pub use config::SttConfig;
pub use engine::{Stt, SttError, Transcript};
pub use queue::{SttQueue, SttSlot};
pub use standby::StandbyStt;
pub use whisper::{WhisperConfig, WhisperStt};
