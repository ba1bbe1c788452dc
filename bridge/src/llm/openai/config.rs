//! An OpenAI-compatible server's settings.

use serde::Deserialize;

/// An OpenAI-compatible server.
#[derive(Clone, PartialEq, Deserialize)]
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

/// By hand, so that the api_key never reaches a log line or an error message.
impl std::fmt::Debug for OpenAiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiConfig")
            .field("url", &self.url)
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("first_byte_timeout_ms", &self.first_byte_timeout_ms)
            .field("idle_timeout_ms", &self.idle_timeout_ms)
            .field("max_tokens", &self.max_tokens)
            .field("temperature", &self.temperature)
            .field("retry_after_ms", &self.retry_after_ms)
            .finish()
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_api_key() {
        let mut config = OpenAiConfig::new("http://127.0.0.1:8080/v1", "m");
        config.api_key = Some("sk-debug-canary".into());
        let shown = format!("{config:?} {config:#?}");
        assert!(!shown.contains("sk-debug-canary"), "{shown}");
        assert!(
            shown.contains("<redacted>") && shown.contains("127.0.0.1:8080"),
            "{shown}"
        );
    }
}
