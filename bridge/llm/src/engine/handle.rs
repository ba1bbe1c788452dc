//! What the HTTP side sees of the engine: a request, the events that answer it, and the
//! bounded queue between them.

use tokio::sync::mpsc;

use super::Sampling;
use crate::prompt::PromptMessage;

/// How many generated pieces may wait for a slow client before the engine blocks. Blocking
/// (rather than dropping) keeps the answer whole; a client that stops reading is detected by
/// the channel closing.
const EVENTS_CAPACITY: usize = 64;

/// One chat completion to generate.
#[derive(Debug, Clone)]
pub(crate) struct GenerationRequest {
    /// For logs.
    pub(crate) id: String,
    pub(crate) messages: Vec<PromptMessage>,
    /// Upper bound on generated tokens; `None` runs until the model stops or the context fills.
    pub(crate) max_tokens: Option<u32>,
    pub(crate) sampling: Sampling,
    /// Stop sequences; the text stops before the first one found.
    pub(crate) stop: Vec<String>,
}

/// Why generation ended normally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FinishReason {
    /// End of turn or a stop sequence.
    Stop,
    /// `max_tokens` or the context filled.
    Length,
}

/// What the engine reports, in order: `Started`, any number of `Text`, then `Finished`; or
/// `Failed` at any point.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Event {
    /// The prompt is evaluated; generation begins.
    Started {
        prompt_tokens: u32,
        cached_tokens: u32,
    },
    /// The next piece of the answer (whole UTF-8 characters, stop sequences removed).
    Text(String),
    Finished {
        reason: FinishReason,
        completion_tokens: u32,
    },
    Failed(GenerationError),
}

/// Why a request could not be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum GenerationError {
    #[error(
        "this model's maximum context length is {context} tokens, but the prompt has {prompt_tokens} tokens"
    )]
    ContextLengthExceeded {
        prompt_tokens: usize,
        context: usize,
    },
    #[error("the chat template could not be applied: {0}")]
    Template(String),
    #[error("the prompt is empty after tokenization")]
    EmptyPrompt,
    #[error("inference failed: {0}")]
    Inference(String),
    #[error("the server is shutting down")]
    ShuttingDown,
}

/// A request in the queue, with the channel that answers it.
#[derive(Debug)]
pub(crate) struct Job {
    pub(crate) request: GenerationRequest,
    pub(crate) events: mpsc::Sender<Event>,
}

/// Why a request was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SubmitError {
    #[error("too many requests are waiting")]
    Busy,
    #[error("the engine has stopped")]
    Stopped,
}

/// A cheap, cloneable way to submit requests.
#[derive(Debug, Clone)]
pub(crate) struct EngineHandle {
    jobs: mpsc::Sender<Job>,
}

impl EngineHandle {
    pub(crate) fn new(jobs: mpsc::Sender<Job>) -> Self {
        EngineHandle { jobs }
    }

    /// Queues a request without waiting. When the queue is full the request is rejected at
    /// once (policy: reject), so the client can fail over instead of waiting.
    pub(crate) fn submit(
        &self,
        request: GenerationRequest,
    ) -> Result<mpsc::Receiver<Event>, SubmitError> {
        let (events, receiver) = mpsc::channel(EVENTS_CAPACITY);
        self.jobs
            .try_send(Job { request, events })
            .map_err(|error| match error {
                mpsc::error::TrySendError::Full(_) => SubmitError::Busy,
                mpsc::error::TrySendError::Closed(_) => SubmitError::Stopped,
            })?;
        Ok(receiver)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> GenerationRequest {
        GenerationRequest {
            id: "test".into(),
            messages: vec![],
            max_tokens: None,
            sampling: Sampling {
                temperature: 0.0,
                top_p: 1.0,
                seed: 0,
            },
            stop: vec![],
        }
    }

    #[test]
    fn full_queue_rejects_instead_of_waiting() {
        let (jobs, _queue) = mpsc::channel(2);
        let engine = EngineHandle::new(jobs);
        assert!(engine.submit(request()).is_ok());
        assert!(engine.submit(request()).is_ok());
        assert_eq!(engine.submit(request()).unwrap_err(), SubmitError::Busy);
    }

    #[test]
    fn stopped_engine_is_reported() {
        let (jobs, queue) = mpsc::channel(2);
        drop(queue);
        let engine = EngineHandle::new(jobs);
        assert_eq!(engine.submit(request()).unwrap_err(), SubmitError::Stopped);
    }
}
