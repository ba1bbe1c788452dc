//! The HTTP surface: OpenAI-compatible routes over the engine.

mod chat;
mod error;
mod error_response;
mod request;
mod response;
mod routes;
mod sse;
mod stream;
mod validate;

pub(crate) use routes::{AppState, router};
