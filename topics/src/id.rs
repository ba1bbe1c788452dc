//! Validated names that appear as topic levels: [`SatelliteId`], [`SensorName`],
//! [`IntentName`] and [`SkillName`].
//!
//! The rules are strict on purpose: a name is a topic level, so it must never hold `/`, `+`,
//! `#` or anything a shell or Home Assistant entity id would choke on; and lowercase-only
//! means `Kitchen` and `kitchen` can never be two satellites.

use std::borrow::Borrow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::TopicError;

/// Longest satellite id, sensor name or intent name, in bytes.
pub const MAX_NAME_LEN: usize = 64;

/// Checks `[a-z0-9][a-z0-9_-]{0,63}`, plus `.` after the first character when `allow_dot`.
fn check(name: &str, allow_dot: bool) -> Result<(), &'static str> {
    let Some((first, rest)) = name.as_bytes().split_first() else {
        return Err("must not be empty");
    };
    if name.len() > MAX_NAME_LEN {
        return Err("must be at most 64 characters");
    }
    if !(first.is_ascii_lowercase() || first.is_ascii_digit()) {
        return Err("must start with a lowercase letter or a digit");
    }
    let allowed = |b: &u8| {
        b.is_ascii_lowercase()
            || b.is_ascii_digit()
            || *b == b'-'
            || *b == b'_'
            || (allow_dot && *b == b'.')
    };
    match (rest.iter().all(allowed), allow_dot) {
        (true, _) => Ok(()),
        (false, false) => Err("may only hold a-z, 0-9, '-' and '_'"),
        (false, true) => Err("may only hold a-z, 0-9, '-', '_' and '.'"),
    }
}

