//! Replays the `llm_stream` fuzz target's corpus (`topics/fuzz/corpus/llm_stream/`) through
//! the [`Assembler`] as the target does: one `data:` payload per line, `[DONE]` the end
//! marker, the file's end the server closing the stream. `valid-` seeds are accepted whole
//! and give the events named below, `bad-` seeds have a payload refused with a message (the
//! `error-object` ones as the server failing mid-answer), and
//! every seed finishes once: one `Done`, tool calls (each with an id) right before it.

use std::path::Path;

use super::assembler::{Assembler, SERVER_FAILED};
use crate::llm::chat::ToolCall;
use crate::llm::engine::LlmEvent;

/// Every seed's (name, text), by name.
fn corpus() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../topics/fuzz/corpus/llm_stream");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| {
            let path = entry.expect("corpus entry").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let bytes = std::fs::read(&path).expect("corpus file");
            (name, String::from_utf8_lossy(&bytes).into_owned())
        })
        .collect();
    files.sort();
    files
}

/// The events of a whole stream, and the messages of the payloads refused.
fn replay(stream: &str) -> (Vec<LlmEvent>, Vec<String>) {
    let mut assembler = Assembler::default();
    let mut events = Vec::new();
    let mut refused = Vec::new();
    for line in stream.lines() {
        if line == "[DONE]" {
            events.extend(assembler.finish(None));
            continue;
        }
        match assembler.chunk(line) {
            Ok(more) => events.extend(more),
            Err(message) => refused.push(message),
        }
    }
    events.extend(assembler.finish(None));
    (events, refused)
}

fn text(text: &str) -> LlmEvent {
    LlmEvent::Text(text.into())
}

fn call(id: &str, name: &str, arguments: &str) -> ToolCall {
    ToolCall {
        id: id.into(),
        name: name.into(),
        arguments: arguments.into(),
    }
}

fn done(reason: &str) -> LlmEvent {
    LlmEvent::Done {
        finish_reason: reason.into(),
    }
}

/// What the seeds with known content give.
fn expected(name: &str) -> Option<Vec<LlmEvent>> {
    Some(match name {
        "valid-openai-text" => vec![
            text("It's"),
            text(" nine"),
            text(" o'clock — \"late\"."),
            done("stop"),
        ],
        "valid-openai-parallel-tool-calls" => vec![
            LlmEvent::ToolCalls(vec![
                call("call_Ab12", "set_timer", r#"{"duration": "5 minutes"}"#),
                call("call_Cd34", "show_emotion", r#"{"emotion": "happy"}"#),
            ]),
            done("tool_calls"),
        ],
        "valid-llamacpp-text" => vec![text("Bonjour"), text(" à vous"), text(" !"), done("stop")],
        "valid-llamacpp-tool-call-without-id" => vec![
            LlmEvent::ToolCalls(vec![call(
                "call_0",
                "weather_forecast",
                r#"{"location":"Gent","day":"tomorrow"}"#,
            )]),
            done("tool_calls"),
        ],
        "valid-ollama-tool-call-whole" => vec![
            LlmEvent::ToolCalls(vec![call(
                "call_x1y2z3",
                "homeassistant_turn_on",
                r#"{"target":"keukenlamp"}"#,
            )]),
            done("tool_calls"),
        ],
        "valid-ollama-text-closed-without-done" => {
            vec![text("Het is"), text(" tien uur."), done("stop")]
        }
        "valid-cut-at-length" => vec![text("Once upon a"), text(" time"), done("length")],
        // serde reads a struct from an array too: choices, then delta and finish_reason.
        "edge-chunk-as-arrays" => vec![text("Hi"), done("stop")],
        // The client stops reading at the first `Done`; the assembler passes later text on
        // but finishes once, so the late tool call is never sent.
        "edge-text-after-finish" => vec![text("One"), done("stop"), text("Two"), text("Three")],
        "edge-empty-id-huge-index" => vec![
            LlmEvent::ToolCalls(vec![
                call("call_9", "", ""),
                call("call_1", "clock_time", "{}"),
            ]),
            done("tool_calls"),
        ],
        // The server's error object is refused: what came before it, then the end.
        "bad-error-object-mid-stream" => vec![text("The"), done("stop")],
        _ => return None,
    })
}

#[test]
fn the_llm_stream_fuzz_corpus_assembles_as_named_or_is_refused() {
    let files = corpus();
    assert!(files.len() >= 15, "only {} llm_stream seeds", files.len());
    for (name, stream) in &files {
        let (events, refused) = replay(stream);
        if name.starts_with("valid-") {
            assert_eq!(refused, Vec::<String>::new(), "{name}");
        }
        if name.starts_with("bad-") {
            assert!(!refused.is_empty(), "{name} was accepted: {events:?}");
        }
        for message in &refused {
            let server = name.contains("error-object");
            let prefix = if server { SERVER_FAILED } else { "bad chunk: " };
            assert!(message.starts_with(prefix), "{name}: {message}");
        }
        if let Some(expected) = expected(name) {
            assert_eq!(events, expected, "{name}");
        }
        let finished: Vec<usize> = (0..events.len())
            .filter(|&at| matches!(events[at], LlmEvent::Done { .. }))
            .collect();
        assert_eq!(finished.len(), 1, "{name}: {events:?}");
        for (at, event) in events.iter().enumerate() {
            if let LlmEvent::ToolCalls(calls) = event {
                assert_eq!(at + 1, finished[0], "{name}: {events:?}");
                assert!(calls.iter().all(|call| !call.id.is_empty()), "{name}");
            }
        }
    }
}
