//! Speech-to-text: the engine trait, its configuration, the whisper.cpp engine, and the
//! stand-by wrapper that loads it later when its model is missing at start-up.

mod config;
mod engine;
mod standby;
mod whisper;
mod window;

pub use config::SttConfig;
pub use engine::{Stt, SttError, Transcript};
pub use standby::StandbyStt;
pub use whisper::{WhisperConfig, WhisperStt};
