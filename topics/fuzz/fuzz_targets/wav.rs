//! Both WAV decoders of network input: the bridge's (`bridge/src/tts/wav.rs`, reading what an
//! HTTP TTS server answers) and the satellite's (`satellite/src/audio/wav.rs`, hound behind a
//! repair of streamed sizes, reading the `tts` payloads the bridge publishes). Both crates
//! link native libraries (whisper.cpp, ONNX Runtime, rustpotter), so the files themselves are
//! compiled in here: the code fuzzed is the code shipped.
//!
//! Input: the WAV bytes. Beyond "never panics": what the bridge decodes it re-encodes, and
//! the satellite reads that encoding back to the same samples and rate, which is the path a
//! reply takes from a TTS server to a loudspeaker.
#![no_main]
#![allow(dead_code, unreachable_pub)]

#[path = "../../../bridge/src/tts"]
mod tts {
    pub(crate) mod engine;
    pub(crate) mod error;
    pub(crate) mod wav;
}

#[path = "../../../satellite/src/audio"]
mod audio {
    pub(crate) mod error;
    pub(crate) mod wav;
}

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(pcm) = audio::wav::decode_wav(bytes, "fuzz") {
        assert!(pcm.sample_rate > 0);
    }
    let Ok(speech) = tts::wav::decode_wav(bytes) else {
        return;
    };
    assert!(speech.sample_rate > 0);
    let encoded = tts::wav::encode_wav(&speech).expect("decoded audio fits a WAV file");
    assert_eq!(tts::wav::decode_wav(&encoded).as_ref(), Ok(&speech));
    let played = audio::wav::decode_wav(&encoded, "fuzz").expect("the satellite reads it");
    assert_eq!(played.sample_rate, speech.sample_rate);
    assert_eq!(played.samples, speech.samples);
});
