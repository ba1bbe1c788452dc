//! Keeps the local model's prompt cache holding what the next question's prompt starts with:
//! the system prompt and the conversation so far. Read once at start-up, and again after
//! every answered turn (the conversation grew), while nobody is waiting; the next question
//! then costs the model only its own few tokens instead of seconds of reading on a small
//! CPU.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;

use super::shared::Shared;
use super::understand::{history, opening};
use crate::llm::{ChatRequest, Llm, LlmError};

/// Sends the opening every prompt starts with and reads one token of answer: the model server
/// keeps what it read, and the next request that shares the opening reuses it.
async fn prefill(shared: &Shared) -> Result<Duration, LlmError> {
    let lang = shared.config.assistant.language.clone();
    let messages = opening(shared, &lang, history(shared).await);
    let request = ChatRequest {
        messages,
        tools: Vec::new(),
        max_tokens: Some(1),
        temperature: Some(0.0),
    };
    let started = Instant::now();
    let mut stream = shared.engines.llm.chat(request).await?;
    while let Some(event) = stream.next().await {
        event?;
    }
    Ok(started.elapsed())
}

/// At start-up.
pub(crate) async fn warm_up(shared: Arc<Shared>, shutdown: CancellationToken) {
    if !shared.engines.llm.caches_prompt() {
        return;
    }
    tokio::select! {
        () = shutdown.cancelled() => {}
        outcome = prefill(&shared) => match outcome {
            Ok(took) => tracing::info!(
                warm_ms = took.as_millis() as u64,
                "Language model warmed up."
            ),
            // Not an error for anyone: the first turn reads the prompt itself.
            Err(error) => tracing::warn!(%error, "Language model warm-up failed."),
        },
    }
}

/// After a turn joined the conversation, in the background; at most one at a time (a burst
/// of turns needs only the last).
pub(crate) fn rewarm(shared: &Arc<Shared>) {
    if !shared.engines.llm.caches_prompt() || shared.rewarming.swap(true, Ordering::AcqRel) {
        return;
    }
    let shared = shared.clone();
    tokio::spawn(async move {
        match prefill(&shared).await {
            Ok(took) => tracing::debug!(
                warm_ms = took.as_millis() as u64,
                "Language model read the conversation ahead of the next question."
            ),
            Err(error) => tracing::debug!(%error, "Language model re-warm failed."),
        }
        shared.rewarming.store(false, Ordering::Release);
    });
}
