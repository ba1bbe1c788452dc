//! Validation of `skill.toml` manifests: names, duplicates, parameter types, enum synonyms and
//! trigger phrases, each failure a [`ManifestError`] saying what to fix.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::ManifestError;
use crate::lang::Lang;
use crate::matcher::{Template, TemplateError, normalize_phrase};
use crate::skill::manifest::{IntentSpec, Manifest, ParamType, ParameterSpec, Triggers};

impl Manifest {
    /// Checks names, duplicates, parameter types and every trigger phrase.
    ///
    /// # Errors
    /// The first problem found, saying which skill, intent, parameter or trigger to fix.
    pub fn validate(&self) -> Result<(), ManifestError> {
        check_name("skill", &self.name)?;
        self.check_not_empty("version", &self.version)?;
        self.check_not_empty("description", &self.description)?;
        let mut intents = BTreeSet::new();
        let mut tools = BTreeSet::new();
        for intent in &self.intents {
            intent.validate(&self.name)?;
            if !intents.insert(intent.name.as_str()) {
                return Err(ManifestError::DuplicateIntent {
                    skill: self.name.clone(),
                    intent: intent.name.clone(),
                });
            }
            let tool = intent.tool_name();
            if !tools.insert(tool.clone()) {
                return Err(ManifestError::DuplicateTool {
                    skill: self.name.clone(),
                    tool,
                });
            }
        }
        let mut keys = BTreeSet::new();
        for key in &self.config {
            check_name("config key", &key.name)?;
            check_env_name(&key.env)?;
            self.check_not_empty(
                &format!("config.{}.description", key.name),
                &key.description,
            )?;
            if !keys.insert(key.name.as_str()) {
                return Err(ManifestError::DuplicateConfigKey {
                    skill: self.name.clone(),
                    key: key.name.clone(),
                });
            }
        }
        Ok(())
    }

    fn check_not_empty(&self, field: &str, value: &str) -> Result<(), ManifestError> {
        if value.trim().is_empty() {
            return Err(ManifestError::EmptyField {
                skill: self.name.clone(),
                field: field.to_owned(),
            });
        }
        Ok(())
    }
}

impl IntentSpec {
    fn validate(&self, skill: &str) -> Result<(), ManifestError> {
        check_intent_name(&self.name)?;
        if self.description.trim().is_empty() {
            return Err(ManifestError::EmptyField {
                skill: skill.to_owned(),
                field: format!("intents.{}.description", self.name),
            });
        }
        if let Some(tool) = &self.tool {
            crate::skill::tool::check_tool_name(tool)?;
        }
        let mut names = BTreeSet::new();
        for parameter in &self.parameters {
            parameter.validate(skill, &self.name)?;
            if !names.insert(parameter.name.as_str()) {
                return Err(ManifestError::DuplicateParameter {
                    intent: self.name.clone(),
                    parameter: parameter.name.clone(),
                });
            }
        }
        if let Some(triggers) = &self.triggers {
            self.validate_triggers(triggers)?;
        }
        Ok(())
    }

    fn validate_triggers(&self, triggers: &Triggers) -> Result<(), ManifestError> {
        let mut any = false;
        for lang in Lang::ALL {
            let list = match lang {
                Lang::En => &triggers.en,
                Lang::Fr => &triggers.fr,
                Lang::Nl => &triggers.nl,
            };
            let Some(list) = list else { continue };
            any = true;
            if list.is_empty() {
                return Err(ManifestError::EmptyTriggers {
                    intent: self.name.clone(),
                    lang,
                });
            }
            for trigger in list {
                self.validate_trigger(lang, trigger)?;
            }
        }
        if !any {
            return Err(ManifestError::NoTriggerLanguage {
                intent: self.name.clone(),
            });
        }
        Ok(())
    }

    fn validate_trigger(&self, lang: Lang, trigger: &str) -> Result<(), ManifestError> {
        let intent = self.name.clone();
        let owned = trigger.to_owned();
        let template =
            Template::compile(trigger, &self.parameters).map_err(|error| match error {
                TemplateError::Blank => ManifestError::BlankTrigger {
                    intent,
                    lang,
                    trigger: owned,
                },
                TemplateError::Malformed => ManifestError::MalformedSlot {
                    intent,
                    trigger: owned,
                },
                TemplateError::UnknownSlot(slot) => ManifestError::UnknownSlot {
                    intent,
                    trigger: owned,
                    slot,
                },
                TemplateError::RepeatedSlot(slot) => ManifestError::RepeatedSlot {
                    intent,
                    trigger: owned,
                    slot,
                },
            })?;
        for (index, parameter) in self.parameters.iter().enumerate() {
            if parameter.required && !template.uses_slot(index) {
                return Err(ManifestError::MissingRequiredSlot {
                    intent: self.name.clone(),
                    trigger: trigger.to_owned(),
                    slot: parameter.name.clone(),
                });
            }
        }
        Ok(())
    }
}

