//! hive-llm's `tools` module: only a function call.
#[path = "../../../../bridge/llm/src/tools/call.rs"]
mod call;
pub(crate) use call::FunctionCall;
