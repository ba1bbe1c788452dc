//! The skills section of Hive's configuration.

use serde::{Deserialize, Serialize};

use crate::calendar::CalendarConfig;
use crate::error::SkillError;
use crate::homeassistant::HomeAssistantConfig;
use crate::weather::WeatherConfig;

/// Which skills run and how eagerly the local matcher matches.
///
/// ```toml
/// [skills]
/// disabled = ["emotion"]
/// fuzzy_threshold = 0.8
/// other_languages = true
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SkillsConfig {
    /// Skills turned off by name, on top of manifests with `enabled = false`.
    pub disabled: Vec<String>,
    /// The lowest similarity, in (0, 1], at which an utterance matches a trigger without being
    /// identical to it. 0.8 lets a trigger of four words or more take one extra or misheard
    /// word, and any trigger take fillers ("hey", "please", "s'il te plaît").
    pub fuzzy_threshold: f32,
    /// Whether triggers in languages other than the detected one are tried. Whisper often
    /// misdetects the language of a short utterance, so this defaults to on.
    pub other_languages: bool,
    /// `[skills.weather]`: the weather service and the household's place.
    pub weather: WeatherConfig,
    /// `[skills.homeassistant]`: where Home Assistant is; off when unset.
    pub homeassistant: HomeAssistantConfig,
    /// `[skills.calendar]`: the household's calendar and where reminders are kept.
    pub calendar: CalendarConfig,
}

impl Default for SkillsConfig {
    fn default() -> Self {
        SkillsConfig {
            disabled: Vec::new(),
            fuzzy_threshold: 0.8,
            other_languages: true,
            weather: WeatherConfig::default(),
            homeassistant: HomeAssistantConfig::default(),
            calendar: CalendarConfig::default(),
        }
    }
}

impl SkillsConfig {
    /// Checks the values (skill names are checked when the registry is built).
    ///
    /// # Errors
    /// [`SkillError::InvalidConfig`] naming the field.
    pub fn validate(&self) -> Result<(), SkillError> {
        if !(self.fuzzy_threshold > 0.0 && self.fuzzy_threshold <= 1.0) {
            return Err(SkillError::InvalidConfig {
                field: "fuzzy_threshold",
                reason: format!(
                    "must be greater than 0 and at most 1, got {}",
                    self.fuzzy_threshold
                ),
            });
        }
        self.weather.validate()?;
        self.homeassistant.validate()?;
        self.calendar.validate()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_defaults_and_rejects_unknown_fields() {
        let config: SkillsConfig = toml::from_str("disabled = [\"emotion\"]").unwrap();
        assert_eq!(config.disabled, ["emotion"]);
        assert_eq!(config.fuzzy_threshold, 0.8);
        assert!(config.other_languages);
        assert!(toml::from_str::<SkillsConfig>("threshold = 0.5").is_err());
    }

    #[test]
    fn validates_the_threshold() {
        for (threshold, valid) in [
            (0.8, true),
            (1.0, true),
            (0.0, false),
            (1.5, false),
            (f32::NAN, false),
        ] {
            let config = SkillsConfig {
                fuzzy_threshold: threshold,
                ..SkillsConfig::default()
            };
            assert_eq!(config.validate().is_ok(), valid, "{threshold}");
        }
    }
}
