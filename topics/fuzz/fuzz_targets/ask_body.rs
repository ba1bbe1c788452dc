//! The body of the status page's `POST /api/ask` (`bridge/src/http/ask_body.rs`), compiled
//! in by `#[path]` like the bridge's other private parsers: the code fuzzed is the code
//! shipped.
//!
//! Input: the body. Beyond "never panics": a refusal is one of the three messages the page
//! shows; an accepted question is trimmed, 1 to 4096 bytes, names only a valid satellite,
//! and the same question sent again as plain JSON reads the same.
#![no_main]
#![allow(dead_code, unreachable_pub)]

#[path = "../../../bridge/src/http/ask_body.rs"]
mod ask_body;

use ask_body::{BAD_LENGTH, BAD_SATELLITE, NOT_JSON, parse};
use hive_topics::SatelliteId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    match parse(body) {
        Err(why) => assert!(
            [NOT_JSON, BAD_LENGTH, BAD_SATELLITE].contains(&why),
            "{why}"
        ),
        Ok(question) => {
            assert_eq!(question.text, question.text.trim());
            assert!((1..=4096).contains(&question.text.len()));
            if let Some(id) = &question.satellite {
                assert!(SatelliteId::new(id.as_str()).is_ok());
            }
            let again = serde_json::json!({
                "text": question.text,
                "satellite": question.satellite.as_ref().map(SatelliteId::as_str),
                "lang": question.lang,
            });
            let again = parse(&serde_json::to_vec(&again).unwrap()).unwrap();
            assert_eq!(again, question);
        }
    }
});
