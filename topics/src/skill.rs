//! External skills over MQTT: any program registers a skill by publishing its manifest
//! (retained) on `{p}/skill/{name}/manifest`, receives intent requests on
//! `{p}/skill/{name}/request` and answers on `{p}/skill/{name}/response` with the request's
//! `id`. An empty retained manifest unregisters the skill.
//!
//! The manifest has the shape of a `skill.toml`, as JSON. This crate checks its envelope
//! (an object naming the skill of its topic, with at most [`MAX_INTENTS`] intents that have a
//! name); the bridge validates the rest with the same rules as a built-in skill's manifest.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::codec;
use crate::error::ParseError;
use crate::id::{IntentName, SatelliteId, SkillName};
use crate::limits::Limits;
use crate::outbound::{Outbound, QoS};
use crate::tree::Topics;

/// Message kind of [`SkillManifest`].
pub(crate) const MANIFEST_KIND: &str = "skill_manifest";
/// Message kind of [`SkillRequest`].
pub(crate) const REQUEST_KIND: &str = "skill_request";
/// Message kind of [`SkillResponse`].
pub(crate) const RESPONSE_KIND: &str = "skill_response";

/// The most intents one external skill may declare: each becomes an LLM tool, and a prompt
/// with hundreds of tools helps no model.
pub const MAX_INTENTS: usize = 32;

/// The longest request id, in bytes.
pub const MAX_REQUEST_ID_LEN: usize = 64;

/// A skill's manifest: a JSON object with the fields of a `skill.toml` (`name`, `version`,
/// `description`, `intents`, …). Kept as JSON here; the bridge reads it into its skill model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SkillManifest(
    /// The manifest's fields.
    pub Map<String, Value>,
);

impl SkillManifest {
    /// The manifest's `name`, if it has one.
    pub fn name(&self) -> Option<&str> {
        self.0.get("name").and_then(Value::as_str)
    }
}

/// An intent for an external skill to execute, sent by the bridge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillRequest {
    /// Correlation id, echoed in the [`SkillResponse`]: 1 to [`MAX_REQUEST_ID_LEN`] bytes.
    pub id: String,
    /// The intent, one of the manifest's (`dice.roll`).
    pub intent: IntentName,
    /// The parameters that have a value, as tool arguments carry them (durations in seconds).
    #[serde(default)]
    pub slots: Map<String, Value>,
    /// The words the intent was recognised in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The language to answer in, e.g. `en`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// The satellite the request came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub satellite: Option<SatelliteId>,
    /// The turn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<u32>,
}

/// An external skill's answer to a [`SkillRequest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillResponse {
    /// The request's `id`.
    pub id: String,
    /// What to say, in the request's language; absent or empty when there is nothing to say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speech: Option<String>,
    /// Facts behind the speech, handed to the language model as the tool's result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
    /// Why the skill could not do it, for the logs. The user hears an apology, never this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Topics {
    /// Builds `{p}/skill/{name}/manifest`: JSON, QoS 1, retained.
    pub fn encode_skill_manifest(&self, skill: &SkillName, manifest: &SkillManifest) -> Outbound {
        let mut out = Outbound::json(self.skill_manifest(skill), manifest, QoS::AtLeastOnce);
        out.retain = true;
        out
    }

    /// Builds `{p}/skill/{name}/request`: QoS 1, not retained.
    pub fn encode_skill_request(&self, skill: &SkillName, request: &SkillRequest) -> Outbound {
        Outbound::json(self.skill_request(skill), request, QoS::AtLeastOnce)
    }

    /// Builds `{p}/skill/{name}/response`: QoS 1, not retained.
    pub fn encode_skill_response(&self, skill: &SkillName, response: &SkillResponse) -> Outbound {
        Outbound::json(self.skill_response(skill), response, QoS::AtLeastOnce)
    }
}

