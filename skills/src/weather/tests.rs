//! The weather skill end to end inside the crate: spoken phrasings in three languages reach
//! the right intent and slots, and execution against a real HTTP stand-in speaking Open-Meteo's
//! and OpenWeatherMap's JSON gives the exact sentences.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use serde_json::json;

use crate::config::SkillsConfig;
use crate::http::stand_in::{Answer, Seen, StandIn};
use crate::lang::Lang;
use crate::registry::Registry;
use crate::skill::{SkillContext, SlotValue};
use crate::weather::{WeatherConfig, WeatherProvider, WeatherSkill};

/// Open-Meteo's geocoding answer for a name, in the asked language, as the real API shapes it.
fn geocoding(seen: &Seen) -> Answer {
    let query = seen.target.to_lowercase();
    let (name, lat, lon) = if query.contains("name=paris") || query.contains("name=parijs") {
        let name = if query.contains("language=nl") {
            "Parijs"
        } else {
            "Paris"
        };
        (name, 48.85341, 2.3488)
    } else if query.contains("name=amsterdam") {
        ("Amsterdam", 52.37403, 4.88969)
    } else {
        return (
            200,
            "application/json",
            json!({"generationtime_ms": 0.3}).to_string(),
        );
    };
    let body = json!({
        "results": [{
            "id": 2988507, "name": name, "latitude": lat, "longitude": lon, "elevation": 42.0,
            "feature_code": "PPLC", "country_code": "FR", "timezone": "Europe/Paris",
            "country": "France", "admin1": "Île-de-France"
        }],
        "generationtime_ms": 0.9
    });
    (200, "application/json", body.to_string())
}

/// Open-Meteo's forecast answer: 17.4 °C and rain in Paris now, 6.1 °C and fog in Amsterdam.
fn forecast(seen: &Seen) -> Answer {
    let paris = seen.target.contains("latitude=48.85341");
    let (temperature, code) = if paris { (17.4, 61) } else { (6.1, 45) };
    let body = json!({
        "latitude": 48.86, "longitude": 2.34, "generationtime_ms": 0.1, "utc_offset_seconds": 3600,
        "timezone": "Europe/Paris", "timezone_abbreviation": "GMT+1", "elevation": 43.0,
        "current_units": {"time": "iso8601", "interval": "seconds", "temperature_2m": "°C", "weather_code": "wmo code"},
        "current": {"time": "2026-12-01T22:00", "interval": 900, "temperature_2m": temperature, "weather_code": code},
        "daily_units": {"time": "iso8601", "weather_code": "wmo code", "temperature_2m_max": "°C", "temperature_2m_min": "°C", "precipitation_probability_max": "%"},
        "daily": {
            "time": ["2026-12-01", "2026-12-02", "2026-12-03"],
            "weather_code": [61, 3, 0],
            "temperature_2m_max": [18.2, 8.0, 5.4],
            "temperature_2m_min": [11.0, 3.2, -2.6],
            "precipitation_probability_max": [90, 20, null]
        }
    });
    (200, "application/json", body.to_string())
}

fn open_meteo() -> StandIn {
    StandIn::start(|seen| match seen.path() {
        "/v1/search" => geocoding(seen),
        "/v1/forecast" => forecast(seen),
        _ => (404, "application/json", "{\"error\":true}".into()),
    })
}

fn config(server: &StandIn) -> WeatherConfig {
    WeatherConfig {
        geocoding_url: format!("{}/v1", server.url),
        forecast_url: format!("{}/v1", server.url),
        openweathermap_url: server.url.clone(),
        ..WeatherConfig::default()
    }
}

fn registry(config: &WeatherConfig) -> Registry {
    let skill = WeatherSkill::new(config, &BTreeMap::new()).unwrap();
    Registry::new(vec![Arc::new(skill)], &SkillsConfig::default()).unwrap()
}

fn ctx(lang: Lang) -> SkillContext {
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 21, 0, 0).unwrap();
    SkillContext::new(lang, chrono_tz::Europe::Paris, now)
}

