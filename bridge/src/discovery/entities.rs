//! What Home Assistant gets: the entities of a satellite and of the bridge, as discovery
//! components (abbreviated keys, as Home Assistant's MQTT discovery documents them).
//!
//! Pure data: no I/O. Commands go through topics the protocol already has (`control`,
//! `say`, `timer/cancel`) with a `cmd_tpl`, so Home Assistant drives a satellite exactly as
//! an automation or `mosquitto_pub` would, and the ACL needs no new rules.

use std::collections::BTreeMap;

use hive_topics::{EyeColour, Mode, SatelliteId, SensorName, Topics};
use serde_json::{Map, Value, json};

/// One entity: its key inside the device (also the end of its unique id), its platform and
/// its options, abbreviated.
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    /// Object id within the device, e.g. `volume`.
    pub key: String,
    /// Home Assistant platform, e.g. `number`.
    pub platform: &'static str,
    /// Options (without `p`, which [`payload`](super::payload) adds in device mode).
    pub options: Map<String, Value>,
}

/// What a satellite said about one of its sensors, from its first reading.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SensorMeta {
    /// The unit it gave, if any.
    pub unit: Option<String>,
    /// The Home Assistant device class it gave, if any (used only if Home Assistant knows it).
    pub device_class: Option<String>,
    /// Its readings are booleans: a binary sensor.
    pub boolean: bool,
}

/// The stages of [`hive_topics::Timings`], each a latency sensor of the bridge.
pub(crate) const STAGES: [(&str, &str); 7] = [
    ("endpoint_ms", "Last turn endpointing"),
    ("stt_ms", "Last turn speech-to-text"),
    ("first_token_ms", "Last turn first token"),
    ("first_sentence_ms", "Last turn first sentence"),
    ("first_audio_ms", "Last turn first audio"),
    ("llm_done_ms", "Last turn language model"),
    ("total_ms", "Last turn total"),
];

/// The engine kinds reported in `bridge/stats`.
pub(crate) const ENGINE_KINDS: [(&str, &str); 3] = [
    ("stt", "Speech-to-text engine"),
    ("llm", "Language model"),
    ("tts", "Text-to-speech engine"),
];

/// Sensor names Home Assistant can show with a device class: (name, device class, unit).
const KNOWN_SENSORS: &[(&str, &str, &str)] = &[
    ("temperature", "temperature", "°C"),
    ("humidity", "humidity", "%"),
    ("battery", "battery", "%"),
    ("distance", "distance", "cm"),
    ("illuminance", "illuminance", "lx"),
    ("lux", "illuminance", "lx"),
    ("light", "illuminance", "lx"),
    ("pressure", "pressure", "hPa"),
    ("co2", "carbon_dioxide", "ppm"),
    ("voltage", "voltage", "V"),
    ("power", "power", "W"),
    ("noise", "sound_pressure", "dB"),
    ("sound", "sound_pressure", "dB"),
    ("signal", "signal_strength", "dBm"),
    ("rssi", "signal_strength", "dBm"),
];

/// Binary sensor names with a device class.
const KNOWN_BINARY: &[(&str, &str)] = &[
    ("motion", "motion"),
    ("presence", "presence"),
    ("occupancy", "occupancy"),
    ("door", "door"),
    ("window", "window"),
];

fn component(key: &str, platform: &'static str, options: Value) -> Component {
    let Value::Object(options) = options else {
        unreachable!("components are built from object literals");
    };
    Component {
        key: key.to_owned(),
        platform,
        options,
    }
}

/// A template that reads a sensor payload: a JSON `SensorReading` or a bare value.
const SENSOR_VALUE: &str = "{% if value_json is defined and value_json is mapping %}{{ value_json.value }}{% else %}{{ value }}{% endif %}";

/// The same for a boolean sensor, as `true` or `false`.
const BOOLEAN_VALUE: &str = "{% if value_json is defined and value_json is mapping %}{{ value_json.value | string | lower }}{% else %}{{ value | trim | lower }}{% endif %}";

