//! `hive-bridge --log-format json`: the program as a user runs it prints one JSON object a
//! line, and every line of a turn carries the satellite and session ids.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hive_tests::cli::bridge_binary;
use hive_tests::speech::{silence, synthesize};
use hive_tests::{Broker, QoS, ScriptedSatellite};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(120);

/// The ids of the turn a line belongs to: its own fields, else the innermost span that
/// has them.
fn ids(line: &Value) -> (Option<String>, Option<u64>) {
    let mut satellite = line["fields"]["satellite"].as_str().map(str::to_owned);
    let mut session = line["fields"]["session"].as_u64();
    let spans = line["spans"].as_array().cloned().unwrap_or_default();
    for span in spans.iter().rev().chain([&line["span"]]) {
        satellite = satellite.or_else(|| span["satellite"].as_str().map(str::to_owned));
        session = session.or_else(|| span["session"].as_u64());
    }
    (satellite, session)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_are_one_object_a_line_and_turn_lines_carry_satellite_and_session() {
    let program = bridge_binary().unwrap();
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bridge.toml");
    std::fs::write(
        &config,
        format!(
            "[mqtt]\nurl = \"{}\"\nclient_id = \"bridge-log-test\"\n\
             [stt]\ntype = \"whisper\"\nmodel = \"whisper/ggml-tiny.en.bin\"\nlanguage = \"en\"\n\
             [context]\npath = \"{}\"\n[http]\nenabled = false\n",
            broker.url(),
            dir.path().join("context").display()
        ),
    )
    .unwrap();
    let mut child = Command::new(program)
        .args(["--log-format", "json", "run", "--config"])
        .arg(&config)
        .env_remove("RUST_LOG")
        .env_remove("HIVE_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = Arc::new(Mutex::new(Vec::<(&'static str, String)>::new()));
    let readers: Vec<_> = [
        (
            "stdout",
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        ),
        ("stderr", Box::new(child.stderr.take().unwrap())),
    ]
    .into_iter()
    .map(|(stream, pipe)| {
        let lines = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                lines.lock().unwrap().push((stream, line));
            }
        })
    })
    .collect();

    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();
    let question = [
        silence(0.5),
        synthesize("what time is it", "en-us").unwrap(),
        silence(1.5),
    ]
    .concat();
    kitchen.speak(31, &question).await.unwrap();
    let reply = kitchen.reply(31, WAIT).await.unwrap();
    assert!(reply.errors.is_empty(), "{reply:?}");
    // The kitchen leaves after its answer and comes back with a typed question; its own
    // messages arrive in order, so the bridge has seen it leave by the time it answers.
    for status in ["offline", "online"] {
        kitchen
            .client
            .publish(
                "hive/satellite/kitchen/status",
                status,
                QoS::AtLeastOnce,
                true,
            )
            .await
            .unwrap();
    }
    kitchen.type_text(32, "What time is it?").await.unwrap();
    let typed = kitchen.reply(32, WAIT).await.unwrap();
    assert!(typed.errors.is_empty(), "{typed:?}");

    // A graceful stop (SIGTERM), so that every line is written.
    let stopped = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    for reader in readers {
        reader.join().unwrap();
    }

    let lines = lines.lock().unwrap().clone();
    assert!(lines.len() > 5, "{lines:?}");
    let parsed: Vec<Value> = lines
        .iter()
        .map(|(stream, line)| {
            let value: Value = serde_json::from_str(line)
                .unwrap_or_else(|error| panic!("{stream} line is not JSON ({error}): {line}"));
            assert!(value.is_object(), "{line}");
            for key in ["timestamp", "level", "target", "fields"] {
                assert!(value.get(key).is_some(), "no {key} in {line}");
            }
            value
        })
        .collect();

    // Leaving after an answer is not leaving mid-turn.
    for line in &parsed {
        assert_ne!(line["level"], "WARN", "{line}");
    }

    // The turn's lines: from the wake to the end of the reply, everything the pipeline and
    // its engines logged.
    let wake = parsed
        .iter()
        .position(|line| line["fields"]["message"] == "Wake word heard.")
        .unwrap_or_else(|| panic!("no wake line in {lines:#?}"));
    let turn_lines: Vec<&Value> = parsed[wake..]
        .iter()
        .filter(|line| {
            let target = line["target"].as_str().unwrap_or("");
            ["pipeline", "stt", "tts", "vad", "skills", "llm"]
                .iter()
                .any(|part| target.starts_with(&format!("hive_bridge::{part}")))
        })
        .collect();
    let messages: Vec<&str> = turn_lines
        .iter()
        .filter_map(|line| line["fields"]["message"].as_str())
        .collect();
    for expected in ["Wake word heard.", "Utterance received.", "Transcribed."] {
        assert!(
            messages.contains(&expected),
            "{expected} not in {messages:?}"
        );
    }
    for line in &turn_lines {
        let (satellite, session) = ids(line);
        assert!(
            satellite.as_deref() == Some("kitchen") && matches!(session, Some(31 | 32)),
            "a turn line without the turn's ids: {line}"
        );
    }
}

/// `hive-bridge run` with its standard error piped (to a file, a journal, a collector)
/// writes plain text: no colour codes, though the text format colours a terminal.
#[test]
fn text_logs_to_a_pipe_carry_no_colour_codes() {
    let program = bridge_binary().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bridge.toml");
    // A broker that is not there: the bridge loads its engines and logs while it retries.
    let nobody = hive_tests::cli::free_port().unwrap();
    std::fs::write(
        &config,
        format!(
            "[mqtt]\nurl = \"mqtt://127.0.0.1:{nobody}\"\n[http]\nenabled = false\n\
             [context]\npath = \"{}\"\n",
            dir.path().join("context").display()
        ),
    )
    .unwrap();
    let mut child = Command::new(program)
        .args(["run", "--config"])
        .arg(&config)
        .env("RUST_LOG", "info")
        .env_remove("NO_COLOR")
        .env_remove("HIVE_CONFIG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    // Lines until the first warning about the broker (every level and target seen by then),
    // or the end of the output.
    let lines: Vec<String> = BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
        .scan(false, |done, line| {
            if *done {
                return None;
            }
            *done = line.contains("WARN");
            Some(line)
        })
        .collect();
    let _ = child.kill();
    let _ = child.wait();
    let info = lines.iter().filter(|line| line.contains(" INFO ")).count();
    assert!(info > 0, "no INFO line in {lines:#?}");
    assert!(
        lines.iter().any(|line| line.contains(" WARN ")),
        "no WARN line in {lines:#?}"
    );
    for line in &lines {
        assert!(!line.contains('\u{1b}'), "a colour code in {line:?}");
    }
}
