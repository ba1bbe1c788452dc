//! The espeak-ng engine.

mod config;
mod engine;
pub(crate) mod program;

pub use config::EspeakConfig;
pub use engine::EspeakTts;
