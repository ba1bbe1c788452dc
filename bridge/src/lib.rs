//! Hive's bridge.
//!
//! - [`config`]: `bridge.toml`: its shape, `${ENV}` interpolation, validation.
//! - [`context`]: the conversation every satellite shares, kept in sled.
//! - [`llm`]: language models: an OpenAI-compatible streaming client, failover, and the
//!   supervised local `hive-llm` process.
//! - [`models`]: what models the configuration needs, provisioning them from packages,
//!   fetching them from a URL, and converting Whisper checkpoints to whisper.cpp's format.
//! - [`mqtt`]: the broker connection: one task owns the event loop; a publisher handle.
//! - [`pipeline`]: the voice turn: routing, listening, transcribing, understanding,
//!   replying sentence by sentence.
//! - [`stt`]: speech-to-text (whisper.cpp).
//! - [`vad`]: voice-activity detection and endpointing (Silero through ONNX Runtime).
//! - [`tts`]: text-to-speech (Piper voices through ONNX Runtime, espeak-ng) and text
//!   normalisation.
mod backoff;
pub mod config;
pub mod context;
pub mod llm;
pub mod models;
pub mod mqtt;
pub mod pipeline;
mod server;
pub mod stt;
pub mod tts;
pub mod vad;

pub use server::{RunError, run};
