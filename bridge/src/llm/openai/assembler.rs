//! The per-chunk JSON of an OpenAI-compatible streaming answer (each SSE `data:` payload):
//! text deltas pass straight through, tool calls streamed in pieces are assembled.
//!
//! No I/O and nothing async here: the `llm_stream` fuzz target compiles this file in
//! (`topics/fuzz/fuzz_targets/llm_stream.rs`), so the code fuzzed is the code shipped.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::llm::chat::ToolCall;
use crate::llm::engine::LlmEvent;

/// One `data:` payload. Fields Hive does not use (`id`, `model`, `usage`, `role`…) are
/// ignored, so OpenAI's, llama.cpp's and Ollama's chunks all read.
#[derive(Debug, Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Vec<Choice>,
    /// OpenAI, vLLM and llama.cpp's server send `{"error": {...}}` in place of a chunk when
    /// the answer fails after it began: the answer is cut, not finished.
    #[serde(default)]
    error: Option<serde_json::Value>,
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

/// How a refusal of the server's own error object begins.
pub(crate) const SERVER_FAILED: &str = "the server failed mid-answer: ";

/// The words of a server's error object: its `message` (OpenAI's and llama.cpp's shape), or
/// the value itself when it is a string (some proxies), else the JSON, cut to 200
/// characters so that a huge object does not fill the logs and /health.
fn server_message(error: &serde_json::Value) -> String {
    let text = match error {
        serde_json::Value::String(text) => text.clone(),
        _ => match error.get("message") {
            Some(serde_json::Value::String(text)) => text.clone(),
            _ => error.to_string(),
        },
    };
    let text = text.trim();
    match text.char_indices().nth(200) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None if text.is_empty() => "(no message)".into(),
        None => text.to_owned(),
    }
}

/// Turns chunks into events: text passes straight through, tool calls (streamed in pieces
/// by index) are assembled and sent whole when the model finishes.
#[derive(Debug, Default)]
pub(crate) struct Assembler {
    calls: BTreeMap<usize, ToolCall>,
    done: bool,
}

impl Assembler {
    /// The events one chunk adds. A chunk with a `finish_reason` finishes the answer (see
    /// [`Assembler::finish`]); a payload that is not a chunk (`bad chunk: …`) or that is
    /// the server's error (`the server failed mid-answer: …`) is refused with a message and
    /// changes nothing.
    pub(crate) fn chunk(&mut self, data: &str) -> Result<Vec<LlmEvent>, String> {
        let chunk: Chunk =
            serde_json::from_str(data).map_err(|error| format!("bad chunk: {error}"))?;
        if let Some(error) = chunk.error.filter(|error| !error.is_null()) {
            return Err(format!("{SERVER_FAILED}{}", server_message(&error)));
        }
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

    /// Finishes the answer, once: the assembled tool calls (each with an id; `call_<n>` when
    /// the server sent none), then `Done` with `reason`, or `tool_calls`/`stop` without one.
    /// Called again, it returns nothing.
    pub(crate) fn finish(&mut self, reason: Option<String>) -> Vec<LlmEvent> {
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

    #[test]
    fn the_servers_error_object_cuts_the_answer_with_its_message() {
        let mut assembler = Assembler::default();
        assert_eq!(
            assembler
                .chunk(r#"{"choices":[{"delta":{"content":"The"}}]}"#)
                .unwrap(),
            [LlmEvent::Text("The".into())]
        );
        assert_eq!(
            assembler.chunk(
                r#"{"error":{"message":"The server had an error while processing your request.","type":"server_error"}}"#
            ),
            Err("the server failed mid-answer: The server had an error while processing your request.".into())
        );
        assert_eq!(
            assembler.chunk(r#"{"error":"upstream timed out"}"#),
            Err("the server failed mid-answer: upstream timed out".into())
        );
        assert_eq!(
            assembler.chunk(r#"{"error":{"code":500}}"#),
            Err(r#"the server failed mid-answer: {"code":500}"#.into())
        );
        let long = format!(r#"{{"error":{{"message":"{}"}}}}"#, "é".repeat(5000));
        let message = assembler.chunk(&long).unwrap_err();
        assert_eq!(message.chars().count(), SERVER_FAILED.len() + 201);
        // `"error": null` is what some servers put in every good chunk.
        assert_eq!(
            assembler
                .chunk(r#"{"choices":[{"delta":{"content":"!"}}],"error":null}"#)
                .unwrap(),
            [LlmEvent::Text("!".into())]
        );
    }
}
