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

    // A good run says nothing on stderr that looks like a problem.
    for line in stderr.lines() {
        assert!(
            !line.contains("ERROR") && !line.contains("WARN"),
            "{line}\n\n{stderr}"
        );
    }

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
    // Whisper hears the same hour and minutes in the WAV as the printed reply says (a
    // minute either way: the clock may turn between the reply and this check).
    let time = current_times()
        .into_iter()
        .find(|time| reply.contains(time.as_str()))
        .unwrap();
    let (hour, minute) = time.split_once(':').unwrap();
    let (hour, minute): (u32, i64) = (hour.parse().unwrap(), minute.parse().unwrap());
    let heard = hive_tests::Ear::new(&models).hears(&speech.samples, speech.sample_rate, |said| {
        says_time(said, hour, minute)
    });
    assert!(
        heard.is_ok(),
        "the WAV says {heard:?}, the reply was {reply:?}"
    );
}

const ONES: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 6] = ["", "", "twenty", "thirty", "forty", "fifty"];

/// How a minute can be written out: `05` as "oh five", `42` as "forty-two".
fn minute_words(minute: u32) -> Vec<String> {
    match minute {
        0 => vec!["o'clock".into(), "hundred".into()],
        1..=9 => ["oh", "o", "zero"]
            .iter()
            .map(|zero| format!("{zero} {}", ONES[minute as usize]))
            .collect(),
        10..=19 => vec![ONES[minute as usize].into()],
        _ if minute.is_multiple_of(10) => vec![TENS[(minute / 10) as usize].into()],
        _ => {
            let (tens, ones) = (TENS[(minute / 10) as usize], ONES[(minute % 10) as usize]);
            vec![format!("{tens}-{ones}"), format!("{tens} {ones}")]
        }
    }
}

/// Whether a transcript says `hour`:`minute` (or a minute either side), in digits or words.
fn says_time(said: &str, hour: u32, minute: i64) -> bool {
    let said = said.to_lowercase();
    let said_digits: String = said.chars().filter(char::is_ascii_digit).collect();
    let hour_word = ONES[(hour % 12) as usize].replace("zero", "twelve");
    (minute - 1..=minute + 1).any(|candidate| {
        let candidate = candidate.rem_euclid(60) as u32;
        // The hour may also have turned with the minute.
        let hours = if candidate == 59 && minute == 0 {
            [if hour == 1 { 12 } else { hour - 1 }, hour]
        } else if candidate == 0 && minute == 59 {
            [hour, hour % 12 + 1]
        } else {
            [hour, hour]
        };
        hours.iter().any(|&h| {
            // Whisper writes a spoken "nine nineteen" as "9:19", "9. 19", "9/19" or "919pm":
            // the digits in order are what it heard.
            let digits = said_digits.contains(&format!("{h}{candidate:02}"))
                || (candidate == 0 && said.contains(&format!("{h} o'clock")));
            let h_word = if h == hour {
                hour_word.clone()
            } else {
                ONES[(h % 12) as usize].replace("zero", "twelve")
            };
            let words = minute_words(candidate).iter().any(|m| {
                said.contains(&format!("{h_word} {m}")) || said.contains(&format!("{h} {m}"))
            });
            digits || words
        })
    })
}

#[test]
fn the_time_check_needs_the_hour_and_the_minutes() {
    assert!(says_time("It's 6:05 PM.", 6, 5));
    assert!(says_time("it's six oh five", 6, 5));
    assert!(says_time("It is 6.06.", 6, 5));
    assert!(says_time("it's 9/11 pm.", 9, 11));
    assert!(says_time("it's 919pm.", 9, 19));
    assert!(says_time("it's 9. 19 pm.", 9, 19));
    assert!(says_time("it's twelve forty-two", 12, 43));
    assert!(!says_time("It's 6:15.", 6, 5));
    assert!(!says_time("It's 7:05.", 6, 5));
    assert!(!says_time("it's six", 6, 5));
}

/// Without the models and told not to install them, the demo stops before starting anything,
/// with the models' exit code and the command that installs them.
#[test]
fn the_demo_without_models_says_how_to_install_them() {
    let empty = tempfile::tempdir().unwrap();
    let run_in = tempfile::tempdir().unwrap();
    let output = Command::new(hive_tests::cli::bridge_binary().unwrap())
        .current_dir(run_in.path())
        .args(["demo", "what time is it", "--no-install"])
        .env("HIVE_MODELS_DIR", empty.path())
        .env("NO_COLOR", "1")
        .env_remove("HIVE_CONFIG")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("demo failed: models"), "{stderr}");
    assert!(stderr.contains("missing whisper"), "{stderr}");
    assert!(stderr.contains("hive-bridge models install"), "{stderr}");
    assert!(
        !run_in.path().join("hive-demo-reply.wav").exists(),
        "no reply audio without an answer"
    );
    assert!(
        std::fs::read_dir(empty.path()).unwrap().next().is_none(),
        "--no-install wrote into the models directory"
    );
}

/// A configuration file with a mistake: exit code 2 and the mistake named.
#[test]
fn the_demo_with_a_bad_configuration_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bridge.toml");
    std::fs::write(&config, "[assistant]\ntime_zone = \"Mars/Olympus\"\n").unwrap();
    let output = Command::new(hive_tests::cli::bridge_binary().unwrap())
        .current_dir(dir.path())
        .args(["demo", "--no-install", "--config"])
        .arg(&config)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("demo failed: configuration"), "{stderr}");
    assert!(stderr.contains("Mars/Olympus"), "{stderr}");
}