/// Defines a validated string newtype with the conversions every name shares.
macro_rules! validated_name {
    (
        $(#[$meta:meta])*
        $name:ident, check: $check:expr, error: |$value:ident, $reason:ident| $error:expr
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validates `value` and wraps it.
            ///
            /// # Errors
            ///
            /// [`TopicError`] naming the rule the value breaks.
            pub fn new(value: impl Into<String>) -> Result<Self, TopicError> {
                let $value: String = value.into();
                match $check(&$value) {
                    Ok(()) => Ok(Self($value)),
                    Err($reason) => Err($error),
                }
            }

            /// The name as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        // Hash and Eq agree with `str`'s, so maps keyed by the name can be looked up by `&str`.
        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = TopicError;

            fn from_str(value: &str) -> Result<Self, TopicError> {
                Self::new(value)
            }
        }

        impl TryFrom<String> for $name {
            type Error = TopicError;

            fn try_from(value: String) -> Result<Self, TopicError> {
                Self::new(value)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = TopicError;

            fn try_from(value: &str) -> Result<Self, TopicError> {
                Self::new(value)
            }
        }

        impl From<$name> for String {
            fn from(name: $name) -> String {
                name.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

validated_name! {
    /// A satellite's id: `[a-z0-9][a-z0-9_-]{0,63}`, e.g. `kitchen` or `living-room_2`.
    ///
    /// It is the `{id}` level of every satellite topic. Serde reads and writes it as a plain
    /// string and validates it on the way in.
    SatelliteId, check: |name: &str| check(name, false),
    error: |value, reason| TopicError::BadSatelliteId { id: value, reason }
}

validated_name! {
    /// A sensor's name in `{p}/satellite/{id}/sensor/{name}`: same rule as a satellite id,
    /// e.g. `temperature` or `lux`.
    SensorName, check: |name: &str| check(name, false),
    error: |value, reason| TopicError::BadName { what: "sensor name", name: value, reason }
}

validated_name! {
    /// An intent's name in `{p}/intent/{name}`: `[a-z0-9][a-z0-9_.-]{0,63}`, e.g.
    /// `light.turn_on` or `get_time`.
    IntentName, check: |name: &str| check(name, true),
    error: |value, reason| TopicError::BadName { what: "intent name", name: value, reason }
}

/// Checks a skill name, the rule of `skill.toml`: `[a-z][a-z0-9_]{0,63}`.
fn check_skill(name: &str) -> Result<(), &'static str> {
    let Some((first, rest)) = name.as_bytes().split_first() else {
        return Err("must not be empty");
    };
    if name.len() > MAX_NAME_LEN {
        return Err("must be at most 64 characters");
    }
    if !first.is_ascii_lowercase() {
        return Err("must start with a lowercase letter");
    }
    if rest
        .iter()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
    {
        Ok(())
    } else {
        Err("may only hold a-z, 0-9 and '_'")
    }
}

validated_name! {
    /// An external skill's name in `{p}/skill/{name}/…`: `[a-z][a-z0-9_]{0,63}`, the same
    /// rule as the `name` of a `skill.toml`, e.g. `dice` or `grocery_list`.
    SkillName, check: check_skill,
    error: |value, reason| TopicError::BadName { what: "skill name", name: value, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn satellite_ids_follow_the_naming_rule() {
        let long_ok = "a".repeat(64);
        let too_long = "a".repeat(65);
        let cases: &[(&str, bool)] = &[
            ("kitchen", true),
            ("k", true),
            ("0", true),
            ("living-room_2", true),
            ("9lives", true),
            (&long_ok, true),
            ("", false),
            (&too_long, false),
            ("Kitchen", false),
            ("-kitchen", false),
            ("_kitchen", false),
            ("kitchen/2", false),
            ("kitchen+", false),
            ("kitchen#", false),
            ("kit chen", false),
            ("küche", false),
            ("light.on", false),
            ("kitchen\0", false),
        ];
        for (id, ok) in cases {
            let result = SatelliteId::new(*id);
            assert_eq!(result.is_ok(), *ok, "{id:?}: {result:?}");
            if let Err(error) = result {
                assert_eq!(error.code(), "bad_satellite_id");
            }
        }
    }

    #[test]
    fn intent_names_also_allow_dots_but_not_first() {
        let cases = [
            ("light.turn_on", true),
            ("get_time", true),
            (".hidden", false),
            ("a/b", false),
            ("", false),
        ];
        for (name, ok) in cases {
            assert_eq!(IntentName::new(name).is_ok(), ok, "{name:?}");
        }
        assert!(
            SensorName::new("light.level").is_err(),
            "sensor names take no dots"
        );
        assert_eq!(
            SensorName::new("Lux").map_err(|e| e.code()),
            Err("bad_name")
        );
    }

    #[test]
    fn skill_names_follow_the_skill_toml_rule() {
        let cases = [
            ("dice", true),
            ("grocery_list", true),
            ("d20", true),
            ("", false),
            ("2dice", false),
            ("_dice", false),
            ("dice-roll", false),
            ("Dice", false),
            ("dice.roll", false),
            ("dice/roll", false),
        ];
        for (name, ok) in cases {
            let result = SkillName::new(name);
            assert_eq!(result.is_ok(), ok, "{name:?}: {result:?}");
            if let Err(error) = result {
                assert_eq!(error.code(), "bad_name");
            }
        }
        assert!(SkillName::new("a".repeat(65)).is_err());
    }

    #[test]
    fn ids_round_trip_through_serde_as_plain_strings_and_are_validated_on_the_way_in() {
        let id = SatelliteId::new("kitchen").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), r#""kitchen""#);
        assert_eq!(
            serde_json::from_str::<SatelliteId>(r#""kitchen""#).unwrap(),
            id
        );
        for bad in [r#""Kitchen""#, r#""""#, "3", "null", r#""a/b""#] {
            assert!(serde_json::from_str::<SatelliteId>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ids_convert_and_compare_like_strings() {
        let id: SatelliteId = "hall".parse().unwrap();
        assert_eq!(id.to_string(), "hall");
        assert_eq!(id.as_ref(), "hall");
        assert_eq!(id, "hall");
        assert_eq!(String::from(id.clone()), "hall");
        let map: std::collections::HashMap<SatelliteId, u8> = [(id, 1)].into();
        assert_eq!(map.get("hall"), Some(&1));
    }
}
