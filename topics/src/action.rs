//! `{p}/satellite/{id}/action` and `{p}/satellite/{id}/action/ack`: the bridge asks a
//! satellite to do something (show an emotion on its eyes…), the satellite acknowledges.
//!
//! Actions are open-ended (`name` + JSON `args`) so that new ones need no protocol change;
//! [`KnownAction`] gives the ones Hive defines a typed form.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::codec;
use crate::error::ParseError;
use crate::id::SatelliteId;
use crate::outbound::{Outbound, QoS};
use crate::tree::Topics;

/// Message kind of [`Action`].
pub(crate) const ACTION_KIND: &str = "action";
/// Message kind of [`ActionAck`].
pub(crate) const ACK_KIND: &str = "action_ack";

/// Something the bridge asks a satellite to do. The satellite answers with an [`ActionAck`]
/// carrying the same `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    /// Correlation id, unique per action; echoed in the ack.
    pub id: String,
    /// The session the action belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<u32>,
    /// What to do, e.g. `show_emotion`.
    pub name: String,
    /// Arguments, a JSON object (default `{}`).
    #[serde(default)]
    pub args: Map<String, Value>,
}

/// A satellite's answer to an [`Action`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionAck {
    /// The action's `id`.
    pub id: String,
    /// Whether the satellite carried it out.
    pub ok: bool,
    /// Why not, when `ok` is false (an error code, not text for users).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// An emotion a satellite can show, e.g. on its eyes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Emotion {
    /// Resting face.
    Neutral,
    /// Pleased.
    Happy,
    /// Sorry, sad.
    Sad,
    /// Cross.
    Angry,
    /// Surprised.
    Surprised,
    /// Pondering.
    Thinking,
    /// Tired, night mode.
    Sleepy,
    /// Affection.
    Love,
}

/// The actions protocol v1 defines, in typed form.
#[derive(Debug, Clone, PartialEq)]
pub enum KnownAction {
    /// `show_emotion` with args `{"emotion": "happy", "intensity": 0.8}`.
    ShowEmotion {
        /// What to show.
        emotion: Emotion,
        /// How strongly, 0.0–1.0; the satellite's default when absent.
        intensity: Option<f32>,
    },
}

impl KnownAction {
    /// Action name of [`KnownAction::ShowEmotion`].
    pub const SHOW_EMOTION: &'static str = "show_emotion";

