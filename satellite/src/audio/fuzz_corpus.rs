//! Replays the `wav` fuzz target's corpus (`topics/fuzz/corpus/wav/`) through the satellite's
//! decoder, the one that reads every `tts` payload: seeds are named for what they are.
//! `valid-` (16-bit PCM, which the bridge decodes too) and `satellite-` (formats only hound
//! reads) decode to the samples named below, `bad-` is refused, and anything else (inputs
//! the fuzzer kept or crashed on) only has to be handled without a panic.

use std::path::Path;

use super::wav::decode_wav;

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

/// What the seeds with known content decode to: (samples, rate).
fn expected(name: &str) -> Option<(Vec<i16>, u32)> {
    Some(match name {
        "valid-mono-22050" => (vec![0, 1000, -1000, i16::MAX, i16::MIN, 7], 22_050),
        "valid-stereo-8000" => (vec![200, -200, 0], 8_000),
        "valid-extensible-16000" => (vec![7, -7], 16_000),
        "valid-list-chunk-first" => (vec![5, -5], 16_000),
        "valid-streamed-placeholder-sizes" => (vec![1, 2, 3], 22_050),
        "valid-empty-data" => (vec![], 16_000),
        "satellite-float32-stereo" => (vec![0, 16_384, -32_767], 8_000),
        "satellite-8bit" => (vec![0, 127 << 8, -128 << 8, 0], 8_000),
        "satellite-24bit" => (vec![0x4000, -0x4000], 48_000),
        _ => return None,
    })
}

#[test]
fn the_wav_fuzz_corpus_decodes_as_named_or_is_refused() {
    let files = corpus();
    assert!(files.len() >= 20, "only {} wav seeds", files.len());
    for (name, bytes) in &files {
        let decoded = decode_wav(bytes, name);
        if let Some((samples, rate)) = expected(name) {
            let pcm = decoded.unwrap_or_else(|error| panic!("{name}: {error}"));
            assert_eq!((pcm.samples, pcm.sample_rate), (samples, rate), "{name}");
        } else if name.starts_with("valid-") || name.starts_with("satellite-") {
            decoded.unwrap_or_else(|error| panic!("{name}: {error}"));
        } else if name.starts_with("bad-") {
            assert!(decoded.is_err(), "{name} decoded");
        }
    }
}

#[test]
fn espeak_ng_streamed_to_a_pipe_is_read_to_its_last_sample() {
    let files = corpus();
    let (_, bytes) = files
        .iter()
        .find(|(name, _)| name == "valid-espeak-ng-stdout")
        .expect("the espeak-ng seed");
    // espeak-ng cannot seek a pipe: both sizes are placeholders, the data runs to the end.
    assert_eq!(&bytes[40..44], &0x7fff_f000_u32.to_le_bytes());
    let pcm = decode_wav(bytes, "espeak-ng").unwrap();
    assert_eq!(pcm.sample_rate, 22_050);
    assert_eq!(pcm.samples.len(), (bytes.len() - 44) / 2);
    assert!(
        pcm.samples
            .iter()
            .any(|&sample| sample.unsigned_abs() > 1000),
        "speech, not silence"
    );
}
