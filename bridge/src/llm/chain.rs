//! Failover across language models: the first engine that accepts the request answers.

use std::sync::Arc;

use futures_util::future::BoxFuture;

use super::chat::ChatRequest;
use super::engine::{Llm, LlmError, LlmStream};

/// Engines in order of preference.
#[derive(Clone, Default)]
pub struct LlmChain {
    engines: Vec<Arc<dyn Llm>>,
    name: String,
}

impl std::fmt::Debug for LlmChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmChain")
            .field("engines", &self.name)
            .finish()
    }
}

impl LlmChain {
    /// A chain trying `engines` in order.
    pub fn new(engines: Vec<Arc<dyn Llm>>) -> Self {
        let name = engines
            .iter()
            .map(|engine| engine.name())
            .collect::<Vec<_>>()
            .join(" > ");
        LlmChain { engines, name }
    }

    /// Whether the chain has no engine (the bridge then answers local intents only).
    pub fn is_empty(&self) -> bool {
        self.engines.is_empty()
    }

    /// Starts an answer with the first engine that accepts it, and says which one did.
    ///
    /// # Errors
    /// [`LlmError::Exhausted`] listing why each engine failed.
    pub async fn start(&self, request: ChatRequest) -> Result<(LlmStream, &str), LlmError> {
        let mut failures = Vec::new();
        for engine in &self.engines {
            match engine.chat(request.clone()).await {
                Ok(stream) => return Ok((stream, engine.name())),
                Err(error) => {
                    tracing::warn!(engine = engine.name(), %error, "Language model failed; trying the next.");
                    failures.push(error.to_string());
                }
            }
        }
        if failures.is_empty() {
            failures.push("no language model is configured".into());
        }
        Err(LlmError::Exhausted(failures.join("; ")))
    }
}

impl Llm for LlmChain {
    fn chat(&self, request: ChatRequest) -> BoxFuture<'_, Result<LlmStream, LlmError>> {
        Box::pin(async move { self.start(request).await.map(|(stream, _)| stream) })
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn caches_prompt(&self) -> bool {
        self.engines
            .first()
            .is_some_and(|engine| engine.caches_prompt())
    }
}
