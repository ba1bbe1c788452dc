//! A streaming client for OpenAI-compatible chat-completions servers: the request, then the
//! answer's bytes through the SSE decoder and the [`Assembler`] into [`LlmEvent`]s.

use std::collections::VecDeque;
use std::time::Duration;

use futures_util::future::BoxFuture;
use futures_util::{StreamExt, stream};

use super::assembler::Assembler;
use super::config::OpenAiConfig;
use crate::llm::chat::ChatRequest;
use crate::llm::engine::{Llm, LlmError, LlmEvent, LlmStream};
use crate::llm::sse::{SseDecoder, SseItem};

/// The client; cheap to clone.
#[derive(Debug, Clone)]
pub struct OpenAiClient {
    name: String,
    config: OpenAiConfig,
    http: reqwest::Client,
}

impl OpenAiClient {
    /// A client named `name` in logs.
    pub fn new(name: impl Into<String>, config: OpenAiConfig) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        OpenAiClient {
            name: name.into(),
            config,
            http,
        }
    }

    fn body(&self, request: &ChatRequest) -> serde_json::Value {
        let mut body = serde_json::json!({
            "model": self.config.model,
            "messages": request.messages.iter().map(|message| message.to_wire()).collect::<Vec<_>>(),
            "stream": true,
            "max_tokens": request.max_tokens.unwrap_or(self.config.max_tokens),
        });
        if !request.tools.is_empty() {
            body["tools"] = request.tools.clone().into();
            body["tool_choice"] = "auto".into();
        }
        if let Some(temperature) = request.temperature.or(self.config.temperature) {
            body["temperature"] = temperature.into();
        }
        body
    }

    async fn start(&self, request: ChatRequest) -> Result<LlmStream, LlmError> {
        let url = format!("{}/chat/completions", self.config.url.trim_end_matches('/'));
        let mut builder = self.http.post(&url).json(&self.body(&request));
        if let Some(key) = &self.config.api_key {
            builder = builder.bearer_auth(key);
        }
        let unreachable = |detail: String| LlmError::Unreachable {
            engine: self.name.clone(),
            detail,
        };
        let first_byte = Duration::from_millis(self.config.first_byte_timeout_ms);
        let response = tokio::time::timeout(first_byte, builder.send())
            .await
            .map_err(|_| unreachable(format!("no answer within {first_byte:?}")))?
            .map_err(|error| unreachable(error.to_string()))?;
        let status = response.status();
        if !status.is_success() {
            let detail = response.text().await.unwrap_or_default();
            return Err(LlmError::Status {
                engine: self.name.clone(),
                status: status.as_u16(),
                detail: detail.chars().take(300).collect(),
            });
        }
        let state = StreamState {
            engine: self.name.clone(),
            body: Box::pin(response.bytes_stream()),
            idle: Duration::from_millis(self.config.idle_timeout_ms),
            decoder: SseDecoder::default(),
            assembler: Assembler::default(),
            pending: VecDeque::new(),
            finished: false,
        };
        Ok(Box::pin(stream::unfold(state, StreamState::next)))
    }
}

impl Llm for OpenAiClient {
    fn chat(&self, request: ChatRequest) -> BoxFuture<'_, Result<LlmStream, LlmError>> {
        Box::pin(self.start(request))
    }

    fn name(&self) -> &str {
        &self.name
    }
}

type ByteStream =
    std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>;

struct StreamState {
    engine: String,
    body: ByteStream,
    idle: Duration,
    decoder: SseDecoder,
    assembler: Assembler,
    pending: VecDeque<Result<LlmEvent, LlmError>>,
    finished: bool,
}

impl StreamState {
    async fn next(mut self) -> Option<(Result<LlmEvent, LlmError>, Self)> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some((event, self));
            }
            if self.finished {
                return None;
            }
            let protocol = |detail: String| LlmError::Protocol {
                engine: self.engine.clone(),
                detail,
            };
            match tokio::time::timeout(self.idle, self.body.next()).await {
                Err(_) => {
                    self.finished = true;
                    let detail = format!("the answer stalled for {:?}", self.idle);
                    self.pending.push_back(Err(LlmError::Unreachable {
                        engine: self.engine.clone(),
                        detail,
                    }));
                }
                Ok(None) => {
                    // Some servers close without [DONE]; what arrived is the answer.
                    self.finished = true;
                    self.pending
                        .extend(self.assembler.finish(None).into_iter().map(Ok));
                }
                Ok(Some(Err(error))) => {
                    self.finished = true;
                    let detail = error.to_string();
                    self.pending.push_back(Err(LlmError::Unreachable {
                        engine: self.engine.clone(),
                        detail,
                    }));
                }
                Ok(Some(Ok(bytes))) => match self.decoder.push(&bytes) {
                    Err(detail) => {
                        self.finished = true;
                        self.pending.push_back(Err(protocol(detail)));
                    }
                    Ok(items) => {
                        for item in items {
                            match item {
                                SseItem::Done => {
                                    self.finished = true;
                                    self.pending
                                        .extend(self.assembler.finish(None).into_iter().map(Ok));
                                    break;
                                }
                                SseItem::Data(data) => match self.assembler.chunk(&data) {
                                    Ok(events) => {
                                        let done = events
                                            .iter()
                                            .any(|event| matches!(event, LlmEvent::Done { .. }));
                                        self.pending.extend(events.into_iter().map(Ok));
                                        if done {
                                            self.finished = true;
                                            break;
                                        }
                                    }
                                    Err(detail) => {
                                        self.finished = true;
                                        self.pending.push_back(Err(protocol(detail)));
                                        break;
                                    }
                                },
                            }
                        }
                    }
                },
            }
        }
    }
}
