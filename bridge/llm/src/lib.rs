//! Hive's local language-model server: one GGUF model, loaded once and kept warm, behind the
//! OpenAI chat-completions API (streaming and tool calls) on loopback.
//!
//! llama.cpp lives in this separate process because whisper-rs and llama-cpp-2 each bundle
//! their own ggml and cannot share a binary. `hive-bridge` starts `hive-llm`, reads the
//! [`READY_PREFIX`] line from its standard output, and talks to it with the same HTTP client
//! it uses for Ollama or any OpenAI-compatible server.
//!
//! The parts, in the order of the tree:
//! - `api`: the HTTP surface: OpenAI wire types, request validation, the handlers, SSE
//!   encoding, and OpenAI-shaped errors.
//! - [`config`]: the server's settings, their defaults and validation.
//! - `engine`: the inference thread that owns the model and its KV cache, the bounded job
//!   queue in front of it, prompt-prefix reuse, sampling, stop sequences, UTF-8 reassembly.
//! - [`error`]: the crate's error type.
//! - `prompt`: OpenAI messages and tools flattened into chat-template messages (the
//!   Hermes/Qwen `<tools>` block, `<tool_call>` and `<tool_response>` wrapping).
//! - [`server`]: binding, serving and graceful shutdown; [`serve`] ties it all together.
//! - `tools`: finding `<tool_call>` blocks in generated text, whole or while streaming.
//!
//! See `ARCHITECTURE.md` beside `Cargo.toml` for the tasks and channels.

mod api;
pub mod config;
mod engine;
pub mod error;
mod prompt;
pub mod server;
mod tools;

pub use config::Config;
pub use error::Error;
pub use server::{READY_PREFIX, Server, ready_line, serve};
