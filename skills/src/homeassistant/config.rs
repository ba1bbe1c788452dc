//! The `[skills.homeassistant]` section.

use serde::{Deserialize, Serialize};

use crate::error::SkillError;

/// Where Home Assistant is and how to reach it. Empty values fall back to the environment:
/// `HIVE_HOMEASSISTANT_URL`, `HIVE_HOMEASSISTANT_TOKEN`, and inside the Home Assistant add-on
/// `SUPERVISOR_TOKEN` with `http://supervisor/core`. Without a URL the skill is off.
///
/// ```toml
/// [skills.homeassistant]
/// url = "http://homeassistant.local:8123"
/// token = "${HIVE_HOMEASSISTANT_TOKEN}"   # a long-lived access token
/// refresh_s = 300
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HomeAssistantConfig {
    /// Home Assistant's base URL; empty: from the environment, else off.
    pub url: String,
    /// A long-lived access token; empty: from the environment.
    pub token: String,
    /// How often the list of devices and areas is read again, in seconds.
    pub refresh_s: u64,
    /// How long one request may take, in seconds.
    pub timeout_s: u64,
}

/// By hand, so that the token never reaches a log line or an error message.
impl std::fmt::Debug for HomeAssistantConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HomeAssistantConfig")
            .field("url", &self.url)
            .field(
                "token",
                &if self.token.is_empty() {
                    ""
                } else {
                    "<redacted>"
                },
            )
            .field("refresh_s", &self.refresh_s)
            .field("timeout_s", &self.timeout_s)
            .finish()
    }
}

impl Default for HomeAssistantConfig {
    fn default() -> Self {
        HomeAssistantConfig {
            url: String::new(),
            token: String::new(),
            refresh_s: 300,
            timeout_s: 10,
        }
    }
}

impl HomeAssistantConfig {
    /// Checks the values.
    ///
    /// # Errors
    /// [`SkillError::InvalidConfig`] naming the field.
    pub fn validate(&self) -> Result<(), SkillError> {
        if self.timeout_s == 0 {
            return Err(SkillError::InvalidConfig {
                field: "homeassistant.timeout_s",
                reason: "must be at least 1".into(),
            });
        }
        let url = self.url.trim();
        if !(url.is_empty() || url.starts_with("http://") || url.starts_with("https://")) {
            return Err(SkillError::InvalidConfig {
                field: "homeassistant.url",
                reason: format!("must be an http:// or https:// URL, got `{url}`"),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod debug_tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_token() {
        let config = HomeAssistantConfig {
            token: "ha-debug-canary".into(),
            ..HomeAssistantConfig::default()
        };
        let shown = format!("{config:?} {config:#?}");
        assert!(!shown.contains("ha-debug-canary"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
}