impl ParameterSpec {
    fn validate(&self, skill: &str, intent: &str) -> Result<(), ManifestError> {
        check_name("parameter", &self.name)?;
        if self.description.trim().is_empty() {
            return Err(ManifestError::EmptyField {
                skill: skill.to_owned(),
                field: format!("intents.{intent}.parameters.{}.description", self.name),
            });
        }
        let is_enum = self.kind == ParamType::Enum;
        if is_enum && self.values.is_empty() {
            return Err(ManifestError::EnumWithoutValues {
                intent: intent.to_owned(),
                parameter: self.name.clone(),
            });
        }
        if !is_enum && (!self.values.is_empty() || !self.synonyms.is_empty()) {
            return Err(ManifestError::ValuesOnNonEnum {
                intent: intent.to_owned(),
                parameter: self.name.clone(),
            });
        }
        self.validate_bounds(intent)?;
        self.spoken_values(intent).map(|_| ())
    }

    fn validate_bounds(&self, intent: &str) -> Result<(), ManifestError> {
        let error = |reason| ManifestError::InvalidBounds {
            intent: intent.to_owned(),
            parameter: self.name.clone(),
            reason,
        };
        if self.minimum.is_none() && self.maximum.is_none() {
            return Ok(());
        }
        if !matches!(self.kind, ParamType::Integer | ParamType::Number) {
            return Err(error(
                "`minimum` and `maximum` apply to integer and number parameters only",
            ));
        }
        if self
            .minimum
            .into_iter()
            .chain(self.maximum)
            .any(|bound| !bound.is_finite())
        {
            return Err(error("bounds must be finite numbers"));
        }
        if let (Some(minimum), Some(maximum)) = (self.minimum, self.maximum)
            && minimum > maximum
        {
            return Err(error("`minimum` is greater than `maximum`"));
        }
        Ok(())
    }

    /// Every spoken form of an enum's values, normalised, mapped to its value.
    ///
    /// # Errors
    /// A synonym keyed by an unknown value, or a form naming two values.
    pub(crate) fn spoken_values(
        &self,
        intent: &str,
    ) -> Result<BTreeMap<String, String>, ManifestError> {
        let mut forms: BTreeMap<String, String> = BTreeMap::new();
        for value in &self.values {
            check_name("enum value", value)?;
        }
        if let Some(value) = self
            .synonyms
            .keys()
            .find(|value| !self.values.contains(value))
        {
            return Err(ManifestError::UnknownEnumValue {
                intent: intent.to_owned(),
                parameter: self.name.clone(),
                value: value.clone(),
            });
        }
        let spoken =
            self.values
                .iter()
                .map(|value| (value, value))
                .chain(self.synonyms.iter().flat_map(|(value, synonyms)| {
                    synonyms.iter().map(move |synonym| (synonym, value))
                }));
        for (form, value) in spoken {
            let key = normalize_phrase(form);
            if key.is_empty() {
                continue;
            }
            match forms.get(&key) {
                Some(existing) if existing != value => {
                    return Err(ManifestError::AmbiguousSynonym {
                        intent: intent.to_owned(),
                        parameter: self.name.clone(),
                        synonym: form.clone(),
                    });
                }
                _ => {
                    forms.insert(key, value.clone());
                }
            }
        }
        Ok(forms)
    }
}

const NAME_RULE: &str =
    "use lowercase ASCII letters, digits and `_`, starting with a letter, at most 64 characters";

fn check_name(what: &'static str, name: &str) -> Result<(), ManifestError> {
    let mut chars = name.chars();
    let valid = name.len() <= 64
        && chars.next().is_some_and(|first| first.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(ManifestError::InvalidName {
            what,
            name: name.to_owned(),
            rule: NAME_RULE,
        })
    }
}

fn check_intent_name(name: &str) -> Result<(), ManifestError> {
    let segments: Vec<&str> = name.split('.').collect();
    let valid = segments.len() >= 2
        && segments
            .iter()
            .all(|segment| check_name("intent", segment).is_ok());
    if valid {
        Ok(())
    } else {
        Err(ManifestError::InvalidName {
            what: "intent",
            name: name.to_owned(),
            rule: "use dotted lowercase words such as `timer.set`",
        })
    }
}

