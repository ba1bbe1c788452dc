//! Checking an LLM tool call's arguments against an intent's parameters, turning them into
//! typed slots. Every error names the tool and the argument so the LLM loop can feed it back to
//! the model verbatim and let it retry.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::SkillError;
use crate::matcher::{normalize_phrase, parse_duration_text};
use crate::skill::intent::SlotValue;
use crate::skill::manifest::{IntentSpec, ParamType, ParameterSpec};

/// The longest duration accepted from a tool call: a year, far beyond any timer.
const MAX_DURATION_SECS: u64 = 366 * 24 * 3600;

/// Validates `arguments` (a JSON object, or a string holding one as OpenAI sends it; `null`
/// and `""` mean no arguments) against `intent`'s parameters.
///
/// Lenient where models commonly slip: numbers and booleans given as strings are accepted, an
/// enum value matches case-insensitively or through a synonym, a duration may be a spoken string
/// such as `"5 minutes"`, and `null` counts as absent.
///
/// # Errors
/// [`SkillError::BadArguments`], [`SkillError::UnknownArgument`],
/// [`SkillError::MissingArgument`] or [`SkillError::InvalidArgument`], naming `tool`.
pub(crate) fn parse_arguments(
    tool: &str,
    intent: &IntentSpec,
    arguments: &Value,
) -> Result<BTreeMap<String, SlotValue>, SkillError> {
    let object = as_object(tool, arguments)?;
    if let Some(unknown) = object.keys().find(|key| intent.parameter(key).is_none()) {
        let expected: Vec<&str> = intent.parameters.iter().map(|p| p.name.as_str()).collect();
        return Err(SkillError::UnknownArgument {
            tool: tool.to_owned(),
            argument: unknown.clone(),
            expected: if expected.is_empty() {
                "(none)".to_owned()
            } else {
                expected.join(", ")
            },
        });
    }
    let mut slots = BTreeMap::new();
    for parameter in &intent.parameters {
        match object.get(&parameter.name) {
            None | Some(Value::Null) if parameter.required => {
                return Err(SkillError::MissingArgument {
                    tool: tool.to_owned(),
                    argument: parameter.name.clone(),
                });
            }
            None | Some(Value::Null) => {}
            Some(value) => {
                let slot = convert(parameter, value, &intent.name).map_err(|reason| {
                    SkillError::InvalidArgument {
                        tool: tool.to_owned(),
                        argument: parameter.name.clone(),
                        reason,
                    }
                })?;
                slots.insert(parameter.name.clone(), slot);
            }
        }
    }
    Ok(slots)
}

fn as_object(tool: &str, arguments: &Value) -> Result<Map<String, Value>, SkillError> {
    let bad = |reason: String| SkillError::BadArguments {
        tool: tool.to_owned(),
        reason,
    };
    match arguments {
        Value::Null => Ok(Map::new()),
        Value::Object(object) => Ok(object.clone()),
        Value::String(text) if text.trim().is_empty() => Ok(Map::new()),
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(object)) => Ok(object),
            Ok(other) => Err(bad(format!("got {}", json_kind(&other)))),
            Err(error) => Err(bad(format!("invalid JSON: {error}"))),
        },
        other => Err(bad(format!("got {}", json_kind(other)))),
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Converts one argument, or says what was expected.
fn convert(parameter: &ParameterSpec, value: &Value, intent: &str) -> Result<SlotValue, String> {
    let got = || format!("must be {}, got {}", expected(parameter), json_kind(value));
    match parameter.kind {
        ParamType::String => match value {
            Value::String(text) if !text.trim().is_empty() => {
                Ok(SlotValue::Text(text.trim().to_owned()))
            }
            Value::String(_) => Err("must not be empty".to_owned()),
            _ => Err(got()),
        },
        ParamType::Boolean => match value {
            Value::Bool(flag) => Ok(SlotValue::Boolean(*flag)),
            Value::String(text) if text.eq_ignore_ascii_case("true") => {
                Ok(SlotValue::Boolean(true))
            }
            Value::String(text) if text.eq_ignore_ascii_case("false") => {
                Ok(SlotValue::Boolean(false))
            }
            _ => Err(got()),
        },
        ParamType::Integer => {
            let number = number_of(value).ok_or_else(got)?;
            if number.fract() != 0.0 || number.abs() > i64::MAX as f64 {
                return Err(format!("must be a whole number, got {number}"));
            }
            check_bounds(parameter, number)?;
            Ok(SlotValue::Integer(number as i64))
        }
        ParamType::Number => {
            let number = number_of(value).ok_or_else(got)?;
            check_bounds(parameter, number)?;
            Ok(SlotValue::Number(number))
        }
        ParamType::Duration => {
            let seconds = match value {
                Value::String(text) => {
                    number_of(value).or_else(|| parse_duration_text(text).map(|s| s as f64))
                }
                _ => number_of(value),
            }
            .ok_or_else(got)?;
            let seconds = seconds.round();
            if !(1.0..=MAX_DURATION_SECS as f64).contains(&seconds) {
                return Err(format!(
                    "must be between 1 and {MAX_DURATION_SECS} seconds, got {seconds}"
                ));
            }
            Ok(SlotValue::Duration(seconds as u64))
        }
        ParamType::Enum => {
            let Value::String(text) = value else {
                return Err(got());
            };
            let forms = parameter
                .spoken_values(intent)
                .map_err(|error| error.to_string())?;
            forms
                .get(&normalize_phrase(text))
                .map(|value| SlotValue::Enum(value.clone()))
                .ok_or_else(|| {
                    format!(
                        "must be one of {}, got \"{text}\"",
                        parameter.values.join(", ")
                    )
                })
        }
    }
}

