//! [`Limits`]: the largest payloads [`Topics::parse`](crate::Topics::parse) accepts.
//!
//! Checked before any decoding, so a hostile or buggy publisher cannot make the bridge
//! allocate or parse more than these bounds.

use serde::{Deserialize, Serialize};

/// Maximum payload sizes, in bytes. Oversized input is rejected with
/// [`ParseError::TooLarge`](crate::ParseError::TooLarge).
///
/// Deserializable so the bridge can expose it in its config; missing fields take defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Any JSON or plain-text payload (default 64 KiB).
    pub max_json: usize,
    /// One audio chunk including its 8-byte header (default 16 KiB, about 0.5 s of audio;
    /// chunks should be 20–100 ms, i.e. 640–3200 bytes).
    pub max_audio_chunk: usize,
    /// One TTS audio message including its 16-byte header (default 4 MiB, about two minutes
    /// of 16 kHz speech; the bridge sends one message per sentence).
    pub max_tts_audio: usize,
    /// The text of a `say`, `ask` or `text` message (default 4 KiB), after the payload check.
    pub max_text: usize,
}

impl Limits {
    /// Default for [`max_json`](Self::max_json): 64 KiB.
    pub const DEFAULT_MAX_JSON: usize = 64 * 1024;
    /// Default for [`max_audio_chunk`](Self::max_audio_chunk): 16 KiB.
    pub const DEFAULT_MAX_AUDIO_CHUNK: usize = 16 * 1024;
    /// Default for [`max_tts_audio`](Self::max_tts_audio): 4 MiB.
    pub const DEFAULT_MAX_TTS_AUDIO: usize = 4 * 1024 * 1024;
    /// Default for [`max_text`](Self::max_text): 4 KiB.
    pub const DEFAULT_MAX_TEXT: usize = 4 * 1024;
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_json: Self::DEFAULT_MAX_JSON,
            max_audio_chunk: Self::DEFAULT_MAX_AUDIO_CHUNK,
            max_tts_audio: Self::DEFAULT_MAX_TTS_AUDIO,
            max_text: Self::DEFAULT_MAX_TEXT,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_protocol_document() {
        let limits = Limits::default();
        assert_eq!(limits.max_json, 65_536);
        assert_eq!(limits.max_audio_chunk, 16_384);
        assert_eq!(limits.max_tts_audio, 4_194_304);
        assert_eq!(limits.max_text, 4_096);
    }

    #[test]
    fn config_may_override_some_limits_and_typos_are_rejected() {
        let limits: Limits = serde_json::from_str(r#"{"max_text":100}"#).unwrap();
        assert_eq!(
            limits,
            Limits {
                max_text: 100,
                ..Limits::default()
            }
        );
        assert!(serde_json::from_str::<Limits>(r#"{"max_txt":100}"#).is_err());
    }
}
