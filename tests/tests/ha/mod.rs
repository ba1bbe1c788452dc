//! Home Assistant's published rules for MQTT discovery payloads, as the discovery tests
//! check them: keys and abbreviations, required options per platform, device classes,
//! unique ids, and that every topic is one of Hive's protocol topics. Written from Home
//! Assistant's MQTT discovery documentation (integrations/mqtt and each platform's page).

#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeSet;

use hive_topics::{SatelliteId, Topics};
use serde_json::{Map, Value};

/// Abbreviations Home Assistant expands in discovery payloads, and the full names they
/// stand for (only the ones a payload may use at the entity or device root).
pub const ABBREVIATIONS: &[(&str, &str)] = &[
    ("avty", "availability"),
    ("avty_mode", "availability_mode"),
    ("avty_t", "availability_topic"),
    ("avty_tpl", "availability_template"),
    ("cmd_t", "command_topic"),
    ("cmd_tpl", "command_template"),
    ("cmps", "components"),
    ("dev", "device"),
    ("dev_cla", "device_class"),
    ("en", "enabled_by_default"),
    ("ent_cat", "entity_category"),
    ("evt_typ", "event_types"),
    ("ic", "icon"),
    ("json_attr_t", "json_attributes_topic"),
    ("json_attr_tpl", "json_attributes_template"),
    ("o", "origin"),
    ("opt", "optimistic"),
    ("ops", "options"),
    ("p", "platform"),
    ("pl_avail", "payload_available"),
    ("pl_not_avail", "payload_not_available"),
    ("pl_off", "payload_off"),
    ("pl_on", "payload_on"),
    ("pl_prs", "payload_press"),
    ("ret", "retain"),
    ("stat_cla", "state_class"),
    ("stat_t", "state_topic"),
    ("uniq_id", "unique_id"),
    ("unit_of_meas", "unit_of_measurement"),
    ("val_tpl", "value_template"),
];

/// Options without an abbreviation.
const UNABBREVIATED: &[&str] = &["name", "qos", "min", "max", "step", "mode", "pattern"];

/// Device keys: abbreviation or full name.
const DEVICE_KEYS: &[&str] = &[
    "ids",
    "identifiers",
    "cns",
    "connections",
    "mf",
    "manufacturer",
    "mdl",
    "model",
    "name",
    "sw",
    "sw_version",
    "hw",
    "hw_version",
    "sa",
    "suggested_area",
    "via_device",
    "cu",
    "configuration_url",
    "sn",
    "serial_number",
    "mdl_id",
    "model_id",
];

/// Origin keys.
const ORIGIN_KEYS: &[&str] = &["name", "sw", "sw_version", "url", "support_url"];

/// Device classes per platform (the subsets Home Assistant documents).
const SENSOR_CLASSES: &[&str] = &[
    "battery",
    "carbon_dioxide",
    "distance",
    "duration",
    "enum",
    "humidity",
    "illuminance",
    "power",
    "pressure",
    "signal_strength",
    "sound_pressure",
    "temperature",
    "voltage",
];
const BINARY_CLASSES: &[&str] = &[
    "connectivity",
    "door",
    "motion",
    "occupancy",
    "presence",
    "window",
];

/// Platforms and the options each requires.
const PLATFORMS: &[(&str, &[&str])] = &[
    ("binary_sensor", &["stat_t"]),
    ("sensor", &["stat_t"]),
    ("event", &["stat_t", "evt_typ"]),
    ("switch", &["cmd_t"]),
    ("number", &["cmd_t"]),
    ("button", &["cmd_t"]),
    ("text", &["cmd_t"]),
];

/// A discovery message of this bridge, with what was found wrong in it.
#[derive(Debug)]
pub struct Checked {
    /// The entities: (unique id, platform, options with device-level options merged).
    pub entities: Vec<(String, String, Map<String, Value>)>,
}

fn is_known_key(key: &str) -> bool {
    ABBREVIATIONS
        .iter()
        .any(|(short, long)| *short == key || *long == key)
        || UNABBREVIATED.contains(&key)
}

/// Whether `topic` is one of Hive's topics: the parser knows it (a wildcard level is
/// replaced by a valid name), or it is one of the retained summaries.
pub fn is_protocol_topic(topics: &Topics, topic: &str) -> bool {
    let concrete = topic.replace('+', "x.y");
    if concrete == topics.bridge_stats() {
        return true;
    }
    if let Some(id) = concrete
        .strip_prefix(&format!("{}/satellite/", topics.prefix()))
        .and_then(|rest| rest.strip_suffix("/turn"))
        && let Ok(id) = SatelliteId::new(id)
    {
        return concrete == topics.turn(&id);
    }
    match topics.parse(&concrete, b"") {
        Ok(_) => true,
        Err(error) => !matches!(
            error.code(),
            "unknown_topic" | "bad_satellite_id" | "bad_name"
        ),
    }
}

