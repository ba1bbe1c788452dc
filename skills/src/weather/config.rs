//! The `[skills.weather]` section.

use serde::{Deserialize, Serialize};

use crate::error::SkillError;

/// Where forecasts come from and how they are spoken.
///
/// ```toml
/// [skills.weather]
/// provider = "open_meteo"      # or "openweathermap" (needs api_key)
/// location = "Paris"           # used when none is said; "" asks for one
/// units = "metric"             # or "imperial"
/// cache_s = 600
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WeatherConfig {
    /// The weather service.
    pub provider: WeatherProvider,
    /// The place answered about when the user names none; empty: ask which place.
    pub location: String,
    /// Celsius or Fahrenheit.
    pub units: Units,
    /// How long an answer is reused, in seconds: forecasts change hourly at most, and a
    /// household asks the same question several times in a morning.
    pub cache_s: u64,
    /// How long one request may take, in seconds, before the user hears an apology.
    pub timeout_s: u64,
    /// Open-Meteo's geocoding API (place name → coordinates).
    pub geocoding_url: String,
    /// Open-Meteo's forecast API.
    pub forecast_url: String,
    /// OpenWeatherMap's API.
    pub openweathermap_url: String,
    /// OpenWeatherMap's key; empty: read `HIVE_OPENWEATHERMAP_API_KEY`.
    pub api_key: String,
}

/// By hand, so that the api_key never reaches a log line or an error message.
impl std::fmt::Debug for WeatherConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeatherConfig")
            .field("provider", &self.provider)
            .field("location", &self.location)
            .field("units", &self.units)
            .field("cache_s", &self.cache_s)
            .field("timeout_s", &self.timeout_s)
            .field("geocoding_url", &self.geocoding_url)
            .field("forecast_url", &self.forecast_url)
            .field("openweathermap_url", &self.openweathermap_url)
            .field(
                "api_key",
                &if self.api_key.is_empty() {
                    ""
                } else {
                    "<redacted>"
                },
            )
            .finish()
    }
}

/// The weather services Hive speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeatherProvider {
    /// open-meteo.com: free, no key.
    OpenMeteo,
    /// openweathermap.org: needs an API key.
    Openweathermap,
}

/// Temperature units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Units {
    /// Degrees Celsius.
    Metric,
    /// Degrees Fahrenheit.
    Imperial,
}

impl Default for WeatherConfig {
    fn default() -> Self {
        WeatherConfig {
            provider: WeatherProvider::OpenMeteo,
            location: String::new(),
            units: Units::Metric,
            cache_s: 600,
            timeout_s: 10,
            geocoding_url: "https://geocoding-api.open-meteo.com/v1".into(),
            forecast_url: "https://api.open-meteo.com/v1".into(),
            openweathermap_url: "https://api.openweathermap.org".into(),
            api_key: String::new(),
        }
    }
}

impl WeatherConfig {
    /// Checks the values.
    ///
    /// # Errors
    /// [`SkillError::InvalidConfig`] naming the field.
    pub fn validate(&self) -> Result<(), SkillError> {
        if self.timeout_s == 0 {
            return Err(SkillError::InvalidConfig {
                field: "weather.timeout_s",
                reason: "must be at least 1".into(),
            });
        }
        for (field, url) in [
            ("weather.geocoding_url", &self.geocoding_url),
            ("weather.forecast_url", &self.forecast_url),
            ("weather.openweathermap_url", &self.openweathermap_url),
        ] {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(SkillError::InvalidConfig {
                    field,
                    reason: format!("must be an http:// or https:// URL, got `{url}`"),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod debug_tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_api_key() {
        let config = WeatherConfig {
            api_key: "owm-debug-canary".into(),
            ..WeatherConfig::default()
        };
        let shown = format!("{config:?} {config:#?}");
        assert!(!shown.contains("owm-debug-canary"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
}
