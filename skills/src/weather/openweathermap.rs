//! OpenWeatherMap: current weather and the 5-day / 3-hour forecast, folded into days at the
//! place's own UTC offset. Needs an API key.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Timelike};
use serde::Deserialize;

use crate::http::{HttpClient, HttpError};
use crate::lang::Lang;
use crate::weather::config::Units;
use crate::weather::provider::{Forecaster, WeatherError};
use crate::weather::report::{Condition, Current, Day, Report};

/// The OpenWeatherMap client.
#[derive(Debug)]
pub(crate) struct OpenWeatherMap {
    pub(crate) http: HttpClient,
    pub(crate) url: String,
    pub(crate) api_key: String,
    pub(crate) units: Units,
}

/// The current-weather API's answer.
#[derive(Deserialize)]
pub(crate) struct Now {
    name: String,
    main: Main,
    weather: Vec<Weather>,
}

#[derive(Deserialize)]
struct Main {
    temp: f64,
    temp_min: f64,
    temp_max: f64,
}

#[derive(Deserialize)]
struct Weather {
    id: u32,
}

/// The 5-day / 3-hour forecast API's answer.
#[derive(Deserialize)]
pub(crate) struct Forecast {
    list: Vec<Slot>,
    city: City,
}

#[derive(Deserialize)]
struct Slot {
    dt: i64,
    main: Main,
    weather: Vec<Weather>,
    #[serde(default)]
    pop: Option<f64>,
}

#[derive(Deserialize)]
struct City {
    /// Seconds east of UTC.
    #[serde(default)]
    timezone: i64,
}

impl OpenWeatherMap {
    fn get<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        place: &str,
        lang: Lang,
    ) -> Result<T, WeatherError> {
        let units = match self.units {
            Units::Metric => "metric",
            Units::Imperial => "imperial",
        };
        let url = format!("{}/data/2.5/{path}", self.url.trim_end_matches('/'));
        let query = [
            ("q", place),
            ("appid", self.api_key.as_str()),
            ("units", units),
            ("lang", lang.code()),
        ];
        match self.http.get_json(&url, &query, None) {
            Err(HttpError::Status { status: 404, .. }) => {
                Err(WeatherError::UnknownPlace(place.to_owned()))
            }
            other => Ok(other?),
        }
    }
}

impl Forecaster for OpenWeatherMap {
    fn report(&self, place: &str, lang: Lang) -> Result<Report, WeatherError> {
        let now: Now = self.get("weather", place, lang)?;
        let forecast: Forecast = self.get("forecast", place, lang)?;
        Ok(report(now, &forecast))
    }
}

/// The report from the weather now and the forecast, days folded at the place's offset.
pub(crate) fn report(now: Now, forecast: &Forecast) -> Report {
    let offset = forecast.city.timezone;
    // Per local date: the slots, in time order.
    let mut by_date: BTreeMap<NaiveDate, Vec<(u32, &Slot)>> = BTreeMap::new();
    for slot in &forecast.list {
        // Both come from the server: a sum past i64 is no time at all, not a panic.
        let Some(local) = slot
            .dt
            .checked_add(offset)
            .and_then(|local| DateTime::from_timestamp(local, 0))
        else {
            continue;
        };
        let local = local.naive_utc();
        by_date
            .entry(local.date())
            .or_default()
            .push((local.hour(), slot));
    }
    let condition_of = |weather: &[Weather]| {
        weather
            .first()
            .map_or(Condition::Cloudy, |w| Condition::from_openweathermap(w.id))
    };
    let days = by_date
        .into_iter()
        .map(|(date, slots)| {
            let min = slots
                .iter()
                .map(|(_, s)| s.main.temp_min)
                .fold(f64::INFINITY, f64::min);
            let max = slots
                .iter()
                .map(|(_, s)| s.main.temp_max)
                .fold(f64::NEG_INFINITY, f64::max);
            // The day's face: the slot closest to noon.
            let noon = slots
                .iter()
                .min_by_key(|(hour, _)| hour.abs_diff(12))
                .map(|(_, slot)| condition_of(&slot.weather))
                .unwrap_or(Condition::Cloudy);
            let chance = slots
                .iter()
                .filter_map(|(_, slot)| slot.pop)
                .fold(None, |best: Option<f64>, pop| {
                    Some(best.map_or(pop, |b| b.max(pop)))
                })
                .map(|pop| (pop * 100.0).clamp(0.0, 100.0).round() as u8);
            Day {
                date,
                min,
                max,
                condition: noon,
                precipitation_chance: chance,
            }
        })
        .collect();
    Report {
        place: now.name,
        current: Current {
            temperature: now.main.temp,
            condition: condition_of(&now.weather),
        },
        days,
    }
}
