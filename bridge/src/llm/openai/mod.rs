//! The OpenAI-compatible engine: `hive-llm`, Ollama (`http://localhost:11434/v1`),
//! llama.cpp's server, vLLM, or OpenAI itself.
//!
//! - `config`: [`OpenAiConfig`], the server, model and timeouts.
//! - `client`: [`OpenAiClient`], the request and the reqwest/tokio stream of its answer.
//! - `assembler`: the answer's per-chunk JSON turned into events, without I/O (the
//!   `llm_stream` fuzz target compiles this file in; `fuzz_corpus` replays its seeds).

mod assembler;
mod client;
mod config;
#[cfg(test)]
mod fuzz_corpus;

pub use client::OpenAiClient;
pub use config::OpenAiConfig;
