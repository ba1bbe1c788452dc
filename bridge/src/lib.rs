//! Hive's bridge.
//!
//! - [`allocator`]: glibc's settings for a process that loads models.
//! - [`broker`]: the embedded MQTT broker, for a first run without Mosquitto.
//! - [`cluster`]: several bridges sharing the work through the broker's shared
//!   subscriptions.
//! - [`config`]: `bridge.toml`: its shape, `${ENV}` interpolation, validation.
//! - [`context`]: the conversation every satellite shares and the timer book, kept in sled
//!   or Redis.
//! - [`demo`]: the virtual satellite of `hive-bridge demo`.
//! - [`discovery`]: Home Assistant MQTT discovery of the bridge and its satellites.
//! - [`http`]: the status page, `/health` and `/metrics`.
//! - [`limits`]: payload sizes, turns per minute, sessions at once, and the error replies
//!   for going over them.
//! - [`llm`]: language models: an OpenAI-compatible streaming client, failover, and the
//!   supervised local `hive-llm` process.
//! - [`models`]: what models the configuration needs, provisioning them from packages,
//!   fetching them from a URL, and converting Whisper checkpoints to whisper.cpp's format.
//! - [`metrics`]: latency histograms, counters and the status board.
//! - [`mqtt`]: the broker connection: one task owns the event loop; a publisher handle.
//! - [`pipeline`]: the voice turn: routing, listening, transcribing, understanding,
//!   replying sentence by sentence.
//! - [`satellites`]: the `[satellites]` allow-list and the gate that drops messages of
//!   satellites not on it.
//! - `skills`: the built-in skills plus external skills registered over MQTT, and where an
//!   intent is executed.
//! - [`stt`]: speech-to-text (whisper.cpp).
//! - `timers`: timers and stopwatches held by the bridge, persisted in sled or Redis.
//! - [`vad`]: voice-activity detection and endpointing (Silero through ONNX Runtime).
//! - [`tts`]: text-to-speech (Piper voices through ONNX Runtime, espeak-ng) and text
//!   normalisation.
pub mod allocator;
mod backoff;
pub mod broker;
pub mod cluster;
pub mod config;
pub mod context;
pub mod demo;
pub mod discovery;
pub mod http;
pub mod limits;
pub mod llm;
pub mod metrics;
pub mod models;
pub mod mqtt;
pub mod pipeline;
pub mod satellites;
mod server;
mod skills;
pub mod stt;
mod timers;
pub mod tts;
pub mod vad;

pub use server::{RunError, run, run_with};
