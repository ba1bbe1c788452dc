//! A connected skill whose configuration is missing is left out, and the log says which
//! setting or environment variable to give it, as the bridge's operator reads it.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use hive_skills::SkillsConfig;
use hive_skills::connected::connected_skills;
use hive_skills::weather::WeatherProvider;
use tracing_subscriber::util::SubscriberInitExt;

/// The log lines written while it lived, as the bridge's text format writes them.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The names of the skills built, and the log lines building them wrote.
fn build(config: &SkillsConfig, env: &BTreeMap<String, String>) -> (Vec<String>, Vec<String>) {
    let captured = Captured::default();
    let writer = captured.clone();
    // This thread only: the other tests of the binary keep their own logs.
    let _guard = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish()
        .set_default();
    let data = tempfile::tempdir().unwrap();
    let now = Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap();
    let names = connected_skills(config, env, data.path(), now)
        .iter()
        .map(|skill| skill.manifest().name.clone())
        .collect();
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    (names, text.lines().map(str::to_owned).collect())
}

#[test]
fn a_skill_without_its_api_key_is_disabled_with_a_log_line_naming_the_key() {
    let mut config = SkillsConfig::default();
    config.weather.provider = WeatherProvider::Openweathermap;
    let (names, lines) = build(&config, &BTreeMap::new());

    // Weather needs OpenWeatherMap's key and Home Assistant its address and token: both are
    // left out; the calendar (reminders need nothing) stays.
    assert_eq!(names, ["calendar"], "{lines:#?}");
    let weather: Vec<&String> = lines
        .iter()
        .filter(|line| line.contains("skill=\"weather\"") || line.contains("skill=weather"))
        .collect();
    assert_eq!(weather.len(), 1, "{lines:#?}");
    let line = weather[0];
    assert!(line.contains("WARN"), "{line}");
    assert!(line.contains("Skill disabled."), "{line}");
    assert!(line.contains("api_key"), "{line}");
    assert!(line.contains("HIVE_OPENWEATHERMAP_API_KEY"), "{line}");
    let homeassistant: Vec<&String> = lines
        .iter()
        .filter(|line| line.contains("homeassistant"))
        .collect();
    assert_eq!(homeassistant.len(), 1, "{lines:#?}");
    for wanted in [
        "Skill disabled",
        "HIVE_HOMEASSISTANT_URL",
        "HIVE_HOMEASSISTANT_TOKEN",
    ] {
        assert!(homeassistant[0].contains(wanted), "{}", homeassistant[0]);
    }

    // Given the key through the environment, weather is built and nothing is said about it.
    let env = BTreeMap::from([(
        "HIVE_OPENWEATHERMAP_API_KEY".to_owned(),
        "0123456789abcdef".to_owned(),
    )]);
    let (names, lines) = build(&config, &env);
    assert_eq!(names, ["weather", "calendar"], "{lines:#?}");
    assert!(
        lines.iter().all(|line| !line.contains("weather")),
        "{lines:#?}"
    );
}

#[test]
fn open_meteo_needs_no_key_and_a_skill_turned_off_is_not_built() {
    let (names, lines) = build(&SkillsConfig::default(), &BTreeMap::new());
    assert_eq!(names, ["weather", "calendar"], "{lines:#?}");

    let config = SkillsConfig {
        disabled: vec!["weather".into()],
        ..SkillsConfig::default()
    };
    let (names, _) = build(&config, &BTreeMap::new());
    assert_eq!(names, ["calendar"]);
}
