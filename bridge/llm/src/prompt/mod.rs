//! Chat messages and tools, flattened into the plain (role, content) messages a chat template
//! renders.

mod message;
mod pyjson;
mod render;

pub(crate) use message::{Message, ToolSpec};
pub(crate) use render::{PromptMessage, flatten};
