//! Open-Meteo: a place name through its geocoding API, then the forecast for the coordinates.
//! No key needed.

use chrono::NaiveDate;
use serde::Deserialize;

use crate::http::{HttpClient, HttpError};
use crate::lang::Lang;
use crate::weather::config::Units;
use crate::weather::provider::{Forecaster, WeatherError};
use crate::weather::report::{Condition, Current, Day, Report};

/// Days of forecast asked for: today, tomorrow and the day after, all the skill speaks of.
const FORECAST_DAYS: &str = "3";

/// The Open-Meteo client.
#[derive(Debug)]
pub(crate) struct OpenMeteo {
    pub(crate) http: HttpClient,
    pub(crate) geocoding_url: String,
    pub(crate) forecast_url: String,
    pub(crate) units: Units,
}

/// The geocoding API's answer.
#[derive(Deserialize)]
pub(crate) struct Geocoding {
    #[serde(default)]
    pub(crate) results: Vec<Place>,
}

/// A place found by name.
#[derive(Deserialize)]
pub(crate) struct Place {
    name: String,
    latitude: f64,
    longitude: f64,
}

/// The forecast API's answer.
#[derive(Deserialize)]
pub(crate) struct Forecast {
    current: CurrentBlock,
    daily: DailyBlock,
}

#[derive(Deserialize)]
struct CurrentBlock {
    temperature_2m: f64,
    weather_code: u32,
}

#[derive(Deserialize)]
struct DailyBlock {
    time: Vec<NaiveDate>,
    weather_code: Vec<Option<u32>>,
    temperature_2m_max: Vec<Option<f64>>,
    temperature_2m_min: Vec<Option<f64>>,
    #[serde(default)]
    precipitation_probability_max: Vec<Option<f64>>,
}

impl Forecaster for OpenMeteo {
    fn report(&self, place: &str, lang: Lang) -> Result<Report, WeatherError> {
        let url = format!("{}/search", self.geocoding_url.trim_end_matches('/'));
        let found: Geocoding = self.http.get_json(
            &url,
            &[
                ("name", place),
                ("count", "1"),
                ("language", lang.code()),
                ("format", "json"),
            ],
            None,
        )?;
        let Some(found) = found.results.into_iter().next() else {
            return Err(WeatherError::UnknownPlace(place.to_owned()));
        };
        let (latitude, longitude) = (found.latitude.to_string(), found.longitude.to_string());
        let unit = match self.units {
            Units::Metric => "celsius",
            Units::Imperial => "fahrenheit",
        };
        let url = format!("{}/forecast", self.forecast_url.trim_end_matches('/'));
        let forecast: Forecast = self.http.get_json(
            &url,
            &[
                ("latitude", &latitude),
                ("longitude", &longitude),
                ("current", "temperature_2m,weather_code"),
                (
                    "daily",
                    "weather_code,temperature_2m_max,temperature_2m_min,precipitation_probability_max",
                ),
                ("timezone", "auto"),
                ("forecast_days", FORECAST_DAYS),
                ("temperature_unit", unit),
            ],
            None,
        )?;
        report(found, forecast)
    }
}

/// The report for `found` from its forecast.
///
/// # Errors
/// The forecast has no day with a condition and both temperatures.
pub(crate) fn report(found: Place, forecast: Forecast) -> Result<Report, WeatherError> {
    let daily = forecast.daily;
    let mut days = Vec::new();
    for (index, date) in daily.time.iter().enumerate() {
        let (Some(Some(code)), Some(Some(max)), Some(Some(min))) = (
            daily.weather_code.get(index),
            daily.temperature_2m_max.get(index),
            daily.temperature_2m_min.get(index),
        ) else {
            continue;
        };
        let chance = daily
            .precipitation_probability_max
            .get(index)
            .copied()
            .flatten()
            .map(|chance| chance.clamp(0.0, 100.0).round() as u8);
        days.push(Day {
            date: *date,
            min: *min,
            max: *max,
            condition: Condition::from_wmo(*code),
            precipitation_chance: chance,
        });
    }
    if days.is_empty() {
        return Err(WeatherError::Http(HttpError::Body {
            service: "Open-Meteo",
            reason: "the forecast has no complete day".into(),
        }));
    }
    Ok(Report {
        place: found.name,
        current: Current {
            temperature: forecast.current.temperature_2m,
            condition: Condition::from_wmo(forecast.current.weather_code),
        },
        days,
    })
}
