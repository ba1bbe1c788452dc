//! The OpenAI chat-completions request, as it arrives on the wire. Unknown fields are
//! ignored: clients send many optional ones (`user`, `logprobs`, …) that change nothing here.
//! Loosely typed fields (`content`, `stop`, `tool_choice`) are checked in `validate`.

use serde::Deserialize;
use serde_json::Value;

/// `POST /v1/chat/completions` body.
#[derive(Debug, Deserialize)]
pub(crate) struct ChatRequest {
    /// Ignored: the server has one model.
    #[serde(default)]
    #[allow(dead_code)]
    pub(crate) model: Option<String>,
    pub(crate) messages: Vec<WireMessage>,
    #[serde(default)]
    pub(crate) tools: Option<Vec<WireTool>>,
    #[serde(default)]
    pub(crate) tool_choice: Option<Value>,
    #[serde(default)]
    pub(crate) stream: Option<bool>,
    #[serde(default)]
    pub(crate) max_tokens: Option<u32>,
    #[serde(default)]
    pub(crate) max_completion_tokens: Option<u32>,
    #[serde(default)]
    pub(crate) temperature: Option<f32>,
    #[serde(default)]
    pub(crate) top_p: Option<f32>,
    #[serde(default)]
    pub(crate) seed: Option<i64>,
    #[serde(default)]
    pub(crate) stop: Option<Value>,
    #[serde(default)]
    pub(crate) n: Option<u32>,
}

/// One message of the conversation.
#[derive(Debug, Deserialize)]
pub(crate) struct WireMessage {
    pub(crate) role: String,
    /// A string, an array of content parts, or null (assistant messages with tool calls).
    #[serde(default)]
    pub(crate) content: Option<Value>,
    #[serde(default)]
    pub(crate) tool_calls: Option<Vec<WireToolCall>>,
    #[serde(default)]
    pub(crate) tool_call_id: Option<String>,
}

/// A tool call in an assistant message of the history.
#[derive(Debug, Deserialize)]
pub(crate) struct WireToolCall {
    #[serde(default)]
    #[allow(dead_code)]
    pub(crate) id: Option<String>,
    #[serde(default, rename = "type")]
    pub(crate) kind: Option<String>,
    pub(crate) function: WireFunctionCall,
}

/// The function part of a tool call.
#[derive(Debug, Deserialize)]
pub(crate) struct WireFunctionCall {
    pub(crate) name: String,
    /// A JSON string per the spec; an object is accepted too.
    #[serde(default)]
    pub(crate) arguments: Option<Value>,
}

/// A tool the model may call.
#[derive(Debug, Deserialize)]
pub(crate) struct WireTool {
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) function: WireFunction,
}

/// A function declaration.
#[derive(Debug, Deserialize)]
pub(crate) struct WireFunction {
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) description: Option<String>,
    #[serde(default)]
    pub(crate) parameters: Option<Value>,
}
