//! The skills that call web services (weather, calendar, Home Assistant), built from the `[skills]`
//! configuration. A skill that is not configured, or cannot be, is left out with one log line
//! saying why and what to set; the others keep working.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::calendar::CalendarSkill;
use crate::config::SkillsConfig;
use crate::homeassistant::HomeAssistantSkill;
use crate::skill::{EnvSource, Skill};
use crate::weather::WeatherSkill;

/// Builds the enabled, configured connected skills. Call from a blocking thread: the Home
/// Assistant skill reads the house's devices here. `now` stamps what is read; reminders are
/// kept in `data_dir` unless `[skills.calendar] reminders` says otherwise.
pub fn connected_skills(
    config: &SkillsConfig,
    env: &dyn EnvSource,
    data_dir: &Path,
    now: DateTime<Utc>,
) -> Vec<Arc<dyn Skill>> {
    let wanted = |name: &str| !config.disabled.iter().any(|off| off == name);
    let mut skills: Vec<Arc<dyn Skill>> = Vec::new();
    if wanted("weather") {
        match WeatherSkill::new(&config.weather, env) {
            Ok(skill) => skills.push(Arc::new(skill)),
            Err(error) => {
                tracing::warn!(%error, skill = "weather", "Skill disabled.");
            }
        }
    }
    if wanted("calendar") {
        match CalendarSkill::new(&config.calendar, env, data_dir) {
            Ok(skill) => skills.push(Arc::new(skill)),
            Err(error) => {
                tracing::warn!(%error, skill = "calendar", "Skill disabled.");
            }
        }
    }
    if wanted("homeassistant") {
        match HomeAssistantSkill::new(&config.homeassistant, env, now) {
            Ok(Some(skill)) => skills.push(Arc::new(skill)),
            Ok(None) => tracing::info!(
                skill = "homeassistant",
                "Skill disabled: set [skills.homeassistant] url and token, or HIVE_HOMEASSISTANT_URL and HIVE_HOMEASSISTANT_TOKEN."
            ),
            Err(error) => {
                tracing::warn!(%error, skill = "homeassistant", "Skill disabled.");
            }
        }
    }
    skills
}