impl SkillManifest {
    pub(crate) fn decode(payload: &[u8], skill: &SkillName) -> Result<Self, ParseError> {
        let manifest: Self = codec::decode_json(MANIFEST_KIND, payload)?;
        match manifest.name() {
            Some(name) if name == skill.as_str() => {}
            Some(_) => {
                return Err(codec::invalid(
                    MANIFEST_KIND,
                    "name",
                    "must equal the skill name in the topic",
                ));
            }
            None => {
                return Err(codec::invalid(
                    MANIFEST_KIND,
                    "name",
                    "a string naming the skill is required",
                ));
            }
        }
        let Some(Value::Array(intents)) = manifest.0.get("intents") else {
            return Err(codec::invalid(
                MANIFEST_KIND,
                "intents",
                "an array of intents is required",
            ));
        };
        if intents.is_empty() || intents.len() > MAX_INTENTS {
            return Err(codec::invalid(
                MANIFEST_KIND,
                "intents",
                format!("must hold 1 to {MAX_INTENTS} intents"),
            ));
        }
        if !intents
            .iter()
            .all(|intent| intent.get("name").and_then(Value::as_str).is_some())
        {
            return Err(codec::invalid(
                MANIFEST_KIND,
                "intents.name",
                "every intent needs a string `name`",
            ));
        }
        Ok(manifest)
    }
}

fn check_id(kind: &'static str, id: &str) -> Result<(), ParseError> {
    codec::check_non_empty(kind, "id", id)?;
    if id.len() > MAX_REQUEST_ID_LEN {
        return Err(codec::invalid(kind, "id", "must be at most 64 bytes"));
    }
    Ok(())
}

impl SkillRequest {
    pub(crate) fn decode(payload: &[u8], limits: &Limits) -> Result<Self, ParseError> {
        let request: Self = codec::decode_json(REQUEST_KIND, payload)?;
        check_id(REQUEST_KIND, &request.id)?;
        codec::check_optional_session(REQUEST_KIND, request.session)?;
        if let Some(text) = &request.text {
            codec::check_text(REQUEST_KIND, text, limits.max_text)?;
        }
        Ok(request)
    }
}