fn check_env_name(name: &str) -> Result<(), ManifestError> {
    let mut chars = name.chars();
    let valid = chars
        .next()
        .is_some_and(|first| first.is_ascii_uppercase() || first == '_')
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(ManifestError::InvalidName {
            what: "environment variable",
            name: name.to_owned(),
            rule: "use uppercase ASCII letters, digits and `_`, not starting with a digit",
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::skill::manifest::{Manifest, ParamType};

    const VALID: &str = r#"
name = "demo"
version = "1.0.0"
description = "A demo."

[[intents]]
name = "demo.greet"
description = "Greets someone."
[[intents.parameters]]
name = "who"
type = "string"
required = true
description = "Who to greet."
[intents.triggers]
en = ["greet {who}", "say hello to {who}"]
fr = ["salue {who}"]

[[intents]]
name = "demo.mood"
description = "Shows a mood."
tool = "show_mood"
[[intents.parameters]]
name = "mood"
type = "enum"
values = ["happy", "sad"]
description = "The mood."
[intents.parameters.synonyms]
happy = ["glad", "heureux"]

[[config]]
name = "api_key"
env = "DEMO_API_KEY"
required = true
description = "The key."
"#;

    /// Applies `edit` to the valid manifest and returns the validation error's message.
    fn error_after(from: &str, to: &str) -> String {
        assert!(VALID.contains(from), "test edit `{from}` does not apply");
        let text = VALID.replacen(from, to, 1);
        match Manifest::from_toml(&text) {
            Ok(_) => panic!("`{from}` -> `{to}` should be rejected"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn rejects_invalid_manifests_with_readable_messages() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "name = \"demo\"",
                "name = \"Demo\"",
                "skill name `Demo` is invalid",
            ),
            (
                "version = \"1.0.0\"",
                "version = \" \"",
                "`version` must not be empty",
            ),
            (
                "name = \"demo.mood\"",
                "name = \"demo.greet\"",
                "intent `demo.greet` is declared twice",
            ),
            (
                "name = \"demo.greet\"",
                "name = \"greet\"",
                "intent name `greet` is invalid",
            ),
            (
                "tool = \"show_mood\"",
                "tool = \"demo_greet\"",
                "tool name `demo_greet` is used by two intents",
            ),
            (
                "tool = \"show_mood\"",
                "tool = \"show mood\"",
                "tool name `show mood` is invalid",
            ),
            (
                "en = [\"greet {who}\",",
                "en = [\"greet {whom}\",",
                "uses slot `{whom}`, which is not a parameter",
            ),
            (
                "en = [\"greet {who}\",",
                "en = [\"greet {who} and {who}\",",
                "uses slot `{who}` twice",
            ),
            (
                "en = [\"greet {who}\",",
                "en = [\"greet {who\",",
                "malformed slot",
            ),
            (
                "en = [\"greet {who}\",",
                "en = [\"greet {who}s\",",
                "malformed slot",
            ),
            (
                "en = [\"greet {who}\",",
                "en = [\"greet\",",
                "lacks the required parameter `{who}`",
            ),
            (
                "en = [\"greet {who}\",",
                "en = [\"?!\",",
                "trigger is blank",
            ),
            (
                "fr = [\"salue {who}\"]",
                "fr = []",
                "trigger list for `fr` is empty",
            ),
            (
                "en = [\"greet {who}\", \"say hello to {who}\"]\nfr = [\"salue {who}\"]",
                "",
                "lists no language",
            ),
            (
                "values = [\"happy\", \"sad\"]",
                "values = []",
                "needs a non-empty `values` list",
            ),
            (
                "type = \"string\"",
                "type = \"string\"\nvalues = [\"x\"]",
                "is not of type `enum`",
            ),
            (
                "happy = [\"glad\", \"heureux\"]",
                "hapy = [\"glad\"]",
                "synonyms for `hapy`, which is not in `values`",
            ),
            (
                "happy = [\"glad\", \"heureux\"]",
                "happy = [\"Sad\"]",
                "`Sad` names two different values",
            ),
            (
                "type = \"string\"",
                "type = \"string\"\nminimum = 1.0",
                "apply to integer and number parameters only",
            ),
            (
                "env = \"DEMO_API_KEY\"",
                "env = \"demo-key\"",
                "environment variable name `demo-key` is invalid",
            ),
            (
                "type = \"string\"",
                "type = \"text\"",
                "unknown variant `text`",
            ),
            (
                "version = \"1.0.0\"",
                "version = \"1.0.0\"\nauthor = \"me\"",
                "unknown field `author`",
            ),
            (
                "fr = [\"salue {who}\"]",
                "de = [\"grüße {who}\"]",
                "unknown field `de`",
            ),
        ];
        for (from, to, expected) in cases {
            let message = error_after(from, to);
            assert!(
                message.contains(expected),
                "`{from}` -> `{to}`: `{message}` lacks `{expected}`"
            );
        }
    }

    #[test]
    fn rejects_inverted_bounds() {
        let mut manifest = Manifest::from_toml(VALID).unwrap();
        manifest.intents[0].parameters[0].kind = ParamType::Number;
        manifest.intents[0].parameters[0].minimum = Some(2.0);
        manifest.intents[0].parameters[0].maximum = Some(1.0);
        let message = manifest.validate().unwrap_err().to_string();
        assert!(
            message.contains("`minimum` is greater than `maximum`"),
            "{message}"
        );
    }

    #[test]
    fn spoken_values_include_values_and_normalised_synonyms() {
        let manifest = Manifest::from_toml(VALID).unwrap();
        let mood = &manifest.intent("demo.mood").unwrap().parameters[0];
        let forms = mood.spoken_values("demo.mood").unwrap();
        assert_eq!(forms.get("heureux").map(String::as_str), Some("happy"));
        assert_eq!(forms.get("sad").map(String::as_str), Some("sad"));
        assert_eq!(forms.get("glad").map(String::as_str), Some("happy"));
    }
}