/// A finite number from a JSON number or a numeric string.
fn number_of(value: &Value) -> Option<f64> {
    let number = match value {
        Value::Number(number) => number.as_f64()?,
        Value::String(text) => text.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    number.is_finite().then_some(number)
}

fn check_bounds(parameter: &ParameterSpec, number: f64) -> Result<(), String> {
    if let Some(minimum) = parameter.minimum
        && number < minimum
    {
        return Err(format!("must be at least {minimum}, got {number}"));
    }
    if let Some(maximum) = parameter.maximum
        && number > maximum
    {
        return Err(format!("must be at most {maximum}, got {number}"));
    }
    Ok(())
}

fn expected(parameter: &ParameterSpec) -> &'static str {
    match parameter.kind {
        ParamType::String => "a string",
        ParamType::Integer => "an integer",
        ParamType::Number => "a number",
        ParamType::Boolean => "a boolean",
        ParamType::Duration => "a number of seconds",
        ParamType::Enum => "a string",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::skill::manifest::Manifest;

    fn intent() -> IntentSpec {
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
description = "How long."
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
name = "mood"
type = "enum"
values = ["happy", "sad"]
description = "Mood."
[intents.parameters.synonyms]
happy = ["heureux"]
[[intents.parameters]]
name = "loud"
type = "boolean"
description = "Loud."
[[intents.parameters]]
name = "label"
type = "string"
description = "Label."
"#,
        )
        .unwrap();
        manifest.intents[0].clone()
    }

    #[test]
    fn accepts_well_formed_and_leniently_typed_arguments() {
        let cases = [
            (json!({"delay": 300}), "delay", SlotValue::Duration(300)),
            (json!({"delay": 90.4}), "delay", SlotValue::Duration(90)),
            (json!({"delay": "120"}), "delay", SlotValue::Duration(120)),
            (
                json!({"delay": "5 minutes"}),
                "delay",
                SlotValue::Duration(300),
            ),
            (
                json!({"delay": "cinq minutes"}),
                "delay",
                SlotValue::Duration(300),
            ),
            (
                json!({"delay": 1, "count": 3}),
                "count",
                SlotValue::Integer(3),
            ),
            (
                json!({"delay": 1, "count": "4"}),
                "count",
                SlotValue::Integer(4),
            ),
            (
                json!({"delay": 1, "count": 5.0}),
                "count",
                SlotValue::Integer(5),
            ),
            (
                json!({"delay": 1, "level": 0.5}),
                "level",
                SlotValue::Number(0.5),
            ),
            (
                json!({"delay": 1, "mood": "Happy"}),
                "mood",
                SlotValue::Enum("happy".into()),
            ),
            (
                json!({"delay": 1, "mood": "heureux"}),
                "mood",
                SlotValue::Enum("happy".into()),
            ),
            (
                json!({"delay": 1, "loud": "true"}),
                "loud",
                SlotValue::Boolean(true),
            ),
            (
                json!({"delay": 1, "label": " pasta "}),
                "label",
                SlotValue::Text("pasta".into()),
            ),
            (json!("{\"delay\": 60}"), "delay", SlotValue::Duration(60)),
        ];
        for (arguments, name, expected) in cases {
            let slots = parse_arguments("demo_run", &intent(), &arguments).unwrap();
            assert_eq!(slots.get(name), Some(&expected), "{arguments}");
        }
        let slots =
            parse_arguments("demo_run", &intent(), &json!({"delay": 1, "count": null})).unwrap();
        assert!(!slots.contains_key("count"));
    }

    #[test]
    fn rejects_bad_arguments_with_messages_for_the_llm() {
        let cases = [
            (
                json!(null),
                "tool `demo_run`: missing required argument `delay`",
            ),
            (
                json!({}),
                "tool `demo_run`: missing required argument `delay`",
            ),
            (
                json!({"delay": null}),
                "tool `demo_run`: missing required argument `delay`",
            ),
            (
                json!([1]),
                "tool `demo_run`: arguments must be a JSON object: got an array",
            ),
            (
                json!("{oops"),
                "tool `demo_run`: arguments must be a JSON object: invalid JSON",
            ),
            (
                json!({"delay": 1, "colour": "red"}),
                "tool `demo_run`: unknown argument `colour`; expected one of: delay, count, level, mood, loud, label",
            ),
            (
                json!({"delay": "soon"}),
                "argument `delay` must be a number of seconds, got a string",
            ),
            (
                json!({"delay": 0}),
                "argument `delay` must be between 1 and",
            ),
            (
                json!({"delay": true}),
                "argument `delay` must be a number of seconds, got a boolean",
            ),
            (
                json!({"delay": 1, "count": 2.5}),
                "argument `count` must be a whole number, got 2.5",
            ),
            (
                json!({"delay": 1, "count": 11}),
                "argument `count` must be at most 10, got 11",
            ),
            (
                json!({"delay": 1, "level": -0.5}),
                "argument `level` must be at least 0, got -0.5",
            ),
            (
                json!({"delay": 1, "mood": "angry"}),
                "argument `mood` must be one of happy, sad, got \"angry\"",
            ),
            (
                json!({"delay": 1, "mood": 3}),
                "argument `mood` must be a string, got a number",
            ),
            (
                json!({"delay": 1, "loud": "maybe"}),
                "argument `loud` must be a boolean, got a string",
            ),
            (
                json!({"delay": 1, "label": ""}),
                "argument `label` must not be empty",
            ),
        ];
        for (arguments, expected) in cases {
            let error = parse_arguments("demo_run", &intent(), &arguments)
                .unwrap_err()
                .to_string();
            assert!(
                error.contains(expected),
                "{arguments}: `{error}` lacks `{expected}`"
            );
        }
    }
}
