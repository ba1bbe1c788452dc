//! Keeps `README.md` honest: every `mosquitto_pub` example in it must parse, use the QoS and
//! retain flag the protocol prescribes, and together the examples must show every non-binary
//! message kind.

use std::collections::BTreeSet;

use crate::{Inbound, QoS, Topics};

const README: &str = include_str!("../README.md");

/// Splits a shell line into words, honouring single quotes (the only quoting the README uses).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let (mut quoted, mut started) = (false, false);
    for c in line.chars() {
        match c {
            '\'' => (quoted, started) = (!quoted, true),
            c if c.is_whitespace() && !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    assert!(!quoted, "unbalanced quote in {line}");
    if started {
        words.push(word);
    }
    words
}

/// A README example: topic, payload (`None` for `-f file`), QoS and retain flag.
struct Example {
    line: String,
    topic: String,
    payload: Option<Vec<u8>>,
    qos: QoS,
    retain: bool,
}

fn examples() -> Vec<Example> {
    let mut examples = Vec::new();
    for line in README
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("mosquitto_pub "))
    {
        let words = shell_words(line);
        let mut example = Example {
            line: line.to_owned(),
            topic: String::new(),
            payload: None,
            qos: QoS::AtMostOnce,
            retain: false,
        };
        let mut words = words.iter().skip(1);
        while let Some(word) = words.next() {
            let mut value = || {
                words
                    .next()
                    .unwrap_or_else(|| panic!("{word} without a value in {line}"))
                    .clone()
            };
            match word.as_str() {
                "-t" => example.topic = value(),
                "-m" => example.payload = Some(value().into_bytes()),
                "-n" => example.payload = Some(Vec::new()),
                "-f" => drop(value()),
                "-r" => example.retain = true,
                "-q" => {
                    example.qos = match value().as_str() {
                        "0" => QoS::AtMostOnce,
                        "1" => QoS::AtLeastOnce,
                        other => panic!("QoS {other} in {line}"),
                    }
                }
                other => panic!("unexpected word {other:?} in {line}"),
            }
        }
        examples.push(example);
    }
    examples
}

#[test]
fn every_readme_example_parses_with_the_documented_qos_and_retain_flag() {
    let topics = Topics::default();
    let mut kinds = BTreeSet::new();
    for example in examples() {
        let Some(payload) = &example.payload else {
            continue;
        };
        let message = topics
            .parse(&example.topic, payload)
            .unwrap_or_else(|error| panic!("{}: {error}", example.line));
        let expected = topics.encode(&message);
        assert_eq!(example.qos, expected.qos, "QoS in {}", example.line);
        assert_eq!(
            example.retain, expected.retain,
            "retain flag in {}",
            example.line
        );
        kinds.insert(message.kind());
    }
    let binary = ["audio_chunk", "tts"];
    let all: BTreeSet<&str> = crate::test_support::one_of_each()
        .iter()
        .map(Inbound::kind)
        .filter(|kind| !binary.contains(kind))
        .chain(["cleared"])
        .collect();
    let missing: Vec<_> = all.difference(&kinds).collect();
    assert!(
        missing.is_empty(),
        "README lacks a mosquitto_pub example of {missing:?}"
    );
}

#[test]
fn the_readme_audio_chunk_example_is_a_valid_chunk() {
    // `{ printf '\x00\x00\x00\x2a\x00\x00\x00\x00'; head -c 640 /dev/zero; }`
    assert!(README.contains(r"printf '\x00\x00\x00\x2a\x00\x00\x00\x00'; head -c 640 /dev/zero"));
    let payload = [vec![0, 0, 0, 0x2a, 0, 0, 0, 0], vec![0; 640]].concat();
    let Ok(Inbound::AudioChunk { chunk, .. }) =
        Topics::default().parse("hive/satellite/kitchen/audio/chunk", &payload)
    else {
        panic!("the README's chunk must parse");
    };
    assert_eq!((chunk.session, chunk.seq, chunk.duration_ms()), (42, 0, 20));
}

#[test]
fn the_readme_shows_the_example_skill_as_shipped() {
    let script = include_str!("../examples/dice_skill.py");
    assert!(
        README.contains(script),
        "README's external skill differs from examples/dice_skill.py"
    );
}

#[test]
fn the_readme_lists_the_subscriptions_the_crate_makes() {
    let topics = Topics::default();
    let filters = topics.bridge_subscriptions();
    for filter in &filters {
        assert!(
            README.contains(filter.as_str()),
            "README lacks bridge filter {filter}"
        );
    }
}
