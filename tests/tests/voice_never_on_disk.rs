//! A spoken turn leaves no trace of the voice on disk: the `hive-bridge` program answers a
//! spoken question with its data, home, temporary and working directories all in a fresh
//! temporary tree, and afterwards no file anywhere in that tree (the sled conversation
//! store included) holds any window of the utterance's samples, as 16-bit PCM or as the
//! floats the engines work on, nor a WAV file.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use hive_bridge::models::ModelsDir;
use hive_tests::cli::bridge_binary;
use hive_tests::speech::{silence, synthesize};
use hive_tests::{Broker, ScriptedSatellite};

/// Generous: on a busy machine a debug build's first transcription can be slow.
const WAIT: Duration = Duration::from_secs(300);
/// Samples in the searched window: 4 ms at 16 kHz, 128 bytes as PCM, which no unrelated
/// file repeats by chance.
const WINDOW: usize = 64;

/// Byte patterns that would betray the voice.
struct Needles {
    /// Windows of the utterance as 16-bit little-endian PCM, as the satellite sent them.
    pcm: Vec<Vec<u8>>,
    /// The same windows as 32-bit floats in [-1, 1), as speech-to-text and VAD take them.
    float: Vec<Vec<u8>>,
}

impl Needles {
    /// Windows from the loudest parts of `speech` (silence would match any zeroed page):
    /// three, from different places, so that a partial copy is found too.
    fn from(speech: &[i16]) -> Self {
        let energy = |start: usize| -> i64 {
            speech[start..start + WINDOW]
                .iter()
                .map(|s| i64::from(*s).abs())
                .sum()
        };
        let third = speech.len() / 3;
        let starts: Vec<usize> = (0..3)
            .map(|part| {
                let from = part * third;
                let to = (from + third).saturating_sub(WINDOW);
                (from..to)
                    .step_by(WINDOW / 2)
                    .max_by_key(|start| energy(*start))
                    .expect("speech too short")
            })
            .collect();
        let windows = || starts.iter().map(|start| &speech[*start..*start + WINDOW]);
        for window in windows() {
            assert!(
                window.iter().filter(|s| **s != 0).count() > WINDOW / 2,
                "window is mostly silence"
            );
        }
        Needles {
            pcm: windows()
                .map(|w| w.iter().flat_map(|s| s.to_le_bytes()).collect())
                .collect(),
            float: windows()
                .map(|w| {
                    w.iter()
                        .flat_map(|s| (f32::from(*s) / 32768.0).to_le_bytes())
                        .collect()
                })
                .collect(),
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// A RIFF/WAVE header anywhere in the file, not only at its start.
fn has_wav(bytes: &[u8]) -> bool {
    bytes
        .windows(12)
        .any(|window| &window[..4] == b"RIFF" && &window[8..] == b"WAVE")
}

/// Every regular file under `dir`, recursively (symbolic links are not followed).
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                pending.push(entry.path());
            } else if kind.is_file() {
                found.push(entry.path());
            }
        }
    }
    found
}

/// What betrays the voice in each file under `dir`: `(file, what)`.
fn traces(dir: &Path, needles: &Needles) -> Vec<(PathBuf, &'static str)> {
    let mut found = Vec::new();
    for file in files(dir) {
        let bytes = std::fs::read(&file).unwrap();
        if needles.pcm.iter().any(|needle| contains(&bytes, needle)) {
            found.push((file.clone(), "16-bit PCM of the utterance"));
        }
        if needles.float.iter().any(|needle| contains(&bytes, needle)) {
            found.push((file.clone(), "float samples of the utterance"));
        }
        if has_wav(&bytes) {
            found.push((file, "a RIFF/WAVE file"));
        }
    }
    found
}

/// The program, killed if the test fails before stopping it.
struct Program(std::process::Child);

