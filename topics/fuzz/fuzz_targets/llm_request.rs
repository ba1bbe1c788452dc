//! hive-llm's chat request parser (`POST /v1/chat/completions`: JSON → a validated job or a
//! 400). hive-llm links llama.cpp, so its plain-data modules are compiled in here, the
//! files themselves: the code fuzzed is the code shipped.
//!
//! Input: the request body. The property beyond "never panics": a refusal is a 400 with a
//! message, never another status.
#![no_main]
#![allow(dead_code, unreachable_pub)]

#[path = "llm_request/api.rs"]
mod api;
#[path = "llm_request/engine.rs"]
mod engine;
#[path = "llm_request/prompt.rs"]
mod prompt;
#[path = "llm_request/tools.rs"]
mod tools;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Err(error) = api::validate::parse(body, 7) {
        assert_eq!(error.status, http::StatusCode::BAD_REQUEST, "{error:?}");
        assert!(!error.message.is_empty());
    }
});
