//! The `[discovery]` section: Home Assistant MQTT discovery.

use serde::Deserialize;

/// How the bridge announces itself and its satellites to Home Assistant.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscoveryConfig {
    /// Announce at all. Harmless without Home Assistant: the configs are retained messages
    /// nobody reads.
    #[serde(default = "default_enabled")]
    pub enabled: bool,
    /// Home Assistant's discovery prefix (its MQTT integration's setting).
    #[serde(default = "default_prefix")]
    pub prefix: String,
    /// One config topic per entity (`<prefix>/<platform>/<node>/<object>/config`) for Home
    /// Assistant before 2024.11, which has no device-based discovery.
    #[serde(default)]
    pub per_entity: bool,
    /// The satellites to announce. Empty: those of `[satellites] allow` when it is set,
    /// else every satellite that has a retained `status`. When set, a satellite removed from
    /// the list is removed from Home Assistant at the next start.
    #[serde(default)]
    pub satellites: Vec<String>,
}

fn default_enabled() -> bool {
    true
}

fn default_prefix() -> String {
    "homeassistant".into()
}

impl Default for DiscoveryConfig {
    fn default() -> Self {
        DiscoveryConfig {
            enabled: default_enabled(),
            prefix: default_prefix(),
            per_entity: false,
            satellites: Vec::new(),
        }
    }
}

impl DiscoveryConfig {
    /// Checks the prefix and the satellite ids.
    ///
    /// # Errors
    /// A readable message naming the bad setting.
    pub fn validate(&self) -> Result<(), String> {
        let prefix_ok = !self.prefix.is_empty()
            && !self.prefix.starts_with('/')
            && !self.prefix.ends_with('/')
            && !self.prefix.contains("//")
            && !self.prefix.contains(['+', '#', '\0'])
            && !self.prefix.starts_with('$');
        if !prefix_ok {
            return Err(format!(
                "discovery.prefix `{}` is not a valid MQTT topic prefix",
                self.prefix
            ));
        }
        for id in &self.satellites {
            hive_topics::SatelliteId::new(id.as_str())
                .map_err(|error| format!("discovery.satellites: `{id}`: {error}"))?;
        }
        Ok(())
    }
}

impl DiscoveryConfig {
    /// This configuration with its satellites defaulting to the bridge's allow-list: a
    /// satellite the bridge ignores is not one Home Assistant should show.
    pub(crate) fn with_allowed(&self, allow: &[String]) -> DiscoveryConfig {
        let mut config = self.clone();
        if config.satellites.is_empty() {
            config.satellites = allow.to_vec();
        }
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allow_list_is_announced_unless_discovery_names_its_own() {
        let allow = vec!["kitchen".to_string()];
        let default = DiscoveryConfig::default();
        assert_eq!(default.with_allowed(&allow).satellites, allow);
        assert!(
            default.with_allowed(&[]).satellites.is_empty(),
            "every satellite"
        );
        let own = DiscoveryConfig {
            satellites: vec!["hall".into()],
            ..DiscoveryConfig::default()
        };
        assert_eq!(own.with_allowed(&allow).satellites, ["hall"]);
    }

    #[test]
    fn defaults_are_device_discovery_under_homeassistant() {
        let config = DiscoveryConfig::default();
        assert!(config.enabled && !config.per_entity);
        assert_eq!(config.prefix, "homeassistant");
        assert!(config.validate().is_ok());
    }

    #[test]
    fn bad_prefixes_and_ids_are_named() {
        for prefix in ["", "/ha", "ha/", "a//b", "ha/#", "$SYS"] {
            let config = DiscoveryConfig {
                prefix: prefix.into(),
                ..DiscoveryConfig::default()
            };
            assert!(config.validate().unwrap_err().contains("discovery.prefix"));
        }
        let config = DiscoveryConfig {
            satellites: vec!["Kitchen".into()],
            ..DiscoveryConfig::default()
        };
        assert!(config.validate().unwrap_err().contains("Kitchen"));
    }
}
