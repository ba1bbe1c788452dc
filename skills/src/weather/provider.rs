//! The one thing a weather service must do for the skill: a [`Report`] for a spoken place.

use crate::http::HttpError;
use crate::lang::Lang;
use crate::weather::report::Report;

/// Why no report could be had.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WeatherError {
    /// The service knows no place by that name; the user is told so.
    #[error("no place called `{0}`")]
    UnknownPlace(String),
    /// The service failed.
    #[error(transparent)]
    Http(#[from] HttpError),
}

/// A weather service.
pub(crate) trait Forecaster: Send + Sync {
    /// The weather now and for the next days at `place`, a place name as the user said it;
    /// the place's name in the report is in `lang` when the service knows it.
    ///
    /// # Errors
    /// [`WeatherError::UnknownPlace`], or the service's failure.
    fn report(&self, place: &str, lang: Lang) -> Result<Report, WeatherError>;
}
