//! Replays the `discovery` fuzz target's corpus (`topics/fuzz/corpus/discovery/`) through the
//! discovery state machine with the target's framing and checks: a settings line (`entity`
//! for one config per entity, then the satellites to announce), then one message a line,
//! `r topic payload` (retained) or `- topic payload`. The named seeds then show what Home
//! Assistant would be told; anything else (inputs the fuzzer kept or crashed on) only has to
//! be handled without a panic.

use std::collections::BTreeMap;
use std::path::Path;

use hive_topics::{BridgeStats, Outbound, Topics};

use super::config::DiscoveryConfig;
use super::payload::Announcer;
use super::state::DiscoveryState;

/// What a replay showed.
#[derive(Debug, Default, PartialEq)]
struct Seen {
    /// The satellites announced at the end.
    satellites: Vec<String>,
    /// Turns counted in the stats published.
    turns: u64,
    /// Whether a message asked to announce everything soon.
    announce_soon: bool,
    /// Configs published with a body.
    configs: usize,
    /// Configs published empty: removals.
    removals: usize,
}

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../topics/fuzz/corpus/discovery");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| {
            let path = entry.expect("corpus entry").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).expect("corpus file"))
        })
        .collect();
    files.sort();
    files
}

/// The stats among `published`, after the target's check that every config is a removal
/// or a JSON object; counts configs and removals into `seen`.
fn stats_in(published: &[Outbound], topics: &Topics, seen: &mut Seen) -> Vec<BridgeStats> {
    let mut stats = Vec::new();
    for message in published {
        if message.topic == topics.bridge_stats() {
            stats.push(BridgeStats::decode(&message.payload).expect("stats decode"));
        } else if message.payload.is_empty() {
            seen.removals += 1;
        } else {
            let value: serde_json::Value =
                serde_json::from_slice(&message.payload).expect("config is JSON");
            assert!(value.is_object(), "{}", message.topic);
            seen.configs += 1;
        }
    }
    stats
}

/// The target's replay, and how many configs its final `announce_all` holds.
fn replay(data: &[u8]) -> (Seen, usize) {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.lines();
    let mut words = lines.next().unwrap_or_default().split(' ');
    let per_entity = words.next() == Some("entity");
    let satellites: Vec<String> = words
        .next()
        .map(|list| {
            list.split(',')
                .filter(|id| !id.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let config = DiscoveryConfig {
        per_entity,
        satellites: satellites.clone(),
        ..DiscoveryConfig::default()
    };
    // The bridge refuses such settings before it connects.
    if config.validate().is_err() {
        return (Seen::default(), 0);
    }
    let topics = Topics::default();
    let engines = BTreeMap::from([("stt".to_owned(), "whisper".to_owned())]);
    let mut state = DiscoveryState::new(Announcer::new(topics.clone(), config, "0.1.0"), engines);
    let mut seen = Seen::default();
    for line in lines {
        let mut parts = line.splitn(3, ' ');
        let retained = parts.next() == Some("r");
        let topic = parts.next().unwrap_or_default();
        let payload = parts.next().unwrap_or_default();
        let reaction = state.on_message(topic, payload.as_bytes(), retained);
        seen.announce_soon |= reaction.announce_all_soon;
        for stats in stats_in(&reaction.publish, &topics, &mut seen) {
            seen.turns += 1;
            assert_eq!(stats.turns_answered, seen.turns);
        }
        if !satellites.is_empty() {
            assert!(
                state
                    .satellites()
                    .all(|id| satellites.contains(&id.to_string()))
            );
        }
    }
    let mut all = Seen::default();
    let stats = stats_in(&state.announce_all(), &topics, &mut all);
    assert_eq!(
        stats.iter().map(|s| s.turns_answered).collect::<Vec<_>>(),
        [seen.turns]
    );
    seen.satellites = state.satellites().map(ToString::to_string).collect();
    (seen, all.configs)
}

#[test]
fn every_discovery_seed_tells_home_assistant_what_its_name_says() {
    let files = corpus();
    assert!(files.len() >= 8, "only {} discovery seeds", files.len());
    let sats = |ids: &[&str]| ids.iter().map(|id| (*id).to_owned()).collect::<Vec<_>>();
    for (name, data) in &files {
        let (seen, announced) = replay(data);
        eprintln!("{name}: {seen:?}, {announced} configs announced");
        let expected = match name.as_str() {
            // Online, then a sensor (the device again, with the sensor), then a turn.
            "valid-sensors-and-turn" => Seen {
                satellites: sats(&["kitchen"]),
                turns: 1,
                configs: 2,
                ..Seen::default()
            },
            // Listed, so announced with everything, one config per entity; the hall is not.
            "valid-per-entity-allow-list" => {
                assert!(
                    announced > 2,
                    "{announced} configs for one satellite per entity"
                );
                Seen {
                    satellites: sats(&["kitchen"]),
                    ..Seen::default()
                }
            }
            "valid-birth-and-retained-configs" => Seen {
                announce_soon: true,
                ..Seen::default()
            },
            "valid-satellite-cleared" => Seen {
                configs: 1,
                removals: 1,
                ..Seen::default()
            },
            // Junk on a turn topic counts no turn and makes no device.
            "bad-turn-garbage"
            | "bad-retained-turn-not-counted"
            | "bad-ids-and-topics"
            | "bad-sensor-wrong-type" => Seen::default(),
            _ => continue,
        };
        assert_eq!(seen, expected, "{name}");
    }
}
