//! Small decoding and encoding helpers shared by the message families: JSON with typed
//! errors, UTF-8, "plain text or JSON" payloads, and the common field checks.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::ParseError;

/// Decodes a JSON payload; unknown fields are ignored by serde's default.
pub(crate) fn decode_json<T: DeserializeOwned>(
    kind: &'static str,
    payload: &[u8],
) -> Result<T, ParseError> {
    serde_json::from_slice(payload).map_err(|error| ParseError::Json {
        kind,
        message: error.to_string(),
    })
}

/// Encodes one of this crate's types as JSON.
pub(crate) fn encode_json<T: Serialize>(value: &T) -> Vec<u8> {
    // serde_json fails only on non-string map keys or on an internally tagged enum with a
    // non-struct variant; every type in this crate avoids both (non-finite floats become
    // `null` rather than an error), so this cannot fire. The round-trip tests cover every type.
    serde_json::to_vec(value).expect("protocol types always serialize to JSON")
}

/// The payload as UTF-8 text.
pub(crate) fn utf8<'a>(kind: &'static str, payload: &'a [u8]) -> Result<&'a str, ParseError> {
    std::str::from_utf8(payload).map_err(|_| ParseError::BadUtf8 { kind })
}

/// Decodes a payload that is either a JSON object (first non-blank character `{`) or plain
/// text, which `plain` turns into the message with only its text set. Plain text is trimmed.
pub(crate) fn text_or_json<T: DeserializeOwned>(
    kind: &'static str,
    payload: &[u8],
    plain: impl FnOnce(String) -> T,
) -> Result<T, ParseError> {
    let text = utf8(kind, payload)?.trim();
    if text.starts_with('{') {
        decode_json(kind, text.as_bytes())
    } else {
        Ok(plain(text.to_owned()))
    }
}

/// An [`ParseError::InvalidField`].
pub(crate) fn invalid(
    kind: &'static str,
    field: &'static str,
    reason: impl Into<String>,
) -> ParseError {
    ParseError::InvalidField {
        kind,
        field,
        reason: reason.into(),
    }
}

/// Session ids are non-zero: 0 is how a careless publisher spells "none".
pub(crate) fn check_session(kind: &'static str, session: u32) -> Result<(), ParseError> {
    if session == 0 {
        Err(invalid(kind, "session", "must be non-zero"))
    } else {
        Ok(())
    }
}

/// [`check_session`] for an optional session.
pub(crate) fn check_optional_session(
    kind: &'static str,
    session: Option<u32>,
) -> Result<(), ParseError> {
    session.map_or(Ok(()), |session| check_session(kind, session))
}

/// A user-facing text: non-empty after trimming and at most `max` bytes.
pub(crate) fn check_text(kind: &'static str, text: &str, max: usize) -> Result<(), ParseError> {
    if text.trim().is_empty() {
        return Err(invalid(kind, "text", "must not be empty"));
    }
    if text.len() > max {
        return Err(ParseError::TooLarge {
            kind,
            size: text.len(),
            max,
        });
    }
    Ok(())
}

/// A required string that must not be blank (ids, names, codes).
pub(crate) fn check_non_empty(
    kind: &'static str,
    field: &'static str,
    value: &str,
) -> Result<(), ParseError> {
    if value.trim().is_empty() {
        Err(invalid(kind, field, "must not be empty"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_trimmed_and_json_is_recognised_after_leading_blanks() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct T {
            text: String,
        }
        let plain = |text| T { text };
        assert_eq!(
            text_or_json("say", b"  hello\n", plain).unwrap(),
            T {
                text: "hello".into()
            }
        );
        assert_eq!(
            text_or_json("say", b" {\"text\":\"hi\"}", plain).unwrap(),
            T { text: "hi".into() }
        );
        assert_eq!(
            text_or_json("say", b"{\"text\":", plain)
                .unwrap_err()
                .code(),
            "malformed_json"
        );
        assert_eq!(
            text_or_json("say", b"\xff", plain).unwrap_err().code(),
            "bad_utf8"
        );
    }

    #[test]
    fn text_checks_cover_blank_and_long_text() {
        assert!(check_text("say", "hi", 2).is_ok());
        assert_eq!(
            check_text("say", " \n", 10).unwrap_err().code(),
            "invalid_field"
        );
        assert_eq!(
            check_text("say", "hello", 4).unwrap_err(),
            ParseError::TooLarge {
                kind: "say",
                size: 5,
                max: 4
            }
        );
    }
}
