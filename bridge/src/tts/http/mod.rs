//! The remote HTTP engine.

mod config;
mod engine;

pub use config::{HttpConfig, HttpRequest};
pub use engine::HttpTts;
