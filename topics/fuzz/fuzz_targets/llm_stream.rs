//! The per-chunk JSON of an OpenAI-compatible streaming answer: the bridge's `Assembler`
//! (`bridge/src/llm/openai/assembler.rs`), which turns each SSE `data:` payload into text
//! deltas and assembles tool calls streamed in pieces. It is private to hive-bridge, whose
//! build links whisper.cpp, so the file itself (and the chat types it fills) is compiled in
//! here: the code fuzzed is the code shipped.
//!
//! Input: one payload per line, `[DONE]` for the end marker; the input's end is the server
//! closing the stream. Every line is fed, also after the end, as a misbehaving server would.
//! Beyond "never panics":
//! - a refused payload is refused with a message and changes nothing; a server's
//!   `{"error": …}` object (and only that) is refused as the server failing mid-answer;
//! - the events are exactly what the accepted payloads say, as read by an independent
//!   reading of the same JSON (`serde_json::Value`): every text delta in order, and each
//!   tool call's name and arguments the pieces sent under its index, joined in order,
//!   nothing else;
//! - the answer finishes once: one `Done`, at most one `ToolCalls` right before it, and
//!   every call has an id (the tool's result must echo one).
#![no_main]
#![allow(dead_code, unreachable_pub)]

#[path = "../../../bridge/src/llm"]
mod llm {
    pub(crate) mod chat;
    pub(crate) mod engine;
    pub(crate) mod openai {
        pub(crate) mod assembler;
    }
}

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use llm::chat::ToolCall;
use llm::engine::LlmEvent;
use llm::openai::assembler::{Assembler, SERVER_FAILED};
use serde_json::Value;

/// A field as serde's derive reads a struct: by name from an object, by position from an
/// array. `null` counts as absent: where the Rust field is not an `Option`, a `null` was
/// refused before the model sees it.
fn field<'a>(value: &'a Value, name: &str, position: usize) -> Option<&'a Value> {
    match value {
        Value::Object(map) => map.get(name),
        Value::Array(items) => items.get(position),
        _ => None,
    }
    .filter(|value| !value.is_null())
}

fn text<'a>(value: &'a Value, name: &str, position: usize) -> Option<&'a str> {
    field(value, name, position).and_then(Value::as_str)
}

fn list<'a>(value: &'a Value, name: &str, position: usize) -> impl Iterator<Item = &'a Value> {
    field(value, name, position)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// What the stream should give, written from OpenAI's documentation of the chunk rather
/// than from the assembler's code.
#[derive(Default)]
struct Model {
    /// Per tool-call index: (last id sent, name pieces, argument pieces).
    calls: BTreeMap<u64, (String, String, String)>,
    done: bool,
    events: Vec<LlmEvent>,
}

impl Model {
    fn chunk(&mut self, chunk: &Value) {
        for choice in list(chunk, "choices", 0) {
            let delta = field(choice, "delta", 0);
            if let Some(content) = delta.and_then(|delta| text(delta, "content", 0))
                && !content.is_empty()
            {
                self.events.push(LlmEvent::Text(content.to_owned()));
            }
            for call in delta
                .into_iter()
                .flat_map(|delta| list(delta, "tool_calls", 1))
            {
                let index = field(call, "index", 0).and_then(Value::as_u64).unwrap_or(0);
                let (id, name, arguments) = self.calls.entry(index).or_default();
                if let Some(sent) = text(call, "id", 1) {
                    *id = sent.to_owned();
                }
                if let Some(function) = field(call, "function", 2) {
                    name.push_str(text(function, "name", 0).unwrap_or_default());
                    arguments.push_str(text(function, "arguments", 1).unwrap_or_default());
                }
            }
            if let Some(reason) = text(choice, "finish_reason", 1) {
                self.finish(Some(reason));
            }
        }
    }

    fn finish(&mut self, reason: Option<&str>) {
        if std::mem::replace(&mut self.done, true) {
            return;
        }
        let calls: Vec<ToolCall> = std::mem::take(&mut self.calls)
            .into_values()
            .enumerate()
            .map(|(position, (id, name, arguments))| ToolCall {
                id: if id.is_empty() {
                    format!("call_{position}")
                } else {
                    id
                },
                name,
                arguments,
            })
            .collect();
        let default = if calls.is_empty() {
            "stop"
        } else {
            "tool_calls"
        };
        if !calls.is_empty() {
            self.events.push(LlmEvent::ToolCalls(calls));
        }
        self.events.push(LlmEvent::Done {
            finish_reason: reason.unwrap_or(default).to_owned(),
        });
    }
}

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let mut assembler = Assembler::default();
    let mut model = Model::default();
    let mut events = Vec::new();
    // Off when serde_json's `Value` cannot read a payload the typed reading accepted (a
    // field Hive ignores may hold what `Value` refuses); the other checks still hold.
    let mut comparable = true;
    for line in input.lines() {
        if line == "[DONE]" {
            events.extend(assembler.finish(None));
            model.finish(None);
            continue;
        }
        match assembler.chunk(line) {
            Ok(more) => {
                events.extend(more);
                match serde_json::from_str::<Value>(line) {
                    Ok(chunk) => {
                        assert!(field(&chunk, "error", 1).is_none(), "error accepted: {line}");
                        model.chunk(&chunk);
                    }
                    Err(_) => comparable = false,
                }
            }
            Err(message) => {
                if let Some(words) = message.strip_prefix(SERVER_FAILED) {
                    // The server's own error object, which the independent reading sees too.
                    assert!(!words.is_empty(), "{message}");
                    if let Ok(chunk) = serde_json::from_str::<Value>(line) {
                        assert!(field(&chunk, "error", 1).is_some(), "{line}");
                    }
                } else {
                    assert!(message.len() > "bad chunk: ".len(), "{message}");
                    assert!(message.starts_with("bad chunk: "), "{message}");
                }
            }
        }
    }
    // The server closed the stream.
    events.extend(assembler.finish(None));
    model.finish(None);
    if comparable {
        assert_eq!(events, model.events);
    }
    let done: Vec<usize> = (0..events.len())
        .filter(|&at| matches!(events[at], LlmEvent::Done { .. }))
        .collect();
    assert_eq!(done.len(), 1, "{events:?}");
    for (at, event) in events.iter().enumerate() {
        if let LlmEvent::ToolCalls(calls) = event {
            assert_eq!(at + 1, done[0], "tool calls right before Done: {events:?}");
            assert!(!calls.is_empty());
            assert!(calls.iter().all(|call| !call.id.is_empty()), "{calls:?}");
        }
    }
});
