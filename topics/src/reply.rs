//! Text in and out of a turn: `{p}/satellite/{id}/reply` (the answer, streamed sentence by
//! sentence, with [`Timings`]), `{p}/satellite/{id}/text` (a typed question) and
//! `{p}/satellite/{id}/error` (why a turn failed).

use serde::{Deserialize, Serialize};

use crate::codec;
use crate::error::ParseError;
use crate::id::SatelliteId;
use crate::limits::Limits;
use crate::outbound::{Outbound, QoS};
use crate::tree::Topics;

/// Message kind of [`ReplyChunk`].
pub(crate) const REPLY_KIND: &str = "reply";
/// Message kind of [`TextInput`].
pub(crate) const TEXT_KIND: &str = "text";
/// Message kind of [`ErrorReport`].
pub(crate) const ERROR_KIND: &str = "error";

/// Where the time of a turn went, in milliseconds since the end of speech unless noted.
/// Every field is optional: the bridge fills in what it measured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timings {
    /// From the last audio chunk to the endpointer's decision that speech ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_ms: Option<u64>,
    /// Speech-to-text duration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stt_ms: Option<u64>,
    /// Until the LLM's first token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_token_ms: Option<u64>,
    /// Until the first complete sentence of the reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_sentence_ms: Option<u64>,
    /// Until the first TTS audio was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_audio_ms: Option<u64>,
    /// The language model finished writing (absent when no model was asked). Earlier
    /// `first_audio_ms` shows that speech started while the model was still writing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub llm_done_ms: Option<u64>,
    /// The whole turn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_ms: Option<u64>,
    /// Compute time of the speech-to-text engine alone (inside the engine call, without
    /// queueing): with `tts_compute_ms`, what the models themselves cost, so that a
    /// benchmark can tell the engines' time from the bridge's overhead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stt_compute_ms: Option<u64>,
    /// Compute time of the text-to-speech engine for the first sentence alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tts_compute_ms: Option<u64>,
}

/// One piece (normally one sentence) of the reply text to a turn. TTS audio for the same
/// `index` follows on `tts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyChunk {
    /// The turn's session.
    pub session: u32,
    /// Position in the reply, from 0.
    pub index: u32,
    /// The text of this piece.
    pub text: String,
    /// Whether this is the last piece (JSON `final`, default false).
    #[serde(rename = "final", default)]
    pub is_final: bool,
    /// Language of the text, e.g. `en` or `de-CH`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// Turn timings, normally on the final piece only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timings: Option<Timings>,
}

/// A question typed on (or relayed by) a satellite instead of spoken. Plain text is accepted
/// as the payload too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextInput {
    /// The question; non-empty, at most [`Limits::max_text`] bytes.
    pub text: String,
    /// Session to answer in; when absent the bridge picks one for its reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<u32>,
    /// Language of the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

/// Why a turn or a request failed, sent by the bridge to the satellite concerned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorReport {
    /// The session that failed, if the error belongs to one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<u32>,
    /// Stable machine-readable code, e.g. `stt_failed` or a [`ParseError::code`].
    pub code: String,
    /// Short human-readable explanation, safe to show (no internal details).
    pub message: String,
    /// Whether trying again may work.
    pub recoverable: bool,
}

impl Topics {
    /// Builds `{p}/satellite/{id}/reply`: QoS 1, not retained.
    pub fn encode_reply(&self, satellite: &SatelliteId, reply: &ReplyChunk) -> Outbound {
        Outbound::json(self.reply(satellite), reply, QoS::AtLeastOnce)
    }

    /// Builds `{p}/satellite/{id}/text`: JSON, QoS 1, not retained.
    pub fn encode_text(&self, satellite: &SatelliteId, input: &TextInput) -> Outbound {
        Outbound::json(self.text(satellite), input, QoS::AtLeastOnce)
    }

    /// Builds `{p}/satellite/{id}/error`: QoS 1, not retained.
    pub fn encode_error(&self, satellite: &SatelliteId, error: &ErrorReport) -> Outbound {
        Outbound::json(self.error(satellite), error, QoS::AtLeastOnce)
    }
}

impl ReplyChunk {
    pub(crate) fn decode(payload: &[u8]) -> Result<Self, ParseError> {
        let reply: Self = codec::decode_json(REPLY_KIND, payload)?;
        codec::check_session(REPLY_KIND, reply.session)?;
        Ok(reply)
    }
}

impl TextInput {
    pub(crate) fn decode(payload: &[u8], limits: &Limits) -> Result<Self, ParseError> {
        let input = codec::text_or_json(TEXT_KIND, payload, |text| Self {
            text,
            session: None,
            lang: None,
        })?;
        codec::check_text(TEXT_KIND, &input.text, limits.max_text)?;
        codec::check_optional_session(TEXT_KIND, input.session)?;
        Ok(input)
    }
}

