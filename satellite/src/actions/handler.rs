//! Deciding what an action means. The runtime shows emotions on the eyes and runs the
//! command hook for the rest, then acks.

use hive_topics::{Action, ActionAck, Emotion, KnownAction};

use crate::config::ActionsConfig;
use crate::hook;

/// What to do about an action.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionOutcome {
    /// Show an emotion, then ack `ok`.
    ShowEmotion {
        /// The emotion.
        emotion: Emotion,
        /// 0–1.
        intensity: f32,
    },
    /// Run this command; ack by its result.
    Run(Vec<String>),
    /// Ack at once.
    Ack(ActionAck),
}

/// What `action` calls for under `config`.
pub fn plan(action: &Action, config: &ActionsConfig) -> ActionOutcome {
    let refuse = |error: &str| {
        ActionOutcome::Ack(ActionAck {
            id: action.id.clone(),
            ok: false,
            error: Some(error.to_owned()),
        })
    };
    match action.known() {
        Ok(Some(KnownAction::ShowEmotion { emotion, intensity })) => ActionOutcome::ShowEmotion {
            emotion,
            intensity: intensity.unwrap_or(1.0),
        },
        Err(_) => refuse("invalid_args"),
        Ok(None) if config.command.is_empty() => refuse("unknown_action"),
        Ok(None) => {
            let args = serde_json::Value::Object(action.args.clone()).to_string();
            ActionOutcome::Run(hook::fill(
                &config.command,
                &[
                    ("name", action.name.clone()),
                    ("id", action.id.clone()),
                    ("args", args),
                ],
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn action(name: &str, args: serde_json::Value) -> Action {
        Action {
            id: "a1".into(),
            session: None,
            name: name.into(),
            args: args.as_object().cloned().unwrap_or_default(),
        }
    }

    #[test]
    fn every_kind_of_action() {
        let none = ActionsConfig::default();
        let hooked = ActionsConfig {
            command: vec!["robot".into(), "{name}".into(), "{args}".into()],
            ..ActionsConfig::default()
        };
        let refused = |error: &str| {
            ActionOutcome::Ack(ActionAck {
                id: "a1".into(),
                ok: false,
                error: Some(error.into()),
            })
        };
        let cases = [
            (
                action(
                    "show_emotion",
                    json!({"emotion": "happy", "intensity": 0.5}),
                ),
                &none,
                ActionOutcome::ShowEmotion {
                    emotion: Emotion::Happy,
                    intensity: 0.5,
                },
            ),
            (
                action("show_emotion", json!({"emotion": "sad"})),
                &none,
                ActionOutcome::ShowEmotion {
                    emotion: Emotion::Sad,
                    intensity: 1.0,
                },
            ),
            (
                action("show_emotion", json!({"emotion": "bored"})),
                &none,
                refused("invalid_args"),
            ),
            (action("wave", json!({})), &none, refused("unknown_action")),
            (
                action("wave", json!({"arm": "left"})),
                &hooked,
                ActionOutcome::Run(vec![
                    "robot".into(),
                    "wave".into(),
                    "{\"arm\":\"left\"}".into(),
                ]),
            ),
        ];
        for (action, config, expected) in cases {
            assert_eq!(plan(&action, config), expected, "{}", action.name);
        }
    }
}
