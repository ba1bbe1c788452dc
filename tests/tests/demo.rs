//! The README's first command, run as written: `cargo run -p hive-bridge -- demo "what time
//! is it"` speaks the question into an embedded broker and a real bridge, prints what was
//! heard and the answer, and writes the spoken answer to a WAV file that Whisper transcribes
//! back to the printed answer.

use std::process::Command;

use hive_bridge::models::ModelsDir;
use hive_bridge::tts::read_wav_file;
use hive_tests::cli::{cargo, workspace_root};

/// The clock's answer now or a minute ago (the minute may turn during the test).
fn current_times() -> Vec<String> {
    let now = chrono::Utc::now();
    [now - chrono::Duration::minutes(1), now]
        .iter()
        .map(|time| time.format("%-I:%M").to_string())
        .collect()
}

/// The value of the line starting with `label` in the demo's output.
fn field<'a>(stdout: &'a str, label: &str) -> &'a str {
    stdout
        .lines()
        .find_map(|line| line.strip_prefix(label))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no `{label}` line in:\n{stdout}"))
}

#[test]
fn the_readme_demo_answers_with_the_time_and_writes_the_spoken_answer() {
    let models = ModelsDir::from_env(|name| std::env::var(name).ok());
    let run_in = tempfile::tempdir().unwrap();
    let manifest = workspace_root().join("Cargo.toml");
    // README: cargo run -p hive-bridge -- demo "what time is it"
    let output = Command::new(cargo())
        .current_dir(run_in.path())
        .args(["run", "--quiet", "--manifest-path"])
        .arg(&manifest)
        .args(["-p", "hive-bridge", "--", "demo", "what time is it"])
        .env_remove("HIVE_CONFIG")
        .env_remove("RUST_LOG")
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "demo failed ({:?}):\n{stdout}\n{stderr}",
        output.status
    );

    let transcript = field(&stdout, "Transcript:").to_lowercase();
    assert!(
        transcript.contains("what time is it"),
        "the bridge heard {transcript:?}"
    );
    let reply = field(&stdout, "Reply:");
    assert!(
        current_times().iter().any(|time| reply.contains(time)),
        "reply {reply:?} lacks the time {:?}",
        current_times()
    );
    let timings = field(&stdout, "Timings:");
    for stage in ["listening", "speech-to-text", "first audio", "whole turn"] {
        assert!(timings.contains(stage), "{stage} missing from {timings:?}");
    }

    // The WAV it names is in the directory it ran in, and says the same time.
    let audio = field(&stdout, "Audio:");
    let path = audio.split(" (").next().unwrap();
    let expected = run_in.path().join("hive-demo-reply.wav");
    assert_eq!(
        std::fs::canonicalize(path).unwrap(),
        std::fs::canonicalize(&expected).unwrap()
    );
    let speech = read_wav_file(&expected).unwrap();
    assert!(speech.duration().as_secs_f32() > 0.5, "{speech:?}");
    // The reply's hour, as digits or as a word, and its minutes as digits or words.
    let time = current_times()
        .into_iter()
        .find(|time| reply.contains(time.as_str()))
        .unwrap();
    let (hour, _) = time.split_once(':').unwrap();
    let words = [
        "twelve", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven",
    ];
    let hour_word = words[hour.parse::<usize>().unwrap() % 12];
    let heard = hive_tests::Ear::new(&models).hears(&speech.samples, speech.sample_rate, |said| {
        said.contains(hour) || said.contains(hour_word)
    });
    assert!(
        heard.is_ok(),
        "the WAV says {heard:?}, the reply was {reply:?}"
    );
}
