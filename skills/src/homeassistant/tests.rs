//! The Home Assistant skill against a real HTTP stand-in speaking Home Assistant's REST API:
//! spoken phrasings in three languages call the right service on the right entity.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use crate::config::SkillsConfig;
use crate::homeassistant::{HomeAssistantConfig, HomeAssistantSkill};
use crate::http::stand_in::{Answer, Seen, StandIn};
use crate::lang::Lang;
use crate::registry::Registry;
use crate::skill::SkillContext;

const TOKEN: &str = "Bearer long-lived-token";

/// A house with rooms named in three languages (as three households would name them).
fn states() -> Value {
    let state = |id: &str, name: &str, on: bool| {
        json!({
            "entity_id": id, "state": if on { "on" } else { "off" },
            "attributes": {"friendly_name": name, "supported_color_modes": ["brightness"]},
            "last_changed": "2026-12-01T20:00:00+00:00", "last_updated": "2026-12-01T20:00:00+00:00",
            "context": {"id": "01J", "parent_id": null, "user_id": null}
        })
    };
    json!([
        state("light.kitchen", "Kitchen light", false),
        state("light.living_room", "Ceiling", true),
        state("switch.coffee", "Coffee machine", false),
        state("light.plafonnier_cuisine", "Plafonnier", false),
        state("light.keukenlamp", "Keukenlamp", false),
        state("sensor.outside_temperature", "Outside temperature", false),
        {"entity_id": "sun.sun", "state": "below_horizon", "attributes": {}}
    ])
}

fn home_assistant() -> StandIn {
    StandIn::start(|seen: &Seen| -> Answer {
        if seen.authorization.as_deref() != Some(TOKEN) {
            return (401, "text/plain", "401: Unauthorized".into());
        }
        match (seen.method.as_str(), seen.path()) {
            ("GET", "/api/states") => (200, "application/json", states().to_string()),
            ("POST", "/api/template") => (
                200,
                "text/plain",
                "light.kitchen|Kitchen\nlight.living_room|Living room\nswitch.coffee|Kitchen\n\
                 light.plafonnier_cuisine|Cuisine\nlight.keukenlamp|Keuken\nsensor.outside_temperature|\nsun.sun|\n"
                    .into(),
            ),
            ("POST", path) if path.starts_with("/api/services/") => {
                (200, "application/json", "[]".into())
            }
            _ => (404, "text/plain", "404: Not Found".into()),
        }
    })
}

fn config(server: &StandIn) -> HomeAssistantConfig {
    HomeAssistantConfig {
        url: server.url.clone(),
        token: "long-lived-token".into(),
        ..HomeAssistantConfig::default()
    }
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 20, 0, 0).unwrap()
}

fn registry(config: &HomeAssistantConfig) -> Registry {
    let skill = HomeAssistantSkill::new(config, &BTreeMap::new(), now())
        .unwrap()
        .unwrap();
    Registry::new(vec![Arc::new(skill)], &SkillsConfig::default()).unwrap()
}

/// The service calls the stand-in received, as (path, body).
fn calls(server: &StandIn) -> Vec<(String, Value)> {
    server
        .seen()
        .into_iter()
        .filter(|seen| seen.path().starts_with("/api/services/"))
        .map(|seen| {
            (
                seen.path().to_owned(),
                serde_json::from_str(&seen.body).unwrap(),
            )
        })
        .collect()
}

