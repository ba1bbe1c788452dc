//! Piper's speech transcribed back with Whisper: proof that the phonemes, ids and scales
//! reach the model the way Piper trained it, not merely that some audio comes out.
//!
//! Piper samples its voice afresh on every run, and tiny.en now and then mishears a clear
//! phrase of it ("the time is" as "the time of"), so the judge is the tests' [`Ear`]: tiny.en,
//! then multilingual base as a second opinion. Audio that does not say the phrases fails
//! with both.
//!
//! Needs the Piper voice, ONNX Runtime and the whisper models in the models directory
//! (`cargo run -p hive-bridge -- models install --all`); fails with the install command when
//! they are missing.

use hive_bridge::models::ModelsDir;
use hive_bridge::tts::{BuildContext, PiperConfig, TtsChain, TtsConfig};
use hive_tests::Ear;

const INSTALL: &str = "run `cargo run -p hive-bridge -- models install --all`";

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

/// The default Piper voice and the tests' ear, or the command that installs them.
fn piper_and_ear() -> (TtsChain, Ear) {
    let models = ModelsDir::from_env(|name| std::env::var(name).ok());
    let ctx = BuildContext::new(models.clone());
    for path in [
        models.path("tts/en_US-joe-medium.onnx"),
        ctx.onnxruntime.clone(),
        models.path("whisper/ggml-tiny.en.bin"),
    ] {
        assert!(path.is_file(), "{} is missing: {INSTALL}", path.display());
    }
    let chain = TtsChain::build(&[TtsConfig::Piper(PiperConfig::default())], &ctx)
        .unwrap()
        .chain;
    (chain, Ear::new(&models))
}

#[test]
fn whisper_hears_what_piper_says() {
    let (chain, ear) = piper_and_ear();
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
        let heard = ear.hears(&spoken.speech.samples, spoken.speech.sample_rate, |said| {
            let said = words(said);
            expected.iter().all(|phrase| said.contains(phrase))
        });
        if let Err(heard) = heard {
            panic!("Piper said {text:?}; whisper heard {heard:?}, not all of {expected:?}");
        }
    }
}

/// A time with its AM/PM: read as letters, "a m" ran into the minutes before it, and
/// "six thirteen a m" was heard as "6:30 am" by both models on every try (so were most
/// minutes from 13 to 19). Read as the part of the day, the minutes are heard. Piper
/// samples afresh, so one of two speakings must be heard right.
#[test]
fn the_minutes_before_am_are_heard() {
    let (chain, ear) = piper_and_ear();
    let text = "It's 6:13 AM.";
    let mut heard_all = Vec::new();
    for _ in 0..2 {
        let spoken = chain.speak(text, "en").unwrap();
        let heard = ear.hears(&spoken.speech.samples, spoken.speech.sample_rate, |said| {
            let said = words(said);
            said.contains("13") && said.contains("morning")
        });
        match heard {
            Ok(_) => return,
            Err(heard) => heard_all.extend(heard),
        }
    }
    panic!("Piper said {text:?}; whisper heard {heard_all:?}");
}