impl ErrorReport {
    pub(crate) fn decode(payload: &[u8]) -> Result<Self, ParseError> {
        let report: Self = codec::decode_json(ERROR_KIND, payload)?;
        codec::check_non_empty(ERROR_KIND, "code", &report.code)?;
        codec::check_optional_session(ERROR_KIND, report.session)?;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Inbound;
    use crate::test_support::{assert_rejected, assert_round_trip, sat};

    #[test]
    fn replies_texts_and_errors_round_trip() {
        let kitchen = sat("kitchen");
        let timings = Timings {
            endpoint_ms: Some(120),
            stt_ms: Some(310),
            first_token_ms: Some(450),
            first_sentence_ms: Some(700),
            first_audio_ms: Some(900),
            llm_done_ms: Some(1500),
            total_ms: Some(2400),
            stt_compute_ms: Some(290),
            tts_compute_ms: Some(180),
        };
        let messages = [
            Inbound::Reply {
                satellite: kitchen.clone(),
                reply: ReplyChunk {
                    session: 5,
                    index: 0,
                    text: "It is ten past four.".into(),
                    is_final: false,
                    lang: None,
                    timings: None,
                },
            },
            Inbound::Reply {
                satellite: kitchen.clone(),
                reply: ReplyChunk {
                    session: 5,
                    index: 1,
                    text: "Anything else?".into(),
                    is_final: true,
                    lang: Some("en".into()),
                    timings: Some(timings),
                },
            },
            Inbound::Reply {
                satellite: kitchen.clone(),
                reply: ReplyChunk {
                    session: 5,
                    index: 2,
                    text: String::new(),
                    is_final: true,
                    lang: None,
                    timings: Some(Timings::default()),
                },
            },
            Inbound::Text {
                satellite: kitchen.clone(),
                input: TextInput {
                    text: "what time is it".into(),
                    session: Some(8),
                    lang: Some("en".into()),
                },
            },
            Inbound::Error {
                satellite: kitchen.clone(),
                error: ErrorReport {
                    session: Some(5),
                    code: "stt_failed".into(),
                    message: "I did not catch that.".into(),
                    recoverable: true,
                },
            },
            Inbound::Error {
                satellite: kitchen,
                error: ErrorReport {
                    session: None,
                    code: "payload_too_large".into(),
                    message: "Too long.".into(),
                    recoverable: false,
                },
            },
        ];
        for message in &messages {
            assert_round_trip(message);
        }
    }

    #[test]
    fn final_is_spelled_final_on_the_wire() {
        let reply = ReplyChunk {
            session: 1,
            index: 0,
            text: "Hi.".into(),
            is_final: true,
            lang: None,
            timings: None,
        };
        let out = Topics::default().encode_reply(&sat("kitchen"), &reply);
        assert_eq!(
            out.payload,
            br#"{"session":1,"index":0,"text":"Hi.","final":true}"#
        );
    }

    #[test]
    fn text_input_accepts_plain_text() {
        let parsed = Topics::default()
            .parse("hive/satellite/kitchen/text", b"  what time is it\n")
            .unwrap();
        let input = TextInput {
            text: "what time is it".into(),
            session: None,
            lang: None,
        };
        assert_eq!(
            parsed,
            Inbound::Text {
                satellite: sat("kitchen"),
                input
            }
        );
    }

    #[test]
    fn malformed_replies_texts_and_errors_are_rejected() {
        assert_rejected(
            "hive/satellite/kitchen/reply",
            &[
                (
                    "final as string",
                    br#"{"session":1,"index":0,"text":"a","final":"yes"}"#,
                    "malformed_json",
                ),
                (
                    "missing text",
                    br#"{"session":1,"index":0}"#,
                    "malformed_json",
                ),
                (
                    "timings negative",
                    br#"{"session":1,"index":0,"text":"a","timings":{"stt_ms":-1}}"#,
                    "malformed_json",
                ),
                (
                    "session zero",
                    br#"{"session":0,"index":0,"text":"a"}"#,
                    "invalid_field",
                ),
            ],
        );
        let long = format!(r#"{{"text":"{}"}}"#, "a".repeat(4097));
        assert_rejected(
            "hive/satellite/kitchen/text",
            &[
                ("empty", b"", "invalid_field"),
                ("blank json text", br#"{"text":"  "}"#, "invalid_field"),
                ("text too long", long.as_bytes(), "payload_too_large"),
                ("text as number", br#"{"text":5}"#, "malformed_json"),
                ("not utf-8", b"caf\xe9", "bad_utf8"),
            ],
        );
        assert_rejected(
            "hive/satellite/kitchen/error",
            &[
                (
                    "missing recoverable",
                    br#"{"code":"x","message":"y"}"#,
                    "malformed_json",
                ),
                (
                    "empty code",
                    br#"{"code":"","message":"y","recoverable":true}"#,
                    "invalid_field",
                ),
            ],
        );
    }
}
