//! The JSON answers the skills read over HTTP, decoded as the skills decode them and turned
//! into what the skills say, without a network: Home Assistant's `/api/states`, Open-Meteo's
//! geocoding and forecast, OpenWeatherMap's weather and forecast.
//!
//! Not an API: the entry of the `http_answers` fuzz target (`topics/fuzz`) and of the replay
//! of its seeds (`fuzz_corpus`). It runs the same functions as the skills, from the body to
//! the spoken sentence, in every language.

use crate::homeassistant::client::{State, controllable};
use crate::homeassistant::entity::{Resolution, resolve};
use crate::homeassistant::speech::{dimmed, not_dimmable, not_found, switched, which_one};
use crate::http::decode;
use crate::lang::Lang;
use crate::weather::provider::WeatherError;
use crate::weather::speech::{
    WhichDay, current_sentence, forecast_sentence, no_forecast, rain_sentence, unknown_place,
};
use crate::weather::{Report, open_meteo, openweathermap};

/// The place asked for, and the areas Home Assistant's template API names, when a body
/// stands for one answer of two.
const PLACE: &str = "Paris";
const AREAS: &str = "light.kitchen|Kitchen\nlight.office|Office\nswitch.coffee|Kitchen\n";

/// The other half of a two-request answer (Open-Meteo's place for a forecast body, its
/// forecast for a geocoding body; OpenWeatherMap's weather now for a forecast body, its
/// forecast for a weather body): small and valid.
const OPEN_METEO_PLACE: &str = r#"{"name":"Paris","latitude":48.85,"longitude":2.35}"#;
const OPEN_METEO_FORECAST: &str = r#"{"current":{"temperature_2m":7.4,"weather_code":3},
    "daily":{"time":["2026-12-02"],"weather_code":[61],"temperature_2m_max":[9.0],
    "temperature_2m_min":[2.6],"precipitation_probability_max":[80]}}"#;
const OWM_NOW: &str = r#"{"name":"Paris","main":{"temp":7.4,"temp_min":5.0,"temp_max":9.0},
    "weather":[{"id":500}]}"#;
const OWM_FORECAST: &str = r#"{"city":{"timezone":3600},"list":[{"dt":1764676800,
    "main":{"temp":8.0,"temp_min":2.6,"temp_max":9.0},"weather":[{"id":500}],"pop":0.8}]}"#;

/// Which service's answer a body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// Home Assistant's `GET /api/states`.
    HomeAssistantStates,
    /// Open-Meteo's `GET /v1/search` (geocoding).
    OpenMeteoGeocoding,
    /// Open-Meteo's `GET /v1/forecast`.
    OpenMeteoForecast,
    /// OpenWeatherMap's `GET /data/2.5/weather`.
    OpenWeatherMapWeather,
    /// OpenWeatherMap's `GET /data/2.5/forecast`.
    OpenWeatherMapForecast,
}

impl Api {
    /// Every service's answer, in selector order.
    pub const ALL: [Api; 5] = [
        Api::HomeAssistantStates,
        Api::OpenMeteoGeocoding,
        Api::OpenMeteoForecast,
        Api::OpenWeatherMapWeather,
        Api::OpenWeatherMapForecast,
    ];

    /// The API a selector byte picks: `'0'` to `'4'` in [`Api::ALL`]'s order, any other
    /// byte too (counted from `'0'`, modulo 5), so that every input means something.
    pub fn from_selector(byte: u8) -> Api {
        Api::ALL[usize::from(byte.wrapping_sub(b'0') % 5)]
    }
}

/// What a body turns into.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// Every sentence the skill could say from it, in English, French and Dutch.
    pub sentences: Vec<String>,
    /// The weather report, for a weather service.
    pub report: Option<Report>,
    /// The controllable devices' entity ids, for Home Assistant.
    pub devices: Vec<String>,
}

