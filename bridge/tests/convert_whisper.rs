//! Converts real CTranslate2 Whisper models to ggml and transcribes real speech with the result
//! through whisper-rs: the only proof that the converter's names, layouts and types are what
//! whisper.cpp computes with, not merely what it loads.
//!
//! Needs the provisioned models (`hive-bridge models install whisper-assets whisper-tiny.en
//! whisper-base speech-jfk`, or `--all`) under `HIVE_MODELS_DIR` (default
//! `~/.cache/hive/models`); fails, rather than skips, when they are missing.

use std::path::{Path, PathBuf};
use std::time::Instant;

use hive_bridge::models::ModelsDir;
use hive_bridge::models::convert::{ConvertReport, WhisperAssets, convert_whisper_ct2};
use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters};

const JFK_WORDS: &str = "ask not what your country can do for you";

/// A provisioned input, or a failure telling how to provision it.
fn input(relative: &str) -> PathBuf {
    let dir = ModelsDir::from_env(|name| std::env::var(name).ok());
    let path = dir.path(relative);
    assert!(
        path.exists(),
        "{} is missing: run the provisioning step first \
         (`cargo run -p hive-bridge -- models install --all`, or set HIVE_MODELS_DIR)",
        path.display()
    );
    path
}

/// Reads a 16 kHz mono 16-bit PCM WAV file into samples in [-1, 1].
fn read_wav_16k_mono(path: &Path) -> Vec<f32> {
    let bytes = std::fs::read(path).unwrap();
    assert!(
        bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WAVE",
        "not a WAV file"
    );
    let mut pos = 12;
    let mut format_ok = false;
    while pos + 8 <= bytes.len() {
        let id = &bytes[pos..pos + 4];
        let len = u32::from_le_bytes(bytes[pos + 4..pos + 8].try_into().unwrap()) as usize;
        let body = &bytes[pos + 8..(pos + 8 + len).min(bytes.len())];
        match id {
            b"fmt " => {
                let field = |at: usize| u16::from_le_bytes([body[at], body[at + 1]]);
                let rate = u32::from_le_bytes(body[4..8].try_into().unwrap());
                assert_eq!(
                    (field(0), field(2), rate, field(14)),
                    (1, 1, 16_000, 16),
                    "want PCM, mono, 16 kHz, 16-bit"
                );
                format_ok = true;
            }
            b"data" => {
                assert!(format_ok, "data before fmt");
                return body
                    .chunks_exact(2)
                    .map(|s| f32::from(i16::from_le_bytes([s[0], s[1]])) / 32768.0)
                    .collect();
            }
            _ => {}
        }
        pos += 8 + len + (len & 1);
    }
    panic!("no data chunk in {}", path.display());
}

/// Lowercase letters and single spaces, for comparing transcripts.
fn normalise(text: &str) -> String {
    let letters: String = text
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect();
    letters.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn convert(ct2_dir: &str, out: &Path) -> ConvertReport {
    let assets = WhisperAssets::in_dir(&input("whisper/assets"));
    let model_dir = input(ct2_dir);
    input(&format!("{ct2_dir}/model.bin"));
    let started = Instant::now();
    let report = convert_whisper_ct2(&model_dir, &assets, out).unwrap();
    eprintln!(
        "converted {ct2_dir} in {:.2?}: {report:?}",
        started.elapsed()
    );
    report
}

fn transcribe(model: &Path, audio: &[f32]) -> String {
    let ctx = WhisperContext::new_with_params(model, WhisperContextParameters::default()).unwrap();
    let mut state = ctx.create_state().unwrap();
    let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
    params.set_language(Some("en"));
    params.set_n_threads(2);
    params.set_no_timestamps(true);
    params.set_print_progress(false);
    params.set_print_realtime(false);
    params.set_print_special(false);
    state.full(params, audio).unwrap();
    let text: Vec<String> = state
        .as_iter()
        .map(|segment| segment.to_str_lossy().unwrap().into_owned())
        .collect();
    text.concat()
}

fn converts_and_transcribes_jfk(ct2_dir: &str, expect_multilingual: bool) {
    let audio = read_wav_16k_mono(&input("speech/jfk.wav"));
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("ggml-model.bin");
    let report = convert(ct2_dir, &out);
    assert_eq!(report.hparams.is_multilingual(), expect_multilingual);
    assert!(!out_dir.path().join("ggml-model.bin.tmp").exists());

    let text = transcribe(&out, &audio);
    eprintln!("{ct2_dir} transcript: {text}");
    assert!(
        normalise(&text).contains(JFK_WORDS),
        "transcript {text:?} lacks {JFK_WORDS:?}"
    );
}

#[test]
fn tiny_en_converted_from_ct2_transcribes_jfk() {
    converts_and_transcribes_jfk("whisper/ct2-tiny.en", false);
}

#[test]
fn multilingual_base_converted_from_ct2_transcribes_jfk() {
    converts_and_transcribes_jfk("whisper/ct2-base", true);
}
