//! The bridge's Home Assistant discovery state machine (`bridge/src/discovery/state.rs`):
//! every message on its subscriptions (Home Assistant's birth, satellites' status, sensors
//! and turn summaries through `TurnSummary::decode`, the discovery configs the broker
//! retains), then the announcement of all it has seen. It has no I/O, but hive-bridge links
//! whisper.cpp and ONNX Runtime, so its files are compiled in here: the code fuzzed is the
//! code shipped.
//!
//! Input: text lines. The first chooses the settings: `entity` for one config topic per
//! entity, then satellite ids to announce (comma-separated; none: every satellite seen).
//! Settings the bridge would refuse end the input. Every other line is one message,
//! `r topic payload` (retained) or `- topic payload`.
//! Beyond "never panics": each `bridge/stats` published decodes and counts the turns so far,
//! only wanted satellites are announced, and every config published is empty (a removal)
//! or a JSON object.
#![no_main]
#![allow(dead_code, unreachable_pub)]

#[path = "../../../bridge/src/discovery"]
mod discovery {
    pub(crate) mod config;
    pub(crate) mod entities;
    pub(crate) mod payload;
    pub(crate) mod state;
    pub(crate) use config::DiscoveryConfig;
}

use std::collections::BTreeMap;

use discovery::DiscoveryConfig;
use discovery::payload::Announcer;
use discovery::state::DiscoveryState;
use hive_topics::{BridgeStats, Outbound, Topics};
use libfuzzer_sys::fuzz_target;

/// The stats among `published`, after checking that every config is a removal or JSON.
fn stats_in(published: &[Outbound], topics: &Topics) -> Vec<BridgeStats> {
    let mut stats = Vec::new();
    for message in published {
        if message.topic == topics.bridge_stats() {
            stats.push(BridgeStats::decode(&message.payload).expect("stats decode"));
        } else if !message.payload.is_empty() {
            let value: serde_json::Value =
                serde_json::from_slice(&message.payload).expect("config is JSON");
            assert!(value.is_object(), "{}", message.topic);
        }
    }
    stats
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.lines();
    let settings = lines.next().unwrap_or_default();
    let mut words = settings.split(' ');
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
        return;
    }
    let topics = Topics::default();
    let engines = BTreeMap::from([("stt".to_owned(), "whisper".to_owned())]);
    let mut state = DiscoveryState::new(Announcer::new(topics.clone(), config, "0.1.0"), engines);
    let mut turns = 0;
    for line in lines {
        let mut parts = line.splitn(3, ' ');
        let retained = parts.next() == Some("r");
        let topic = parts.next().unwrap_or_default();
        let payload = parts.next().unwrap_or_default();
        let reaction = state.on_message(topic, payload.as_bytes(), retained);
        // Stats are published for each turn answered, and count it.
        for stats in stats_in(&reaction.publish, &topics) {
            turns += 1;
            assert_eq!(stats.turns_answered, turns);
        }
        if !satellites.is_empty() {
            assert!(
                state
                    .satellites()
                    .all(|id| satellites.contains(&id.to_string()))
            );
        }
    }
    let stats = stats_in(&state.announce_all(), &topics);
    assert_eq!(
        stats.iter().map(|s| s.turns_answered).collect::<Vec<_>>(),
        [turns]
    );
});
