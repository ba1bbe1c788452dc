//! Turns a request body into a validated job, or a 400 that says what is wrong.

use serde_json::Value;

use super::error::ApiError;
use super::request::{ChatRequest, WireMessage, WireTool, WireToolCall};
use crate::engine::Sampling;
use crate::prompt::{Message, ToolSpec};
use crate::tools::FunctionCall;

/// Used when the request gives no temperature. Lower than OpenAI's 1.0: small local models
/// ramble at 1.0.
const DEFAULT_TEMPERATURE: f32 = 0.7;
const DEFAULT_TOP_P: f32 = 0.95;
/// More would only slow every token down.
const MAX_STOP_SEQUENCES: usize = 16;
const MAX_TOOL_NAME: usize = 64;

/// A request the engine can run.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChatJob {
    pub(crate) messages: Vec<Message>,
    /// The tools to offer; empty when none were given or `tool_choice` is `"none"`.
    pub(crate) tools: Vec<ToolSpec>,
    pub(crate) stream: bool,
    pub(crate) max_tokens: Option<u32>,
    pub(crate) sampling: Sampling,
    pub(crate) stop: Vec<String>,
}

/// Parses and validates a body. `fallback_seed` is used when the request has no seed.
pub(crate) fn parse(body: &[u8], fallback_seed: u32) -> Result<ChatJob, ApiError> {
    let request: ChatRequest = serde_json::from_slice(body)
        .map_err(|error| ApiError::invalid_json(format!("Invalid request body: {error}")))?;
    validate(request, fallback_seed)
}

fn validate(request: ChatRequest, fallback_seed: u32) -> Result<ChatJob, ApiError> {
    if request.n.is_some_and(|n| n != 1) {
        return Err(ApiError::invalid("Only n=1 is supported."));
    }
    if request.messages.is_empty() {
        return Err(ApiError::invalid(
            "'messages' must contain at least one message.",
        ));
    }
    let messages = request
        .messages
        .into_iter()
        .enumerate()
        .map(|(index, message)| message_from_wire(index, message))
        .collect::<Result<Vec<_>, _>>()?;
    let tools = tools_from_wire(request.tools.unwrap_or_default())?;
    let tools = apply_tool_choice(request.tool_choice.as_ref(), tools)?;
    let max_tokens = request.max_completion_tokens.or(request.max_tokens);
    if max_tokens == Some(0) {
        return Err(ApiError::invalid("'max_tokens' must be at least 1."));
    }
    let temperature = request.temperature.unwrap_or(DEFAULT_TEMPERATURE);
    if !(0.0..=2.0).contains(&temperature) {
        return Err(ApiError::invalid("'temperature' must be between 0 and 2."));
    }
    let top_p = request.top_p.unwrap_or(DEFAULT_TOP_P);
    if !(top_p > 0.0 && top_p <= 1.0) {
        return Err(ApiError::invalid(
            "'top_p' must be greater than 0 and at most 1.",
        ));
    }
    // llama.cpp seeds are 32-bit; keep the low bits of OpenAI's 64-bit seed.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let seed = request.seed.map_or(fallback_seed, |seed| seed as u32);
    Ok(ChatJob {
        messages,
        tools,
        stream: request.stream.unwrap_or(false),
        max_tokens,
        sampling: Sampling {
            temperature,
            top_p,
            seed,
        },
        stop: stop_sequences(request.stop)?,
    })
}

