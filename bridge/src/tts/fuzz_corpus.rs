//! Replays the `wav` fuzz target's corpus (`topics/fuzz/corpus/wav/`) through the bridge's
//! decoder, the one that reads what an HTTP TTS server answers: seeds are named for what
//! they are. `valid-` decodes to the samples named below and survives the writer,
//! `satellite-` (formats only the satellite's hound reads) and `bad-` are refused, and
//! anything else (inputs the fuzzer kept or crashed on) only has to be handled without a
//! panic.

use std::path::Path;

use super::engine::Speech;
use super::wav::{WavError, decode_wav, encode_wav};

/// Every seed's (name, bytes), by name.
fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../topics/fuzz/corpus/wav");
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

/// What the seeds with known content decode to.
fn expected(name: &str) -> Option<Speech> {
    let (samples, sample_rate) = match name {
        "valid-mono-22050" => (vec![0, 1000, -1000, i16::MAX, i16::MIN, 7], 22_050),
        "valid-stereo-8000" => (vec![200, -200, 0], 8_000),
        "valid-extensible-16000" => (vec![7, -7], 16_000),
        "valid-list-chunk-first" => (vec![5, -5], 16_000),
        "valid-streamed-placeholder-sizes" => (vec![1, 2, 3], 22_050),
        "valid-empty-data" => (vec![], 16_000),
        _ => return None,
    };
    Some(Speech {
        samples,
        sample_rate,
    })
}

#[test]
fn the_wav_fuzz_corpus_decodes_as_named_or_is_refused() {
    let files = corpus();
    assert!(files.len() >= 20, "only {} wav seeds", files.len());
    for (name, bytes) in &files {
        let decoded = decode_wav(bytes);
        if name.starts_with("valid-") {
            let speech = decoded.unwrap_or_else(|error| panic!("{name}: {error}"));
            if let Some(expected) = expected(name) {
                assert_eq!(speech, expected, "{name}");
            }
            let again = encode_wav(&speech).unwrap();
            assert_eq!(
                decode_wav(&again).as_ref(),
                Ok(&speech),
                "{name} re-encoded"
            );
        } else if name.starts_with("satellite-") {
            assert!(
                matches!(decoded, Err(WavError::Unsupported(_))),
                "{name}: {decoded:?}"
            );
        } else if name.starts_with("bad-") {
            assert!(decoded.is_err(), "{name} decoded");
        }
    }
}

/// Regression: a TTS server's WAV at 4 GHz was decoded, then published as a reply no
/// satellite accepts (the protocol stops at 192 kHz), so nobody heard anything.
#[test]
fn a_rate_above_the_protocol_is_refused_so_the_chain_falls_back() {
    let files = corpus();
    let (_, bytes) = files
        .iter()
        .find(|(name, _)| name == "regression-rate-above-the-protocol")
        .expect("the regression seed");
    assert_eq!(
        decode_wav(bytes),
        Err(WavError::Unsupported("2 channels at 4294451008 Hz".into()))
    );
}

#[test]
fn espeak_ng_streamed_to_a_pipe_is_read_to_its_last_sample() {
    let files = corpus();
    let (_, bytes) = files
        .iter()
        .find(|(name, _)| name == "valid-espeak-ng-stdout")
        .expect("the espeak-ng seed");
    let speech = decode_wav(bytes).unwrap();
    assert_eq!(speech.sample_rate, 22_050);
    assert_eq!(speech.samples.len(), (bytes.len() - 44) / 2);
    assert!(
        speech
            .samples
            .iter()
            .any(|&sample| sample.unsigned_abs() > 1000)
    );
}
