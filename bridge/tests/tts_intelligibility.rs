//! Piper's speech transcribed back with Whisper (tiny.en, through whisper-rs): proof that the
//! phonemes, ids and scales reach the model the way Piper trained it, not merely that some
//! audio comes out.
//!
//! Needs the Piper voice, ONNX Runtime and `whisper/ggml-tiny.en.bin` (converted by
//! `hive-bridge models install whisper-tiny.en`) in the models directory; fails with the
//! install command when they are missing.

use hive_bridge::models::ModelsDir;
use hive_bridge::tts::{BuildContext, PiperConfig, Speech, TtsChain, TtsConfig};
use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters};

const INSTALL: &str = "run `cargo run -p hive-bridge -- models install --all`";

/// Linear-interpolation resampling to Whisper's 16 kHz, as `f32` in `-1..1`.
fn to_16k(speech: &Speech) -> Vec<f32> {
    let ratio = f64::from(speech.sample_rate) / 16_000.0;
    let count = (speech.samples.len() as f64 / ratio) as usize;
    let at = |i: usize| f64::from(speech.samples[i.min(speech.samples.len() - 1)]) / 32768.0;
    (0..count)
        .map(|i| {
            let x = i as f64 * ratio;
            let (j, fraction) = (x.floor() as usize, x.fract());
            (at(j) + (at(j + 1) - at(j)) * fraction) as f32
        })
        .collect()
}

/// Lowercase words of letters and digits.
fn words(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn whisper_hears_what_piper_says() {
    let models = ModelsDir::from_env(|name| std::env::var(name).ok());
    let ctx = BuildContext::new(models.clone());
    let whisper_model = models.path("whisper/ggml-tiny.en.bin");
    for path in [
        models.path("tts/en_US-joe-medium.onnx"),
        ctx.onnxruntime.clone(),
        whisper_model.clone(),
    ] {
        assert!(path.is_file(), "{} is missing: {INSTALL}", path.display());
    }
    let chain = TtsChain::build(&[TtsConfig::Piper(PiperConfig::default())], &ctx)
        .unwrap()
        .chain;
    let whisper =
        WhisperContext::new_with_params(&whisper_model, WhisperContextParameters::default())
            .unwrap();
    // Written the way a reply is: the chain normalises "7:30" and "$3.50" before Piper.
    let cases = [
        ("The time is 7:30.", ["the time is", "30"]),
        (
            "Dr. Smith paid $3.50 for the kitchen light.",
            ["smith paid", "kitchen light"],
        ),
    ];
    for (text, expected) in cases {
        let spoken = chain.speak(text, "en").unwrap();
        let mut state = whisper.create_state().unwrap();
        let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
        params.set_language(Some("en"));
        params.set_n_threads(
            std::thread::available_parallelism().map_or(2, |n| n.get().min(4)) as i32,
        );
        params.set_no_timestamps(true);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_special(false);
        state.full(params, &to_16k(&spoken.speech)).unwrap();
        let heard: String = state
            .as_iter()
            .map(|segment| segment.to_str_lossy().unwrap().into_owned())
            .collect();
        let heard = words(&heard);
        for phrase in expected {
            assert!(
                heard.contains(phrase),
                "Piper said {text:?}, Whisper heard {heard:?}, missing {phrase:?}"
            );
        }
    }
}