/// The entities of one satellite; `sensors` are those it has reported so far.
pub fn satellite_components(
    topics: &Topics,
    id: &SatelliteId,
    sensors: &BTreeMap<SensorName, SensorMeta>,
) -> Vec<Component> {
    let modes: Vec<&str> = [
        Mode::Idle,
        Mode::Listening,
        Mode::Processing,
        Mode::Responding,
        Mode::Degraded,
        Mode::Error,
    ]
    .iter()
    .map(|mode| mode.as_str())
    .collect();
    let colours: Vec<&str> = [
        EyeColour::White,
        EyeColour::Yellow,
        EyeColour::Blue,
        EyeColour::Violet,
        EyeColour::Red,
    ]
    .iter()
    .map(|colour| colour.as_str())
    .collect();
    let control = topics.control(id);
    let turn = topics.turn(id);
    // Satellite ids are `[a-z0-9_-]`, safe inside a single-quoted Jinja string.
    let only_here = format!(
        "selectattr('satellite', 'defined') | selectattr('satellite', 'eq', '{id}') | list"
    );
    let mut list = vec![
        // Connectivity must show `off` when the satellite is gone, so it is available
        // whenever the bridge is, not only while the satellite is.
        component(
            "connectivity",
            "binary_sensor",
            json!({
                "name": "Connectivity",
                "dev_cla": "connectivity",
                "stat_t": topics.satellite_status(id),
                "pl_on": "online",
                "pl_off": "offline",
                "ent_cat": "diagnostic",
                "avty": [{"t": topics.bridge_status()}],
            }),
        ),
        component(
            "state",
            "sensor",
            json!({
                "name": "State",
                "dev_cla": "enum",
                "ops": modes,
                "stat_t": topics.mode(id),
                "ic": "mdi:state-machine",
            }),
        ),
        component(
            "eyes",
            "sensor",
            json!({
                "name": "Eye colour",
                "dev_cla": "enum",
                "ops": colours,
                "stat_t": topics.eyes(id),
                "ic": "mdi:eye",
            }),
        ),
        // A sensor's state is at most 255 characters; the whole text is an attribute.
        component(
            "transcript",
            "sensor",
            json!({
                "name": "Last transcript",
                "stat_t": turn,
                "val_tpl": "{{ value_json.transcript[:255] }}",
                "json_attr_t": turn,
                "json_attr_tpl": "{{ {'text': value_json.transcript, 'session': value_json.session} | tojson }}",
                "ic": "mdi:account-voice",
            }),
        ),
        component(
            "reply",
            "sensor",
            json!({
                "name": "Last reply",
                "stat_t": turn,
                "val_tpl": "{{ value_json.reply[:255] }}",
                "json_attr_t": turn,
                "json_attr_tpl": "{{ {'text': value_json.reply, 'intent': value_json.intent, 'session': value_json.session} | tojson }}",
                "ic": "mdi:message-reply-text",
            }),
        ),
        component(
            "wake",
            "event",
            json!({
                "name": "Wake word",
                "stat_t": topics.wake(id),
                "evt_typ": ["detected"],
                "val_tpl": "{{ {'event_type': 'detected', 'wake_word': value_json.wake_word, 'score': value_json.score} | tojson }}",
                "ic": "mdi:microphone-message",
            }),
        ),
        // `{p}/intent/+` carries every satellite's intents; the template keeps this one's
        // and renders nothing for the others, which Home Assistant ignores.
        component(
            "intent",
            "event",
            json!({
                "name": "Intent",
                "stat_t": format!("{}/intent/+", topics.prefix()),
                "evt_typ": ["recognised"],
                "val_tpl": format!("{{% if value_json.satellite == '{id}' %}}{{{{ {{'event_type': 'recognised', 'intent': value_json.intent, 'slots': value_json.slots, 'text': value_json.text}} | tojson }}}}{{% endif %}}"),
                "ic": "mdi:lightbulb-question",
            }),
        ),
        component(
            "timers",
            "sensor",
            json!({
                "name": "Timers",
                "stat_t": topics.timer_list(),
                "val_tpl": format!("{{{{ value_json | {only_here} | count }}}}"),
                "json_attr_t": topics.timer_list(),
                "json_attr_tpl": format!("{{{{ {{'timers': value_json | {only_here}}} | tojson }}}}"),
                "stat_cla": "measurement",
                "ic": "mdi:timer-outline",
            }),
        ),
        component(
            "cancel_timer",
            "text",
            json!({
                "name": "Cancel timer",
                "cmd_t": topics.timer_cancel(),
                "cmd_tpl": format!("{{{{ {{'name': value, 'satellite': '{id}'}} | tojson }}}}"),
                "min": 1,
                "max": 64,
                "ic": "mdi:timer-cancel-outline",
            }),
        ),
        component(
            "mute",
            "switch",
            json!({
                "name": "Mute",
                "cmd_t": control,
                "pl_on": r#"{"command":"set_mute","muted":true}"#,
                "pl_off": r#"{"command":"set_mute","muted":false}"#,
                "opt": true,
                "ic": "mdi:microphone-off",
            }),
        ),
        component(
            "volume",
            "number",
            json!({
                "name": "Volume",
                "cmd_t": control,
                "cmd_tpl": "{\"command\":\"set_volume\",\"volume\":{{ (value | float / 100) | round(2) }}}",
                "min": 0,
                "max": 100,
                "step": 5,
                "unit_of_meas": "%",
                "mode": "slider",
                "opt": true,
                "ic": "mdi:volume-high",
            }),
        ),
        component(
            "listen",
            "button",
            json!({
                "name": "Listen now",
                "cmd_t": control,
                "pl_prs": r#"{"command":"listen"}"#,
                "ic": "mdi:microphone",
            }),
        ),
        component(
            "stop",
            "button",
            json!({
                "name": "Stop",
                "cmd_t": control,
                "pl_prs": r#"{"command":"stop"}"#,
                "ic": "mdi:stop",
            }),
        ),
        component(
            "say",
            "text",
            json!({
                "name": "Say",
                "cmd_t": topics.say(&hive_topics::Target::Satellite(id.clone())),
                "cmd_tpl": "{{ {'text': value} | tojson }}",
                "min": 1,
                "max": 255,
                "ic": "mdi:account-voice",
            }),
        ),
    ];
    for (name, meta) in sensors {
        list.push(sensor_component(topics, id, name, meta));
    }
    list
}

