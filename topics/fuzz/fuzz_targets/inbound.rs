//! `Topics::parse`, the one entry point for everything the broker delivers to the bridge and
//! to a satellite (both use it; the satellite has no parser of its own).
//!
//! Input: `topic \n payload`. Beyond "never panics", a message that parses must encode back
//! to a (topic, payload) that parses to the same message: the protocol is its own inverse.
#![no_main]

use hive_topics::Topics;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (topic, payload) = match data.iter().position(|&byte| byte == b'\n') {
        Some(split) => (&data[..split], &data[split + 1..]),
        None => (data, &[][..]),
    };
    // rumqttc hands over topics as `String`: non-UTF-8 never reaches the parser.
    let Ok(topic) = std::str::from_utf8(topic) else {
        return;
    };
    let topics = Topics::default();
    if let Ok(message) = topics.parse(topic, payload) {
        let again = topics.encode(&message);
        let reparsed = topics.parse(&again.topic, &again.payload);
        assert_eq!(reparsed.as_ref(), Ok(&message), "round trip of {topic:?}");
    }
});
