//! The `[limits]` section of `bridge.toml`.

use serde::Deserialize;

/// The `[limits]` section. The audio of one turn is bounded by `[session] max_audio_s`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// Largest payloads per kind of topic (`[limits.payload]`); larger ones are refused
    /// before they are decoded, and a satellite that sent one is told so.
    #[serde(default)]
    pub payload: hive_topics::Limits,
    /// Turns one satellite may start in any 60 seconds; more are refused with an error
    /// reply (`rate_limited`).
    #[serde(default = "default_turns_per_minute")]
    pub turns_per_minute: u32,
    /// Turns in progress at once across all satellites and `ask` requests; one more is
    /// refused with an error reply (`too_many_sessions`).
    #[serde(default = "default_max_sessions")]
    pub max_sessions: usize,
}

/// A person talks to a satellite a few times a minute; 20 leaves room for quick follow-ups
/// and stops a stuck or hostile satellite from queueing work faster than it can be done.
fn default_turns_per_minute() -> u32 {
    20
}

/// Each turn may hold a Whisper run and an LLM generation: on a small machine a handful
/// at once is already slow, and more only make every turn late.
fn default_max_sessions() -> usize {
    8
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            payload: hive_topics::Limits::default(),
            turns_per_minute: default_turns_per_minute(),
            max_sessions: default_max_sessions(),
        }
    }
}

impl LimitsConfig {
    /// Checks the values before anything connects.
    ///
    /// # Errors
    /// A readable message naming the option.
    pub fn validate(&self) -> Result<(), String> {
        if self.turns_per_minute == 0 {
            return Err("limits.turns_per_minute must be at least 1".into());
        }
        if self.max_sessions == 0 {
            return Err("limits.max_sessions must be at least 1".into());
        }
        let payload = &self.payload;
        // Below these sizes not even a valid message fits: an 8-byte audio header with one
        // sample, a TTS header, a `{"session":1,…}` object.
        for (name, value, least) in [
            ("limits.payload.max_json", payload.max_json, 256),
            (
                "limits.payload.max_audio_chunk",
                payload.max_audio_chunk,
                10,
            ),
            ("limits.payload.max_tts_audio", payload.max_tts_audio, 16),
            ("limits.payload.max_text", payload.max_text, 1),
        ] {
            if value < least {
                return Err(format!("{name} must be at least {least} bytes"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_partial_sections_keep_the_rest() {
        assert_eq!(LimitsConfig::default().validate(), Ok(()));
        let config: LimitsConfig =
            toml::from_str("turns_per_minute = 3\n[payload]\nmax_text = 100\n").unwrap();
        assert_eq!(config.turns_per_minute, 3);
        assert_eq!(config.max_sessions, 8);
        assert_eq!(config.payload.max_text, 100);
        assert_eq!(config.payload.max_json, 65_536);
    }

    #[test]
    fn zero_and_tiny_limits_are_refused_by_name() {
        let zero = LimitsConfig {
            max_sessions: 0,
            ..LimitsConfig::default()
        };
        assert!(zero.validate().unwrap_err().contains("max_sessions"));
        let tiny: LimitsConfig = toml::from_str("[payload]\nmax_json = 10\n").unwrap();
        assert!(tiny.validate().unwrap_err().contains("max_json"));
        assert!(toml::from_str::<LimitsConfig>("turns_per_hour = 3").is_err());
    }
}
