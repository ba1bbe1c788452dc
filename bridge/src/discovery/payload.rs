//! From what the bridge knows to the discovery messages Home Assistant reads: a pure
//! function of its input, tested without I/O.
//!
//! Device-based discovery (Home Assistant 2024.11 and later) sends one retained message per
//! device, `<prefix>/device/<node>/config`, with `dev`, `o` and every entity under `cmps`.
//! The per-entity mode sends `<prefix>/<platform>/<node>/<key>/config` per entity, each with
//! the device repeated, for older versions.

use std::collections::{BTreeMap, BTreeSet};

use hive_topics::{Outbound, QoS, SatelliteId, SensorName, Topics};
use serde_json::{Map, Value, json};

use super::config::DiscoveryConfig;
use super::entities::{Component, SensorMeta, bridge_components, satellite_components};

/// What the bridge has seen of each satellite: its sensors.
pub type Inventory = BTreeMap<SatelliteId, BTreeMap<SensorName, SensorMeta>>;

/// Builds discovery messages for one bridge.
#[derive(Debug, Clone)]
pub struct Announcer {
    topics: Topics,
    config: DiscoveryConfig,
    version: String,
    /// Every node id of this bridge starts with it: the Hive prefix made safe for a node
    /// id, so two bridges with different prefixes on one broker never collide.
    slug: String,
}

impl Announcer {
    /// An announcer for the Hive `topics`, the `[discovery]` settings and the bridge's
    /// software version.
    pub fn new(topics: Topics, config: DiscoveryConfig, version: impl Into<String>) -> Self {
        let slug = topics
            .prefix()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        Announcer {
            topics,
            config,
            version: version.into(),
            slug,
        }
    }

    /// The Hive topics.
    pub fn topics(&self) -> &Topics {
        &self.topics
    }

    /// The settings.
    pub fn config(&self) -> &DiscoveryConfig {
        &self.config
    }

    /// The bridge device's node id, e.g. `hive_bridge`.
    pub fn bridge_node(&self) -> String {
        format!("{}_bridge", self.slug)
    }

    /// A satellite device's node id, e.g. `hive_satellite_kitchen`.
    pub fn satellite_node(&self, id: &SatelliteId) -> String {
        format!("{}_satellite_{id}", self.slug)
    }

    /// Home Assistant's status topic, where it publishes its birth message.
    pub fn birth_topic(&self) -> String {
        format!("{}/status", self.config.prefix)
    }

    /// Filters that match every discovery config this bridge may have written, in either
    /// mode, so that stale ones can be found and removed.
    pub fn config_filters(&self) -> Vec<String> {
        let prefix = &self.config.prefix;
        vec![
            format!("{prefix}/device/+/config"),
            format!("{prefix}/+/+/+/config"),
        ]
    }

    /// Whether `topic` is a discovery config of this bridge (in either mode).
    pub fn is_ours(&self, topic: &str) -> bool {
        let Some(rest) = topic
            .strip_prefix(self.config.prefix.as_str())
            .and_then(|rest| rest.strip_prefix('/'))
        else {
            return false;
        };
        let levels: Vec<&str> = rest.split('/').collect();
        let node = match levels.as_slice() {
            ["device", node, "config"] | [_, node, _, "config"] => *node,
            _ => return false,
        };
        node == self.bridge_node()
            || node
                .strip_prefix(&format!("{}_satellite_", self.slug))
                .is_some_and(|id| SatelliteId::new(id).is_ok())
    }

    /// Every message: the bridge, each satellite, and an empty retained config for each of
    /// ours in `retained` (what the broker holds) that is no longer announced.
    pub fn announce_all(
        &self,
        satellites: &Inventory,
        retained: &BTreeSet<String>,
    ) -> Vec<Outbound> {
        let mut messages = self.announce_bridge();
        for (id, sensors) in satellites {
            messages.extend(self.announce_satellite(id, sensors));
        }
        let current: BTreeSet<&str> = messages.iter().map(|m| m.topic.as_str()).collect();
        let stale: Vec<Outbound> = retained
            .iter()
            .filter(|topic| self.is_ours(topic) && !current.contains(topic.as_str()))
            .map(|topic| removal(topic))
            .collect();
        messages.extend(stale);
        messages
    }

    /// The bridge device.
    pub fn announce_bridge(&self) -> Vec<Outbound> {
        let device = json!({
            "ids": [self.bridge_node()],
            "name": "Hive bridge",
            "mf": "Hive",
            "mdl": "Voice bridge",
            "sw": self.version,
        });
        self.device(
            &self.bridge_node(),
            device,
            None,
            bridge_components(&self.topics),
        )
    }

