//! The weather skill: conditions now and a short forecast from Open-Meteo (no key) or
//! OpenWeatherMap (a key), answered in the user's language and cached for a few minutes.
//!
//! `config.rs` is always built (it is part of the configuration file); the rest needs the
//! `http` feature.

#[cfg(feature = "http")]
mod cache;
mod config;
#[cfg(feature = "http")]
pub(crate) mod open_meteo;
#[cfg(feature = "http")]
pub(crate) mod openweathermap;
#[cfg(feature = "http")]
pub(crate) mod provider;
#[cfg(feature = "http")]
mod report;
#[cfg(feature = "http")]
mod skill;
#[cfg(feature = "http")]
pub(crate) mod speech;
#[cfg(all(test, feature = "http"))]
mod tests;

pub use config::{Units, WeatherConfig, WeatherProvider};
#[cfg(feature = "http")]
pub use report::{Condition, Current, Day, Report};
#[cfg(feature = "http")]
pub use skill::WeatherSkill;
