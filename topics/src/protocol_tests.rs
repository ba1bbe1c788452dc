//! Tests that span every message family at once: the topic, QoS and retain flag of each
//! message, round trips under two prefixes, who hears what through the subscription lists,
//! size limits per payload class, clearing of retained state, and a fuzz run showing that
//! the parser never panics.

use std::collections::BTreeSet;

use crate::test_support::{assert_round_trip, one_of_each, sat};
use crate::*;

const Q0: QoS = QoS::AtMostOnce;
const Q1: QoS = QoS::AtLeastOnce;

/// Who subscribes to a topic: the bridge, a satellite (`kitchen`), or neither (output
/// for automations).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reader {
    Bridge,
    Satellite,
    Both,
    Automation,
}

/// One row per message kind: topic, QoS, retain, and who reads it.
fn table() -> Vec<(Inbound, &'static str, QoS, bool, Reader)> {
    use Reader::*;
    let expected = [
        ("hive/satellite/kitchen/wake", Q1, false, Bridge),
        ("hive/satellite/kitchen/audio/start", Q1, false, Bridge),
        ("hive/satellite/kitchen/audio/chunk", Q0, false, Bridge),
        ("hive/satellite/kitchen/audio/end", Q1, false, Bridge),
        (
            "hive/satellite/kitchen/sensor/temperature",
            Q0,
            false,
            Bridge,
        ),
        ("hive/satellite/kitchen/heartbeat", Q0, false, Bridge),
        ("hive/satellite/kitchen/action/ack", Q1, false, Bridge),
        ("hive/satellite/kitchen/event", Q1, false, Bridge),
        ("hive/satellite/kitchen/text", Q1, false, Bridge),
        ("hive/satellite/kitchen/reply", Q1, false, Satellite),
        ("hive/satellite/kitchen/tts", Q1, false, Satellite),
        ("hive/satellite/kitchen/action", Q1, false, Satellite),
        ("hive/satellite/kitchen/error", Q1, false, Satellite),
        ("hive/satellite/kitchen/control", Q1, false, Satellite),
        ("hive/bridge/status", Q1, true, Satellite),
        ("hive/satellite/kitchen/status", Q1, true, Bridge),
        ("hive/satellite/kitchen/mode", Q1, true, Automation),
        ("hive/satellite/kitchen/eyes", Q1, true, Automation),
        ("hive/say", Q1, false, Both),
        ("hive/satellite/kitchen/say", Q1, false, Both),
        ("hive/ask", Q1, false, Bridge),
        ("hive/ask/reply", Q1, false, Automation),
        ("hive/intent/light.turn_on", Q1, false, Automation),
        ("hive/timer/set", Q1, false, Bridge),
        ("hive/timer/cancel", Q1, false, Bridge),
        ("hive/timer/event", Q1, false, Automation),
        ("hive/timer/list", Q1, true, Automation),
        ("hive/skill/dice/manifest", Q1, true, Bridge),
        ("hive/skill/dice/request", Q1, false, Automation),
        ("hive/skill/dice/response", Q1, false, Bridge),
    ];
    let messages = one_of_each();
    assert_eq!(messages.len(), expected.len(), "one row per sample message");
    messages
        .into_iter()
        .zip(expected)
        .map(|(message, (topic, qos, retain, reader))| (message, topic, qos, retain, reader))
        .collect()
}

#[test]
fn every_message_has_its_topic_qos_and_retain_flag_and_round_trips() {
    let topics = Topics::default();
    for (message, topic, qos, retain, _) in table() {
        let out = topics.encode(&message);
        assert_eq!(
            (out.topic.as_str(), out.qos, out.retain),
            (topic, qos, retain),
            "{}",
            message.kind()
        );
        assert_round_trip(&message);
    }
}

#[test]
fn the_samples_cover_every_kind_once_except_cleared() {
    let kinds: BTreeSet<&str> = one_of_each().iter().map(Inbound::kind).collect();
    assert_eq!(kinds.len(), 29, "{kinds:?}");
    assert!(!kinds.contains("cleared"), "Cleared is covered in state.rs");
}

#[test]
fn subscriptions_deliver_each_message_to_exactly_its_readers() {
    let topics = Topics::default();
    let bridge = topics.bridge_subscriptions();
    let kitchen = topics.satellite_subscriptions(&sat("kitchen"));
    let hall = topics.satellite_subscriptions(&sat("hall"));
    let hears = |filters: &[String], topic: &str| {
        filters
            .iter()
            .filter(|filter| topic_matches(filter, topic))
            .count()
    };
    for (message, topic, _, _, reader) in table() {
        let (to_bridge, to_satellite) = match reader {
            Reader::Bridge => (1, 0),
            Reader::Satellite => (0, 1),
            Reader::Both => (1, 1),
            Reader::Automation => (0, 0),
        };
        assert_eq!(hears(&bridge, topic), to_bridge, "bridge and {topic}");
        assert_eq!(hears(&kitchen, topic), to_satellite, "kitchen and {topic}");
        let hall_hears = usize::from(matches!(
            message,
            Inbound::Say {
                target: Target::All,
                ..
            } | Inbound::BridgeStatus(_)
        ));
        assert_eq!(hears(&hall, topic), hall_hears, "hall and {topic}");
    }
}