    /// One satellite device.
    pub fn announce_satellite(
        &self,
        id: &SatelliteId,
        sensors: &BTreeMap<SensorName, SensorMeta>,
    ) -> Vec<Outbound> {
        let node = self.satellite_node(id);
        let device = json!({
            "ids": [node],
            "name": format!("Hive {id}"),
            "mf": "Hive",
            "mdl": "Voice satellite",
            "via_device": self.bridge_node(),
        });
        // Both retained availability topics: an entity is only useful while the bridge and
        // the satellite are both up.
        let availability = json!([
            {"t": self.topics.bridge_status()},
            {"t": self.topics.satellite_status(id)},
        ]);
        self.device(
            &node,
            device,
            Some(availability),
            satellite_components(&self.topics, id, sensors),
        )
    }

    /// Empty retained configs for every topic a satellite's announcement uses.
    pub fn remove_satellite(
        &self,
        id: &SatelliteId,
        sensors: &BTreeMap<SensorName, SensorMeta>,
    ) -> Vec<Outbound> {
        self.announce_satellite(id, sensors)
            .iter()
            .map(|message| removal(&message.topic))
            .collect()
    }

    fn origin(&self) -> Value {
        json!({"name": "Hive", "sw": self.version})
    }

    fn device(
        &self,
        node: &str,
        device: Value,
        availability: Option<Value>,
        components: Vec<Component>,
    ) -> Vec<Outbound> {
        let prefix = &self.config.prefix;
        if self.config.per_entity {
            return components
                .into_iter()
                .map(|component| {
                    let topic = format!(
                        "{prefix}/{}/{node}/{}/config",
                        component.platform, component.key
                    );
                    let mut options = component.options;
                    options.insert("uniq_id".into(), json!(format!("{node}_{}", component.key)));
                    options.insert("dev".into(), device.clone());
                    options.insert("o".into(), self.origin());
                    options.insert("qos".into(), json!(1));
                    if let Some(availability) = &availability
                        && !options.contains_key("avty")
                    {
                        options.insert("avty".into(), availability.clone());
                        options.insert("avty_mode".into(), json!("all"));
                    }
                    retained(topic, &Value::Object(options))
                })
                .collect();
        }
        let mut cmps = Map::new();
        for component in components {
            let mut options = component.options;
            options.insert("p".into(), json!(component.platform));
            options.insert("uniq_id".into(), json!(format!("{node}_{}", component.key)));
            cmps.insert(component.key, Value::Object(options));
        }
        let mut payload = json!({
            "dev": device,
            "o": self.origin(),
            "qos": 1,
            "cmps": cmps,
        });
        if let Some(availability) = availability {
            payload["avty"] = availability;
            payload["avty_mode"] = json!("all");
        }
        vec![retained(format!("{prefix}/device/{node}/config"), &payload)]
    }
}

fn retained(topic: String, payload: &Value) -> Outbound {
    Outbound {
        topic,
        payload: payload.to_string().into_bytes(),
        qos: QoS::AtLeastOnce,
        retain: true,
    }
}

