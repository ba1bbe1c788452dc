//! The body of `POST /api/ask`, read and checked: JSON like `{"text": "what time is it"}`,
//! optionally naming a satellite that should also speak the answer and a language.
//!
//! Pure: the `ask_body` fuzz target compiles this file in
//! (`topics/fuzz/fuzz_targets/ask_body.rs`), so the code fuzzed is the code shipped.

use hive_topics::{Limits, SatelliteId};
use serde::Deserialize;

/// The body as sent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AskBody {
    text: String,
    #[serde(default)]
    satellite: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

/// A question the router can take.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Question {
    /// Trimmed, 1 to [`Limits::DEFAULT_MAX_TEXT`] bytes.
    pub(crate) text: String,
    pub(crate) satellite: Option<SatelliteId>,
    pub(crate) lang: Option<String>,
}

/// Why a body is refused, in words for the person who sent it.
pub(crate) const NOT_JSON: &str = "expected JSON like {\"text\": \"what time is it\"}";
pub(crate) const BAD_LENGTH: &str = "the question must have 1 to 4096 bytes";
pub(crate) const BAD_SATELLITE: &str = "not a satellite id (a-z, 0-9, '-' and '_', up to 64)";

/// Reads a body; a refusal is one of the messages above.
pub(crate) fn parse(body: &[u8]) -> Result<Question, &'static str> {
    let body: AskBody = serde_json::from_slice(body).map_err(|_| NOT_JSON)?;
    let text = body.text.trim().to_string();
    if text.is_empty() || text.len() > Limits::DEFAULT_MAX_TEXT {
        return Err(BAD_LENGTH);
    }
    let satellite = match body.satellite.as_deref().filter(|id| !id.is_empty()) {
        Some(id) => Some(SatelliteId::new(id).map_err(|_| BAD_SATELLITE)?),
        None => None,
    };
    Ok(Question {
        text,
        satellite,
        lang: body.lang.filter(|lang| !lang.is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_is_read_trimmed_with_its_satellite_and_language() {
        let question =
            parse(br#"{"text": "  quelle heure est-il ", "satellite": "kitchen", "lang": "fr"}"#)
                .unwrap();
        assert_eq!(question.text, "quelle heure est-il");
        assert_eq!(question.satellite.unwrap().as_str(), "kitchen");
        assert_eq!(question.lang.as_deref(), Some("fr"));
        let plain = parse(br#"{"text": "what time is it", "satellite": ""}"#).unwrap();
        assert_eq!((plain.satellite, plain.lang), (None, None));
    }

    #[test]
    fn bad_bodies_are_refused_with_what_to_send() {
        for body in [
            &b""[..],
            b"what time is it",
            b"{\"text\": 3}",
            b"{\"question\": \"what time is it\"}",
            b"{\"text\": \"hi\", \"extra\": 1}",
            b"{\"text\": \"\xff\xfe\"}",
        ] {
            assert_eq!(
                parse(body),
                Err(NOT_JSON),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        assert_eq!(parse(br#"{"text": "   "}"#), Err(BAD_LENGTH));
        let long = format!(
            r#"{{"text": "{}"}}"#,
            "a".repeat(Limits::DEFAULT_MAX_TEXT + 1)
        );
        assert_eq!(parse(long.as_bytes()), Err(BAD_LENGTH));
        assert_eq!(
            parse(br#"{"text": "hi", "satellite": "../kitchen/#"}"#),
            Err(BAD_SATELLITE)
        );
    }

    /// The `ask_body` fuzz target's seeds (`topics/fuzz/corpus/ask_body`), by their names.
    #[test]
    fn the_fuzz_seeds_read_as_their_names_say() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../topics/fuzz/corpus/ask_body");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let result = parse(&std::fs::read(&path).unwrap());
            if name.starts_with("valid-") || name == "edge-array-form" {
                assert!(result.is_ok(), "{name}: {result:?}");
            } else if name.starts_with("bad-") {
                assert!(result.is_err(), "{name}: {result:?}");
            }
            seen += 1;
        }
        assert!(seen >= 10, "only {seen} seeds in {}", dir.display());
        let french = parse(&std::fs::read(dir.join("valid-satellite-lang")).unwrap()).unwrap();
        assert_eq!(french.text, "quelle heure est-il");
        assert_eq!(
            parse(&std::fs::read(dir.join("bad-satellite")).unwrap()),
            Err(BAD_SATELLITE)
        );
    }
}
