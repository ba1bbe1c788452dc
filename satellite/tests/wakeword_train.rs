//! `hive-satellite wakeword train` end to end, as a user makes a new wake word: record the
//! phrase a few times (synthesised here, as `assets/make-default-wakeword.sh` does), train,
//! then `wakeword test` hears it in a recording that has it and not in one that does not.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const PROGRAM: &str = env!("CARGO_BIN_EXE_hive-satellite");

fn espeak(text: &str, voice: &str, speed: u32, out: &Path) {
    let status = Command::new("espeak-ng")
        .args(["-v", voice, "-s", &speed.to_string(), "-w"])
        .arg(out)
        .arg(text)
        .status()
        .expect("espeak-ng (apt-get install espeak-ng)");
    assert!(status.success(), "espeak-ng -v {voice}");
}

fn run(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(PROGRAM)
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// A recording: half a second of silence, `text`, half a second of silence.
fn recording(dir: &Path, name: &str, text: &str, voice: &str, speed: u32) -> PathBuf {
    let spoken = dir.join(format!("{name}-speech.wav"));
    espeak(text, voice, speed, &spoken);
    let pcm = hive_satellite::audio::read_wav(&spoken).unwrap();
    let pad = vec![0_i16; pcm.sample_rate as usize / 2];
    let samples = [pad.clone(), pcm.samples, pad].concat();
    let path = dir.join(format!("{name}.wav"));
    hive_satellite::audio::write_wav(&path, &samples, pcm.sample_rate).unwrap();
    path
}

#[test]
fn a_trained_wake_word_is_heard_in_a_recording_with_it_and_not_in_one_without() {
    let dir = tempfile::tempdir().unwrap();
    let mut samples = Vec::new();
    for (n, (voice, speed)) in [
        ("en-us", 140),
        ("en-us", 175),
        ("en", 150),
        ("en", 190),
        ("en+f3", 160),
        ("en-us+m3", 170),
    ]
    .into_iter()
    .enumerate()
    {
        let path = dir.path().join(format!("sample-{n}.wav"));
        espeak("hello computer", voice, speed, &path);
        samples.push(path);
    }
    let model = dir.path().join("hello_computer.rpw");
    let mut args: Vec<&std::ffi::OsStr> =
        ["wakeword", "train", "--name", "hello computer", "--out"]
            .iter()
            .map(std::ffi::OsStr::new)
            .collect();
    args.push(model.as_os_str());
    args.extend(samples.iter().map(|path| path.as_os_str()));
    let trained = run(&args);
    assert!(
        trained.status.success(),
        "{}",
        String::from_utf8_lossy(&trained.stderr)
    );
    let report = String::from_utf8(trained.stdout).unwrap();
    assert!(report.contains("6 samples"), "{report}");
    assert!(std::fs::metadata(&model).unwrap().len() > 0);

    // The phrase in a sentence, at a speed no sample had.
    let with = recording(
        dir.path(),
        "with",
        "hello computer, turn on the lights",
        "en-us",
        160,
    );
    let without = recording(
        dir.path(),
        "without",
        "good morning, what is the weather like today",
        "en-us",
        160,
    );
    let test = |file: &Path| {
        run(&[
            "wakeword".as_ref(),
            "test".as_ref(),
            "--model".as_ref(),
            model.as_os_str(),
            file.as_os_str(),
        ])
    };
    let heard = test(&with);
    let printed = String::from_utf8_lossy(&heard.stdout).into_owned();
    assert_eq!(
        heard.status.code(),
        Some(0),
        "{printed}{}",
        String::from_utf8_lossy(&heard.stderr)
    );
    assert!(
        printed.contains("with.wav: wake word ending at"),
        "{printed}"
    );

    let not_heard = test(&without);
    assert_eq!(
        not_heard.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&not_heard.stdout)
    );
    assert!(not_heard.stdout.is_empty());
}
