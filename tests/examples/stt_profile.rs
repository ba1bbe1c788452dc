//! Times the bridge's whisper on one synthesised question, with the window fitted to the
//! audio and with the whole 30 s window (profiling aid):
//! `stt_profile [model] [text] [voice] [words per minute]`.
use std::time::Instant;

use hive_bridge::stt::{Stt, WhisperConfig, WhisperStt};
use hive_skills::Lang;

fn main() {
    let models = std::path::PathBuf::from(std::env::var("HIVE_MODELS_DIR").unwrap());
    let args: Vec<String> = std::env::args().collect();
    let arg = |n: usize, default: &str| args.get(n).cloned().unwrap_or(default.into());
    let model = arg(1, "whisper/ggml-tiny.en.bin");
    let text = arg(2, "what time is it?");
    let voice = arg(3, "en-us");
    let wpm: u32 = arg(4, "175").parse().unwrap();
    let forced = args.get(5).cloned();
    let pcm = hive_tests::speech::synthesize_at(&text, &voice, wpm).unwrap();
    let mut audio = vec![0.0; 8_000];
    audio.extend(pcm.iter().map(|s| f32::from(*s) / 32768.0));
    audio.extend(std::iter::repeat_n(0.0, 16_000));
    println!("audio {:.2} s", audio.len() as f32 / 16_000.0);
    for fit_window in [true] {
        let mut config = WhisperConfig::new(models.join(&model));
        config.fit_window = fit_window;
        config.initial_prompt = Some(hive_satellite::offline::default_prompt(&[
            Lang::En,
            Lang::Fr,
            Lang::Nl,
        ]));
        let stt = WhisperStt::load(config).unwrap();
        for _ in 0..1 {
            let started = Instant::now();
            let heard = stt.transcribe(&audio, forced.as_deref()).unwrap();
            println!(
                "fit_window {fit_window}: {} ms [{}] {:?}",
                started.elapsed().as_millis(),
                heard.lang,
                heard.text
            );
        }
    }
}
