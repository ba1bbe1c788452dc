//! The `[satellites]` section of `bridge.toml`.

use serde::Deserialize;

/// The `[satellites]` section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SatellitesConfig {
    /// The satellite ids the bridge answers. Empty: every satellite. When set, a message
    /// from or for any other satellite (wake, audio, typed text, events, `say`, `ask`…) is
    /// ignored and counted in `hive_refused_total{reason="satellite_not_allowed"}`.
    #[serde(default)]
    pub allow: Vec<String>,
}

impl SatellitesConfig {
    /// Checks that every listed id is a valid satellite id.
    ///
    /// # Errors
    /// A readable message naming the bad id.
    pub fn validate(&self) -> Result<(), String> {
        for id in &self.allow {
            if let Err(error) = hive_topics::SatelliteId::new(id) {
                return Err(format!(
                    "satellites.allow: `{id}` is not a valid satellite id ({error})"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked_and_the_default_allows_all() {
        assert_eq!(SatellitesConfig::default().validate(), Ok(()));
        let config: SatellitesConfig = toml::from_str("allow = [\"kitchen\", \"office\"]").unwrap();
        assert_eq!(config.validate(), Ok(()));
        let bad: SatellitesConfig = toml::from_str("allow = [\"kitchen/+\"]").unwrap();
        assert!(bad.validate().unwrap_err().contains("kitchen/+"));
        assert!(toml::from_str::<SatellitesConfig>("deny = []").is_err());
    }
}
