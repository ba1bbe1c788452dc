//! hive-llm's `api` module, as far as parsing a request goes.
#[path = "../../../../bridge/llm/src/api/error.rs"]
pub(crate) mod error;
#[path = "../../../../bridge/llm/src/api/request.rs"]
pub(crate) mod request;
#[path = "../../../../bridge/llm/src/api/validate.rs"]
pub(crate) mod validate;
