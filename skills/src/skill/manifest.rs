//! `skill.toml`: what a skill declares about itself — its intents, their parameters, the phrases
//! that trigger them locally, and the configuration it reads.
//!
//! ```toml
//! name = "clock"
//! version = "0.1.0"
//! description = "Tells the time and the date."
//!
//! [[intents]]
//! name = "clock.time"
//! description = "Tell the current local time."
//! [intents.triggers]
//! en = ["what time is it", "what's the time"]
//! fr = ["quelle heure est-il"]
//! nl = ["hoe laat is het"]
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::ManifestError;
use crate::lang::Lang;

/// A skill's manifest, parsed from its `skill.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The skill's name: lowercase ASCII letters, digits and `_`, starting with a letter.
    pub name: String,
    /// The skill's version, free-form (semver recommended).
    pub version: String,
    /// One sentence saying what the skill does.
    pub description: String,
    /// Whether the skill is offered at all; the configuration can still disable it.
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    /// What the skill can do.
    #[serde(default)]
    pub intents: Vec<IntentSpec>,
    /// The settings the skill reads from the environment.
    #[serde(default)]
    pub config: Vec<ConfigKey>,
}

fn enabled_by_default() -> bool {
    true
}

/// One thing a skill can do, reachable both by local triggers and as an LLM tool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntentSpec {
    /// Dotted name, such as `clock.time` or `timer.set`.
    pub name: String,
    /// What the intent does; the LLM reads it as the tool's description.
    pub description: String,
    /// The tool name shown to the LLM, when the one derived from `name` will not do (an
    /// established name such as `show_emotion`). See [`IntentSpec::tool_name`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// The intent's parameters: slots in triggers, properties in the tool schema.
    #[serde(default)]
    pub parameters: Vec<ParameterSpec>,
    /// Phrases that trigger the intent without the LLM. `None`: reachable by the LLM only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triggers: Option<Triggers>,
}

/// A parameter of an intent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParameterSpec {
    /// Lowercase name, used as `{name}` in triggers and as the tool argument's key.
    pub name: String,
    /// What kind of value it takes.
    #[serde(rename = "type")]
    pub kind: ParamType,
    /// Whether the intent cannot run without it.
    #[serde(default)]
    pub required: bool,
    /// What the value means; the LLM reads it.
    pub description: String,
    /// The allowed values of an `enum`, as the LLM and the skill see them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// Other words or phrases, in any language, that name an `enum` value when spoken
    /// (`happy = ["glad", "heureux", "blij"]`). The values themselves are always recognised.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub synonyms: BTreeMap<String, Vec<String>>,
    /// The smallest allowed value of an `integer` or `number`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum: Option<f64>,
    /// The largest allowed value of an `integer` or `number`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum: Option<f64>,
}

/// The type of a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamType {
    /// Free text, such as a timer's name.
    String,
    /// A whole number, spoken as digits or words.
    Integer,
    /// A number, possibly with decimals.
    Number,
    /// Yes or no.
    Boolean,
    /// A length of time, spoken ("two minutes and a half") or given to the LLM in seconds.
    Duration,
    /// One of a fixed list of `values`.
    Enum,
}

impl ParamType {
    /// The name used in `skill.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Integer => "integer",
            ParamType::Number => "number",
            ParamType::Boolean => "boolean",
            ParamType::Duration => "duration",
            ParamType::Enum => "enum",
        }
    }
}

/// Trigger phrases per language. Slots are whole words in braces: `set a timer for {duration}`.
///
/// Phrases are matched after normalisation (case, punctuation, accents, apostrophes and hyphens
/// do not matter), so write them as people say them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Triggers {
    /// English phrases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<Vec<String>>,
    /// French phrases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fr: Option<Vec<String>>,
    /// Dutch phrases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nl: Option<Vec<String>>,
}

impl Triggers {
    /// The phrases for one language (empty when it has none).
    pub fn get(&self, lang: Lang) -> &[String] {
        let list = match lang {
            Lang::En => &self.en,
            Lang::Fr => &self.fr,
            Lang::Nl => &self.nl,
        };
        list.as_deref().unwrap_or_default()
    }

    /// Every language's phrases, in [`Lang::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Lang, &[String])> {
        Lang::ALL.into_iter().map(|lang| (lang, self.get(lang)))
    }
}

/// A setting a skill reads from the environment (an API key, a URL).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigKey {
    /// The key's name inside the skill.
    pub name: String,
    /// The environment variable that holds its value.
    pub env: String,
    /// Whether the skill cannot work without it.
    #[serde(default)]
    pub required: bool,
    /// What the value is, for the person setting it.
    pub description: String,
    /// The value used when the variable is unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

impl Manifest {
    /// Parses and validates a `skill.toml`.
    ///
    /// # Errors
    /// [`ManifestError::Toml`] when the text is not a manifest, or the first validation error
    /// (see [`Manifest::validate`]).
    pub fn from_toml(text: &str) -> Result<Manifest, ManifestError> {
        let manifest: Manifest = toml::from_str(text)?;
        manifest.validate()?;
        Ok(manifest)
    }

    /// The intent with this name.
    pub fn intent(&self, name: &str) -> Option<&IntentSpec> {
        self.intents.iter().find(|intent| intent.name == name)
    }

    /// The intent exposed to the LLM under this tool name.
    pub fn intent_for_tool(&self, tool: &str) -> Option<&IntentSpec> {
        self.intents
            .iter()
            .find(|intent| intent.tool_name() == tool)
    }
}

impl IntentSpec {
    /// The parameter with this name.
    pub fn parameter(&self, name: &str) -> Option<&ParameterSpec> {
        self.parameters
            .iter()
            .find(|parameter| parameter.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn parses_a_valid_manifest_with_defaults() {
        let manifest = Manifest::from_toml(VALID).unwrap();
        assert!(manifest.enabled);
        assert_eq!(manifest.intents.len(), 2);
        let greet = manifest.intent("demo.greet").unwrap();
        assert_eq!(
            greet.triggers.as_ref().unwrap().get(Lang::Fr),
            ["salue {who}"]
        );
        assert!(greet.triggers.as_ref().unwrap().get(Lang::Nl).is_empty());
        assert_eq!(
            manifest.intent_for_tool("show_mood").unwrap().name,
            "demo.mood"
        );
        assert_eq!(manifest.config[0].env, "DEMO_API_KEY");
    }
}
