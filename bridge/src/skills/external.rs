//! An external skill as the registry sees it: a manifest received over MQTT. Its intents are
//! matched and offered to the language model like a built-in skill's; executing them is a
//! request over MQTT (see `calls`), so [`Skill::execute`] only says so.

use hive_skills::{IntentMatch, Manifest, Skill, SkillContext, SkillError, SkillReply};
use hive_topics::{SkillManifest, SkillName};
use serde_json::Value;

/// Why a published manifest was not registered.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RegisterError {
    /// It does not have the shape of a `skill.toml`.
    #[error("skill `{skill}`: the manifest does not have the shape of a skill.toml: {detail}")]
    Shape { skill: SkillName, detail: String },
    /// It breaks a manifest rule, or clashes with a skill already registered.
    #[error("skill `{skill}`: {source}")]
    Invalid {
        skill: SkillName,
        #[source]
        source: SkillError,
    },
    /// A built-in skill has this name.
    #[error("skill `{0}` is a built-in skill's name; choose another")]
    Builtin(SkillName),
}

/// A skill served by another program over MQTT.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ExternalSkill {
    manifest: Manifest,
}

impl ExternalSkill {
    /// Reads and validates a published manifest.
    ///
    /// # Errors
    /// [`RegisterError::Shape`] or [`RegisterError::Invalid`] naming what to fix.
    pub(crate) fn from_manifest(
        skill: &SkillName,
        manifest: SkillManifest,
    ) -> Result<ExternalSkill, RegisterError> {
        let manifest: Manifest =
            serde_json::from_value(Value::Object(manifest.0)).map_err(|error| {
                RegisterError::Shape {
                    skill: skill.clone(),
                    detail: error.to_string(),
                }
            })?;
        manifest
            .validate()
            .map_err(|error| RegisterError::Invalid {
                skill: skill.clone(),
                source: error.into(),
            })?;
        Ok(ExternalSkill { manifest })
    }
}

impl Skill for ExternalSkill {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn execute(&self, intent: &IntentMatch, _ctx: &SkillContext) -> Result<SkillReply, SkillError> {
        Err(SkillError::NeedsRuntime {
            intent: intent.intent.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn published(value: Value) -> SkillManifest {
        let Value::Object(map) = value else {
            panic!("an object")
        };
        SkillManifest(map)
    }

    #[test]
    fn a_skill_toml_shaped_manifest_is_accepted() {
        let manifest = published(json!({
            "name": "dice",
            "version": "1.0.0",
            "description": "Rolls dice.",
            "intents": [{
                "name": "dice.roll",
                "description": "Roll a die.",
                "parameters": [{"name": "sides", "type": "integer", "description": "Sides."}],
                "triggers": {"en": ["roll a die", "roll a {sides} sided die"]}
            }]
        }));
        let dice = SkillName::new("dice").unwrap();
        let skill = ExternalSkill::from_manifest(&dice, manifest).unwrap();
        assert_eq!(skill.manifest().intents[0].tool_name(), "dice_roll");
    }

    #[test]
    fn broken_manifests_are_refused_with_what_to_fix() {
        let dice = SkillName::new("dice").unwrap();
        let cases = [
            (
                json!({"name": "dice", "version": "1", "description": "x",
                       "intents": [{"name": "dice.roll"}]}),
                "missing field `description`",
            ),
            (
                json!({"name": "dice", "version": "1", "description": "x", "colour": "red",
                       "intents": [{"name": "dice.roll", "description": "Roll."}]}),
                "unknown field `colour`",
            ),
            (
                json!({"name": "dice", "version": "1", "description": "x",
                       "intents": [{"name": "roll", "description": "Roll."}]}),
                "intent name `roll` is invalid",
            ),
            (
                json!({"name": "dice", "version": "1", "description": "x",
                       "intents": [{"name": "dice.roll", "description": "Roll.",
                                    "triggers": {"en": ["roll a {sides} die"]}}]}),
                "uses slot `{sides}`, which is not a parameter",
            ),
        ];
        for (manifest, expected) in cases {
            let error = ExternalSkill::from_manifest(&dice, published(manifest))
                .unwrap_err()
                .to_string();
            assert!(error.contains(expected), "{error}");
        }
    }
}
