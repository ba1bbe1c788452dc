//! A resolved intent: which skill and intent, with typed slot values.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::lang::Lang;

/// A typed value for one of an intent's parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "lowercase")]
pub enum SlotValue {
    /// Free text, as heard (case and accents kept, a leading article dropped).
    Text(String),
    /// A whole number.
    Integer(i64),
    /// A number.
    Number(f64),
    /// Yes or no.
    Boolean(bool),
    /// A length of time, in whole seconds (at least one).
    Duration(u64),
    /// One of an enum parameter's declared values (never a synonym).
    Enum(String),
}

impl SlotValue {
    /// The value as a tool argument would carry it (durations as seconds).
    pub fn to_json(&self) -> Value {
        match self {
            SlotValue::Text(text) | SlotValue::Enum(text) => Value::String(text.clone()),
            SlotValue::Integer(value) => Value::from(*value),
            SlotValue::Number(value) => Value::from(*value),
            SlotValue::Boolean(value) => Value::Bool(*value),
            SlotValue::Duration(seconds) => Value::from(*seconds),
        }
    }
}

/// An utterance or a tool call resolved to one intent of one skill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentMatch {
    /// The skill's name.
    pub skill: String,
    /// The intent's name, such as `timer.set`.
    pub intent: String,
    /// The parameters that have a value, by parameter name.
    pub slots: BTreeMap<String, SlotValue>,
    /// The language of the trigger that matched, which may differ from the one the speech
    /// recogniser detected; answer in it. `None` for an LLM tool call, which does not say; use
    /// the session's language then.
    pub lang: Option<Lang>,
    /// How closely the utterance matched, from the matcher's threshold to 1.0 (exact). Tool
    /// calls score 1.0.
    pub score: f32,
}

impl IntentMatch {
    /// The slot's value, if present.
    pub fn slot(&self, name: &str) -> Option<&SlotValue> {
        self.slots.get(name)
    }

    /// A text or enum slot's value.
    pub fn text(&self, name: &str) -> Option<&str> {
        match self.slots.get(name)? {
            SlotValue::Text(text) | SlotValue::Enum(text) => Some(text),
            _ => None,
        }
    }

    /// A duration slot's value, in seconds.
    pub fn duration_secs(&self, name: &str) -> Option<u64> {
        match self.slots.get(name)? {
            SlotValue::Duration(seconds) => Some(*seconds),
            _ => None,
        }
    }

    /// A numeric slot's value (integers widen to `f64`).
    pub fn number(&self, name: &str) -> Option<f64> {
        match self.slots.get(name)? {
            SlotValue::Number(value) => Some(*value),
            SlotValue::Integer(value) => Some(*value as f64),
            _ => None,
        }
    }

    /// The slots as a tool call's JSON arguments object.
    pub fn arguments(&self) -> Value {
        Value::Object(
            self.slots
                .iter()
                .map(|(name, value)| (name.clone(), value.to_json()))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accessors_and_arguments_follow_slot_types() {
        let slots = BTreeMap::from([
            ("duration".to_owned(), SlotValue::Duration(90)),
            ("name".to_owned(), SlotValue::Text("pasta".into())),
            ("level".to_owned(), SlotValue::Integer(3)),
            ("mood".to_owned(), SlotValue::Enum("happy".into())),
        ]);
        let found = IntentMatch {
            skill: "timer".into(),
            intent: "timer.set".into(),
            slots,
            lang: Some(Lang::En),
            score: 1.0,
        };
        assert_eq!(found.duration_secs("duration"), Some(90));
        assert_eq!(found.duration_secs("name"), None);
        assert_eq!(found.text("name"), Some("pasta"));
        assert_eq!(found.text("mood"), Some("happy"));
        assert_eq!(found.number("level"), Some(3.0));
        assert_eq!(found.slot("missing"), None);
        assert_eq!(
            found.arguments(),
            serde_json::json!({"duration": 90, "name": "pasta", "level": 3, "mood": "happy"})
        );
    }
}
