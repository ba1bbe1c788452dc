//! Where a skill's `[[config]]` values come from: an injectable environment, so that tests never
//! touch the process's variables.

use std::collections::{BTreeMap, HashMap};

use crate::error::SkillError;
use crate::skill::manifest::Manifest;

/// A source of environment variables.
pub trait EnvSource {
    /// The variable's value, if set and valid UTF-8.
    fn var(&self, name: &str) -> Option<String>;
}

/// The process's real environment; construct it in binaries only.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl EnvSource for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl EnvSource for BTreeMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

impl EnvSource for HashMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

impl Manifest {
    /// Reads the skill's `[[config]]` keys from `env`: the variable's value, else the key's
    /// default. Keys with neither are left out.
    ///
    /// # Errors
    /// [`SkillError::MissingConfig`] for the first required key with no value.
    pub fn config_values(
        &self,
        env: &dyn EnvSource,
    ) -> Result<BTreeMap<String, String>, SkillError> {
        let mut values = BTreeMap::new();
        for key in &self.config {
            match env.var(&key.env).or_else(|| key.default.clone()) {
                Some(value) => {
                    values.insert(key.name.clone(), value);
                }
                None if key.required => {
                    return Err(SkillError::MissingConfig {
                        skill: self.name.clone(),
                        key: key.name.clone(),
                        env: key.env.clone(),
                    });
                }
                None => {}
            }
        }
        Ok(values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"
name = "demo"
version = "1"
description = "Demo."
[[config]]
name = "url"
env = "DEMO_URL"
required = true
description = "Where."
[[config]]
name = "units"
env = "DEMO_UNITS"
default = "metric"
description = "Which units."
[[config]]
name = "token"
env = "DEMO_TOKEN"
description = "Optional token."
"#;

    #[test]
    fn reads_values_defaults_and_reports_missing_required_keys() {
        let manifest = Manifest::from_toml(MANIFEST).unwrap();
        let env = BTreeMap::from([("DEMO_URL".to_owned(), "http://x".to_owned())]);
        let values = manifest.config_values(&env).unwrap();
        assert_eq!(values.get("url").map(String::as_str), Some("http://x"));
        assert_eq!(values.get("units").map(String::as_str), Some("metric"));
        assert!(!values.contains_key("token"));

        let error = manifest.config_values(&BTreeMap::new()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "skill `demo` needs `url`: set the environment variable `DEMO_URL`"
        );
    }
}
