//! Tool calls in generated text: the model answers `<tool_call>{"name":…,"arguments":{…}}</tool_call>`
//! (Hermes/Qwen style); these split such text into content and calls, whole or token by token.

mod call;
mod splitter;

pub(crate) use call::FunctionCall;
pub(crate) use splitter::{Segment, ToolCallSplitter, split_all};
