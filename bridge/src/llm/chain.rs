//! Failover across language models: the first engine that accepts the request answers. An
//! engine that failed rests for an exponential backoff ([`super::health`]) and is passed over
//! meanwhile, so the next engine answers at once instead of after the failed one's timeout.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::future::BoxFuture;

use super::chat::ChatRequest;
use super::engine::{Llm, LlmError, LlmStream};
use super::health::{FIRST_REST, Health, LlmHealth, MAX_REST, counts_against};

struct Entry {
    engine: Arc<dyn Llm>,
    /// A std mutex: held only to read or update the state, never across an await.
    health: Mutex<Health>,
}

impl Entry {
    fn health(&self) -> std::sync::MutexGuard<'_, Health> {
        self.health
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Engines in order of preference; clones share the engines' health.
#[derive(Clone, Default)]
pub struct LlmChain {
    engines: Arc<[Entry]>,
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
    /// A chain trying `engines` in order; a failed engine first rests five seconds.
    pub fn new(engines: Vec<Arc<dyn Llm>>) -> Self {
        Self::with_rests(
            engines
                .into_iter()
                .map(|engine| (engine, FIRST_REST))
                .collect(),
        )
    }

    /// A chain trying `engines` in order, each with how long it first rests after a failure
    /// (doubling with each further failure, up to five minutes or that first rest).
    pub fn with_rests(engines: Vec<(Arc<dyn Llm>, Duration)>) -> Self {
        let name = engines
            .iter()
            .map(|(engine, _)| engine.name())
            .collect::<Vec<_>>()
            .join(" > ");
        let engines = engines
            .into_iter()
            .map(|(engine, first)| Entry {
                engine,
                health: Mutex::new(Health::new(first, first.max(MAX_REST))),
            })
            .collect();
        LlmChain { engines, name }
    }

    /// Whether the chain has no engine (the bridge then answers local intents only).
    pub fn is_empty(&self) -> bool {
        self.engines.is_empty()
    }

    /// Each engine's health, in chain order.
    pub fn health(&self) -> Vec<LlmHealth> {
        let now = tokio::time::Instant::now().into_std();
        self.engines
            .iter()
            .map(|entry| entry.health().report(entry.engine.name(), now))
            .collect()
    }

    /// `stream` as the engine at `index` gives it, recording a failure that ends it early (a
    /// stall after the first bytes, the server's error in the middle, a dropped connection)
    /// in that engine's health: the next turn goes to the next engine instead of being cut
    /// the same way.
    fn watched(&self, index: usize, stream: LlmStream) -> LlmStream {
        let engines = Arc::clone(&self.engines);
        Box::pin(stream.inspect(move |event| {
            if let Err(error) = event
                && counts_against(error)
            {
                let entry = &engines[index];
                let now = tokio::time::Instant::now().into_std();
                let rest = entry.health().failed(now, error.to_string());
                tracing::warn!(engine = entry.engine.name(), %error, retry_in_s = rest.as_secs(), "Language model failed mid-answer; resting it.");
            }
        }))
    }

    /// Starts an answer with the first engine that accepts it, and says which one did.
    /// Engines resting after a failure are passed over; once every engine rests, the answer
    /// fails at once rather than waiting on an engine known to be failing.
    ///
    /// # Errors
    /// [`LlmError::Exhausted`] listing why each engine failed or is resting.
    pub async fn start(&self, request: ChatRequest) -> Result<(LlmStream, &str), LlmError> {
        let mut failures = Vec::new();
        for (index, entry) in self.engines.iter().enumerate() {
            let engine = &entry.engine;
            let now = tokio::time::Instant::now().into_std();
            {
                let health = entry.health();
                if !health.available(now) {
                    let report = health.report(engine.name(), now);
                    let retry_in = report.retry_in.unwrap_or_default().as_secs();
                    tracing::debug!(
                        engine = engine.name(),
                        retry_in_s = retry_in,
                        "Language model resting after a failure; passing it over."
                    );
                    failures.push(format!(
                        "{} is resting after a failure (retry in {retry_in} s): {}",
                        engine.name(),
                        report.last_error.unwrap_or_default()
                    ));
                    continue;
                }
            }
            match engine.chat(request.clone()).await {
                Ok(stream) => {
                    entry.health().answered();
                    return Ok((self.watched(index, stream), engine.name()));
                }
                Err(error) => {
                    if counts_against(&error) {
                        let now = tokio::time::Instant::now().into_std();
                        let rest = entry.health().failed(now, error.to_string());
                        tracing::warn!(engine = engine.name(), %error, retry_in_s = rest.as_secs(), "Language model failed; resting it and trying the next.");
                    } else {
                        tracing::warn!(engine = engine.name(), %error, "Language model refused the request; trying the next.");
                    }
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
            .is_some_and(|entry| entry.engine.caches_prompt())
    }
}
