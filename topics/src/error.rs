//! The two error types: [`TopicError`] for names this side builds, [`ParseError`] for what
//! arrives from the broker. Each has a stable [`code`](ParseError::code) so the bridge can
//! count errors by kind and show a user a code instead of internal text.

/// A prefix, satellite id or topic name that does not follow the protocol's rules.
///
/// Returned by the constructors of [`Topics`](crate::Topics),
/// [`SatelliteId`](crate::SatelliteId), [`SensorName`](crate::SensorName) and
/// [`IntentName`](crate::IntentName), i.e. when *this* side builds a name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TopicError {
    /// The topic prefix is empty, holds a wildcard or NUL, or has an empty level.
    #[error("invalid topic prefix {prefix:?}: {reason}")]
    BadPrefix {
        /// The prefix as given.
        prefix: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// A satellite id outside `[a-z0-9][a-z0-9_-]{0,63}`.
    #[error("invalid satellite id {id:?}: {reason}")]
    BadSatelliteId {
        /// The id as given.
        id: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// A sensor or intent name that breaks its naming rule.
    #[error("invalid {what} {name:?}: {reason}")]
    BadName {
        /// `"sensor name"` or `"intent name"`.
        what: &'static str,
        /// The name as given.
        name: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
}

impl TopicError {
    /// Stable machine-readable code: `bad_prefix`, `bad_satellite_id` or `bad_name`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadPrefix { .. } => "bad_prefix",
            Self::BadSatelliteId { .. } => "bad_satellite_id",
            Self::BadName { .. } => "bad_name",
        }
    }
}

/// Why a received (topic, payload) pair is not a valid protocol v1 message.
///
/// Every variant that concerns a payload names the message `kind` (the same string as
/// [`Inbound::kind`](crate::Inbound::kind)), so logs and metrics can say *what* was broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The topic is not under the prefix or names no message of the protocol.
    #[error("unknown topic {topic:?}")]
    UnknownTopic {
        /// The topic as received.
        topic: String,
    },
    /// The topic has the shape of a satellite topic but its id level is invalid.
    #[error("invalid satellite id {id:?} in topic: {reason}")]
    BadSatelliteId {
        /// The id level as received.
        id: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// A sensor or intent name level in the topic is invalid.
    #[error("invalid {what} {name:?} in topic: {reason}")]
    BadName {
        /// `"sensor name"` or `"intent name"`.
        what: &'static str,
        /// The level as received.
        name: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// The payload, or a text field inside it, is larger than [`Limits`](crate::Limits) allow.
    #[error("{kind} too large: {size} bytes, at most {max} allowed")]
    TooLarge {
        /// Message kind.
        kind: &'static str,
        /// Size received, in bytes.
        size: usize,
        /// The limit, in bytes.
        max: usize,
    },
    /// The payload is not JSON, or not JSON of the expected shape (wrong type, missing field).
    #[error("malformed {kind} JSON: {message}")]
    Json {
        /// Message kind.
        kind: &'static str,
        /// serde_json's description, with line and column.
        message: String,
    },
    /// A binary payload (audio chunk, TTS audio) has a broken header or body.
    #[error("malformed {kind} binary payload: {reason}")]
    BadBinary {
        /// Message kind.
        kind: &'static str,
        /// What is wrong, e.g. `truncated header: 5 of 8 bytes`.
        reason: String,
    },
    /// A text or JSON payload is not valid UTF-8.
    #[error("{kind} payload is not valid UTF-8")]
    BadUtf8 {
        /// Message kind.
        kind: &'static str,
    },
    /// The payload is well formed but a value breaks a protocol rule (session 0, volume 1.5…).
    #[error("invalid {kind} field `{field}`: {reason}")]
    InvalidField {
        /// Message kind.
        kind: &'static str,
        /// Field path, e.g. `format.sample_rate` or `args.emotion`.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

impl ParseError {
    /// Stable machine-readable code, one per variant: `unknown_topic`, `bad_satellite_id`,
    /// `bad_name`, `payload_too_large`, `malformed_json`, `malformed_binary`, `bad_utf8`,
    /// `invalid_field`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownTopic { .. } => "unknown_topic",
            Self::BadSatelliteId { .. } => "bad_satellite_id",
            Self::BadName { .. } => "bad_name",
            Self::TooLarge { .. } => "payload_too_large",
            Self::Json { .. } => "malformed_json",
            Self::BadBinary { .. } => "malformed_binary",
            Self::BadUtf8 { .. } => "bad_utf8",
            Self::InvalidField { .. } => "invalid_field",
        }
    }

    /// The message kind the error concerns, when the topic was recognised.
    pub fn kind(&self) -> Option<&'static str> {
        match self {
            Self::UnknownTopic { .. } | Self::BadSatelliteId { .. } | Self::BadName { .. } => None,
            Self::TooLarge { kind, .. }
            | Self::Json { kind, .. }
            | Self::BadBinary { kind, .. }
            | Self::BadUtf8 { kind }
            | Self::InvalidField { kind, .. } => Some(kind),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parse_error_has_a_distinct_stable_code() {
        let errors = [
            (
                ParseError::UnknownTopic { topic: "x".into() },
                "unknown_topic",
            ),
            (
                ParseError::BadSatelliteId {
                    id: "X".into(),
                    reason: "r",
                },
                "bad_satellite_id",
            ),
            (
                ParseError::BadName {
                    what: "sensor name",
                    name: "X".into(),
                    reason: "r",
                },
                "bad_name",
            ),
            (
                ParseError::TooLarge {
                    kind: "wake",
                    size: 2,
                    max: 1,
                },
                "payload_too_large",
            ),
            (
                ParseError::Json {
                    kind: "wake",
                    message: "m".into(),
                },
                "malformed_json",
            ),
            (
                ParseError::BadBinary {
                    kind: "tts",
                    reason: "r".into(),
                },
                "malformed_binary",
            ),
            (ParseError::BadUtf8 { kind: "say" }, "bad_utf8"),
            (
                ParseError::InvalidField {
                    kind: "control",
                    field: "volume",
                    reason: "r".into(),
                },
                "invalid_field",
            ),
        ];
        let mut seen = std::collections::BTreeSet::new();
        for (error, code) in &errors {
            assert_eq!(error.code(), *code, "{error}");
            assert!(seen.insert(error.code()), "duplicate code {code}");
        }
    }

    #[test]
    fn payload_errors_name_their_kind_and_topic_errors_do_not() {
        assert_eq!(ParseError::UnknownTopic { topic: "x".into() }.kind(), None);
        assert_eq!(ParseError::BadUtf8 { kind: "say" }.kind(), Some("say"));
        assert_eq!(
            ParseError::TooLarge {
                kind: "audio_chunk",
                size: 20_000,
                max: 16_384
            }
            .to_string(),
            "audio_chunk too large: 20000 bytes, at most 16384 allowed"
        );
    }

    #[test]
    fn topic_error_codes_are_stable() {
        let cases = [
            (
                TopicError::BadPrefix {
                    prefix: "".into(),
                    reason: "r",
                },
                "bad_prefix",
            ),
            (
                TopicError::BadSatelliteId {
                    id: "".into(),
                    reason: "r",
                },
                "bad_satellite_id",
            ),
            (
                TopicError::BadName {
                    what: "intent name",
                    name: "".into(),
                    reason: "r",
                },
                "bad_name",
            ),
        ];
        for (error, code) in cases {
            assert_eq!(error.code(), code);
        }
    }
}
