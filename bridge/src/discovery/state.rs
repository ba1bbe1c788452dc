//! The discovery state machine: what the bridge has seen (satellites, their sensors, the
//! configs the broker retains, the turns answered) and what to publish about it. No I/O:
//! the task feeds it every message and publishes what it returns.

use std::collections::{BTreeMap, BTreeSet};

use hive_topics::{BridgeStats, Inbound, Outbound, SatelliteId, SensorValue, Topics, TurnSummary};

use super::entities::SensorMeta;
use super::payload::{Announcer, Inventory};

/// What a message asks of the task.
#[derive(Debug, Default, PartialEq)]
pub struct Reaction {
    /// Publish these now.
    pub publish: Vec<Outbound>,
    /// Home Assistant (re)started: announce everything after a short random delay.
    pub announce_all_soon: bool,
}

/// The state.
#[derive(Debug)]
pub struct DiscoveryState {
    announcer: Announcer,
    /// `Some` when the configuration names the satellites: exactly those are announced.
    configured: Option<BTreeSet<SatelliteId>>,
    satellites: Inventory,
    /// Our discovery configs the broker holds, as seen on our subscription.
    retained: BTreeSet<String>,
    stats: BridgeStats,
}

impl DiscoveryState {
    /// A state for `announcer`; `engines` goes into `bridge/stats`.
    pub fn new(announcer: Announcer, engines: BTreeMap<String, String>) -> Self {
        let configured: BTreeSet<SatelliteId> = announcer
            .config()
            .satellites
            .iter()
            .filter_map(|id| SatelliteId::new(id.as_str()).ok())
            .collect();
        let satellites = configured
            .iter()
            .map(|id| (id.clone(), BTreeMap::new()))
            .collect();
        let configured = (!configured.is_empty()).then_some(configured);
        DiscoveryState {
            announcer,
            configured,
            satellites,
            retained: BTreeSet::new(),
            stats: BridgeStats {
                engines,
                ..BridgeStats::default()
            },
        }
    }

    /// The filters the task subscribes to.
    pub fn subscriptions(&self) -> Vec<String> {
        let topics = self.topics();
        let p = topics.prefix();
        let mut filters = vec![
            self.announcer.birth_topic(),
            format!("{p}/satellite/+/status"),
            format!("{p}/satellite/+/sensor/+"),
            format!("{p}/satellite/+/turn"),
        ];
        filters.extend(self.announcer.config_filters());
        filters
    }

    fn topics(&self) -> &Topics {
        self.announcer.topics()
    }

    /// Everything: after a (re)connect and after Home Assistant's birth message.
    pub fn announce_all(&self) -> Vec<Outbound> {
        let mut messages = self
            .announcer
            .announce_all(&self.satellites, &self.retained);
        messages.push(self.topics().encode_bridge_stats(&self.stats));
        messages
    }

    /// The satellites announced now.
    pub fn satellites(&self) -> impl Iterator<Item = &SatelliteId> {
        self.satellites.keys()
    }

    fn wanted(&self, id: &SatelliteId) -> bool {
        self.configured.as_ref().is_none_or(|set| set.contains(id))
    }

    /// Takes one received message (`retained`: the broker's stored copy, sent on subscribe).
    pub fn on_message(&mut self, topic: &str, payload: &[u8], retained: bool) -> Reaction {
        if topic == self.announcer.birth_topic() {
            let online = std::str::from_utf8(payload).is_ok_and(|text| text.trim() == "online");
            return Reaction {
                announce_all_soon: online,
                ..Reaction::default()
            };
        }
        if self.announcer.is_ours(topic) {
            if payload.is_empty() {
                self.retained.remove(topic);
            } else {
                self.retained.insert(topic.to_owned());
            }
            return Reaction::default();
        }
        let Some((satellite, kind)) = self.satellite_topic(topic) else {
            return Reaction::default();
        };
        match kind {
            "turn" => {
                // A client that only types questions never says it is online, yet the bridge
                // served it: Home Assistant should know it too.
                let mut reaction = self.on_turn(payload, retained);
                // Only a turn that reads as one: junk on the topic must not make a device.
                if !reaction.publish.is_empty()
                    && self.wanted(&satellite)
                    && !self.satellites.contains_key(&satellite)
                {
                    self.satellites.insert(satellite.clone(), BTreeMap::new());
                    reaction.publish.extend(
                        self.announcer
                            .announce_satellite(&satellite, &BTreeMap::new()),
                    );
                }
                reaction
            }
            "status" => self.on_status(satellite, payload),
            _ => self.on_sensor(topic, payload),
        }
    }

