//! The bridge's server-sent-events decoder (its OpenAI-compatible client reads every LLM
//! answer through it). It is private to hive-bridge, whose build drags in whisper.cpp, so
//! the file itself is compiled in here: the code fuzzed is the code shipped.
//!
//! Input: one byte giving a chunk length, then the stream. The property: however the
//! stream is cut into chunks, the decoder yields the same items as for one whole push.
#![no_main]

#[allow(dead_code, unreachable_pub)]
#[path = "../../../bridge/src/llm/sse.rs"]
mod sse;

use libfuzzer_sys::fuzz_target;
use sse::SseDecoder;

fuzz_target!(|data: &[u8]| {
    let Some((&cut, stream)) = data.split_first() else {
        return;
    };
    let mut whole = SseDecoder::default();
    let expected = whole.push(stream);
    let mut chunked = SseDecoder::default();
    let mut items = Vec::new();
    let mut failed = false;
    for chunk in stream.chunks(usize::from(cut).max(1)) {
        match chunked.push(chunk) {
            Ok(more) => items.extend(more),
            Err(_) => {
                failed = true;
                break;
            }
        }
    }
    // A too-long line is refused either way; the chunked run may refuse it earlier.
    match expected {
        Ok(expected) if !failed => assert_eq!(items, expected),
        _ => {}
    }
});