#[test]
fn spoken_phrasings_reach_the_weather_intents_and_are_answered() {
    let server = open_meteo();
    let registry = registry(&config(&server));
    // (utterance, intent, location slot, day slot, language, spoken answer)
    type Case<'a> = (
        &'a str,
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        Lang,
        &'a str,
    );
    let cases: &[Case] = &[
        (
            "What's the weather in Paris?",
            "weather.current",
            Some("Paris"),
            None,
            Lang::En,
            "In Paris it's 17 degrees with rain.",
        ),
        (
            "Hey, what's the weather like in Amsterdam?",
            "weather.current",
            Some("Amsterdam"),
            None,
            Lang::En,
            "In Amsterdam it's 6 degrees with fog.",
        ),
        (
            "Will it rain tomorrow in Paris?",
            "weather.rain",
            Some("Paris"),
            Some("tomorrow"),
            Lang::En,
            "No, rain is unlikely tomorrow in Paris: 20 percent chance.",
        ),
        (
            "What's the weather tomorrow in Paris?",
            "weather.forecast",
            Some("Paris"),
            Some("tomorrow"),
            Lang::En,
            "Tomorrow in Paris expect overcast skies, between 3 and 8 degrees. The chance of rain is 20 percent.",
        ),
        (
            "Quel temps fait-il à Paris ?",
            "weather.current",
            Some("Paris"),
            None,
            Lang::Fr,
            "À Paris, il fait 17 degrés avec de la pluie.",
        ),
        (
            "Est-ce qu'il va pleuvoir aujourd'hui à Paris ?",
            "weather.rain",
            Some("Paris"),
            Some("today"),
            Lang::Fr,
            "Oui, il va probablement pleuvoir aujourd'hui à Paris : 90 pour cent de risque.",
        ),
        (
            "Quel temps fera-t-il après-demain à Paris ?",
            "weather.forecast",
            Some("Paris"),
            Some("day_after_tomorrow"),
            Lang::Fr,
            "Après-demain à Paris, prévoyez un ciel dégagé, entre moins 3 et 5 degrés.",
        ),
        (
            "Wat voor weer is het in Amsterdam?",
            "weather.current",
            Some("Amsterdam"),
            None,
            Lang::Nl,
            "In Amsterdam is het 6 graden met mist.",
        ),
        (
            "Hoe is het weer in Parijs?",
            "weather.current",
            Some("Parijs"),
            None,
            Lang::Nl,
            "In Parijs is het 17 graden met regen.",
        ),
        (
            "Gaat het morgen regenen in Amsterdam?",
            "weather.rain",
            Some("Amsterdam"),
            Some("tomorrow"),
            Lang::Nl,
            "Nee, het gaat morgen waarschijnlijk niet regenen in Amsterdam: 20 procent kans.",
        ),
    ];
    for (text, intent, location, day, lang, speech) in cases {
        let found = registry
            .match_text(text, Some(*lang))
            .unwrap_or_else(|| panic!("`{text}` matched nothing"));
        assert_eq!(found.intent, *intent, "{text}");
        assert_eq!(found.lang, Some(*lang), "{text}");
        assert_eq!(found.text("location"), *location, "{text}");
        assert_eq!(
            found.slot("day"),
            day.map(|day| SlotValue::Enum(day.into())).as_ref(),
            "{text}"
        );
        let reply = registry.execute(&found, &ctx(*lang)).unwrap();
        assert_eq!(reply.speech, *speech, "{text}");
    }
}

#[test]
fn without_a_place_the_configured_one_is_used_or_one_is_asked_for() {
    let server = open_meteo();
    let unset = registry(&config(&server));
    let found = unset.match_text("Quel temps fait-il ?", None).unwrap();
    assert_eq!(found.intent, "weather.current");
    assert_eq!(
        unset.execute(&found, &ctx(Lang::Fr)).unwrap().speech,
        "Pour quelle ville ? Demandez par exemple : quel temps fait-il à Paris."
    );
    assert!(server.seen().is_empty(), "nothing to ask the service");

    let home = registry(&WeatherConfig {
        location: "Amsterdam".into(),
        ..config(&server)
    });
    let found = home.match_text("Wat voor weer is het?", None).unwrap();
    assert_eq!(
        home.execute(&found, &ctx(Lang::Nl)).unwrap().speech,
        "In Amsterdam is het 6 graden met mist."
    );
}

#[test]
fn answers_are_cached_for_the_configured_time() {
    let server = open_meteo();
    let registry = registry(&config(&server));
    let found = registry
        .resolve_tool_call("weather_current", &json!({"location": "Paris"}))
        .unwrap();
    let first = ctx(Lang::En);
    registry.execute(&found, &first).unwrap();
    let mut later = first.clone();
    later.now = first.now + chrono::Duration::seconds(599);
    registry.execute(&found, &later).unwrap();
    assert_eq!(
        server.seen().len(),
        2,
        "one geocoding and one forecast request"
    );
    later.now = first.now + chrono::Duration::seconds(600);
    registry.execute(&found, &later).unwrap();
    assert_eq!(server.seen().len(), 4, "stale after cache_s");
    let forecast = &server.seen()[1];
    assert!(
        forecast.target.contains("temperature_unit=celsius"),
        "{forecast:?}"
    );
}