#[test]
fn spoken_commands_call_the_right_service_on_the_right_entity() {
    let cases: &[(&str, Lang, &str, &str, Value, &str)] = &[
        (
            "Turn on the kitchen light.",
            Lang::En,
            "kitchen light",
            "/api/services/light/turn_on",
            json!({"entity_id": "light.kitchen"}),
            "Okay, Kitchen light is on.",
        ),
        (
            "Turn the light in the kitchen off please.",
            Lang::En,
            "light in the kitchen",
            "/api/services/light/turn_off",
            json!({"entity_id": "light.kitchen"}),
            "Okay, Kitchen light is off.",
        ),
        (
            "Switch on the coffee machine.",
            Lang::En,
            "coffee machine",
            "/api/services/switch/turn_on",
            json!({"entity_id": "switch.coffee"}),
            "Okay, Coffee machine is on.",
        ),
        (
            "Set the ceiling to 40 percent.",
            Lang::En,
            "ceiling",
            "/api/services/light/turn_on",
            json!({"entity_id": "light.living_room", "brightness_pct": 40}),
            "Okay, Ceiling is at 40 percent.",
        ),
        (
            "Allume la lumière de la cuisine.",
            Lang::Fr,
            "lumière de la cuisine",
            "/api/services/light/turn_on",
            json!({"entity_id": "light.plafonnier_cuisine"}),
            "D'accord, j'ai allumé Plafonnier.",
        ),
        (
            "Éteins la lumière de la cuisine, s'il te plaît.",
            Lang::Fr,
            "lumière de la cuisine",
            "/api/services/light/turn_off",
            json!({"entity_id": "light.plafonnier_cuisine"}),
            "D'accord, j'ai éteint Plafonnier.",
        ),
        (
            "Mets le plafonnier à cinquante pour cent.",
            Lang::Fr,
            "plafonnier",
            "/api/services/light/turn_on",
            json!({"entity_id": "light.plafonnier_cuisine", "brightness_pct": 50}),
            "D'accord, Plafonnier est à 50 pour cent.",
        ),
        (
            "Doe het licht in de keuken aan.",
            Lang::Nl,
            "licht in de keuken",
            "/api/services/light/turn_on",
            json!({"entity_id": "light.keukenlamp"}),
            "Oké, Keukenlamp is aan.",
        ),
        (
            "Zet de keukenlamp uit.",
            Lang::Nl,
            "keukenlamp",
            "/api/services/light/turn_off",
            json!({"entity_id": "light.keukenlamp"}),
            "Oké, Keukenlamp is uit.",
        ),
    ];
    for (text, lang, target, path, body, speech) in cases {
        let server = home_assistant();
        let registry = registry(&config(&server));
        let found = registry
            .match_text(text, Some(*lang))
            .unwrap_or_else(|| panic!("`{text}` matched nothing"));
        assert_eq!(found.lang, Some(*lang), "{text}");
        assert_eq!(found.text("target"), Some(*target), "{text}");
        let ctx = SkillContext::new(*lang, chrono_tz::UTC, now());
        let reply = registry.execute(&found, &ctx).unwrap();
        assert_eq!(reply.speech, *speech, "{text}");
        assert_eq!(
            calls(&server),
            vec![(path.to_string(), body.clone())],
            "{text}"
        );
    }
}

#[test]
fn the_tool_names_the_known_devices_and_unknown_ones_are_said() {
    let server = home_assistant();
    let registry = registry(&config(&server));
    let tools = registry.tools();
    let description = tools[0]["function"]["parameters"]["properties"]["target"]["description"]
        .as_str()
        .unwrap();
    assert!(
        description.contains("Kitchen light (Kitchen)")
            && description.contains("Keukenlamp (Keuken)"),
        "{description}"
    );
    assert!(
        !description.contains("Outside temperature"),
        "{description}"
    );
    let found = registry
        .resolve_tool_call("homeassistant_turn_on", &json!({"target": "garage door"}))
        .unwrap();
    let ctx = SkillContext::new(Lang::En, chrono_tz::UTC, now());
    let reply = registry.execute(&found, &ctx).unwrap();
    assert_eq!(
        reply.speech,
        "I couldn't find garage door in Home Assistant."
    );
    let found = registry
        .resolve_tool_call(
            "homeassistant_set_brightness",
            &json!({"target": "coffee machine", "brightness": 20}),
        )
        .unwrap();
    let reply = registry.execute(&found, &ctx).unwrap();
    assert_eq!(reply.speech, "Coffee machine cannot be dimmed.");
    assert!(calls(&server).is_empty());
}

#[test]
fn unconfigured_means_off_and_a_url_without_token_is_an_error() {
    let none = HomeAssistantSkill::new(&HomeAssistantConfig::default(), &BTreeMap::new(), now());
    assert!(none.unwrap().is_none());
    let config = HomeAssistantConfig {
        url: "http://127.0.0.1:9".into(),
        ..HomeAssistantConfig::default()
    };
    let error = HomeAssistantSkill::new(&config, &BTreeMap::new(), now()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "skill `homeassistant` needs `token`: set the environment variable `HIVE_HOMEASSISTANT_TOKEN`"
    );
    // Inside the add-on, the supervisor's token and URL.
    let env = BTreeMap::from([("SUPERVISOR_TOKEN".to_owned(), "x".to_owned())]);
    let config = HomeAssistantConfig {
        timeout_s: 1,
        ..HomeAssistantConfig::default()
    };
    let skill = HomeAssistantSkill::new(&config, &env, now()).unwrap();
    assert!(skill.is_some(), "SUPERVISOR_TOKEN turns the skill on");
}

#[test]
fn a_home_assistant_that_went_down_is_an_error_not_a_panic() {
    let server = home_assistant();
    let registry = registry(&HomeAssistantConfig {
        refresh_s: 0,
        ..config(&server)
    });
    // With refresh_s = 0 every request reads the devices again.
    let found = registry
        .match_text("turn on the kitchen light", None)
        .unwrap();
    let ctx = SkillContext::new(Lang::En, chrono_tz::UTC, now());
    assert!(registry.execute(&found, &ctx).is_ok());

    let gone = HomeAssistantConfig {
        url: "http://127.0.0.1:9".into(),
        token: "t".into(),
        timeout_s: 2,
        ..HomeAssistantConfig::default()
    };
    let registry = self::registry(&gone);
    let error = registry.execute(&found, &ctx).unwrap_err();
    assert!(
        error.to_string().contains("Home Assistant unreachable"),
        "{error}"
    );
}
