//! What any weather service's answer is turned into: the place, the conditions now and a few
//! days ahead.

use chrono::NaiveDate;
use serde::Serialize;

/// Sky and precipitation, coarse enough to say in a few words in every language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// No clouds to speak of.
    Clear,
    /// Some clouds.
    PartlyCloudy,
    /// Overcast.
    Cloudy,
    /// Fog or mist.
    Fog,
    /// Drizzle.
    Drizzle,
    /// Rain (including freezing rain).
    Rain,
    /// Rain showers.
    Showers,
    /// Snow or snow showers.
    Snow,
    /// Thunderstorms.
    Thunderstorm,
}

impl Condition {
    /// The WMO weather interpretation code Open-Meteo reports (`weather_code`).
    pub fn from_wmo(code: u32) -> Condition {
        match code {
            0 | 1 => Condition::Clear,
            2 => Condition::PartlyCloudy,
            3 => Condition::Cloudy,
            45 | 48 => Condition::Fog,
            51..=57 => Condition::Drizzle,
            61..=67 => Condition::Rain,
            71..=77 | 85 | 86 => Condition::Snow,
            80..=82 => Condition::Showers,
            95..=99 => Condition::Thunderstorm,
            // Unknown codes: say nothing alarming.
            _ => Condition::Cloudy,
        }
    }

    /// OpenWeatherMap's condition id (`weather[0].id`).
    pub fn from_openweathermap(id: u32) -> Condition {
        match id {
            200..=299 => Condition::Thunderstorm,
            300..=399 => Condition::Drizzle,
            500..=504 | 511 => Condition::Rain,
            520..=599 => Condition::Showers,
            600..=699 => Condition::Snow,
            700..=799 => Condition::Fog,
            800 => Condition::Clear,
            801 | 802 => Condition::PartlyCloudy,
            _ => Condition::Cloudy,
        }
    }

    /// Whether it means falling water.
    pub fn is_wet(self) -> bool {
        matches!(
            self,
            Condition::Drizzle | Condition::Rain | Condition::Showers | Condition::Thunderstorm
        )
    }
}

/// The weather at one place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The place's name, in the language asked for when the service knows it.
    pub place: String,
    /// Now.
    pub current: Current,
    /// Today and the following days, in order, in the place's own calendar.
    pub days: Vec<Day>,
}

/// The conditions now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Current {
    /// Temperature in the configured unit.
    pub temperature: f64,
    /// Sky and precipitation.
    pub condition: Condition,
}

/// One day's forecast.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Day {
    /// The date at the place.
    pub date: NaiveDate,
    /// The lowest temperature.
    pub min: f64,
    /// The highest temperature.
    pub max: f64,
    /// The day's dominant condition.
    pub condition: Condition,
    /// The chance of precipitation, in percent, when the service gives one.
    pub precipitation_chance: Option<u8>,
}

impl Day {
    /// Whether rain is likely: a chance of at least 50 %, or, without a chance, a wet sky.
    pub fn rain_likely(&self) -> bool {
        match self.precipitation_chance {
            Some(chance) => chance >= 50,
            None => self.condition.is_wet(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_service_codes_to_conditions() {
        let wmo = [
            (0, Condition::Clear),
            (2, Condition::PartlyCloudy),
            (3, Condition::Cloudy),
            (45, Condition::Fog),
            (53, Condition::Drizzle),
            (61, Condition::Rain),
            (66, Condition::Rain),
            (73, Condition::Snow),
            (81, Condition::Showers),
            (95, Condition::Thunderstorm),
            (1234, Condition::Cloudy),
        ];
        for (code, condition) in wmo {
            assert_eq!(Condition::from_wmo(code), condition, "{code}");
        }
        let owm = [
            (211, Condition::Thunderstorm),
            (301, Condition::Drizzle),
            (500, Condition::Rain),
            (521, Condition::Showers),
            (601, Condition::Snow),
            (741, Condition::Fog),
            (800, Condition::Clear),
            (802, Condition::PartlyCloudy),
            (804, Condition::Cloudy),
        ];
        for (id, condition) in owm {
            assert_eq!(Condition::from_openweathermap(id), condition, "{id}");
        }
    }
}
