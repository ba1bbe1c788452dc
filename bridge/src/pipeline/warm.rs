//! Warms the local model's prompt cache at start-up, so that the first question does not pay
//! for reading the system prompt and the conversation (seconds on a small CPU).

use std::sync::Arc;

use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;

use super::shared::Shared;
use super::understand::{history, opening};
use crate::llm::{ChatRequest, Llm};

/// Sends the opening every prompt starts with and reads one token of answer: the model server
/// keeps what it read, and the next request that shares the opening reuses it.
pub(crate) async fn warm_up(shared: Arc<Shared>, shutdown: CancellationToken) {
    if !shared.engines.llm.caches_prompt() {
        return;
    }
    let lang = shared.config.assistant.language.clone();
    let messages = opening(&shared, &lang, history(&shared).await);
    let request = ChatRequest {
        messages,
        tools: Vec::new(),
        max_tokens: Some(1),
        temperature: Some(0.0),
    };
    let started = std::time::Instant::now();
    let warm = async {
        let mut stream = shared.engines.llm.chat(request).await?;
        while let Some(event) = stream.next().await {
            event?;
        }
        Ok::<_, crate::llm::LlmError>(())
    };
    tokio::select! {
        () = shutdown.cancelled() => {}
        outcome = warm => match outcome {
            Ok(()) => tracing::info!(
                warm_ms = started.elapsed().as_millis() as u64,
                "Language model warmed up."
            ),
            // Not an error for anyone: the first turn reads the prompt itself.
            Err(error) => tracing::warn!(%error, "Language model warm-up failed."),
        },
    }
}
