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
pub(crate) struct Assembler {
    calls: BTreeMap<usize, ToolCall>,
    done: bool,
}

impl Assembler {
    /// The events one chunk adds. A chunk with a `finish_reason` finishes the answer (see
    /// [`Assembler::finish`]); a payload that is not a chunk is refused with a message
    /// and changes nothing.
    pub(crate) fn chunk(&mut self, data: &str) -> Result<Vec<LlmEvent>, String> {
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
}
