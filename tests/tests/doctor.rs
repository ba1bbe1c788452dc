//! `hive-bridge doctor`, run as a user runs it: one test per failure it diagnoses, each
//! against the real thing (a Mosquitto with users, a port nobody listens on, a PATH without
//! espeak-ng), and a set-up that passes every check.

use std::path::Path;
use std::process::{Command, Output};

use hive_tests::Broker;
use hive_tests::cli::{bridge_binary, free_port};

struct Report {
    code: Option<i32>,
    stdout: String,
}

impl Report {
    /// The line of check `name`.
    fn line(&self, name: &str) -> &str {
        self.stdout
            .lines()
            .find(|line| {
                line.get(5..).is_some_and(|rest| {
                    rest.starts_with(name) && rest[name.len()..].starts_with(' ')
                })
            })
            .unwrap_or_else(|| panic!("no `{name}` line in:\n{}", self.stdout))
    }

    fn assert_fails(&self, name: &str, says: &[&str]) {
        assert_eq!(self.code, Some(1), "{}", self.stdout);
        let line = self.line(name);
        assert!(line.starts_with("FAIL"), "{line}");
        assert!(line.contains("fix:"), "no advice in {line}");
        for words in says {
            assert!(line.contains(words), "{line:?} does not say {words:?}");
        }
    }
}

/// Runs the doctor with `config` (a file written in `dir`) and extra environment.
fn doctor(dir: &Path, config: &str, env: &[(&str, &str)]) -> Report {
    let path = dir.join("bridge.toml");
    std::fs::write(&path, config).unwrap();
    let mut command = Command::new(bridge_binary().unwrap());
    command
        .arg("doctor")
        .arg("--config")
        .arg(&path)
        .env_remove("HIVE_CONFIG")
        .env_remove("HIVE_HOMEASSISTANT_URL")
        .env_remove("HIVE_HOMEASSISTANT_TOKEN")
        .env("NO_COLOR", "1");
    for (name, value) in env {
        command.env(name, value);
    }
    let Output { status, stdout, .. } = command.output().unwrap();
    Report {
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
    }
}

/// A configuration on `broker_url` that keeps the conversation in `dir`.
fn config(dir: &Path, broker_url: &str, extra: &str) -> String {
    format!(
        "[mqtt]\nurl = \"{broker_url}\"\n{extra}\n[context]\npath = \"{}\"\n",
        dir.join("context").display()
    )
}

#[test]
fn a_healthy_set_up_passes_every_check() {
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let report = doctor(dir.path(), &config(dir.path(), &broker.url(), ""), &[]);
    assert_eq!(report.code, Some(0), "{}", report.stdout);
    for name in [
        "config",
        "broker",
        "onnx runtime",
        "espeak-ng",
        "stt model",
        "vad model",
        "tts voices",
        "disk",
    ] {
        assert!(report.line(name).starts_with("ok"), "{}", report.stdout);
    }
    assert!(report.line("home assistant").starts_with("skip"));
}

#[test]
fn a_bad_configuration_file_is_named_with_its_mistake() {
    let dir = tempfile::tempdir().unwrap();
    let report = doctor(dir.path(), "[mqtt]\nurll = \"mqtt://x\"\n", &[]);
    report.assert_fails("config", &["unknown field `urll`", "bridge.toml"]);
}

#[test]
fn an_unreachable_broker_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let nobody = format!("mqtt://127.0.0.1:{}", free_port().unwrap());
    let report = doctor(dir.path(), &config(dir.path(), &nobody, ""), &[]);
    report.assert_fails("broker", &["cannot reach", &nobody, "start the broker"]);
}

#[test]
fn wrong_broker_credentials_are_reported() {
    let broker = Broker::builder()
        .user("hive-bridge", "right-password")
        .start()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let wrong = "username = \"hive-bridge\"\npassword = \"wrong-password\"";
    let report = doctor(dir.path(), &config(dir.path(), &broker.url(), wrong), &[]);
    report.assert_fails("broker", &["refused the credentials", "mqtt.username"]);

    let right = "username = \"hive-bridge\"\npassword = \"right-password\"";
    let report = doctor(dir.path(), &config(dir.path(), &broker.url(), right), &[]);
    assert!(report.line("broker").starts_with("ok"), "{}", report.stdout);
}

#[test]
fn a_missing_model_is_reported_with_the_install_command() {
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("ggml-nothing.bin");
    let stt = format!(
        "[stt]\ntype = \"whisper\"\nmodel = \"{}\"\n",
        missing.display()
    );
    let text = format!("{}{stt}", config(dir.path(), &broker.url(), ""));
    let report = doctor(dir.path(), &text, &[]);
    report.assert_fails(
        "stt model",
        &[
            "missing",
            &missing.display().to_string(),
            "hive-bridge models install",
        ],
    );
}

#[test]
fn a_missing_espeak_ng_is_reported() {
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // A PATH with nothing on it: espeak-ng cannot be found.
    let empty = dir.path().join("bin");
    std::fs::create_dir(&empty).unwrap();
    let report = doctor(
        dir.path(),
        &config(dir.path(), &broker.url(), ""),
        &[("PATH", empty.to_str().unwrap())],
    );
    report.assert_fails("espeak-ng", &["not installed", "apt-get install espeak-ng"]);
}

#[test]
fn an_unreachable_home_assistant_is_reported() {
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let nobody = format!("http://127.0.0.1:{}", free_port().unwrap());
    let report = doctor(
        dir.path(),
        &config(dir.path(), &broker.url(), ""),
        &[
            ("HIVE_HOMEASSISTANT_URL", nobody.as_str()),
            ("HIVE_HOMEASSISTANT_TOKEN", "token"),
        ],
    );
    report.assert_fails("home assistant", &["cannot reach", &nobody]);
}
