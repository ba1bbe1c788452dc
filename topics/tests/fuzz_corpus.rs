//! Replays the checked-in cargo-fuzz corpora (`topics/fuzz/corpus/<target>/`) through the
//! same parsers and the same checks as the fuzz targets, so that CI guards every input the
//! fuzzers were seeded with or ever crashed on, on stable Rust and without libFuzzer.
//!
//! Input framing is the targets' own: `inbound` is `topic \n payload`; `skill` is a selector
//! byte (manifest, request, response) then the payload. The `sse` corpus is replayed by
//! hive-bridge's own tests (`bridge/src/llm/sse.rs`), where the decoder lives.

use std::path::PathBuf;

use hive_topics::{Inbound, Topics};

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
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

/// The `inbound` target's check: never panic, and whatever parses survives encode + parse.
fn replay_inbound(data: &[u8]) -> Result<Inbound, hive_topics::ParseError> {
    let (topic, payload) = match data.iter().position(|&byte| byte == b'\n') {
        Some(split) => (&data[..split], &data[split + 1..]),
        None => (data, &[][..]),
    };
    let topic = std::str::from_utf8(topic).map_err(|_| hive_topics::ParseError::UnknownTopic {
        topic: String::from_utf8_lossy(topic).into_owned(),
    })?;
    let topics = Topics::default();
    let message = topics.parse(topic, payload)?;
    let again = topics.encode(&message);
    assert_eq!(
        topics.parse(&again.topic, &again.payload).as_ref(),
        Ok(&message),
        "round trip of {topic:?}"
    );
    Ok(message)
}

#[test]
fn every_inbound_seed_parses_as_its_name_says_and_round_trips() {
    let files = corpus("inbound");
    assert!(files.len() >= 40, "only {} inbound seeds", files.len());
    let mut kinds = std::collections::BTreeSet::new();
    let mut codes = std::collections::BTreeSet::new();
    for (name, data) in &files {
        let result = replay_inbound(data);
        // Seeds are named for what they are; files the fuzzer adds (hashes, crash-…) only
        // have to be handled without a panic.
        if name.starts_with("valid-") {
            let message = result.unwrap_or_else(|error| panic!("{name}: {error}"));
            kinds.insert(message.kind());
        } else if name.starts_with("bad-") {
            let error = result
                .err()
                .unwrap_or_else(|| panic!("{name} was accepted"));
            codes.insert(error.code());
        }
    }
    // The seeds cover every message family and every error code the parser has.
    for kind in [
        "wake",
        "audio_start",
        "audio_chunk",
        "audio_end",
        "tts",
        "control",
        "say",
        "skill_manifest",
        "timer_set",
    ] {
        assert!(kinds.contains(kind), "no valid {kind} seed: {kinds:?}");
    }
    for code in [
        "unknown_topic",
        "bad_satellite_id",
        "bad_name",
        "malformed_json",
        "malformed_binary",
        "bad_utf8",
        "invalid_field",
    ] {
        assert!(codes.contains(code), "no seed for {code}: {codes:?}");
    }
}

#[test]
fn every_skill_seed_is_refused_or_read_as_the_bridge_reads_a_manifest() {
    let files = corpus("skill");
    assert!(files.len() >= 10, "only {} skill seeds", files.len());
    let topics = Topics::default();
    for (name, data) in &files {
        let Some((&selector, payload)) = data.split_first() else {
            continue;
        };
        let topic = match selector % 3 {
            0 => "hive/skill/dice/manifest",
            1 => "hive/skill/dice/request",
            _ => "hive/skill/dice/response",
        };
        let parsed = topics.parse(topic, payload);
        // The bridge's second look at a manifest: its skill model and validation.
        let validated = match &parsed {
            Ok(Inbound::SkillManifest { manifest, .. }) => {
                serde_json::from_value::<hive_skills::Manifest>(serde_json::Value::Object(
                    manifest.0.clone(),
                ))
                .map_err(|error| error.to_string())
                .and_then(|manifest| manifest.validate().map_err(|error| error.to_string()))
            }
            Ok(_) => Ok(()),
            Err(error) => Err(error.to_string()),
        };
        if name.starts_with("valid-") {
            assert_eq!(validated, Ok(()), "{name}");
        } else if name.starts_with("bad-") {
            assert!(validated.is_err(), "{name} was accepted");
        }
    }
}