impl SkillResponse {
    pub(crate) fn decode(payload: &[u8], limits: &Limits) -> Result<Self, ParseError> {
        let response: Self = codec::decode_json(RESPONSE_KIND, payload)?;
        check_id(RESPONSE_KIND, &response.id)?;
        if let Some(speech) = &response.speech
            && speech.len() > limits.max_text
        {
            return Err(ParseError::TooLarge {
                kind: RESPONSE_KIND,
                size: speech.len(),
                max: limits.max_text,
            });
        }
        if let Some(error) = &response.error {
            codec::check_non_empty(RESPONSE_KIND, "error", error)?;
        }
        Ok(response)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use serde_json::json;

    use super::*;
    use crate::Inbound;
    use crate::test_support::{assert_rejected, assert_round_trip, sat};

    fn dice() -> SkillName {
        SkillName::new("dice").unwrap()
    }

    pub(crate) fn manifest() -> SkillManifest {
        let Value::Object(map) = json!({
            "name": "dice",
            "version": "1.0.0",
            "description": "Rolls dice.",
            "intents": [{
                "name": "dice.roll",
                "description": "Roll a die.",
                "triggers": {"en": ["roll a die"]}
            }]
        }) else {
            unreachable!()
        };
        SkillManifest(map)
    }

    #[test]
    fn skill_messages_round_trip() {
        let Value::Object(slots) = json!({"sides": 6}) else {
            unreachable!()
        };
        let messages = [
            Inbound::SkillManifest {
                skill: dice(),
                manifest: manifest(),
            },
            Inbound::SkillRequest {
                skill: dice(),
                request: SkillRequest {
                    id: "r1".into(),
                    intent: IntentName::new("dice.roll").unwrap(),
                    slots,
                    text: Some("roll a die".into()),
                    lang: Some("en".into()),
                    satellite: Some(sat("kitchen")),
                    session: Some(42),
                },
            },
            Inbound::SkillRequest {
                skill: dice(),
                request: SkillRequest {
                    id: "r2".into(),
                    intent: IntentName::new("dice.roll").unwrap(),
                    slots: Map::new(),
                    text: None,
                    lang: None,
                    satellite: None,
                    session: None,
                },
            },
            Inbound::SkillResponse {
                skill: dice(),
                response: SkillResponse {
                    id: "r1".into(),
                    speech: Some("You rolled a 4.".into()),
                    data: Some(json!({"roll": 4})),
                    error: None,
                },
            },
            Inbound::SkillResponse {
                skill: dice(),
                response: SkillResponse {
                    id: "r2".into(),
                    speech: None,
                    data: None,
                    error: Some("no dice left".into()),
                },
            },
            Inbound::Cleared(crate::Retained::SkillManifest(dice())),
        ];
        for message in &messages {
            assert_round_trip(message);
        }
    }

    #[test]
    fn a_manifest_is_retained_and_the_others_are_not() {
        let topics = Topics::default();
        let out = topics.encode_skill_manifest(&dice(), &manifest());
        assert_eq!(
            (out.topic.as_str(), out.retain, out.qos),
            ("hive/skill/dice/manifest", true, QoS::AtLeastOnce)
        );
        let response = SkillResponse {
            id: "r1".into(),
            speech: Some("Four.".into()),
            data: None,
            error: None,
        };
        let out = topics.encode_skill_response(&dice(), &response);
        assert_eq!(out.payload, br#"{"id":"r1","speech":"Four."}"#);
        assert!(!out.retain);
    }

    #[test]
    fn malformed_skill_messages_are_rejected() {
        assert_rejected(
            "hive/skill/dice/manifest",
            &[
                ("not json", b"dice", "malformed_json"),
                ("an array", b"[]", "malformed_json"),
                (
                    "no name",
                    br#"{"intents":[{"name":"dice.roll"}]}"#,
                    "invalid_field",
                ),
                (
                    "another skill's name",
                    br#"{"name":"coin","intents":[{"name":"coin.flip"}]}"#,
                    "invalid_field",
                ),
                ("no intents", br#"{"name":"dice"}"#, "invalid_field"),
                (
                    "empty intents",
                    br#"{"name":"dice","intents":[]}"#,
                    "invalid_field",
                ),
                (
                    "intent without a name",
                    br#"{"name":"dice","intents":[{"description":"x"}]}"#,
                    "invalid_field",
                ),
            ],
        );
        let many = format!(
            r#"{{"name":"dice","intents":[{}]}}"#,
            vec![r#"{"name":"dice.roll"}"#; MAX_INTENTS + 1].join(",")
        );
        assert_rejected(
            "hive/skill/dice/manifest",
            &[("too many intents", many.as_bytes(), "invalid_field")],
        );
        assert_rejected(
            "hive/skill/dice/request",
            &[
                ("no intent", br#"{"id":"r1"}"#, "malformed_json"),
                (
                    "bad intent",
                    br#"{"id":"r1","intent":"Dice"}"#,
                    "malformed_json",
                ),
                (
                    "empty id",
                    br#"{"id":"","intent":"dice.roll"}"#,
                    "invalid_field",
                ),
                (
                    "session 0",
                    br#"{"id":"r1","intent":"dice.roll","session":0}"#,
                    "invalid_field",
                ),
            ],
        );
        let long_id = format!(r#"{{"id":"{}"}}"#, "x".repeat(MAX_REQUEST_ID_LEN + 1));
        assert_rejected(
            "hive/skill/dice/response",
            &[
                ("garbage", b"this is not json", "malformed_json"),
                ("no id", br#"{"speech":"Four."}"#, "malformed_json"),
                (
                    "speech as number",
                    br#"{"id":"r1","speech":4}"#,
                    "malformed_json",
                ),
                (
                    "blank error",
                    br#"{"id":"r1","error":" "}"#,
                    "invalid_field",
                ),
                ("long id", long_id.as_bytes(), "invalid_field"),
            ],
        );
        assert_rejected(
            "hive/skill/Dice/response",
            &[("bad skill name", br#"{"id":"r1"}"#, "bad_name")],
        );
    }

    #[test]
    fn speech_is_bounded_by_the_text_limit() {
        let topics = Topics::default().with_limits(Limits {
            max_text: 8,
            ..Limits::default()
        });
        let error = topics
            .parse(
                "hive/skill/dice/response",
                br#"{"id":"r1","speech":"far too long a sentence"}"#,
            )
            .unwrap_err();
        assert_eq!(error.code(), "payload_too_large");
    }
}
