//! An OpenAI-compatible server's settings.

use serde::Deserialize;

/// An OpenAI-compatible server.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenAiConfig {
    /// The API base, up to and including `/v1`.
    pub url: String,
    /// The model name the server knows.
    pub model: String,
    /// A bearer token, if the server wants one.
    #[serde(default)]
    pub api_key: Option<String>,
    /// How long to wait for the first byte of an answer.
    #[serde(default = "default_first_byte_timeout_ms")]
    pub first_byte_timeout_ms: u64,
    /// How long the stream may stall between two pieces before Hive gives up on it.
    #[serde(default = "default_idle_timeout_ms")]
    pub idle_timeout_ms: u64,
    /// The most tokens an answer may have.
    #[serde(default = "default_max_tokens")]
    pub max_tokens: u32,
    /// Sampling temperature.
    #[serde(default)]
    pub temperature: Option<f32>,
    /// How long a failover chain passes this server over after it fails; each further
    /// failure doubles it, up to five minutes (or this, if longer).
    #[serde(default = "default_retry_after_ms")]
    pub retry_after_ms: u64,
}

fn default_first_byte_timeout_ms() -> u64 {
    20_000
}

fn default_idle_timeout_ms() -> u64 {
    10_000
}

fn default_max_tokens() -> u32 {
    256
}

fn default_retry_after_ms() -> u64 {
    5_000
}

impl OpenAiConfig {
    /// A configuration with the defaults.
    pub fn new(url: impl Into<String>, model: impl Into<String>) -> Self {
        OpenAiConfig {
            url: url.into(),
            model: model.into(),
            api_key: None,
            first_byte_timeout_ms: default_first_byte_timeout_ms(),
            idle_timeout_ms: default_idle_timeout_ms(),
            max_tokens: default_max_tokens(),
            temperature: None,
            retry_after_ms: default_retry_after_ms(),
        }
    }
}