/// Decodes `body` as `api`'s answer and says everything the skill could say from it.
///
/// # Errors
/// The skill's error for the body: not the service's JSON, or (Open-Meteo) no complete day.
pub fn answer(api: Api, body: &[u8]) -> Result<Answer, String> {
    let error = |error: &dyn std::fmt::Display| error.to_string();
    match api {
        Api::HomeAssistantStates => {
            let states: Vec<State> = decode("Home Assistant", body).map_err(|e| error(&e))?;
            Ok(devices(&states))
        }
        Api::OpenMeteoGeocoding => {
            let found: open_meteo::Geocoding = decode("Open-Meteo", body).map_err(|e| error(&e))?;
            let Some(place) = found.results.into_iter().next() else {
                return Ok(unknown(PLACE));
            };
            let forecast =
                decode("Open-Meteo", OPEN_METEO_FORECAST.as_bytes()).map_err(|e| error(&e))?;
            settled(open_meteo::report(place, forecast))
        }
        Api::OpenMeteoForecast => {
            let forecast = decode("Open-Meteo", body).map_err(|e| error(&e))?;
            let place = decode("Open-Meteo", OPEN_METEO_PLACE.as_bytes()).map_err(|e| error(&e))?;
            settled(open_meteo::report(place, forecast))
        }
        Api::OpenWeatherMapWeather => {
            let now = decode("OpenWeatherMap", body).map_err(|e| error(&e))?;
            let forecast =
                decode("OpenWeatherMap", OWM_FORECAST.as_bytes()).map_err(|e| error(&e))?;
            Ok(weather(openweathermap::report(now, &forecast)))
        }
        Api::OpenWeatherMapForecast => {
            let forecast = decode("OpenWeatherMap", body).map_err(|e| error(&e))?;
            let now = decode("OpenWeatherMap", OWM_NOW.as_bytes()).map_err(|e| error(&e))?;
            Ok(weather(openweathermap::report(now, &forecast)))
        }
    }
}

/// An Open-Meteo report, or the failure the skill reports.
fn settled(report: Result<Report, WeatherError>) -> Result<Answer, String> {
    match report {
        Ok(report) => Ok(weather(report)),
        Err(WeatherError::UnknownPlace(place)) => Ok(unknown(&place)),
        Err(WeatherError::Http(error)) => Err(error.to_string()),
    }
}

/// What the weather skill says of a place the service does not know.
fn unknown(place: &str) -> Answer {
    Answer {
        sentences: Lang::ALL
            .into_iter()
            .map(|lang| unknown_place(place, lang))
            .collect(),
        report: None,
        devices: Vec::new(),
    }
}

/// What the weather skill says for each of its intents and days, as its `execute` does.
fn weather(report: Report) -> Answer {
    let mut sentences = Vec::new();
    for lang in Lang::ALL {
        sentences.push(current_sentence(&report.place, &report.current, lang));
        for which in [
            WhichDay::Today,
            WhichDay::Tomorrow,
            WhichDay::DayAfterTomorrow,
        ] {
            match report.days.get(which.offset()) {
                None => sentences.push(no_forecast(lang).to_owned()),
                Some(day) => {
                    sentences.push(forecast_sentence(&report.place, day, which, lang));
                    sentences.push(rain_sentence(&report.place, day, which, lang));
                }
            }
        }
    }
    Answer {
        sentences,
        report: Some(report),
        devices: Vec::new(),
    }
}

/// What the Home Assistant skill says when asked to switch and dim each device by its
/// friendly name, as its `execute` does (without the service call).
fn devices(states: &[State]) -> Answer {
    let entities = controllable(states, AREAS);
    let mut sentences = Vec::new();
    for lang in Lang::ALL {
        for entity in &entities {
            match resolve(&entity.name, &entities, Some("kitchen")) {
                Resolution::Nothing => sentences.push(not_found(&entity.name, lang)),
                Resolution::Ambiguous(candidates) => {
                    let names: Vec<&str> = candidates.iter().map(|e| e.name.as_str()).collect();
                    sentences.push(which_one(&names, lang));
                }
                Resolution::One(found) => {
                    sentences.push(switched(&found.name, true, lang));
                    sentences.push(if found.domain == "light" {
                        dimmed(&found.name, 40, lang)
                    } else {
                        not_dimmable(&found.name, lang)
                    });
                }
            }
        }
    }
    Answer {
        sentences,
        report: None,
        devices: entities.into_iter().map(|entity| entity.id).collect(),
    }
}
