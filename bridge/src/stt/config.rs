//! Which speech-to-text engine the configuration picks.

use serde::Deserialize;

use super::whisper::WhisperConfig;

/// The `[stt]` section: a `type` tag picks the engine.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum SttConfig {
    /// whisper.cpp through whisper-rs.
    Whisper(WhisperConfig),
}

impl SttConfig {
    /// How many utterances the engine transcribes at once.
    pub fn parallel(&self) -> usize {
        match self {
            SttConfig::Whisper(whisper) => whisper.parallel,
        }
    }
}