/// An empty retained message: Home Assistant removes the device or entity, and the broker
/// forgets the config.
fn removal(topic: &str) -> Outbound {
    Outbound {
        topic: topic.to_owned(),
        payload: Vec::new(),
        qos: QoS::AtLeastOnce,
        retain: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sat(id: &str) -> SatelliteId {
        SatelliteId::new(id).unwrap()
    }

    fn announcer(per_entity: bool) -> Announcer {
        let config = DiscoveryConfig {
            per_entity,
            ..DiscoveryConfig::default()
        };
        Announcer::new(Topics::default(), config, "0.1.0")
    }

    fn inventory() -> Inventory {
        let mut sensors = BTreeMap::new();
        sensors.insert(
            SensorName::new("temperature").unwrap(),
            SensorMeta::default(),
        );
        [(sat("kitchen"), sensors), (sat("hall"), BTreeMap::new())].into()
    }

    fn json(message: &Outbound) -> Value {
        serde_json::from_slice(&message.payload).unwrap()
    }

    #[test]
    fn device_mode_sends_one_retained_config_per_device() {
        let messages = announcer(false).announce_all(&inventory(), &BTreeSet::new());
        let topics: Vec<&str> = messages.iter().map(|m| m.topic.as_str()).collect();
        assert_eq!(
            topics,
            [
                "homeassistant/device/hive_bridge/config",
                "homeassistant/device/hive_satellite_hall/config",
                "homeassistant/device/hive_satellite_kitchen/config",
            ]
        );
        assert!(
            messages
                .iter()
                .all(|m| m.retain && m.qos == QoS::AtLeastOnce)
        );
        let kitchen = json(&messages[2]);
        assert_eq!(kitchen["dev"]["ids"][0], "hive_satellite_kitchen");
        assert_eq!(kitchen["dev"]["via_device"], "hive_bridge");
        assert_eq!(kitchen["avty_mode"], "all");
        assert_eq!(kitchen["avty"][1]["t"], "hive/satellite/kitchen/status");
        let temperature = &kitchen["cmps"]["sensor_temperature"];
        assert_eq!(temperature["p"], "sensor");
        assert_eq!(temperature["dev_cla"], "temperature");
        assert_eq!(temperature["unit_of_meas"], "°C");
        assert_eq!(
            temperature["uniq_id"],
            "hive_satellite_kitchen_sensor_temperature"
        );
        assert_eq!(
            kitchen["cmps"]["volume"]["cmd_t"],
            "hive/satellite/kitchen/control"
        );
    }

    #[test]
    fn per_entity_mode_repeats_the_device_in_every_entity() {
        let messages = announcer(true).announce_all(&inventory(), &BTreeSet::new());
        let volume = messages
            .iter()
            .find(|m| m.topic == "homeassistant/number/hive_satellite_kitchen/volume/config")
            .expect("volume entity");
        let volume = json(volume);
        assert_eq!(volume["dev"]["ids"][0], "hive_satellite_kitchen");
        assert_eq!(volume["uniq_id"], "hive_satellite_kitchen_volume");
        assert!(volume.get("p").is_none());
        assert_eq!(volume["avty_mode"], "all");
        // Connectivity keeps its own availability (the bridge only).
        let link = messages
            .iter()
            .find(|m| {
                m.topic == "homeassistant/binary_sensor/hive_satellite_kitchen/connectivity/config"
            })
            .unwrap();
        assert_eq!(json(link)["avty"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn stale_configs_of_ours_are_emptied_and_others_left_alone() {
        let announcer = announcer(false);
        let retained: BTreeSet<String> = [
            "homeassistant/device/hive_satellite_attic/config",
            "homeassistant/sensor/hive_satellite_kitchen/state/config",
            "homeassistant/device/hive_satellite_kitchen/config",
            "homeassistant/device/zigbee_lamp/config",
        ]
        .map(String::from)
        .into();
        let messages = announcer.announce_all(&inventory(), &retained);
        let removed: Vec<&str> = messages
            .iter()
            .filter(|m| m.payload.is_empty())
            .map(|m| m.topic.as_str())
            .collect();
        assert_eq!(
            removed,
            [
                "homeassistant/device/hive_satellite_attic/config",
                "homeassistant/sensor/hive_satellite_kitchen/state/config",
            ]
        );
        assert!(messages.iter().all(|m| m.retain));
    }

    #[test]
    fn only_this_bridges_nodes_are_ours() {
        let announcer = announcer(false);
        for (topic, ours) in [
            ("homeassistant/device/hive_bridge/config", true),
            ("homeassistant/device/hive_satellite_kitchen/config", true),
            (
                "homeassistant/switch/hive_satellite_kitchen/mute/config",
                true,
            ),
            ("homeassistant/device/hive_satellite_Bad/config", false),
            ("homeassistant/device/other_bridge/config", false),
            ("homeassistant/status", false),
            ("elsewhere/device/hive_bridge/config", false),
        ] {
            assert_eq!(announcer.is_ours(topic), ours, "{topic}");
        }
    }

    #[test]
    fn unique_ids_are_unique_in_both_modes() {
        for per_entity in [false, true] {
            let messages = announcer(per_entity).announce_all(&inventory(), &BTreeSet::new());
            let mut ids = BTreeSet::new();
            for message in &messages {
                let payload = json(message);
                let entities: Vec<Value> = match payload.get("cmps") {
                    Some(Value::Object(cmps)) => cmps.values().cloned().collect(),
                    _ => vec![payload.clone()],
                };
                for entity in entities {
                    let id = entity["uniq_id"].as_str().unwrap().to_owned();
                    assert!(ids.insert(id.clone()), "duplicate {id}");
                }
            }
            assert!(ids.len() > 30);
        }
    }
}
