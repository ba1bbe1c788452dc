//! Who is asking, in which language, where and when.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::lang::Lang;

/// What a skill knows about the request beyond the intent itself.
///
/// `now` is passed in rather than read from the system clock so that every skill is
/// deterministic under test; the runtime fills it with the current time.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillContext {
    /// The language to answer in.
    pub lang: Lang,
    /// The current instant.
    pub now: DateTime<Utc>,
    /// The user's time zone.
    pub time_zone: Tz,
    /// The satellite the request came from, if any.
    pub satellite: Option<String>,
}

impl SkillContext {
    /// A context without a satellite.
    pub fn new(lang: Lang, time_zone: Tz, now: DateTime<Utc>) -> SkillContext {
        SkillContext {
            lang,
            now,
            time_zone,
            satellite: None,
        }
    }

    /// The same context for a given satellite.
    pub fn with_satellite(mut self, satellite: impl Into<String>) -> SkillContext {
        self.satellite = Some(satellite.into());
        self
    }

    /// `now` on the user's wall clock.
    pub fn local_now(&self) -> DateTime<Tz> {
        self.now.with_timezone(&self.time_zone)
    }
}
