//! `hive-bridge doctor`, run as a user runs it: one test per failure it diagnoses, each
//! against the real thing (a Mosquitto with users, a port nobody listens on, a PATH without
//! espeak-ng), and a set-up that passes every check.

use std::path::Path;
use std::process::{Command, Output};

use hive_tests::Broker;
use hive_tests::cli::{bridge_binary, free_port};
use hive_tests::disk::SmallDisk;
use hive_tests::stand_in::StandIn;

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
        .env_remove("SUPERVISOR_TOKEN")
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

/// A models directory holding only what `files` names, each with the given contents.
fn models_dir(dir: &Path, files: &[(&str, &[u8])]) -> std::path::PathBuf {
    let models = dir.join("models");
    for (name, contents) in files {
        let path = models.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
    std::fs::create_dir_all(&models).unwrap();
    models
}

#[test]
fn a_missing_onnx_runtime_is_reported_with_the_install_command() {
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let models = models_dir(dir.path(), &[]);
    let text = format!(
        "[models]\ndir = \"{}\"\n{}",
        models.display(),
        config(dir.path(), &broker.url(), "")
    );
    let report = doctor(dir.path(), &text, &[]);
    report.assert_fails(
        "onnx runtime",
        &[
            "ONNX Runtime is missing",
            "libonnxruntime",
            "hive-bridge models install onnxruntime",
        ],
    );
}

#[test]
fn an_onnx_runtime_that_does_not_load_is_reported() {
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let models = models_dir(
        dir.path(),
        &[(
            "runtime/libonnxruntime.so.1.31.1",
            b"not a shared library, a truncated download",
        )],
    );
    let text = format!(
        "[models]\ndir = \"{}\"\n{}",
        models.display(),
        config(dir.path(), &broker.url(), "")
    );
    let report = doctor(dir.path(), &text, &[]);
    report.assert_fails("onnx runtime", &["ONNX Runtime does not load", "reinstall"]);
}

#[test]
fn a_damaged_speech_to_text_model_is_reported() {
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let damaged = dir.path().join("ggml-base.bin");
    std::fs::write(&damaged, b"lmgg half a download").unwrap();
    let stt = format!(
        "[stt]\ntype = \"whisper\"\nmodel = \"{}\"\n",
        damaged.display()
    );
    let text = format!("{}{stt}", config(dir.path(), &broker.url(), ""));
    let report = doctor(dir.path(), &text, &[]);
    report.assert_fails(
        "stt model",
        &["does not load", &damaged.display().to_string(), "damaged"],
    );
}

#[test]
fn a_missing_voice_activity_model_is_reported() {
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("silero_nothing.onnx");
    let vad = format!(
        "[vad.engine]\ntype = \"silero\"\nmodel = \"{}\"\n",
        missing.display()
    );
    let text = format!("{}{vad}", config(dir.path(), &broker.url(), ""));
    let report = doctor(dir.path(), &text, &[]);
    report.assert_fails(
        "vad model",
        &["silero_nothing.onnx", "hive-bridge models install"],
    );
}

#[test]
fn a_missing_text_to_speech_voice_is_reported() {
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("en_US-nobody-medium.onnx");
    let tts = format!(
        "[[tts]]\ntype = \"piper\"\nmodel = \"{}\"\n",
        missing.display()
    );
    let text = format!("{}{tts}", config(dir.path(), &broker.url(), ""));
    let report = doctor(dir.path(), &text, &[]);
    report.assert_fails(
        "tts voices",
        &["en_US-nobody-medium.onnx", "hive-bridge models install"],
    );
}

#[test]
fn a_broker_that_accepts_but_never_answers_is_reported_as_a_timeout() {
    // A port that completes the TCP handshake (the kernel's backlog does it) but never sends
    // a CONNACK: a firewall's tarpit, or the wrong service behind the port.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("mqtt://{}", silent.local_addr().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let report = doctor(dir.path(), &config(dir.path(), &url, ""), &[]);
    report.assert_fails(
        "broker",
        &[
            &url,
            "accepts connections but did not answer as an MQTT broker",
            "firewall",
        ],
    );
    drop(silent);
}

/// A Home Assistant stand-in that accepts only `Bearer right-token` on its API root.
fn home_assistant() -> StandIn {
    StandIn::start(|seen| match seen.authorization.as_deref() {
        Some("Bearer right-token") if seen.path() == "/api/" => (
            200,
            "application/json",
            r#"{"message":"API running."}"#.into(),
        ),
        Some("Bearer right-token") => (404, "text/plain", "404: Not Found".into()),
        _ => (401, "text/plain", "401: Unauthorized".into()),
    })
}

#[test]
fn home_assistant_from_the_configuration_file_refusing_the_token_is_reported() {
    let broker = Broker::start().unwrap();
    let ha = home_assistant();
    let dir = tempfile::tempdir().unwrap();
    let section = |token: &str| {
        format!(
            "{}[skills.homeassistant]\nurl = \"{}\"\ntoken = \"{token}\"\n",
            config(dir.path(), &broker.url(), ""),
            ha.url
        )
    };
    let report = doctor(dir.path(), &section("wrong-token"), &[]);
    report.assert_fails(
        "home assistant",
        &["refused the token", "401", "long-lived access token"],
    );

    // The same section with the right token: the doctor read the file, not the environment.
    let report = doctor(dir.path(), &section("right-token"), &[]);
    let line = report.line("home assistant");
    assert!(line.starts_with("ok"), "{}", report.stdout);
    assert!(line.contains(&ha.url), "{line}");
    assert!(
        ha.seen()
            .iter()
            .any(|seen| seen.authorization.as_deref() == Some("Bearer wrong-token")),
        "the doctor did not use the file's token: {:?}",
        ha.seen()
    );
}

#[test]
fn home_assistant_answering_an_error_status_is_reported() {
    let broker = Broker::start().unwrap();
    let ha = home_assistant();
    let dir = tempfile::tempdir().unwrap();
    // Right token, wrong base URL: the API is not under it.
    let url = format!("{}/lovelace", ha.url);
    let report = doctor(
        dir.path(),
        &config(dir.path(), &broker.url(), ""),
        &[
            ("HIVE_HOMEASSISTANT_URL", url.as_str()),
            ("HIVE_HOMEASSISTANT_TOKEN", "right-token"),
        ],
    );
    report.assert_fails("home assistant", &["answered 404", "base URL"]);
}

#[test]
fn the_add_on_supervisor_token_is_used_for_home_assistant() {
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // In the add-on only SUPERVISOR_TOKEN is set; the API is then http://supervisor/core,
    // which this machine cannot resolve: the doctor names that URL, not "not configured".
    let report = doctor(
        dir.path(),
        &config(dir.path(), &broker.url(), ""),
        &[("SUPERVISOR_TOKEN", "from-the-supervisor")],
    );
    report.assert_fails("home assistant", &["http://supervisor/core/api/"]);
}

#[test]
fn an_espeak_ng_that_fails_is_reported() {
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // An espeak-ng whose data is gone answers --version with an error, like this one.
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let program = bin.join("espeak-ng");
    std::fs::write(
        &program,
        "#!/bin/sh\necho 'Error processing file: No such file or directory.' >&2\nexit 1\n",
    )
    .unwrap();
    let mut permissions = std::fs::metadata(&program).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&program, permissions).unwrap();
    let report = doctor(
        dir.path(),
        &config(dir.path(), &broker.url(), ""),
        &[("PATH", bin.to_str().unwrap())],
    );
    report.assert_fails(
        "espeak-ng",
        &[
            "--version failed",
            "Error processing file",
            "apt-get install --reinstall espeak-ng",
        ],
    );
}

