//! The language-model trait.

use std::pin::Pin;

use futures_util::Stream;
use futures_util::future::BoxFuture;

use super::chat::{ChatRequest, ToolCall};

/// What a streaming answer yields.
#[derive(Debug, Clone, PartialEq)]
pub enum LlmEvent {
    /// A piece of the reply text, as soon as the model wrote it.
    Text(String),
    /// The tool calls the model made (sent once, complete, when the model finished them).
    ToolCalls(Vec<ToolCall>),
    /// The model finished; the reason as the server gave it (`stop`, `length`, `tool_calls`).
    Done {
        /// Why it stopped.
        finish_reason: String,
    },
}

/// A streaming answer.
pub type LlmStream = Pin<Box<dyn Stream<Item = Result<LlmEvent, LlmError>> + Send>>;

/// Why a model could not answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LlmError {
    /// The server could not be reached or timed out.
    #[error("{engine} is unreachable: {detail}")]
    Unreachable {
        /// The engine's name.
        engine: String,
        /// Why.
        detail: String,
    },
    /// The server answered an error.
    #[error("{engine} answered {status}: {detail}")]
    Status {
        /// The engine's name.
        engine: String,
        /// The HTTP status.
        status: u16,
        /// The server's message.
        detail: String,
    },
    /// The answer could not be understood.
    #[error("{engine} sent an answer Hive cannot read: {detail}")]
    Protocol {
        /// The engine's name.
        engine: String,
        /// What was wrong.
        detail: String,
    },
    /// No engine is configured or every one failed.
    #[error("no language model could answer: {0}")]
    Exhausted(String),
}

/// A chat model that streams its answer.
pub trait Llm: Send + Sync {
    /// Starts an answer. The future resolves once the server accepted the request, so that a
    /// failover chain can move on before anything reached the user.
    ///
    /// # Errors
    /// The server is unreachable or refuses the request.
    fn chat(&self, request: ChatRequest) -> BoxFuture<'_, Result<LlmStream, LlmError>>;

    /// A name for logs, metrics and the status page.
    fn name(&self) -> &str;

    /// Whether the server keeps what it read of the last prompt, so that warming it with the
    /// fixed opening pays off (a local model; not a metered remote API).
    fn caches_prompt(&self) -> bool {
        false
    }
}
