//! Flattens a conversation with tools into (role, content) messages for the model's chat
//! template.
//!
//! llama.cpp's built-in template engine knows roles and content, not tools. So the tool
//! parts are rendered here the way Qwen2.5's own Jinja template renders them (the Hermes
//! convention, which most tool-tuned GGUF models follow):
//! - the tools go into the system message inside `<tools>…</tools>`, one JSON object per line,
//!   with the instruction to answer `<tool_call>{"name": …, "arguments": …}</tool_call>`;
//! - an assistant message's tool calls become such blocks after its content;
//! - consecutive tool results become one user message of `<tool_response>` blocks.
//!
//! Wrapped in ChatML (`<|im_start|>role\ncontent<|im_end|>`), the result is byte for byte what
//! Qwen2.5's template produces.

use serde_json::Value;

use super::message::{Message, ToolSpec};
use super::pyjson;
use crate::tools::FunctionCall;

/// The system prompt used when tools are given without one (Qwen's template has its own
/// default naming Qwen; a neutral one suits any model).
const DEFAULT_SYSTEM: &str = "You are a helpful assistant.";

const TOOLS_HEADER: &str = "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>";
const TOOLS_FOOTER: &str = "\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>";

/// A message as the chat template sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PromptMessage {
    pub(crate) role: &'static str,
    pub(crate) content: String,
}

impl PromptMessage {
    fn new(role: &'static str, content: impl Into<String>) -> Self {
        PromptMessage {
            role,
            content: content.into(),
        }
    }
}

/// See the module docs. With no tools, the messages pass through with tool calls and tool
/// results still wrapped, so that a conversation keeps its history even when a turn
/// disables tools.
pub(crate) fn flatten(messages: &[Message], tools: &[ToolSpec]) -> Vec<PromptMessage> {
    let mut out = Vec::with_capacity(messages.len() + 1);
    let mut rest = messages;
    if !tools.is_empty() {
        let system = match messages.first() {
            Some(Message::System(text)) => {
                rest = &messages[1..];
                text.as_str()
            }
            _ => DEFAULT_SYSTEM,
        };
        out.push(PromptMessage::new(
            "system",
            system_with_tools(system, tools),
        ));
    }
    for message in rest {
        match message {
            Message::System(text) => out.push(PromptMessage::new("system", text.as_str())),
            Message::User(text) => out.push(PromptMessage::new("user", text.as_str())),
            Message::Assistant {
                content,
                tool_calls,
            } => {
                out.push(PromptMessage::new(
                    "assistant",
                    assistant(content.as_deref(), tool_calls),
                ));
            }
            Message::Tool { content } => {
                let block = format!("<tool_response>\n{content}\n</tool_response>");
                match out.last_mut() {
                    // Consecutive results share one user turn, as in Qwen's template.
                    Some(last)
                        if last.role == "user" && last.content.ends_with("</tool_response>") =>
                    {
                        last.content.push('\n');
                        last.content.push_str(&block);
                    }
                    _ => out.push(PromptMessage::new("user", block)),
                }
            }
        }
    }
    out
}

fn system_with_tools(system: &str, tools: &[ToolSpec]) -> String {
    let mut text = String::from(system);
    text.push_str(TOOLS_HEADER);
    for tool in tools {
        text.push('\n');
        text.push_str(&pyjson::to_string(&tool.to_json()));
    }
    text.push_str(TOOLS_FOOTER);
    text
}

fn assistant(content: Option<&str>, tool_calls: &[FunctionCall]) -> String {
    let mut text = content.unwrap_or_default().to_string();
    for call in tool_calls {
        if !text.is_empty() {
            text.push('\n');
        }
        // Arguments arrive as a JSON string; print the object itself when it parses, as
        // the template's `tojson` of a parsed object would.
        let arguments = match serde_json::from_str::<Value>(&call.arguments) {
            Ok(value) => pyjson::to_string(&value),
            Err(_) => pyjson::to_string(&Value::String(call.arguments.clone())),
        };
        text.push_str("<tool_call>\n{\"name\": ");
        text.push_str(&pyjson::to_string(&Value::String(call.name.clone())));
        text.push_str(", \"arguments\": ");
        text.push_str(&arguments);
        text.push_str("}\n</tool_call>");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn emotion_tool() -> ToolSpec {
        ToolSpec {
            name: "show_emotion".into(),
            description: Some("Show a feeling.".into()),
            parameters: Some(
                json!({"type": "object", "properties": {"emotion": {"type": "string"}}}),
            ),
        }
    }

    fn chatml(messages: &[PromptMessage]) -> String {
        messages
            .iter()
            .map(|m| format!("<|im_start|>{}\n{}<|im_end|>\n", m.role, m.content))
            .collect()
    }

    #[test]
    fn without_tools_messages_pass_through() {
        let messages = [
            Message::System("Be brief.".into()),
            Message::User("Hi".into()),
        ];
        assert_eq!(
            flatten(&messages, &[]),
            vec![
                PromptMessage::new("system", "Be brief."),
                PromptMessage::new("user", "Hi")
            ]
        );
    }

    #[test]
    fn tools_go_into_the_system_prompt_like_qwens_template() {
        let messages = [
            Message::System("You are a robot.".into()),
            Message::User("Look happy!".into()),
        ];
        let flat = flatten(&messages, &[emotion_tool()]);
        let expected_system = concat!(
            "You are a robot.\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n",
            "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n",
            r#"{"function": {"description": "Show a feeling.", "name": "show_emotion", "parameters": {"properties": {"emotion": {"type": "string"}}, "type": "object"}}, "type": "function"}"#,
            "\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n",
            "<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>"
        );
        assert_eq!(
            flat,
            vec![
                PromptMessage::new("system", expected_system),
                PromptMessage::new("user", "Look happy!")
            ]
        );
    }

    #[test]
    fn tools_without_a_system_message_get_a_default_one() {
        let flat = flatten(&[Message::User("Hi".into())], &[emotion_tool()]);
        assert_eq!(flat.len(), 2);
        assert!(flat[0].content.starts_with(DEFAULT_SYSTEM));
    }

    #[test]
    fn tool_calls_and_results_render_like_qwens_template() {
        let messages = [
            Message::User("Look happy and sad".into()),
            Message::Assistant {
                content: None,
                tool_calls: vec![
                    FunctionCall {
                        name: "show_emotion".into(),
                        arguments: r#"{"emotion":"happy"}"#.into(),
                    },
                    FunctionCall {
                        name: "show_emotion".into(),
                        arguments: "not json".into(),
                    },
                ],
            },
            Message::Tool {
                content: "ok".into(),
            },
            Message::Tool {
                content: "failed".into(),
            },
            Message::Assistant {
                content: Some("Done.".into()),
                tool_calls: vec![],
            },
        ];
        let expected = concat!(
            "<|im_start|>user\nLook happy and sad<|im_end|>\n",
            "<|im_start|>assistant\n<tool_call>\n{\"name\": \"show_emotion\", \"arguments\": {\"emotion\": \"happy\"}}\n</tool_call>\n",
            "<tool_call>\n{\"name\": \"show_emotion\", \"arguments\": \"not json\"}\n</tool_call><|im_end|>\n",
            "<|im_start|>user\n<tool_response>\nok\n</tool_response>\n<tool_response>\nfailed\n</tool_response><|im_end|>\n",
            "<|im_start|>assistant\nDone.<|im_end|>\n",
        );
        assert_eq!(chatml(&flatten(&messages, &[])), expected);
    }
}