#[test]
fn a_conversation_store_that_cannot_be_created_is_reported() {
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // The tests run as root, whom permissions do not stop; a file where the folder should
    // be stops everyone.
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, b"").unwrap();
    let text = format!(
        "[mqtt]\nurl = \"{}\"\n[context]\npath = \"{}\"\n",
        broker.url(),
        file.join("context").display()
    );
    let report = doctor(dir.path(), &text, &[]);
    report.assert_fails(
        "disk",
        &[
            &file.display().to_string(),
            "is a file, not a folder",
            "[context] path",
        ],
    );
}

#[test]
fn a_conversation_store_on_a_nearly_full_disk_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    // 50 MiB: under the 100 MiB the doctor asks for, and nothing written to it.
    let Some(disk) = SmallDisk::mount(&dir.path().join("disk"), "size=50m") else {
        eprintln!("skipped: mounting a tmpfs needs root");
        return;
    };
    let broker = Broker::start().unwrap();
    let report = doctor(dir.path(), &config(disk.dir(), &broker.url(), ""), &[]);
    report.assert_fails(
        "disk",
        &[
            "only 52 MB free",
            &disk.dir().display().to_string(),
            "free some space",
            "[context] path",
        ],
    );
    // The same folder with room passes: the verdict is the free space, not the place.
    drop(disk);
    let Some(roomy) = SmallDisk::mount(&dir.path().join("disk"), "size=200m") else {
        panic!("the second mount failed where the first worked");
    };
    let report = doctor(dir.path(), &config(roomy.dir(), &broker.url(), ""), &[]);
    let line = report.line("disk");
    assert!(line.starts_with("ok"), "{line}");
    assert!(line.contains("209 MB free"), "{line}");
}