    /// The action's name on the wire.
    pub fn name(&self) -> &'static str {
        match self {
            Self::ShowEmotion { .. } => Self::SHOW_EMOTION,
        }
    }

    /// Wraps this action in an [`Action`] with correlation id `id`.
    pub fn into_action(self, id: impl Into<String>, session: Option<u32>) -> Action {
        let name = self.name().to_owned();
        let args = match self {
            Self::ShowEmotion { emotion, intensity } => {
                let value = ShowEmotionArgs { emotion, intensity };
                match serde_json::to_value(value) {
                    Ok(Value::Object(args)) => args,
                    // A struct always serialises to an object.
                    _ => Map::new(),
                }
            }
        };
        Action {
            id: id.into(),
            session,
            name,
            args,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct ShowEmotionArgs {
    emotion: Emotion,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    intensity: Option<f32>,
}

impl Action {
    /// The typed form of this action if Hive defines it: `Ok(None)` for names it does not
    /// know (a satellite should then ack with `ok: false`).
    ///
    /// # Errors
    ///
    /// [`ParseError::InvalidField`] if the name is known but the args do not fit it (unknown
    /// emotion, intensity outside 0.0–1.0…).
    pub fn known(&self) -> Result<Option<KnownAction>, ParseError> {
        match self.name.as_str() {
            KnownAction::SHOW_EMOTION => {
                let args: ShowEmotionArgs =
                    serde_json::from_value(Value::Object(self.args.clone()))
                        .map_err(|error| codec::invalid(ACTION_KIND, "args", error.to_string()))?;
                if let Some(intensity) = args.intensity
                    && !(0.0..=1.0).contains(&intensity)
                {
                    return Err(codec::invalid(
                        ACTION_KIND,
                        "args.intensity",
                        "must be between 0 and 1",
                    ));
                }
                Ok(Some(KnownAction::ShowEmotion {
                    emotion: args.emotion,
                    intensity: args.intensity,
                }))
            }
            _ => Ok(None),
        }
    }
}

impl Topics {
    /// Builds `{p}/satellite/{id}/action`: QoS 1, not retained.
    pub fn encode_action(&self, satellite: &SatelliteId, action: &Action) -> Outbound {
        Outbound::json(self.action(satellite), action, QoS::AtLeastOnce)
    }

    /// Builds `{p}/satellite/{id}/action/ack`: QoS 1, not retained.
    pub fn encode_action_ack(&self, satellite: &SatelliteId, ack: &ActionAck) -> Outbound {
        Outbound::json(self.action_ack(satellite), ack, QoS::AtLeastOnce)
    }
}

impl Action {
    pub(crate) fn decode(payload: &[u8]) -> Result<Self, ParseError> {
        let action: Self = codec::decode_json(ACTION_KIND, payload)?;
        codec::check_non_empty(ACTION_KIND, "id", &action.id)?;
        codec::check_non_empty(ACTION_KIND, "name", &action.name)?;
        codec::check_optional_session(ACTION_KIND, action.session)?;
        Ok(action)
    }
}

impl ActionAck {
    pub(crate) fn decode(payload: &[u8]) -> Result<Self, ParseError> {
        let ack: Self = codec::decode_json(ACK_KIND, payload)?;
        codec::check_non_empty(ACK_KIND, "id", &ack.id)?;
        Ok(ack)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Inbound;
    use crate::test_support::{assert_rejected, assert_round_trip, sat};

    fn action(name: &str, args: Value) -> Action {
        let Value::Object(args) = args else {
            panic!("args must be an object")
        };
        Action {
            id: "a1".into(),
            session: None,
            name: name.into(),
            args,
        }
    }

    #[test]
    fn actions_and_acks_round_trip() {
        let kitchen = sat("kitchen");
        let messages = [
            Inbound::Action {
                satellite: kitchen.clone(),
                action: KnownAction::ShowEmotion {
                    emotion: Emotion::Happy,
                    intensity: Some(0.8),
                }
                .into_action("a1", Some(4)),
            },
            Inbound::Action {
                satellite: kitchen.clone(),
                action: action("blink", serde_json::json!({})),
            },
            Inbound::Action {
                satellite: kitchen.clone(),
                action: action(
                    "custom",
                    serde_json::json!({"nested": {"list": [1, "two", null]}}),
                ),
            },
            Inbound::ActionAck {
                satellite: kitchen.clone(),
                ack: ActionAck {
                    id: "a1".into(),
                    ok: true,
                    error: None,
                },
            },
            Inbound::ActionAck {
                satellite: kitchen,
                ack: ActionAck {
                    id: "a2".into(),
                    ok: false,
                    error: Some("unknown_action".into()),
                },
            },
        ];
        for message in &messages {
            assert_round_trip(message);
        }
    }

    #[test]
    fn every_emotion_survives_known_and_back() {
        let emotions = [
            Emotion::Neutral,
            Emotion::Happy,
            Emotion::Sad,
            Emotion::Angry,
            Emotion::Surprised,
            Emotion::Thinking,
            Emotion::Sleepy,
            Emotion::Love,
        ];
        for emotion in emotions {
            let known = KnownAction::ShowEmotion {
                emotion,
                intensity: None,
            };
            let action = known.clone().into_action("x", None);
            assert_eq!(action.name, "show_emotion");
            assert_eq!(action.known().unwrap(), Some(known));
        }
        let wire = action(
            "show_emotion",
            serde_json::json!({"emotion": "thinking", "intensity": 0.5}),
        );
        assert_eq!(
            wire.known().unwrap(),
            Some(KnownAction::ShowEmotion {
                emotion: Emotion::Thinking,
                intensity: Some(0.5)
            })
        );
    }

    #[test]
    fn known_rejects_bad_args_and_passes_unknown_names() {
        assert_eq!(
            action("wave", serde_json::json!({"hand": "left"}))
                .known()
                .unwrap(),
            None
        );
        let bad = [
            serde_json::json!({"emotion": "bored"}),
            serde_json::json!({}),
            serde_json::json!({"emotion": 3}),
            serde_json::json!({"emotion": "happy", "intensity": 1.5}),
            serde_json::json!({"emotion": "happy", "intensity": -0.1}),
            serde_json::json!({"emotion": "happy", "intensity": "max"}),
        ];
        for args in bad {
            let error = action("show_emotion", args.clone()).known().unwrap_err();
            assert_eq!(error.code(), "invalid_field", "{args}");
        }
    }

    #[test]
    fn malformed_actions_are_rejected() {
        assert_rejected(
            "hive/satellite/kitchen/action",
            &[
                (
                    "args not an object",
                    br#"{"id":"a","name":"x","args":[1]}"#,
                    "malformed_json",
                ),
                (
                    "args null",
                    br#"{"id":"a","name":"x","args":null}"#,
                    "malformed_json",
                ),
                ("missing name", br#"{"id":"a"}"#, "malformed_json"),
                ("empty id", br#"{"id":"","name":"x"}"#, "invalid_field"),
                ("blank name", br#"{"id":"a","name":" "}"#, "invalid_field"),
                (
                    "session zero",
                    br#"{"id":"a","name":"x","session":0}"#,
                    "invalid_field",
                ),
            ],
        );
        assert_rejected(
            "hive/satellite/kitchen/action/ack",
            &[
                (
                    "ok as string",
                    br#"{"id":"a","ok":"yes"}"#,
                    "malformed_json",
                ),
                ("missing ok", br#"{"id":"a"}"#, "malformed_json"),
                ("empty id", br#"{"id":"","ok":true}"#, "invalid_field"),
            ],
        );
    }
}