fn sensor_component(
    topics: &Topics,
    id: &SatelliteId,
    name: &SensorName,
    meta: &SensorMeta,
) -> Component {
    let key = format!("sensor_{name}");
    let title = format!("Sensor {}", name.as_str().replace(['_', '-'], " "));
    let topic = topics.sensor(id, name);
    if meta.boolean {
        let mut options = json!({
            "name": title,
            "stat_t": topic,
            "val_tpl": BOOLEAN_VALUE,
            "pl_on": "true",
            "pl_off": "false",
        });
        if let Some((_, class)) = KNOWN_BINARY
            .iter()
            .find(|(known, _)| *known == name.as_str())
        {
            options["dev_cla"] = json!(class);
        }
        return component(&key, "binary_sensor", options);
    }
    let mut options = json!({
        "name": title,
        "stat_t": topic,
        "val_tpl": SENSOR_VALUE,
    });
    let known = KNOWN_SENSORS
        .iter()
        .find(|(known, _, _)| *known == name.as_str());
    let class = meta
        .device_class
        .as_deref()
        .filter(|class| KNOWN_SENSORS.iter().any(|(_, known, _)| known == class))
        .or(known.map(|(_, class, _)| *class));
    if let Some(class) = class {
        let default_unit = KNOWN_SENSORS
            .iter()
            .find(|(_, known, _)| *known == class)
            .map(|(_, _, unit)| *unit);
        options["dev_cla"] = json!(class);
        options["stat_cla"] = json!("measurement");
        if let Some(unit) = meta.unit.as_deref().or(default_unit) {
            options["unit_of_meas"] = json!(unit);
        }
    } else if let Some(unit) = &meta.unit {
        options["unit_of_meas"] = json!(unit);
        options["stat_cla"] = json!("measurement");
    }
    component(&key, "sensor", options)
}

/// The bridge's own entities: online, turns answered, latencies, engines.
pub fn bridge_components(topics: &Topics) -> Vec<Component> {
    let stats = topics.bridge_stats();
    let available = json!([{"t": topics.bridge_status()}]);
    let mut list = vec![
        // No availability: `offline` is this entity's state, not its absence.
        component(
            "online",
            "binary_sensor",
            json!({
                "name": "Online",
                "dev_cla": "connectivity",
                "stat_t": topics.bridge_status(),
                "pl_on": "online",
                "pl_off": "offline",
            }),
        ),
        component(
            "turns",
            "sensor",
            json!({
                "name": "Turns answered",
                "stat_t": stats,
                "val_tpl": "{{ value_json.turns_answered }}",
                "stat_cla": "total_increasing",
                "ic": "mdi:counter",
                "avty": available,
            }),
        ),
    ];
    for (field, name) in STAGES {
        list.push(component(
            &format!("latency_{}", field.trim_end_matches("_ms")),
            "sensor",
            json!({
                "name": name,
                "stat_t": stats,
                // `None` is how MQTT sensors say "unknown": a stage the turn skipped.
                "val_tpl": format!("{{{{ value_json.last_turn.{field} | default('None') }}}}"),
                "dev_cla": "duration",
                "unit_of_meas": "ms",
                "stat_cla": "measurement",
                "avty": available,
            }),
        ));
    }
    for (kind, name) in ENGINE_KINDS {
        list.push(component(
            &format!("engine_{kind}"),
            "sensor",
            json!({
                "name": name,
                "stat_t": stats,
                "val_tpl": format!("{{{{ value_json.engines.{kind} | default('none') }}}}"),
                "ent_cat": "diagnostic",
                "ic": "mdi:engine",
                "avty": available,
            }),
        ));
    }
    list
}