    fn satellite_topic<'t>(&self, topic: &'t str) -> Option<(SatelliteId, &'t str)> {
        let rest = topic
            .strip_prefix(self.topics().prefix())?
            .strip_prefix("/satellite/")?;
        let (id, kind) = rest.split_once('/')?;
        let id = SatelliteId::new(id).ok()?;
        let kind = if kind.starts_with("sensor/") {
            "sensor"
        } else {
            kind
        };
        Some((id, kind))
    }

    fn on_turn(&mut self, payload: &[u8], retained: bool) -> Reaction {
        // The broker's retained copy is an old turn, counted by an earlier bridge run.
        if retained || payload.is_empty() {
            return Reaction::default();
        }
        let Ok(summary) = TurnSummary::decode(payload) else {
            return Reaction::default();
        };
        self.stats.turns_answered += 1;
        self.stats.last_turn = summary.timings;
        Reaction {
            publish: vec![self.topics().encode_bridge_stats(&self.stats)],
            ..Reaction::default()
        }
    }

    fn on_status(&mut self, id: SatelliteId, payload: &[u8]) -> Reaction {
        if payload.is_empty() {
            // Cleared: the satellite is gone for good, unless the configuration names it.
            if self.configured.is_some() {
                return Reaction::default();
            }
            let Some(sensors) = self.satellites.remove(&id) else {
                return Reaction::default();
            };
            return Reaction {
                publish: self.announcer.remove_satellite(&id, &sensors),
                ..Reaction::default()
            };
        }
        // Only a real availability word announces a satellite: junk must not make a device.
        let topic = self.topics().satellite_status(&id);
        let is_status = matches!(
            self.topics().parse(&topic, payload),
            Ok(Inbound::SatelliteStatus { .. })
        );
        if !is_status || !self.wanted(&id) || self.satellites.contains_key(&id) {
            return Reaction::default();
        }
        self.satellites.insert(id.clone(), BTreeMap::new());
        Reaction {
            publish: self.announcer.announce_satellite(&id, &BTreeMap::new()),
            ..Reaction::default()
        }
    }

    fn on_sensor(&mut self, topic: &str, payload: &[u8]) -> Reaction {
        let Ok(Inbound::Sensor {
            satellite,
            name,
            reading,
        }) = self.topics().parse(topic, payload)
        else {
            return Reaction::default();
        };
        if !self.wanted(&satellite) {
            return Reaction::default();
        }
        let sensors = self.satellites.entry(satellite.clone()).or_default();
        if sensors.contains_key(&name) {
            return Reaction::default();
        }
        let meta = SensorMeta {
            unit: reading.unit.clone(),
            device_class: reading.device_class.clone(),
            boolean: matches!(reading.value, SensorValue::Bool(_)),
        };
        sensors.insert(name, meta);
        let sensors = sensors.clone();
        Reaction {
            publish: self.announcer.announce_satellite(&satellite, &sensors),
            ..Reaction::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discovery::DiscoveryConfig;

    fn state(satellites: &[&str]) -> DiscoveryState {
        let config = DiscoveryConfig {
            satellites: satellites.iter().map(|s| (*s).to_owned()).collect(),
            ..DiscoveryConfig::default()
        };
        DiscoveryState::new(
            Announcer::new(Topics::default(), config, "0.1.0"),
            BTreeMap::new(),
        )
    }

    fn topics_of(messages: &[Outbound]) -> Vec<&str> {
        messages.iter().map(|m| m.topic.as_str()).collect()
    }

    #[test]
    fn a_satellite_seen_only_through_its_turns_is_announced() {
        let mut state = state(&[]);
        let turn =
            br#"{"session":1,"transcript":"what time is it","reply":"It is four.","timings":{}}"#;
        let first = state.on_message("hive/satellite/hall/turn", turn, false);
        assert!(
            topics_of(&first.publish).contains(&"homeassistant/device/hive_satellite_hall/config"),
            "{:?}",
            topics_of(&first.publish)
        );
        let again = state.on_message("hive/satellite/hall/turn", turn, false);
        assert_eq!(topics_of(&again.publish), ["hive/bridge/stats"]);
    }

    #[test]
    fn junk_on_status_or_turn_topics_announces_no_device() {
        let mut state = state(&[]);
        for (topic, payload) in [
            ("hive/satellite/ghost/status", &b"{\"online\":1}"[..]),
            ("hive/satellite/ghost/status", &[0xff, 0xfe][..]),
            ("hive/satellite/ghost/turn", &b"[1,2,3]"[..]),
            ("hive/satellite/ghost/turn", &b"{\"session\":"[..]),
        ] {
            let reaction = state.on_message(topic, payload, false);
            assert!(reaction.publish.is_empty(), "{topic} {payload:?}");
        }
        assert_eq!(state.satellites().count(), 0);
    }

    #[test]
    fn a_satellite_that_comes_online_is_announced_once() {
        let mut state = state(&[]);
        let first = state.on_message("hive/satellite/kitchen/status", b"online", true);
        assert_eq!(
            topics_of(&first.publish),
            ["homeassistant/device/hive_satellite_kitchen/config"]
        );
        let again = state.on_message("hive/satellite/kitchen/status", b"offline", false);
        assert!(again.publish.is_empty());
    }

    #[test]
    fn a_new_sensor_re_announces_its_satellite_with_the_sensor() {
        let mut state = state(&[]);
        state.on_message("hive/satellite/kitchen/status", b"online", true);
        let reaction = state.on_message(
            "hive/satellite/kitchen/sensor/battery",
            br#"{"value":87,"unit":"%"}"#,
            false,
        );
        let payload: serde_json::Value =
            serde_json::from_slice(&reaction.publish[0].payload).unwrap();
        assert_eq!(payload["cmps"]["sensor_battery"]["dev_cla"], "battery");
        let repeat = state.on_message("hive/satellite/kitchen/sensor/battery", b"86", false);
        assert!(repeat.publish.is_empty());
    }

    #[test]
    fn a_cleared_status_removes_the_satellite_in_automatic_mode() {
        let mut state = state(&[]);
        state.on_message("hive/satellite/attic/status", b"online", true);
        let reaction = state.on_message("hive/satellite/attic/status", b"", false);
        assert_eq!(
            topics_of(&reaction.publish),
            ["homeassistant/device/hive_satellite_attic/config"]
        );
        assert!(reaction.publish[0].payload.is_empty() && reaction.publish[0].retain);
        assert_eq!(state.satellites().count(), 0);
    }

    #[test]
    fn configured_satellites_are_the_only_ones_and_stale_ones_are_removed() {
        let mut state = state(&["kitchen"]);
        assert!(
            state
                .on_message("hive/satellite/attic/status", b"online", true)
                .publish
                .is_empty()
        );
        state.on_message(
            "homeassistant/device/hive_satellite_attic/config",
            b"{}",
            true,
        );
        let all = state.announce_all();
        let removed: Vec<&str> = all
            .iter()
            .filter(|m| m.payload.is_empty())
            .map(|m| m.topic.as_str())
            .collect();
        assert_eq!(
            removed,
            ["homeassistant/device/hive_satellite_attic/config"]
        );
        assert!(topics_of(&all).contains(&"homeassistant/device/hive_satellite_kitchen/config"));
        assert!(topics_of(&all).contains(&"hive/bridge/stats"));
    }

    #[test]
    fn birth_messages_ask_for_a_delayed_announcement() {
        let mut state = state(&[]);
        assert!(
            state
                .on_message("homeassistant/status", b"online", false)
                .announce_all_soon
        );
        assert!(
            !state
                .on_message("homeassistant/status", b"offline", false)
                .announce_all_soon
        );
    }

    #[test]
    fn live_turns_are_counted_and_retained_ones_are_not() {
        let mut state = state(&[]);
        let turn = br#"{"session":1,"transcript":"hi","reply":"hello","timings":{"total_ms":800}}"#;
        assert!(
            state
                .on_message("hive/satellite/kitchen/turn", turn, true)
                .publish
                .is_empty()
        );
        let reaction = state.on_message("hive/satellite/kitchen/turn", turn, false);
        let stats = BridgeStats::decode(&reaction.publish[0].payload).unwrap();
        assert_eq!(stats.turns_answered, 1);
        assert_eq!(stats.last_turn.total_ms, Some(800));
        // Garbage is ignored, never a panic.
        assert!(
            state
                .on_message("hive/satellite/kitchen/turn", b"\xff", false)
                .publish
                .is_empty()
        );
    }
}
