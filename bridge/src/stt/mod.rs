//! Speech-to-text: the engine trait, its configuration, and the whisper.cpp engine.

mod config;
mod engine;
mod whisper;

pub use config::SttConfig;
pub use engine::{Stt, SttError, Transcript};
pub use whisper::{WhisperConfig, WhisperStt};
