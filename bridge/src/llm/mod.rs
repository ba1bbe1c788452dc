//! Language models: the chat types, the engine trait, an OpenAI-compatible streaming client
//! (for `hive-llm`, Ollama or any compatible server), a failover chain that rests failed
//! engines, and the supervisor that runs a local `hive-llm` process.

mod chain;
mod chat;
mod engine;
mod health;
mod openai;
mod sse;
mod supervisor;

pub use chain::LlmChain;
pub use chat::{ChatMessage, ChatRequest, Role, ToolCall};
pub use engine::{Llm, LlmError, LlmEvent, LlmStream};
pub use health::LlmHealth;
pub use openai::{OpenAiClient, OpenAiConfig};
pub use supervisor::{LocalLlm, LocalLlmConfig};
