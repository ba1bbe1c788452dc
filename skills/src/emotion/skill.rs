//! The emotion skill: `show_emotion` becomes an action for the satellite's face.

use serde_json::json;

use crate::emotion::kind::Emotion;
use crate::error::{ManifestError, SkillError};
use crate::skill::{ActionRequest, IntentMatch, Manifest, Skill, SkillContext, SkillReply};

/// The manifest, shipped next to this file.
const MANIFEST: &str = include_str!("skill.toml");

/// The action name, which is also the intent's tool name.
pub const SHOW_EMOTION: &str = "show_emotion";

/// Shows emotions on the face. Says nothing: the face is the answer.
#[derive(Debug, Clone)]
pub struct EmotionSkill {
    manifest: Manifest,
}

impl EmotionSkill {
    /// Loads the built-in manifest.
    ///
    /// # Errors
    /// Only if the shipped `skill.toml` is invalid, which the tests rule out.
    pub fn new() -> Result<EmotionSkill, ManifestError> {
        Ok(EmotionSkill {
            manifest: Manifest::from_toml(MANIFEST)?,
        })
    }
}

impl Skill for EmotionSkill {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn execute(&self, intent: &IntentMatch, _ctx: &SkillContext) -> Result<SkillReply, SkillError> {
        if intent.intent != "emotion.show" {
            return Err(SkillError::UnknownIntent {
                skill: self.manifest.name.clone(),
                intent: intent.intent.clone(),
            });
        }
        let missing = || SkillError::MissingSlot {
            intent: intent.intent.clone(),
            slot: "emotion".to_owned(),
        };
        let emotion: Emotion = intent
            .text("emotion")
            .ok_or_else(missing)?
            .parse()
            .map_err(|_| missing())?;
        let intensity = intent.number("intensity").unwrap_or(1.0).clamp(0.0, 1.0);
        let args = json!({"emotion": emotion.as_str(), "intensity": intensity});
        Ok(SkillReply::default()
            .with_data(json!({"shown": emotion.as_str(), "intensity": intensity}))
            .with_action(ActionRequest::new(SHOW_EMOTION, args)))
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use serde_json::json;

    use super::*;
    use crate::config::SkillsConfig;
    use crate::lang::Lang;
    use crate::registry::Registry;

    fn registry() -> Registry {
        Registry::builtin(&SkillsConfig::default()).unwrap()
    }

    #[test]
    fn every_emotion_value_is_an_emotion() {
        let manifest = EmotionSkill::new().unwrap().manifest;
        let values = &manifest.intent("emotion.show").unwrap().parameters[0].values;
        let names: Vec<&str> = Emotion::ALL
            .iter()
            .map(|emotion| emotion.as_str())
            .collect();
        assert_eq!(values, &names);
        assert_eq!(
            manifest.intent("emotion.show").unwrap().tool_name(),
            "show_emotion"
        );
    }

    #[test]
    fn spoken_phrasings_reach_emotion_show() {
        let registry = registry();
        let cases = [
            ("Look happy!", "happy", Lang::En),
            ("Be sad.", "sad", Lang::En),
            ("Make an angry face.", "angry", Lang::En),
            ("Show me a surprised face.", "surprised", Lang::En),
            ("Pretend you're in love.", "love", Lang::En),
            ("Look tired, please.", "sleepy", Lang::En),
            ("Sois heureux !", "happy", Lang::Fr),
            ("Fais une tête triste.", "sad", Lang::Fr),
            ("Montre-moi que tu es en colère.", "angry", Lang::Fr),
            ("Aie l'air fatigué.", "sleepy", Lang::Fr),
            ("Fais semblant d'être amoureux.", "love", Lang::Fr),
            ("Kijk blij!", "happy", Lang::Nl),
            ("Kijk eens verdrietig.", "sad", Lang::Nl),
            ("Trek een boos gezicht.", "angry", Lang::Nl),
            ("Doe alsof je verliefd bent.", "love", Lang::Nl),
            ("Wees verrast!", "surprised", Lang::Nl),
        ];
        for (text, emotion, lang) in cases {
            let found = registry
                .match_text(text, Some(lang))
                .unwrap_or_else(|| panic!("`{text}` matched nothing"));
            assert_eq!(found.intent, "emotion.show", "{text}");
            assert_eq!(found.text("emotion"), Some(emotion), "{text}");
            assert_eq!(found.lang, Some(lang), "{text}");
        }
    }

    #[test]
    fn non_emotions_match_nothing() {
        let registry = registry();
        for text in [
            "Be quiet.",
            "Look at me.",
            "Show me the weather.",
            "I like turtles.",
            "Kijk naar buiten.",
            "Are you happy?",
            "Don't be sad.",
            "I am sad.",
            "Sois sage.",
            "Show me a picture of a cat.",
        ] {
            let found = registry.match_text(text, None);
            assert!(found.is_none(), "`{text}` matched {found:?}");
        }
    }

    #[test]
    fn execution_requests_the_show_emotion_action_silently() {
        let registry = registry();
        let ctx = SkillContext::new(
            Lang::En,
            chrono_tz::UTC,
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        );
        let call = registry
            .resolve_tool_call(
                "show_emotion",
                &json!({"emotion": "happy", "intensity": 0.6}),
            )
            .unwrap();
        let reply = registry.execute(&call, &ctx).unwrap();
        assert_eq!(reply.speech, "");
        assert_eq!(
            reply.actions,
            [ActionRequest::new(
                "show_emotion",
                json!({"emotion": "happy", "intensity": 0.6})
            )]
        );

        let spoken = registry.match_text("Look sleepy.", Some(Lang::En)).unwrap();
        let reply = registry.execute(&spoken, &ctx).unwrap();
        assert_eq!(
            reply.actions[0].args,
            json!({"emotion": "sleepy", "intensity": 1.0})
        );
    }

    #[test]
    fn tool_arguments_are_checked_against_the_emotion_list() {
        let registry = registry();
        let error = registry
            .resolve_tool_call("show_emotion", &json!({"emotion": "bored"}))
            .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("must be one of neutral, happy, sad"),
            "{error}"
        );
        let error = registry
            .resolve_tool_call("show_emotion", &json!({"emotion": "happy", "intensity": 2}))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "tool `show_emotion`: argument `intensity` must be at most 1, got 2"
        );
    }
}
