//! The `[skills.calendar]` section.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::SkillError;

/// Where the calendar comes from and where reminders are kept.
///
/// ```toml
/// [skills.calendar]
/// url = "https://calendar.google.com/calendar/ical/…/basic.ics"   # or webcal://
/// file = "/home/ada/calendar.ics"
/// cache_s = 300
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CalendarConfig {
    /// An iCalendar (ICS) address: Google's secret address, a Nextcloud export link. Empty:
    /// `HIVE_CALENDAR_URL`, else none.
    pub url: String,
    /// An ICS file; empty: none.
    pub file: Option<PathBuf>,
    /// Where reminders ("remind me to…") are kept, as an ICS file; default `reminders.ics` in
    /// the bridge's data folder (next to the conversation).
    pub reminders: Option<PathBuf>,
    /// Seconds a downloaded calendar is reused.
    pub cache_s: u64,
    /// How many days ahead "what's next" looks.
    pub upcoming_days: u32,
    /// Seconds one download may take.
    pub timeout_s: u64,
}

impl Default for CalendarConfig {
    fn default() -> Self {
        CalendarConfig {
            url: String::new(),
            file: None,
            reminders: None,
            cache_s: 300,
            upcoming_days: 7,
            timeout_s: 10,
        }
    }
}

impl CalendarConfig {
    /// Checks the values.
    ///
    /// # Errors
    /// [`SkillError::InvalidConfig`] naming the field.
    pub fn validate(&self) -> Result<(), SkillError> {
        if self.timeout_s == 0 {
            return Err(SkillError::InvalidConfig {
                field: "calendar.timeout_s",
                reason: "must be at least 1".into(),
            });
        }
        if !(1..=366).contains(&self.upcoming_days) {
            return Err(SkillError::InvalidConfig {
                field: "calendar.upcoming_days",
                reason: format!("must be between 1 and 366, got {}", self.upcoming_days),
            });
        }
        let url = self.url.trim();
        if !url.is_empty()
            && !["http://", "https://", "webcal://"]
                .iter()
                .any(|scheme| url.starts_with(scheme))
        {
            return Err(SkillError::InvalidConfig {
                field: "calendar.url",
                reason: "must start with http://, https:// or webcal://".into(),
            });
        }
        Ok(())
    }
}
