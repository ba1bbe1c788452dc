//! The automation surface, for Home Assistant, Node-RED or a shell: `say` (speak a text),
//! `ask` / `ask/reply` (ask a question and get the answer as text) and `intent/{name}` (every
//! recognised intent, for automations to act on).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::codec;
use crate::error::ParseError;
use crate::id::{IntentName, SatelliteId};
use crate::limits::Limits;
use crate::outbound::{Outbound, QoS};
use crate::reply::Timings;
use crate::tree::Topics;

/// Message kind of [`Say`].
pub(crate) const SAY_KIND: &str = "say";
/// Message kind of [`Ask`].
pub(crate) const ASK_KIND: &str = "ask";
/// Message kind of [`AskReply`].
pub(crate) const ASK_REPLY_KIND: &str = "ask_reply";
/// Message kind of [`IntentEvent`].
pub(crate) const INTENT_KIND: &str = "intent";

/// Who a `say` is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// Every satellite (`{p}/say`).
    All,
    /// One satellite (`{p}/satellite/{id}/say`).
    Satellite(SatelliteId),
}

/// Speak a text. The payload may also be plain text (anything not starting with `{`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Say {
    /// What to say; non-empty, at most [`Limits::max_text`] bytes.
    pub text: String,
    /// Language of the text, e.g. `en`; the bridge's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// TTS voice name; the bridge's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice: Option<String>,
}

impl Say {
    /// A `say` with only a text.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            lang: None,
            voice: None,
        }
    }
}

/// Ask Hive a question in text; the answer comes on `{p}/ask/reply`. The payload may also be
/// plain text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ask {
    /// Correlation id, echoed in the [`AskReply`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The question; non-empty, at most [`Limits::max_text`] bytes.
    pub text: String,
    /// Satellite that should also speak the answer (and whose room the question is about);
    /// reply on MQTT only when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub satellite: Option<SatelliteId>,
    /// Language of the question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

impl Ask {
    /// An `ask` with only a text.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            id: None,
            text: text.into(),
            satellite: None,
            lang: None,
        }
    }
}

/// The answer to an [`Ask`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AskReply {
    /// The question's correlation id, if it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The whole answer.
    pub text: String,
    /// The intent that answered, if one did (rather than the LLM's free text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
    /// Language of the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// Where the time went.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timings: Option<Timings>,
}

/// Who recognised an intent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntentSource {
    /// The bridge's fast local matcher.
    Local,
    /// The LLM (a tool call).
    Llm,
    /// Something outside Hive, e.g. Home Assistant's conversation agent.
    External,
}

/// An intent was recognised, published on `{p}/intent/{intent}` for automations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentEvent {
    /// The intent, e.g. `light.turn_on`; must equal the topic's last level.
    pub intent: IntentName,
    /// Its slots, e.g. `{"area": "kitchen"}` (default `{}`).
    #[serde(default)]
    pub slots: Map<String, Value>,
    /// The text it was recognised in.
    pub text: String,
    /// The satellite the request came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub satellite: Option<SatelliteId>,
    /// The turn's session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<u32>,
    /// Language of the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// Who recognised it.
    pub source: IntentSource,
}

impl Topics {
    /// Builds `{p}/say` or `{p}/satellite/{id}/say`: JSON, QoS 1, not retained.
    pub fn encode_say(&self, target: &Target, say: &Say) -> Outbound {
        Outbound::json(self.say(target), say, QoS::AtLeastOnce)
    }

    /// Builds `{p}/ask`: JSON, QoS 1, not retained.
    pub fn encode_ask(&self, ask: &Ask) -> Outbound {
        Outbound::json(self.ask(), ask, QoS::AtLeastOnce)
    }

    /// Builds `{p}/ask/reply`: QoS 1, not retained.
    pub fn encode_ask_reply(&self, reply: &AskReply) -> Outbound {
        Outbound::json(self.ask_reply(), reply, QoS::AtLeastOnce)
    }

    /// Builds `{p}/intent/{intent}`: QoS 1, not retained (an event, not a state).
    pub fn encode_intent(&self, event: &IntentEvent) -> Outbound {
        Outbound::json(self.intent(&event.intent), event, QoS::AtLeastOnce)
    }
}

impl Say {
    pub(crate) fn decode(payload: &[u8], limits: &Limits) -> Result<Self, ParseError> {
        let say = codec::text_or_json(SAY_KIND, payload, Self::new)?;
        codec::check_text(SAY_KIND, &say.text, limits.max_text)?;
        Ok(say)
    }
}

impl Ask {
    pub(crate) fn decode(payload: &[u8], limits: &Limits) -> Result<Self, ParseError> {
        let ask = codec::text_or_json(ASK_KIND, payload, Self::new)?;
        codec::check_text(ASK_KIND, &ask.text, limits.max_text)?;
        Ok(ask)
    }
}

impl AskReply {
    pub(crate) fn decode(payload: &[u8]) -> Result<Self, ParseError> {
        codec::decode_json(ASK_REPLY_KIND, payload)
    }
}

