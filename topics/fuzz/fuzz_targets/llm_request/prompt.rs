//! hive-llm's `prompt` module: only the validated conversation.
#[path = "../../../../bridge/llm/src/prompt/message.rs"]
mod message;
pub(crate) use message::{Message, ToolSpec};