fn message_from_wire(index: usize, message: WireMessage) -> Result<Message, ApiError> {
    let field = |name: &str| format!("messages[{index}].{name}");
    let content = content_text(message.content, &field("content"))?;
    let required = |content: Option<String>| {
        content.ok_or_else(|| {
            ApiError::invalid(format!("'{}' is required for this role.", field("content")))
        })
    };
    match message.role.as_str() {
        // "developer" is OpenAI's newer name for the system role.
        "system" | "developer" => Ok(Message::System(required(content)?)),
        "user" => Ok(Message::User(required(content)?)),
        "assistant" => {
            let tool_calls = message
                .tool_calls
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .map(|(call, wire)| {
                    tool_call_from_wire(wire, &field(&format!("tool_calls[{call}]")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Message::Assistant {
                content,
                tool_calls,
            })
        }
        "tool" => {
            // The id pairs a result with its call for OpenAI; Hermes-style prompts pair them
            // by order, so it is accepted and not needed.
            let _ = message.tool_call_id;
            Ok(Message::Tool {
                content: required(content)?,
            })
        }
        other => Err(ApiError::invalid(format!(
            "'{}' must be one of system, developer, user, assistant, tool; got '{other}'.",
            field("role")
        ))),
    }
}

/// A string, or an array of `{"type": "text", "text": …}` parts joined; null is `None`.
fn content_text(content: Option<Value>, field: &str) -> Result<Option<String>, ApiError> {
    let text = match content {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(text)) => text,
        Some(Value::Array(parts)) => {
            let mut text = String::new();
            for part in parts {
                match (
                    part.get("type").and_then(Value::as_str),
                    part.get("text").and_then(Value::as_str),
                ) {
                    (Some("text"), Some(piece)) => text.push_str(piece),
                    _ => {
                        return Err(ApiError::invalid(format!(
                            "'{field}' parts must be text parts; this model reads text only."
                        )));
                    }
                }
            }
            text
        }
        Some(_) => {
            return Err(ApiError::invalid(format!(
                "'{field}' must be a string or an array of text parts."
            )));
        }
    };
    no_nul(&text, field)?;
    Ok(Some(text))
}

fn tool_call_from_wire(wire: WireToolCall, field: &str) -> Result<FunctionCall, ApiError> {
    if wire.kind.as_deref().is_some_and(|kind| kind != "function") {
        return Err(ApiError::invalid(format!(
            "'{field}.type' must be 'function'."
        )));
    }
    let arguments = match wire.function.arguments {
        None | Some(Value::Null) => "{}".to_string(),
        Some(Value::String(arguments)) => arguments,
        Some(other) => other.to_string(),
    };
    no_nul(&wire.function.name, field)?;
    no_nul(&arguments, field)?;
    Ok(FunctionCall {
        name: wire.function.name,
        arguments,
    })
}

fn tools_from_wire(wire: Vec<WireTool>) -> Result<Vec<ToolSpec>, ApiError> {
    let mut tools: Vec<ToolSpec> = Vec::with_capacity(wire.len());
    for (index, tool) in wire.into_iter().enumerate() {
        let field = format!("tools[{index}]");
        if tool.kind != "function" {
            return Err(ApiError::invalid(format!(
                "'{field}.type' must be 'function'."
            )));
        }
        let name = tool.function.name;
        let valid_name = !name.is_empty()
            && name.len() <= MAX_TOOL_NAME
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid_name {
            return Err(ApiError::invalid(format!(
                "'{field}.function.name' must be 1 to {MAX_TOOL_NAME} letters, digits, '_' or '-'."
            )));
        }
        if tools.iter().any(|known| known.name == name) {
            return Err(ApiError::invalid(format!(
                "'{field}.function.name' repeats '{name}'."
            )));
        }
        if tool
            .function
            .parameters
            .as_ref()
            .is_some_and(|schema| !schema.is_object())
        {
            return Err(ApiError::invalid(format!(
                "'{field}.function.parameters' must be a JSON schema object."
            )));
        }
        if let Some(description) = &tool.function.description {
            no_nul(description, &field)?;
        }
        tools.push(ToolSpec {
            name,
            description: tool.function.description,
            parameters: tool.function.parameters,
        });
    }
    Ok(tools)
}

/// `"none"` hides the tools from the model. `"auto"`, `"required"` and a named function all
/// offer them: a small model cannot be forced, so the latter two are best effort.
fn apply_tool_choice(
    choice: Option<&Value>,
    tools: Vec<ToolSpec>,
) -> Result<Vec<ToolSpec>, ApiError> {
    match choice {
        None | Some(Value::Null) => Ok(tools),
        Some(Value::String(choice)) => match choice.as_str() {
            "none" => Ok(Vec::new()),
            "auto" => Ok(tools),
            "required" if !tools.is_empty() => Ok(tools),
            "required" => Err(ApiError::invalid(
                "'tool_choice' is 'required' but no tools were given.",
            )),
            other => Err(ApiError::invalid(format!(
                "'tool_choice' must be 'none', 'auto', 'required' or a function; got '{other}'."
            ))),
        },
        Some(object @ Value::Object(_)) => {
            let name = object.pointer("/function/name").and_then(Value::as_str);
            match name {
                Some(name) if tools.iter().any(|tool| tool.name == name) => Ok(tools),
                Some(name) => Err(ApiError::invalid(format!(
                    "'tool_choice' names '{name}', which is not in 'tools'."
                ))),
                None => Err(ApiError::invalid(
                    "'tool_choice' must name a function: {\"type\": \"function\", \"function\": {\"name\": …}}.",
                )),
            }
        }
        Some(_) => Err(ApiError::invalid(
            "'tool_choice' must be a string or an object.",
        )),
    }
}

fn stop_sequences(stop: Option<Value>) -> Result<Vec<String>, ApiError> {
    let stops = match stop {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(stop)) => vec![stop],
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                Value::String(stop) => Ok(stop),
                _ => Err(ApiError::invalid(
                    "'stop' must be a string or an array of strings.",
                )),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(ApiError::invalid(
                "'stop' must be a string or an array of strings.",
            ));
        }
    };
    if stops.len() > MAX_STOP_SEQUENCES {
        return Err(ApiError::invalid(format!(
            "'stop' may hold at most {MAX_STOP_SEQUENCES} sequences."
        )));
    }
    if stops.iter().any(String::is_empty) {
        return Err(ApiError::invalid("'stop' sequences must not be empty."));
    }
    Ok(stops)
}