#[test]
fn parse_errors_and_messages_name_the_same_kind_as_the_topic() {
    let topics = Topics::default();
    for message in one_of_each() {
        let out = topics.encode(&message);
        let route = topics.route(&out.topic).unwrap();
        assert_eq!(route.kind(), message.kind());
        let too_big = vec![b'x'; route.max_payload(topics.limits()) + 1];
        let error = topics.parse(&out.topic, &too_big).unwrap_err();
        assert_eq!(error.kind(), Some(message.kind()));
        assert_eq!(error.code(), "payload_too_large");
    }
}

#[test]
fn size_limits_apply_per_payload_class() {
    let limits = Limits {
        max_json: 100,
        max_audio_chunk: 50,
        max_tts_audio: 60,
        max_text: 10,
    };
    let topics = Topics::default().with_limits(limits);
    let cases = [
        ("hive/satellite/kitchen/wake", 100),
        ("hive/say", 100),
        ("hive/satellite/kitchen/mode", 100),
        ("hive/satellite/kitchen/audio/chunk", 50),
        ("hive/satellite/kitchen/tts", 60),
    ];
    for (topic, max) in cases {
        let error = topics.parse(topic, &vec![b' '; max + 1]).unwrap_err();
        assert!(
            matches!(error, ParseError::TooLarge { max: m, .. } if m == max),
            "{topic}: {error}"
        );
        if let Err(error) = topics.parse(topic, &vec![b' '; max]) {
            assert_ne!(
                error.code(),
                "payload_too_large",
                "{topic}: exactly at the limit is allowed"
            );
        }
    }
}

#[test]
fn satellite_is_taken_from_the_topic_or_payload() {
    for message in one_of_each() {
        let expected = match &message {
            Inbound::BridgeStatus(_)
            | Inbound::Say {
                target: Target::All,
                ..
            }
            | Inbound::AskReply(_)
            | Inbound::TimerList(_)
            | Inbound::SkillManifest { .. }
            | Inbound::SkillResponse { .. } => None,
            Inbound::Ask(_) => Some("hall"),
            _ => Some("kitchen"),
        };
        assert_eq!(
            message.satellite().map(SatelliteId::as_str),
            expected,
            "{}",
            message.kind()
        );
    }
    assert_eq!(
        Inbound::Cleared(Retained::Mode(sat("hall")))
            .satellite()
            .map(SatelliteId::as_str),
        Some("hall")
    );
    assert_eq!(Inbound::Cleared(Retained::TimerList).satellite(), None);
}

#[test]
fn a_multi_level_prefix_keeps_messages_apart_from_the_default_tree() {
    let home = Topics::new("home/hive").unwrap();
    let default = Topics::default();
    for message in one_of_each() {
        let out = home.encode(&message);
        assert!(out.topic.starts_with("home/hive/"), "{}", out.topic);
        assert_eq!(home.parse(&out.topic, &out.payload).unwrap(), message);
        assert_eq!(
            default.parse(&out.topic, &out.payload).unwrap_err().code(),
            "unknown_topic"
        );
    }
}

#[test]
fn retained_topics_and_only_those_treat_an_empty_payload_as_cleared() {
    let topics = Topics::default();
    for (message, topic, _, retain, _) in table() {
        match topics.parse(topic, b"") {
            Ok(Inbound::Cleared(retained)) => {
                assert!(retain, "{topic} is not retained");
                assert_eq!(topics.retained(&retained), topic);
            }
            Ok(other) => panic!("{topic}: empty payload parsed as {}", other.kind()),
            Err(error) => assert!(!retain, "{topic} ({}): {error}", message.kind()),
        }
    }
}

/// A deterministic xorshift generator: the fuzz test must be reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap()
    }
}

#[test]
fn parse_never_panics_on_truncated_mutated_or_random_input() {
    let topics = Topics::default();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for message in one_of_each() {
        let out = topics.encode(&message);
        for cut in 0..=out.payload.len().min(64) {
            let _ = topics.parse(&out.topic, &out.payload[..cut]);
        }
        for _ in 0..300 {
            let mut payload = out.payload.clone();
            for _ in 0..=rng.below(4) {
                if payload.is_empty() {
                    break;
                }
                let at = rng.below(payload.len());
                payload[at] = (rng.next() & 0xff) as u8;
            }
            let _ = topics.parse(&out.topic, &payload);
            let random: Vec<u8> = (0..rng.below(40))
                .map(|_| (rng.next() & 0xff) as u8)
                .collect();
            let _ = topics.parse(&out.topic, &random);
        }
    }
    let odd_topics = [
        "",
        "/",
        "//",
        "hive//",
        "hive/satellite/+/wake",
        "hive/#",
        "hive/satellite/kitchen/sensor/",
        "\u{0}",
    ];
    for topic in odd_topics {
        assert!(topics.parse(topic, b"{}").is_err(), "{topic:?}");
    }
}