impl IntentEvent {
    pub(crate) fn decode(payload: &[u8], topic_intent: &IntentName) -> Result<Self, ParseError> {
        let event: Self = codec::decode_json(INTENT_KIND, payload)?;
        if event.intent != *topic_intent {
            return Err(codec::invalid(
                INTENT_KIND,
                "intent",
                format!("{:?} does not match the topic", event.intent.as_str()),
            ));
        }
        codec::check_optional_session(INTENT_KIND, event.session)?;
        Ok(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Inbound;
    use crate::test_support::{assert_rejected, assert_round_trip, sat};

    fn intent_event() -> IntentEvent {
        let Value::Object(slots) = serde_json::json!({"area": "kitchen", "brightness": 40}) else {
            unreachable!()
        };
        IntentEvent {
            intent: IntentName::new("light.turn_on").unwrap(),
            slots,
            text: "kitchen light to forty percent".into(),
            satellite: Some(sat("kitchen")),
            session: Some(12),
            lang: Some("en".into()),
            source: IntentSource::Local,
        }
    }

    #[test]
    fn automation_messages_round_trip() {
        let messages = [
            Inbound::Say {
                target: Target::All,
                say: Say::new("Dinner is ready"),
            },
            Inbound::Say {
                target: Target::Satellite(sat("kitchen")),
                say: Say {
                    text: "Bonjour".into(),
                    lang: Some("fr".into()),
                    voice: Some("siwis".into()),
                },
            },
            Inbound::Ask(Ask::new("what time is it")),
            Inbound::Ask(Ask {
                id: Some("q1".into()),
                text: "is the door locked".into(),
                satellite: Some(sat("hall")),
                lang: Some("en".into()),
            }),
            Inbound::AskReply(AskReply {
                id: None,
                text: "It is four.".into(),
                intent: None,
                lang: None,
                timings: None,
            }),
            Inbound::AskReply(AskReply {
                id: Some("q1".into()),
                text: "Yes, it is locked.".into(),
                intent: Some("lock.state".into()),
                lang: Some("en".into()),
                timings: Some(Timings {
                    total_ms: Some(800),
                    ..Timings::default()
                }),
            }),
            Inbound::Intent(intent_event()),
            Inbound::Intent(IntentEvent {
                slots: Map::new(),
                satellite: None,
                session: None,
                lang: None,
                source: IntentSource::Llm,
                ..intent_event()
            }),
            Inbound::Intent(IntentEvent {
                source: IntentSource::External,
                ..intent_event()
            }),
        ];
        for message in &messages {
            assert_round_trip(message);
        }
    }

    #[test]
    fn say_and_ask_accept_plain_text() {
        let topics = Topics::default();
        let cases: [(&str, &[u8], Inbound); 4] = [
            (
                "hive/say",
                b"Dinner is ready\n",
                Inbound::Say {
                    target: Target::All,
                    say: Say::new("Dinner is ready"),
                },
            ),
            (
                "hive/satellite/kitchen/say",
                b"  Hello  ",
                Inbound::Say {
                    target: Target::Satellite(sat("kitchen")),
                    say: Say::new("Hello"),
                },
            ),
            (
                "hive/ask",
                b"what time is it",
                Inbound::Ask(Ask::new("what time is it")),
            ),
            (
                "hive/ask",
                br#" {"id":"q1","text":"what time is it"}"#,
                Inbound::Ask(Ask {
                    id: Some("q1".into()),
                    ..Ask::new("what time is it")
                }),
            ),
        ];
        for (topic, payload, expected) in cases {
            assert_eq!(topics.parse(topic, payload).unwrap(), expected, "{topic}");
        }
    }

    #[test]
    fn text_limit_is_configurable() {
        let topics = Topics::default().with_limits(Limits {
            max_text: 5,
            ..Limits::default()
        });
        assert!(topics.parse("hive/say", b"hello").is_ok());
        let error = topics.parse("hive/say", b"hello!").unwrap_err();
        assert_eq!(
            error,
            ParseError::TooLarge {
                kind: "say",
                size: 6,
                max: 5
            }
        );
    }

    #[test]
    fn malformed_automation_messages_are_rejected() {
        let long = "a".repeat(4097);
        for topic in ["hive/say", "hive/satellite/kitchen/say", "hive/ask"] {
            assert_rejected(
                topic,
                &[
                    ("empty", b"", "invalid_field"),
                    ("blank", b" \n ", "invalid_field"),
                    ("too long", long.as_bytes(), "payload_too_large"),
                    ("broken json", br#"{"text":"hi""#, "malformed_json"),
                    ("json without text", br#"{"lang":"en"}"#, "malformed_json"),
                    ("json with blank text", br#"{"text":""}"#, "invalid_field"),
                    ("text as list", br#"{"text":["a"]}"#, "malformed_json"),
                    ("not utf-8", b"\xc3\x28", "bad_utf8"),
                ],
            );
        }
        assert_rejected(
            "hive/ask",
            &[(
                "bad satellite",
                br#"{"text":"hi","satellite":"Hall"}"#,
                "malformed_json",
            )],
        );
        assert_rejected(
            "hive/ask/reply",
            &[
                ("missing text", br#"{"id":"q1"}"#, "malformed_json"),
                ("plain text", b"It is four.", "malformed_json"),
            ],
        );
        let event = |intent: &str, source: &str| {
            format!(r#"{{"intent":"{intent}","text":"t","source":"{source}"}}"#)
        };
        let mismatch = event("light.turn_off", "local");
        let bad_source = event("light.turn_on", "oracle");
        let slots_list = r#"{"intent":"light.turn_on","text":"t","source":"local","slots":[]}"#;
        assert_rejected(
            "hive/intent/light.turn_on",
            &[
                (
                    "intent differs from topic",
                    mismatch.as_bytes(),
                    "invalid_field",
                ),
                ("unknown source", bad_source.as_bytes(), "malformed_json"),
                (
                    "slots not an object",
                    slots_list.as_bytes(),
                    "malformed_json",
                ),
            ],
        );
    }
}