#[test]
fn unknown_places_are_said_and_service_failures_are_errors() {
    let server = open_meteo();
    let registry = registry(&config(&server));
    let found = registry
        .resolve_tool_call("weather_current", &json!({"location": "Atlantis"}))
        .unwrap();
    let reply = registry.execute(&found, &ctx(Lang::En)).unwrap();
    assert_eq!(reply.speech, "I don't know a place called Atlantis.");

    // A server that answers garbage, then one that is gone.
    let broken = StandIn::start(|_| (200, "application/json", "{\"results\": 3}".into()));
    let registry = self::registry(&config(&broken));
    let found = registry
        .resolve_tool_call("weather_current", &json!({"location": "Paris"}))
        .unwrap();
    let error = registry.execute(&found, &ctx(Lang::En)).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("Open-Meteo sent an unexpected response"),
        "{error}"
    );
    let gone = WeatherConfig {
        geocoding_url: "http://127.0.0.1:9".into(),
        timeout_s: 2,
        ..WeatherConfig::default()
    };
    let registry = self::registry(&gone);
    let error = registry.execute(&found, &ctx(Lang::En)).unwrap_err();
    assert!(
        error.to_string().contains("Open-Meteo unreachable"),
        "{error}"
    );
}

#[test]
fn openweathermap_needs_a_key_and_speaks_its_answers() {
    let config = WeatherConfig {
        provider: WeatherProvider::Openweathermap,
        ..WeatherConfig::default()
    };
    let error = WeatherSkill::new(&config, &BTreeMap::new()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "skill `weather` needs `api_key`: set the environment variable `HIVE_OPENWEATHERMAP_API_KEY`"
    );

    let server = StandIn::start(|seen| {
        if !seen.target.contains("appid=secret") {
            return (401, "application/json", "{\"cod\":401}".into());
        }
        if !seen.target.contains("q=Paris") {
            return (
                404,
                "application/json",
                "{\"cod\":\"404\",\"message\":\"city not found\"}".into(),
            );
        }
        let body = match seen.path() {
            "/data/2.5/weather" => json!({
                "coord": {"lon": 2.3488, "lat": 48.8534},
                "weather": [{"id": 500, "main": "Rain", "description": "light rain", "icon": "10n"}],
                "main": {"temp": 12.6, "feels_like": 11.9, "temp_min": 11.0, "temp_max": 13.4, "pressure": 1012, "humidity": 88},
                "wind": {"speed": 4.1, "deg": 230}, "dt": 1_796_158_800, "timezone": 3600,
                "name": "Paris", "cod": 200
            }),
            "/data/2.5/forecast" => json!({
                "cod": "200", "cnt": 3,
                "list": [
                    {"dt": 1_796_212_800, "main": {"temp": 9.0, "temp_min": 7.5, "temp_max": 9.0}, "weather": [{"id": 803}], "pop": 0.1, "dt_txt": "2026-12-02 11:00:00"},
                    {"dt": 1_796_223_600, "main": {"temp": 10.0, "temp_min": 8.0, "temp_max": 10.4}, "weather": [{"id": 501}], "pop": 0.75, "dt_txt": "2026-12-02 14:00:00"},
                    {"dt": 1_796_137_200, "main": {"temp": 12.0, "temp_min": 11.0, "temp_max": 12.0}, "weather": [{"id": 500}], "pop": 0.6, "dt_txt": "2026-12-01 14:00:00"}
                ],
                "city": {"name": "Paris", "country": "FR", "timezone": 3600}
            }),
            _ => return (404, "application/json", "{}".into()),
        };
        (200, "application/json", body.to_string())
    });
    let env = BTreeMap::from([(
        "HIVE_OPENWEATHERMAP_API_KEY".to_owned(),
        "secret".to_owned(),
    )]);
    let config = WeatherConfig {
        openweathermap_url: server.url.clone(),
        ..config
    };
    let skill = WeatherSkill::new(&config, &env).unwrap();
    let registry = Registry::new(vec![Arc::new(skill)], &SkillsConfig::default()).unwrap();
    let cases = [
        (
            "What's the weather in Paris?",
            Lang::En,
            "In Paris it's 13 degrees with rain.",
        ),
        (
            "Va-t-il pleuvoir demain à Paris ?",
            Lang::Fr,
            "Oui, il va probablement pleuvoir demain à Paris : 75 pour cent de risque.",
        ),
        (
            "Wat is het weer in Lutjebroek?",
            Lang::Nl,
            "Ik ken geen plaats die Lutjebroek heet.",
        ),
    ];
    for (text, lang, speech) in cases {
        let found = registry.match_text(text, Some(lang)).unwrap();
        assert_eq!(
            registry.execute(&found, &ctx(lang)).unwrap().speech,
            speech,
            "{text}"
        );
    }
    assert!(
        server
            .seen()
            .iter()
            .all(|seen| seen.target.contains("units=metric"))
    );
}

#[test]
fn the_manifest_is_valid_and_unrelated_sentences_do_not_match() {
    let server = open_meteo();
    let registry = registry(&config(&server));
    for text in [
        "What time is it?",
        "Turn on the kitchen light.",
        "Set a timer for five minutes.",
        "Tell me a joke.",
        "Quelle heure est-il ?",
        "Hoe laat is het?",
    ] {
        assert!(registry.match_text(text, None).is_none(), "{text}");
    }
}