#[test]
fn a_conversation_store_on_a_read_only_disk_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let Some(disk) = SmallDisk::mount(&dir.path().join("disk"), "size=200m,ro") else {
        eprintln!("skipped: mounting a tmpfs needs root");
        return;
    };
    let broker = Broker::start().unwrap();
    let report = doctor(dir.path(), &config(disk.dir(), &broker.url(), ""), &[]);
    report.assert_fails(
        "disk",
        &[
            &format!("cannot write in {}", disk.dir().display()),
            "Read-only file system",
            "writable folder",
        ],
    );
}

#[test]
fn a_missing_or_damaged_local_llm_model_is_reported() {
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let llm = |model: &Path| {
        format!(
            "{}[[llm]]\ntype = \"local\"\nmodel = \"{}\"\n",
            config(dir.path(), &broker.url(), ""),
            model.display()
        )
    };
    let missing = dir.path().join("nothing.gguf");
    let report = doctor(dir.path(), &llm(&missing), &[]);
    report.assert_fails("llm", &["missing", &missing.display().to_string(), "GGUF"]);

    let html = dir.path().join("error-page.gguf");
    std::fs::write(&html, b"<html>404 Not Found</html>").unwrap();
    let report = doctor(dir.path(), &llm(&html), &[]);
    report.assert_fails(
        "llm",
        &[
            &html.display().to_string(),
            "is not a GGUF model",
            "download",
        ],
    );
}

#[test]
fn a_local_llm_without_its_server_program_is_reported() {
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.gguf");
    let mut gguf = b"GGUF".to_vec();
    gguf.resize(64, 0);
    std::fs::write(&model, gguf).unwrap();
    let llm = |binary: &str| {
        format!(
            "{}[[llm]]\ntype = \"local\"\nmodel = \"{}\"\n{binary}",
            config(dir.path(), &broker.url(), ""),
            model.display()
        )
    };
    let gone = dir.path().join("bin/hive-llm");
    let report = doctor(
        dir.path(),
        &llm(&format!("binary = \"{}\"\n", gone.display())),
        &[],
    );
    report.assert_fails(
        "llm",
        &[
            &format!("[[llm]] binary {} is not a file", gone.display()),
            "correct [[llm]] binary",
        ],
    );

    // Not configured: looked for beside hive-bridge, then on PATH. A hive-bridge linked
    // into a folder of its own, with a PATH of system folders, finds neither.
    let alone = dir.path().join("alone");
    std::fs::create_dir(&alone).unwrap();
    let bridge = alone.join("hive-bridge");
    if std::fs::hard_link(bridge_binary().unwrap(), &bridge).is_err() {
        std::fs::copy(bridge_binary().unwrap(), &bridge).unwrap();
    }
    let path = dir.path().join("bridge.toml");
    std::fs::write(&path, llm("")).unwrap();
    let output = Command::new(&bridge)
        .arg("doctor")
        .arg("--config")
        .arg(&path)
        .env_remove("HIVE_CONFIG")
        .env("PATH", "/usr/bin:/bin")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let report = Report {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
    };
    report.assert_fails(
        "llm",
        &[
            "hive-llm program is not beside hive-bridge nor on PATH",
            "cargo build --release -p hive-llm",
        ],
    );
}

