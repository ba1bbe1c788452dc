//! One remembered message.

use serde::{Deserialize, Serialize};

/// Who said it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    /// A person, through a satellite or `ask`.
    User,
    /// Hive.
    Assistant,
}

/// A message of the shared conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContextEntry {
    /// When, in milliseconds since the Unix epoch.
    pub at_ms: u64,
    /// Who spoke.
    pub speaker: Speaker,
    /// What was said.
    pub text: String,
    /// The satellite it was said at, if any.
    #[serde(default)]
    pub satellite: Option<String>,
    /// The intent it was recognised as, if any.
    #[serde(default)]
    pub intent: Option<String>,
    /// Its language.
    #[serde(default)]
    pub lang: Option<String>,
}