fn check_entity(
    topics: &Topics,
    where_: &str,
    platform: &str,
    options: &Map<String, Value>,
    problems: &mut Vec<String>,
) {
    let Some((_, required)) = PLATFORMS.iter().find(|(name, _)| *name == platform) else {
        problems.push(format!("{where_}: unknown platform {platform}"));
        return;
    };
    for key in *required {
        if !options.contains_key(*key) {
            problems.push(format!("{where_}: {platform} needs {key}"));
        }
    }
    for key in options.keys() {
        if !is_known_key(key) {
            problems.push(format!("{where_}: unknown option or abbreviation {key}"));
        }
    }
    if !options.get("uniq_id").is_some_and(Value::is_string) {
        problems.push(format!("{where_}: no uniq_id"));
    }
    if !options.get("name").is_some_and(Value::is_string) {
        problems.push(format!("{where_}: no name"));
    }
    if let Some(class) = options.get("dev_cla").and_then(Value::as_str) {
        let known = match platform {
            "sensor" => SENSOR_CLASSES,
            "binary_sensor" => BINARY_CLASSES,
            _ => &[][..],
        };
        if !known.contains(&class) {
            problems.push(format!(
                "{where_}: device class {class} is not one of {platform}'s"
            ));
        }
        if class == "enum" {
            if options
                .get("ops")
                .and_then(Value::as_array)
                .is_none_or(|o| o.is_empty())
            {
                problems.push(format!("{where_}: an enum sensor needs options"));
            }
            if options.contains_key("unit_of_meas") || options.contains_key("stat_cla") {
                problems.push(format!(
                    "{where_}: an enum sensor has no unit or state class"
                ));
            }
        }
    }
    if let Some(category) = options.get("ent_cat").and_then(Value::as_str) {
        let allowed: &[&str] = if matches!(platform, "sensor" | "binary_sensor" | "event") {
            &["diagnostic"]
        } else {
            &["config", "diagnostic"]
        };
        if !allowed.contains(&category) {
            problems.push(format!("{where_}: entity category {category}"));
        }
    }
    if let Some(class) = options.get("stat_cla").and_then(Value::as_str)
        && !["measurement", "total", "total_increasing"].contains(&class)
    {
        problems.push(format!("{where_}: state class {class}"));
    }
    if platform == "number" {
        let number = |key: &str| options.get(key).and_then(Value::as_f64);
        if !matches!((number("min"), number("max")), (Some(min), Some(max)) if min < max) {
            problems.push(format!("{where_}: number needs min < max"));
        }
        if number("step").is_some_and(|step| step <= 0.0) {
            problems.push(format!("{where_}: step must be positive"));
        }
    }
    if platform == "text" {
        let max = options.get("max").and_then(Value::as_u64).unwrap_or(255);
        let min = options.get("min").and_then(Value::as_u64).unwrap_or(0);
        if max > 255 || min > max {
            problems.push(format!("{where_}: text length {min}..{max}"));
        }
    }
    if platform == "event"
        && options
            .get("evt_typ")
            .and_then(Value::as_array)
            .is_none_or(|t| t.is_empty())
    {
        problems.push(format!("{where_}: an event needs event types"));
    }
    check_availability(where_, options, problems);
    for key in ["stat_t", "cmd_t", "json_attr_t", "avty_t"] {
        if let Some(topic) = options.get(key) {
            match topic.as_str() {
                Some(topic) if is_protocol_topic(topics, topic) => {}
                _ => problems.push(format!("{where_}: {key} {topic} is not a Hive topic")),
            }
        }
    }
    if let Some(Value::Array(list)) = options.get("avty") {
        for item in list {
            let topic = item.get("t").and_then(Value::as_str).unwrap_or("");
            if !is_protocol_topic(topics, topic) {
                problems.push(format!(
                    "{where_}: availability topic {topic} is not a Hive topic"
                ));
            }
        }
    }
}

fn check_availability(where_: &str, options: &Map<String, Value>, problems: &mut Vec<String>) {
    if let Some(avty) = options.get("avty") {
        let ok = avty.as_array().is_some_and(|list| {
            !list.is_empty()
                && list.iter().all(|item| {
                    item.as_object().is_some_and(|item| {
                        item.get("t").is_some_and(Value::is_string)
                            && item.keys().all(|k| {
                                ["t", "topic", "pl_avail", "pl_not_avail", "val_tpl"]
                                    .contains(&k.as_str())
                            })
                    })
                })
        });
        if !ok {
            problems.push(format!(
                "{where_}: availability must be a list of {{t: topic}}"
            ));
        }
    }
    if let Some(mode) = options.get("avty_mode")
        && !mode
            .as_str()
            .is_some_and(|mode| ["all", "any", "latest"].contains(&mode))
    {
        problems.push(format!("{where_}: availability mode {mode}"));
    }
}

