//! Configuration of the remote HTTP engine.

use serde::{Deserialize, Serialize};

use crate::tts::error::TtsError;

/// The longest timeout accepted, in milliseconds.
const MAX_TIMEOUT_MS: u64 = 300_000;

/// How the text is sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HttpRequest {
    /// `{"text": "...", "language": "en"}` as `application/json` (Piper's HTTP server).
    #[default]
    Json,
    /// The text itself as `text/plain; charset=utf-8`.
    Text,
}

/// `type = "http"`: a server that answers a POST of text with a WAV file (`audio/wav`,
/// 16-bit PCM), e.g. Piper's HTTP server on another machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// Where to POST the text (`http://` or `https://`).
    pub url: String,
    /// How long a request may take, in milliseconds (default 10000).
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// The languages the server speaks.
    pub languages: Vec<String>,
    /// How the text is sent (default `json`).
    #[serde(default)]
    pub request: HttpRequest,
}

fn default_timeout_ms() -> u64 {
    10_000
}

impl HttpConfig {
    /// A valid configuration for a local server speaking English, for examples and tests.
    pub fn example() -> Self {
        HttpConfig {
            url: "http://127.0.0.1:5000/".into(),
            timeout_ms: default_timeout_ms(),
            languages: vec!["en".into()],
            request: HttpRequest::Json,
        }
    }

    /// Checks the values.
    ///
    /// # Errors
    ///
    /// [`TtsError::Config`] naming the field.
    pub fn validate(&self) -> Result<(), TtsError> {
        match reqwest::Url::parse(&self.url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => {}
            _ => {
                return Err(TtsError::Config {
                    field: "tts.url",
                    reason: format!("`{}` is not an http:// or https:// URL", self.url),
                });
            }
        }
        if !(1..=MAX_TIMEOUT_MS).contains(&self.timeout_ms) {
            return Err(TtsError::Config {
                field: "tts.timeout_ms",
                reason: format!(
                    "must be 1 to {MAX_TIMEOUT_MS} milliseconds (found {})",
                    self.timeout_ms
                ),
            });
        }
        if self.languages.is_empty() || self.languages.iter().any(|lang| lang.trim().is_empty()) {
            return Err(TtsError::Config {
                field: "tts.languages",
                reason: "list the languages the server speaks, e.g. [\"en\"]".into(),
            });
        }
        Ok(())
    }
}
