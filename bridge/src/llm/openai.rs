//! A streaming client for OpenAI-compatible chat-completions servers: `hive-llm`, Ollama
//! (`http://localhost:11434/v1`), llama.cpp's server, vLLM, or OpenAI itself.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use futures_util::future::BoxFuture;
use futures_util::{StreamExt, stream};
use serde::Deserialize;

use super::chat::{ChatRequest, ToolCall};
use super::engine::{Llm, LlmError, LlmEvent, LlmStream};
use super::sse::{SseDecoder, SseItem};

/// An OpenAI-compatible server.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenAiConfig {
    /// The API base, up to and including `/v1`.
    pub url: String,
    /// The model name the server knows.
    pub model: String,
    /// A bearer token, if the server wants one.
    #[serde(default)]
    pub api_key: Option<String>,
    /// How long to wait for the first byte of an answer.
    #[serde(default = "default_first_byte_timeout_ms")]
    pub first_byte_timeout_ms: u64,
    /// How long the stream may stall between two pieces before Hive gives up on it.
    #[serde(default = "default_idle_timeout_ms")]
    pub idle_timeout_ms: u64,
    /// The most tokens an answer may have.
    #[serde(default = "default_max_tokens")]
    pub max_tokens: u32,
    /// Sampling temperature.
    #[serde(default)]
    pub temperature: Option<f32>,
    /// How long a failover chain passes this server over after it fails; each further
    /// failure doubles it, up to five minutes (or this, if longer).
    #[serde(default = "default_retry_after_ms")]
    pub retry_after_ms: u64,
}

fn default_first_byte_timeout_ms() -> u64 {
    20_000
}

fn default_idle_timeout_ms() -> u64 {
    10_000
}

fn default_max_tokens() -> u32 {
    256
}

fn default_retry_after_ms() -> u64 {
    5_000
}

impl OpenAiConfig {
    /// A configuration with the defaults.
    pub fn new(url: impl Into<String>, model: impl Into<String>) -> Self {
        OpenAiConfig {
            url: url.into(),
            model: model.into(),
            api_key: None,
            first_byte_timeout_ms: default_first_byte_timeout_ms(),
            idle_timeout_ms: default_idle_timeout_ms(),
            max_tokens: default_max_tokens(),
            temperature: None,
            retry_after_ms: default_retry_after_ms(),
        }
    }
}

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

#[derive(Debug, Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Vec<Choice>,
}

#[derive(Debug, Deserialize)]
struct Choice {
    #[serde(default)]
    delta: Delta,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Delta {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    tool_calls: Vec<ToolCallDelta>,
}

#[derive(Debug, Deserialize)]
struct ToolCallDelta {
    #[serde(default)]
    index: usize,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    function: Option<FunctionDelta>,
}

#[derive(Debug, Deserialize)]
struct FunctionDelta {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    arguments: Option<String>,
}

/// Turns chunks into events: text passes straight through, tool calls (streamed in pieces
/// by index) are assembled and sent whole when the model finishes.
#[derive(Debug, Default)]
struct Assembler {
    calls: BTreeMap<usize, ToolCall>,
    done: bool,
}

impl Assembler {
    fn chunk(&mut self, data: &str) -> Result<Vec<LlmEvent>, String> {
        let chunk: Chunk =
            serde_json::from_str(data).map_err(|error| format!("bad chunk: {error}"))?;
        let mut events = Vec::new();
        for choice in chunk.choices {
            if let Some(text) = choice.delta.content.filter(|text| !text.is_empty()) {
                events.push(LlmEvent::Text(text));
            }
            for delta in choice.delta.tool_calls {
                let call = self.calls.entry(delta.index).or_insert_with(|| ToolCall {
                    id: String::new(),
                    name: String::new(),
                    arguments: String::new(),
                });
                if let Some(id) = delta.id {
                    call.id = id;
                }
                if let Some(function) = delta.function {
                    call.name.push_str(function.name.as_deref().unwrap_or(""));
                    call.arguments
                        .push_str(function.arguments.as_deref().unwrap_or(""));
                }
            }
            if let Some(reason) = choice.finish_reason {
                events.extend(self.finish(Some(reason)));
            }
        }
        Ok(events)
    }

    fn finish(&mut self, reason: Option<String>) -> Vec<LlmEvent> {
        if self.done {
            return Vec::new();
        }
        self.done = true;
        let mut events = Vec::new();
        let calls: Vec<ToolCall> = std::mem::take(&mut self.calls)
            .into_values()
            .enumerate()
            .map(|(index, mut call)| {
                if call.id.is_empty() {
                    call.id = format!("call_{index}");
                }
                call
            })
            .collect();
        let has_calls = !calls.is_empty();
        if has_calls {
            events.push(LlmEvent::ToolCalls(calls));
        }
        let default = if has_calls { "tool_calls" } else { "stop" };
        events.push(LlmEvent::Done {
            finish_reason: reason.unwrap_or_else(|| default.into()),
        });
        events
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_passes_through_and_tool_calls_are_assembled() {
        let mut assembler = Assembler::default();
        let chunks = [
            r#"{"choices":[{"delta":{"role":"assistant","content":"Sure"}}]}"#,
            r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c1","type":"function","function":{"name":"show_emotion","arguments":""}}]}}]}"#,
            r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"emotion\":"}}]}}]}"#,
            r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"happy\"}"}}]}}]}"#,
            r#"{"choices":[{"delta":{},"finish_reason":"tool_calls"}]}"#,
        ];
        let events: Vec<LlmEvent> = chunks
            .iter()
            .flat_map(|chunk| assembler.chunk(chunk).unwrap())
            .collect();
        assert_eq!(
            events,
            [
                LlmEvent::Text("Sure".into()),
                LlmEvent::ToolCalls(vec![ToolCall {
                    id: "c1".into(),
                    name: "show_emotion".into(),
                    arguments: r#"{"emotion":"happy"}"#.into(),
                }]),
                LlmEvent::Done {
                    finish_reason: "tool_calls".into()
                },
            ]
        );
        assert!(assembler.finish(None).is_empty(), "finishes once");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let mut assembler = Assembler::default();
        assert!(assembler.chunk("{not json").is_err());
        assert!(assembler.chunk(r#"{"choices":"nope"}"#).is_err());
        assert_eq!(assembler.chunk(r#"{"choices":[]}"#).unwrap(), []);
    }
}