#[test]
fn an_embedded_broker_whose_port_is_taken_is_reported() {
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let embedded = |listen: &str| {
        format!(
            "[mqtt.embedded]\nlisten = \"{listen}\"\n[context]\npath = \"{}\"\n",
            dir.path().join("context").display()
        )
    };
    // No mqtt.url: the embedded broker, asked to listen where Mosquitto already does.
    let taken = format!("127.0.0.1:{}", broker.port());
    let report = doctor(dir.path(), &embedded(&taken), &[]);
    report.assert_fails(
        "broker",
        &[
            &format!("the embedded broker cannot listen on {taken}"),
            &format!("set mqtt.url = \"mqtt://{taken}\""),
        ],
    );
    let free = format!("127.0.0.1:{}", free_port().unwrap());
    let report = doctor(dir.path(), &embedded(&free), &[]);
    let line = report.line("broker");
    assert!(line.starts_with("ok"), "{line}");
    assert!(
        line.contains(&format!("it will listen on {free}")),
        "{line}"
    );

    // On every interface: only with users.
    let open = format!("0.0.0.0:{}", free_port().unwrap());
    let report = doctor(dir.path(), &embedded(&open), &[]);
    report.assert_fails(
        "broker",
        &[
            &format!("would listen on {open} without users"),
            "set [mqtt.embedded] users",
        ],
    );
    let guarded = embedded(&open).replacen(
        "\n[context]",
        "\nusers = { kitchen = \"s3cret\" }\n[context]",
        1,
    );
    let report = doctor(dir.path(), &guarded, &[]);
    let line = report.line("broker");
    assert!(line.starts_with("ok"), "{line}");
    assert!(line.contains("1 user may connect"), "{line}");
}

#[test]
fn home_assistant_configured_without_a_token_is_reported() {
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let text = config(
        dir.path(),
        &broker.url(),
        "[skills.homeassistant]\nurl = \"http://127.0.0.1:8123\"\n",
    );
    let report = doctor(dir.path(), &text, &[]);
    report.assert_fails(
        "home assistant",
        &[
            "http://127.0.0.1:8123 is configured without a token",
            "long-lived access token",
            "HIVE_HOMEASSISTANT_TOKEN",
        ],
    );
}

#[test]
fn an_unreachable_or_refusing_remote_llm_is_reported() {
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let llm = |url: &str| {
        format!(
            "{}[[llm]]\ntype = \"openai\"\nurl = \"{url}\"\nmodel = \"qwen2.5:0.5b\"\napi_key = \"wrong\"\n",
            config(dir.path(), &broker.url(), "")
        )
    };
    let nobody = format!("http://127.0.0.1:{}/v1", free_port().unwrap());
    let report = doctor(dir.path(), &llm(&nobody), &[]);
    report.assert_fails("llm", &["cannot reach", &nobody, "start the LLM server"]);

    let server = StandIn::start(|seen| match seen.authorization.as_deref() {
        Some("Bearer right") => (200, "application/json", r#"{"data":[]}"#.into()),
        _ => (401, "application/json", r#"{"error":"bad key"}"#.into()),
    });
    let url = format!("{}/v1", server.url);
    let report = doctor(dir.path(), &llm(&url), &[]);
    report.assert_fails("llm", &["refused the API key", "api_key"]);
}