fn check_device(where_: &str, payload: &Map<String, Value>, problems: &mut Vec<String>) {
    match payload.get("dev").and_then(Value::as_object) {
        Some(device) => {
            if device
                .get("ids")
                .and_then(Value::as_array)
                .is_none_or(|ids| ids.is_empty())
            {
                problems.push(format!("{where_}: device needs ids"));
            }
            for key in device.keys() {
                if !DEVICE_KEYS.contains(&key.as_str()) {
                    problems.push(format!("{where_}: unknown device key {key}"));
                }
            }
        }
        None => problems.push(format!("{where_}: no dev")),
    }
    match payload.get("o").and_then(Value::as_object) {
        Some(origin) => {
            if !origin.get("name").is_some_and(Value::is_string) {
                problems.push(format!("{where_}: origin needs a name"));
            }
            for key in origin.keys() {
                if !ORIGIN_KEYS.contains(&key.as_str()) {
                    problems.push(format!("{where_}: unknown origin key {key}"));
                }
            }
        }
        None => problems.push(format!("{where_}: no o (origin)")),
    }
}

fn valid_id_level(level: &str) -> bool {
    !level.is_empty()
        && level
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Checks one discovery message (`payload` not empty) and returns its entities, or every
/// rule it breaks.
pub fn check(
    topics: &Topics,
    discovery_prefix: &str,
    topic: &str,
    payload: &[u8],
) -> Result<Checked, Vec<String>> {
    let mut problems = Vec::new();
    let levels: Vec<&str> = topic
        .strip_prefix(discovery_prefix)
        .and_then(|rest| rest.strip_prefix('/'))
        .map(|rest| rest.split('/').collect())
        .unwrap_or_default();
    let payload: Map<String, Value> = match serde_json::from_slice(payload) {
        Ok(Value::Object(map)) => map,
        _ => return Err(vec![format!("{topic}: not a JSON object")]),
    };
    check_device(topic, &payload, &mut problems);
    let mut entities = Vec::new();
    match levels.as_slice() {
        ["device", node, "config"] if valid_id_level(node) => {
            for key in payload.keys() {
                if !["dev", "o", "cmps", "avty", "avty_mode", "qos", "ret"].contains(&key.as_str())
                {
                    problems.push(format!("{topic}: {key} at the device root"));
                }
            }
            check_availability(topic, &payload, &mut problems);
            let Some(cmps) = payload.get("cmps").and_then(Value::as_object) else {
                problems.push(format!("{topic}: no cmps"));
                return Err(problems);
            };
            if cmps.is_empty() {
                problems.push(format!("{topic}: empty cmps"));
            }
            for (key, component) in cmps {
                let where_ = format!("{topic} cmps.{key}");
                let Some(component) = component.as_object() else {
                    problems.push(format!("{where_}: not an object"));
                    continue;
                };
                let platform = component
                    .get("p")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                // Shared options apply to every component that does not set its own.
                let mut merged = component.clone();
                for shared in ["avty", "avty_mode", "qos"] {
                    if let Some(value) = payload.get(shared) {
                        merged.entry(shared).or_insert(value.clone());
                    }
                }
                merged.remove("p");
                check_entity(topics, &where_, &platform, &merged, &mut problems);
                let id = merged
                    .get("uniq_id")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                entities.push((id, platform, merged));
            }
        }
        [platform, node, object, "config"] if valid_id_level(node) && valid_id_level(object) => {
            let mut options = payload.clone();
            options.remove("dev");
            options.remove("o");
            check_entity(topics, topic, platform, &options, &mut problems);
            let id = options
                .get("uniq_id")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            entities.push((id, (*platform).to_owned(), options));
        }
        _ => problems.push(format!("{topic}: not a discovery config topic")),
    }
    if problems.is_empty() {
        Ok(Checked { entities })
    } else {
        Err(problems)
    }
}

/// Checks unique ids across messages.
pub fn unique_ids(checked: &[Checked]) -> Result<usize, String> {
    let mut seen = BTreeSet::new();
    for entity in checked.iter().flat_map(|c| &c.entities) {
        if !seen.insert(entity.0.clone()) {
            return Err(format!("unique id {} used twice", entity.0));
        }
    }
    Ok(seen.len())
}

/// Renders a Home Assistant template the way Home Assistant does for the given variables
/// (`value`, `value_json`), with Jinja: minijinja implements the same language and filters.
pub fn render(template: &str, value: &str) -> String {
    let mut env = minijinja::Environment::new();
    env.add_template("t", template)
        .expect("a valid Jinja template");
    let value_json: Option<Value> = serde_json::from_str(value).ok();
    let context = match value_json {
        Some(json) => minijinja::context! { value => value, value_json => json },
        None => minijinja::context! { value => value },
    };
    env.get_template("t")
        .and_then(|t| t.render(context))
        .unwrap_or_else(|error| panic!("template {template:?} failed: {error}"))
}
