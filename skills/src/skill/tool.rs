//! Intents as LLM tools: OpenAI-style function schemas, and the mapping between intent names
//! (`clock.time`) and tool names (`clock_time`).
//!
//! Tool names must match `^[a-zA-Z0-9_-]{1,64}$`, so dots cannot be used. The mapping back from a
//! tool name goes through the manifests ([`Manifest::intent_for_tool`]), never by string
//! surgery, because an intent may override its tool name (`emotion.show` is `show_emotion`).

use serde_json::{Map, Value, json};

use crate::error::ManifestError;
use crate::skill::manifest::{IntentSpec, Manifest, ParamType, ParameterSpec};

/// The longest tool name the OpenAI API accepts.
const MAX_TOOL_NAME: usize = 64;

/// The tool name derived from an intent name: every character outside `[a-zA-Z0-9_-]` becomes
/// `_`, cut to 64 characters (`clock.time` → `clock_time`).
pub fn tool_name_for(intent_name: &str) -> String {
    intent_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(MAX_TOOL_NAME)
        .collect()
}

/// Checks a tool name against `^[a-zA-Z0-9_-]{1,64}$`.
pub(crate) fn check_tool_name(name: &str) -> Result<(), ManifestError> {
    let valid = !name.is_empty()
        && name.len() <= MAX_TOOL_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid {
        Ok(())
    } else {
        Err(ManifestError::InvalidName {
            what: "tool",
            name: name.to_owned(),
            rule: "use 1 to 64 ASCII letters, digits, `_` or `-`",
        })
    }
}

impl IntentSpec {
    /// The name the LLM calls this intent by: the manifest's `tool` override, else
    /// [`tool_name_for`] the intent's name.
    pub fn tool_name(&self) -> String {
        self.tool
            .clone()
            .unwrap_or_else(|| tool_name_for(&self.name))
    }

    /// This intent as an OpenAI-style function tool:
    /// `{"type":"function","function":{"name","description","parameters"}}`.
    pub fn tool_schema(&self) -> Value {
        let mut properties = Map::new();
        let mut required = Vec::new();
        for parameter in &self.parameters {
            properties.insert(parameter.name.clone(), parameter_schema(parameter));
            if parameter.required {
                required.push(Value::String(parameter.name.clone()));
            }
        }
        json!({
            "type": "function",
            "function": {
                "name": self.tool_name(),
                "description": self.description,
                "parameters": {
                    "type": "object",
                    "properties": properties,
                    "required": required,
                    "additionalProperties": false,
                },
            },
        })
    }
}

impl Manifest {
    /// The tool schemas of every intent of this skill, in manifest order.
    pub fn tool_schemas(&self) -> Vec<Value> {
        self.intents.iter().map(IntentSpec::tool_schema).collect()
    }
}

/// The JSON schema of one parameter. Durations travel as whole seconds: models are better at
/// arithmetic than at agreeing on a duration syntax.
fn parameter_schema(parameter: &ParameterSpec) -> Value {
    let mut schema = Map::new();
    let (kind, description) = match parameter.kind {
        ParamType::String => ("string", parameter.description.clone()),
        ParamType::Integer => ("integer", parameter.description.clone()),
        ParamType::Number => ("number", parameter.description.clone()),
        ParamType::Boolean => ("boolean", parameter.description.clone()),
        ParamType::Duration => (
            "integer",
            format!(
                "{} (in seconds)",
                parameter.description.trim_end_matches('.')
            ),
        ),
        ParamType::Enum => ("string", parameter.description.clone()),
    };
    schema.insert("type".into(), kind.into());
    schema.insert("description".into(), description.into());
    if parameter.kind == ParamType::Enum {
        schema.insert("enum".into(), parameter.values.clone().into());
    }
    if parameter.kind == ParamType::Duration {
        schema.insert("minimum".into(), 1.into());
    }
    let bound = |value: f64| {
        if parameter.kind == ParamType::Integer && value.fract() == 0.0 {
            // Whole bounds print as integers for an integer parameter.
            json!(value as i64)
        } else {
            json!(value)
        }
    };
    if let Some(minimum) = parameter.minimum {
        schema.insert("minimum".into(), bound(minimum));
    }
    if let Some(maximum) = parameter.maximum {
        schema.insert("maximum".into(), bound(maximum));
    }
    Value::Object(schema)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_valid_tool_names_from_intent_names() {
        let cases = [
            ("clock.time", "clock_time"),
            ("timer.set", "timer_set"),
            ("stopwatch.start", "stopwatch_start"),
            ("a.b.c", "a_b_c"),
            ("home.light-on", "home_light-on"),
        ];
        for (intent, tool) in cases {
            assert_eq!(tool_name_for(intent), tool);
            assert!(check_tool_name(tool).is_ok(), "{tool}");
        }
        let long = format!("x.{}", "y".repeat(100));
        assert_eq!(tool_name_for(&long).len(), 64);
    }

    #[test]
    fn checks_tool_names() {
        for good in ["show_emotion", "a", "A-9_z", &"x".repeat(64)] {
            assert!(check_tool_name(good).is_ok(), "{good}");
        }
        for bad in ["", "clock.time", "show emotion", "é", &"x".repeat(65)] {
            assert!(check_tool_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tool_schema_has_the_openai_function_shape() {
        let manifest = Manifest::from_toml(
            r#"
name = "demo"
version = "1"
description = "Demo."
[[intents]]
name = "demo.run"
description = "Runs."
[[intents.parameters]]
name = "delay"
type = "duration"
required = true
description = "How long to wait."
[[intents.parameters]]
name = "count"
type = "integer"
minimum = 1.0
maximum = 10.0
description = "How many."
[[intents.parameters]]
name = "level"
type = "number"
minimum = 0.0
maximum = 1.0
description = "How much."
[[intents.parameters]]
name = "mode"
type = "enum"
values = ["fast", "slow"]
description = "Which mode."
[[intents.parameters]]
name = "loud"
type = "boolean"
description = "Whether loud."
[[intents.parameters]]
name = "label"
type = "string"
description = "A label."
"#,
        )
        .unwrap();
        let schema = manifest.tool_schemas().remove(0);
        assert_eq!(
            schema,
            json!({
                "type": "function",
                "function": {
                    "name": "demo_run",
                    "description": "Runs.",
                    "parameters": {
                        "type": "object",
                        "properties": {
                            "delay": {"type": "integer", "description": "How long to wait (in seconds)", "minimum": 1},
                            "count": {"type": "integer", "description": "How many.", "minimum": 1, "maximum": 10},
                            "level": {"type": "number", "description": "How much.", "minimum": 0.0, "maximum": 1.0},
                            "mode": {"type": "string", "description": "Which mode.", "enum": ["fast", "slow"]},
                            "loud": {"type": "boolean", "description": "Whether loud."},
                            "label": {"type": "string", "description": "A label."},
                        },
                        "required": ["delay"],
                        "additionalProperties": false,
                    },
                },
            })
        );
    }
}