/// llama.cpp takes C strings, so a NUL byte would silently cut the text.
fn no_nul(text: &str, field: &str) -> Result<(), ApiError> {
    if text.contains('\0') {
        return Err(ApiError::invalid(format!(
            "'{field}' must not contain NUL characters."
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse_json(value: Value) -> Result<ChatJob, ApiError> {
        parse(value.to_string().as_bytes(), 7)
    }

    /// The fuzz target's seeds and regressions (topics/fuzz, `llm_request`), on stable: the
    /// valid ones parse, the others are refused with a 400, none panics.
    #[test]
    fn the_fuzz_corpus_parses_or_is_refused_with_a_400() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../topics/fuzz/corpus/llm_request");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let body = std::fs::read(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            match parse(&body, 7) {
                Ok(job) => assert!(!name.starts_with("bad-"), "{name} parsed: {job:?}"),
                Err(error) => {
                    assert_eq!(error.status, http::StatusCode::BAD_REQUEST, "{name}");
                    assert!(
                        name.starts_with("bad-")
                            || name.starts_with("truncated")
                            || name.starts_with("regression-"),
                        "{name} refused: {error:?}"
                    );
                }
            }
            seen += 1;
        }
        assert!(seen >= 7, "{seen} files in {}", dir.display());
    }

    fn error_of(value: Value) -> String {
        let error = parse_json(value).unwrap_err();
        assert_eq!(error.status, axum::http::StatusCode::BAD_REQUEST);
        error.message
    }

    fn user(text: &str) -> Value {
        json!([{"role": "user", "content": text}])
    }

    fn emotion_tool() -> Value {
        json!({"type": "function", "function": {"name": "show_emotion", "parameters": {"type": "object"}}})
    }

    #[test]
    fn minimal_request_gets_defaults() {
        let job = parse_json(json!({"messages": user("Hi")})).unwrap();
        assert_eq!(job.messages, vec![Message::User("Hi".into())]);
        assert!(job.tools.is_empty());
        assert!(!job.stream);
        assert_eq!(job.max_tokens, None);
        assert_eq!(
            job.sampling,
            Sampling {
                temperature: DEFAULT_TEMPERATURE,
                top_p: DEFAULT_TOP_P,
                seed: 7
            }
        );
        assert!(job.stop.is_empty());
    }

    #[test]
    fn full_request_is_read() {
        let job = parse_json(json!({
            "model": "anything",
            "messages": [
                {"role": "system", "content": "Be a robot."},
                {"role": "user", "content": [{"type": "text", "text": "Look "}, {"type": "text", "text": "happy"}]},
                {"role": "assistant", "content": null, "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "show_emotion", "arguments": "{\"emotion\":\"happy\"}"}}
                ]},
                {"role": "tool", "tool_call_id": "call_1", "content": "ok"}
            ],
            "tools": [emotion_tool()],
            "tool_choice": "auto",
            "stream": true,
            "max_tokens": 100,
            "max_completion_tokens": 50,
            "temperature": 0,
            "top_p": 0.5,
            "seed": 42,
            "stop": ["\n\n"],
            "user": "ignored",
        }))
        .unwrap();
        assert_eq!(job.messages.len(), 4);
        assert_eq!(job.messages[1], Message::User("Look happy".into()));
        assert_eq!(
            job.messages[2],
            Message::Assistant {
                content: None,
                tool_calls: vec![FunctionCall {
                    name: "show_emotion".into(),
                    arguments: r#"{"emotion":"happy"}"#.into()
                }],
            }
        );
        assert_eq!(
            job.messages[3],
            Message::Tool {
                content: "ok".into()
            }
        );
        assert_eq!(job.tools.len(), 1);
        assert!(job.stream);
        assert_eq!(job.max_tokens, Some(50), "max_completion_tokens wins");
        assert_eq!(
            job.sampling,
            Sampling {
                temperature: 0.0,
                top_p: 0.5,
                seed: 42
            }
        );
        assert_eq!(job.stop, vec!["\n\n".to_string()]);
    }

    #[test]
    fn tool_choice_none_hides_the_tools() {
        let job = parse_json(
            json!({"messages": user("Hi"), "tools": [emotion_tool()], "tool_choice": "none"}),
        )
        .unwrap();
        assert!(job.tools.is_empty());
        let job = parse_json(json!({
            "messages": user("Hi"), "tools": [emotion_tool()],
            "tool_choice": {"type": "function", "function": {"name": "show_emotion"}}
        }))
        .unwrap();
        assert_eq!(job.tools.len(), 1);
    }

    #[test]
    fn malformed_json_is_invalid_json() {
        for body in ["", "{", "not json", "[1, 2]", r#"{"messages": "hi"}"#] {
            let error = parse(body.as_bytes(), 0).unwrap_err();
            assert_eq!(error.code, "invalid_json", "{body}");
            assert_eq!(error.status, axum::http::StatusCode::BAD_REQUEST);
        }
    }

    #[test]
    fn invalid_requests_say_what_is_wrong() {
        let cases = [
            (json!({"messages": []}), "at least one message"),
            (
                json!({"messages": [{"role": "wizard", "content": "x"}]}),
                "messages[0].role",
            ),
            (
                json!({"messages": [{"role": "user"}]}),
                "messages[0].content",
            ),
            (
                json!({"messages": [{"role": "user", "content": 5}]}),
                "messages[0].content",
            ),
            (
                json!({"messages": [{"role": "user", "content": [{"type": "image_url"}]}]}),
                "text parts",
            ),
            (json!({"messages": user("a\u{0}b")}), "NUL"),
            (
                json!({"messages": user("Hi"), "temperature": 3}),
                "temperature",
            ),
            (json!({"messages": user("Hi"), "top_p": 0}), "top_p"),
            (
                json!({"messages": user("Hi"), "max_tokens": 0}),
                "max_tokens",
            ),
            (json!({"messages": user("Hi"), "n": 2}), "n=1"),
            (json!({"messages": user("Hi"), "stop": [1]}), "stop"),
            (json!({"messages": user("Hi"), "stop": [""]}), "stop"),
            (
                json!({"messages": user("Hi"), "tools": [{"type": "retrieval", "function": {"name": "x"}}]}),
                "tools[0].type",
            ),
            (
                json!({"messages": user("Hi"), "tools": [{"type": "function", "function": {"name": "bad name"}}]}),
                "tools[0].function.name",
            ),
            (
                json!({"messages": user("Hi"), "tools": [emotion_tool(), emotion_tool()]}),
                "repeats",
            ),
            (
                json!({"messages": user("Hi"), "tools": [{"type": "function", "function": {"name": "f", "parameters": "x"}}]}),
                "parameters",
            ),
            (
                json!({"messages": user("Hi"), "tool_choice": "sometimes"}),
                "tool_choice",
            ),
            (
                json!({"messages": user("Hi"), "tool_choice": "required"}),
                "no tools",
            ),
            (
                json!({"messages": user("Hi"), "tools": [emotion_tool()], "tool_choice": {"type": "function", "function": {"name": "other"}}}),
                "other",
            ),
        ];
        for (body, expected) in cases {
            let message = error_of(body.clone());
            assert!(
                message.contains(expected),
                "{body}: {message:?} should mention {expected:?}"
            );
        }
    }
}
