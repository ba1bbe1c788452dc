//! The Piper engine: neural voices run with ONNX Runtime, phonemised by espeak-ng.

mod config;
mod engine;
mod model;
mod phonemes;
mod voice;

pub use config::PiperConfig;
pub use engine::PiperTts;