impl Drop for Program {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A mono 16 kHz WAV of `samples`, as a debugging dump of the turn would write it.
fn wav(samples: &[i16]) -> Vec<u8> {
    let data = (samples.len() * 2) as u32;
    let mut out = Vec::new();
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16_u32.to_le_bytes());
    out.extend_from_slice(&1_u16.to_le_bytes());
    out.extend_from_slice(&1_u16.to_le_bytes());
    out.extend_from_slice(&16_000_u32.to_le_bytes());
    out.extend_from_slice(&32_000_u32.to_le_bytes());
    out.extend_from_slice(&2_u16.to_le_bytes());
    out.extend_from_slice(&16_u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data.to_le_bytes());
    out.extend(samples.iter().flat_map(|s| s.to_le_bytes()));
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spoken_turn_writes_no_audio_anywhere() {
    let models = ModelsDir::from_env(|name| std::env::var(name).ok());
    let speech = synthesize("what time is it", "en-us").unwrap();
    let needles = Needles::from(&speech);

    // The search itself finds a dump of the turn, as PCM, as floats, and as a WAV file.
    let control = tempfile::tempdir().unwrap();
    std::fs::write(control.path().join("turn.wav"), wav(&speech)).unwrap();
    let floats: Vec<u8> = speech
        .iter()
        .flat_map(|s| (f32::from(*s) / 32768.0).to_le_bytes())
        .collect();
    std::fs::create_dir(control.path().join("nested")).unwrap();
    std::fs::write(control.path().join("nested/turn.f32"), floats).unwrap();
    let mut seen: Vec<&str> = traces(control.path(), &needles)
        .into_iter()
        .map(|(_, what)| what)
        .collect();
    seen.sort_unstable();
    assert_eq!(
        seen,
        [
            "16-bit PCM of the utterance",
            "a RIFF/WAVE file",
            "float samples of the utterance"
        ]
    );

    // Everything the program may write to: its data directory (the sled store), $HOME
    // (and the XDG folders under it), $TMPDIR and its working directory.
    let root = tempfile::tempdir().unwrap();
    let [data, home, tmp, work] = ["data", "home", "tmp", "work"].map(|name| {
        let dir = root.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        dir
    });
    let broker = Broker::start().unwrap();
    // Its log goes outside the searched tree, to show when the turn fails.
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("bridge.log");
    let config = work.join("bridge.toml");
    std::fs::write(
        &config,
        format!(
            "[mqtt]\nurl = \"{}\"\nclient_id = \"bridge-private\"\n\
             [models]\ndir = \"{}\"\n\
             [stt]\ntype = \"whisper\"\nmodel = \"whisper/ggml-tiny.en.bin\"\nlanguage = \"en\"\n\
             [context]\npath = \"{}\"\n[http]\nenabled = false\n",
            broker.url(),
            models.root().display(),
            data.join("context").display()
        ),
    )
    .unwrap();
    let child = Command::new(bridge_binary().unwrap())
        .args(["run", "--config"])
        .arg(&config)
        .current_dir(&work)
        .env_remove("RUST_LOG")
        .env_remove("HIVE_CONFIG")
        .env_remove("HIVE_MODELS_DIR")
        .env("HOME", &home)
        .env("TMPDIR", &tmp)
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_STATE_HOME", home.join(".local/state"))
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(std::fs::File::create(logs.path().join("bridge.err")).unwrap())
        .spawn()
        .unwrap();
    let mut child = Program(child);

    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();
    let question = [silence(0.5), speech.clone(), silence(1.5)].concat();
    kitchen.speak(51, &question).await.unwrap();
    let reply = kitchen.reply(51, WAIT).await;
    let reply = reply.unwrap_or_else(|error| {
        let log = std::fs::read_to_string(&log).unwrap_or_default();
        let err = std::fs::read_to_string(logs.path().join("bridge.err")).unwrap_or_default();
        panic!("{error}\n{log}\n{err}")
    });
    // The voice went through listening and speech-to-text and the turn was answered, in
    // speech too. (What was understood is the voice tests' business, not this one's.)
    let text = reply.text();
    assert!(reply.errors.is_empty(), "{text}: {:?}", reply.errors);
    assert!(!text.is_empty());
    assert!(!reply.audio.is_empty());

    // A graceful stop (SIGTERM): whatever it would write at exit is written.
    let stopped = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    let status = child.0.wait().unwrap();
    assert!(status.success(), "{status:?}");

    let written = files(root.path());
    assert!(
        written
            .iter()
            .any(|file| file.starts_with(data.join("context"))),
        "the conversation store was not written: {written:?}"
    );
    let found = traces(root.path(), &needles);
    assert!(found.is_empty(), "voice found on disk: {found:?}");
}
