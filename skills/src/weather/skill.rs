//! The weather skill: resolves the place, fetches (or reuses) a report and speaks it.

use std::time::Duration;

use serde_json::json;

use crate::error::SkillError;
use crate::http::HttpClient;
use crate::matcher::normalize_phrase;
use crate::skill::{EnvSource, IntentMatch, Manifest, Skill, SkillContext, SkillReply};
use crate::weather::cache::ReportCache;
use crate::weather::config::{WeatherConfig, WeatherProvider};
use crate::weather::open_meteo::OpenMeteo;
use crate::weather::openweathermap::OpenWeatherMap;
use crate::weather::provider::{Forecaster, WeatherError};
use crate::weather::report::Report;
use crate::weather::speech::{
    WhichDay, current_sentence, forecast_sentence, no_forecast, rain_sentence, unknown_place,
    which_place,
};

/// The manifest, shipped next to this file.
const MANIFEST: &str = include_str!("skill.toml");

/// Current weather and forecasts from Open-Meteo or OpenWeatherMap.
pub struct WeatherSkill {
    manifest: Manifest,
    forecaster: Box<dyn Forecaster>,
    /// The configured place, used when none is said.
    home: Option<String>,
    cache: ReportCache,
}

impl std::fmt::Debug for WeatherSkill {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeatherSkill")
            .field("home", &self.home)
            .finish_non_exhaustive()
    }
}

impl WeatherSkill {
    /// Builds the skill for the configured provider. Call from a blocking thread.
    ///
    /// # Errors
    /// An invalid configuration, or [`SkillError::MissingConfig`] for OpenWeatherMap without
    /// a key.
    pub fn new(config: &WeatherConfig, env: &dyn EnvSource) -> Result<WeatherSkill, SkillError> {
        config.validate()?;
        let manifest = Manifest::from_toml(MANIFEST)?;
        let timeout = Duration::from_secs(config.timeout_s);
        let failed = |error: crate::http::HttpError| SkillError::Failed {
            skill: "weather".into(),
            reason: error.to_string(),
        };
        let forecaster: Box<dyn Forecaster> = match config.provider {
            WeatherProvider::OpenMeteo => Box::new(OpenMeteo {
                http: HttpClient::new("Open-Meteo", timeout).map_err(failed)?,
                geocoding_url: config.geocoding_url.clone(),
                forecast_url: config.forecast_url.clone(),
                units: config.units,
            }),
            WeatherProvider::Openweathermap => {
                let mut from_env = manifest.config_values(env)?;
                let api_key = Some(config.api_key.trim().to_owned())
                    .filter(|key| !key.is_empty())
                    .or_else(|| from_env.remove("api_key").filter(|key| !key.is_empty()))
                    .ok_or_else(|| SkillError::MissingConfig {
                        skill: "weather".into(),
                        key: "api_key".into(),
                        env: "HIVE_OPENWEATHERMAP_API_KEY".into(),
                    })?;
                Box::new(OpenWeatherMap {
                    http: HttpClient::new("OpenWeatherMap", timeout).map_err(failed)?,
                    url: config.openweathermap_url.clone(),
                    api_key,
                    units: config.units,
                })
            }
        };
        let home = Some(config.location.trim().to_owned()).filter(|place| !place.is_empty());
        Ok(WeatherSkill {
            manifest,
            forecaster,
            home,
            cache: ReportCache::new(config.cache_s),
        })
    }

    fn report(&self, place: &str, ctx: &SkillContext) -> Result<Report, WeatherError> {
        let key = normalize_phrase(place);
        if let Some(report) = self.cache.get(&key, ctx.lang, ctx.now) {
            return Ok(report);
        }
        let report = self.forecaster.report(place, ctx.lang)?;
        self.cache.put(&key, ctx.lang, ctx.now, report.clone());
        Ok(report)
    }
}

impl Skill for WeatherSkill {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn execute(&self, intent: &IntentMatch, ctx: &SkillContext) -> Result<SkillReply, SkillError> {
        let name = intent.intent.as_str();
        if !matches!(
            name,
            "weather.current" | "weather.forecast" | "weather.rain"
        ) {
            return Err(SkillError::UnknownIntent {
                skill: self.manifest.name.clone(),
                intent: name.to_owned(),
            });
        }
        let lang = ctx.lang;
        let Some(place) = intent.text("location").or(self.home.as_deref()) else {
            return Ok(SkillReply::speech(which_place(lang)));
        };
        let report = match self.report(place, ctx) {
            Ok(report) => report,
            Err(WeatherError::UnknownPlace(place)) => {
                return Ok(SkillReply::speech(unknown_place(&place, lang))
                    .with_data(json!({"error": "unknown_place", "place": place})));
            }
            Err(WeatherError::Http(error)) => {
                return Err(SkillError::Failed {
                    skill: self.manifest.name.clone(),
                    reason: error.to_string(),
                });
            }
        };
        let which = WhichDay::from_slot(intent.text("day"));
        let speech = match name {
            "weather.current" => current_sentence(&report.place, &report.current, lang),
            _ => match report.days.get(which.offset()) {
                None => no_forecast(lang).to_owned(),
                Some(day) if name == "weather.rain" => {
                    rain_sentence(&report.place, day, which, lang)
                }
                Some(day) => forecast_sentence(&report.place, day, which, lang),
            },
        };
        let data = serde_json::to_value(&report).unwrap_or_default();
        Ok(SkillReply::speech(speech).with_data(data))
    }
}
