//! The `hive-satellite` program as a person or systemd runs it: `--help`, `--version`,
//! configuration errors and their exit codes, running without a subcommand, plain logs when
//! standard error is not a terminal, and the last will when the process is killed.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use hive_tests::{Broker, QoS, TestClient};

const PROGRAM: &str = env!("CARGO_BIN_EXE_hive-satellite");

/// The program with none of the environment a developer's shell may set.
fn program() -> Command {
    let mut command = Command::new(PROGRAM);
    command
        .env_remove("HIVE_CONFIG")
        .env_remove("HIVE_SATELLITE_CONFIG")
        .env_remove("RUST_LOG");
    command
}

fn output(command: &mut Command) -> Output {
    command.stdin(Stdio::null()).output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn help_shows_an_example_of_every_subcommand_and_the_exit_codes() {
    let help = output(program().arg("--help"));
    assert!(help.status.success());
    let text = String::from_utf8(help.stdout).unwrap();
    for example in [
        "hive-satellite --config /etc/hive/satellite.toml",
        "hive-satellite run --config",
        "HIVE_CONFIG=config/satellite.toml hive-satellite",
        "hive-satellite check --config",
        "hive-satellite wakeword train --name",
        "hive-satellite wakeword test",
        "Exit codes:",
        "2  the command line is wrong",
        "3  wakeword test heard no wake word",
        "HIVE_CONFIG",
    ] {
        assert!(text.contains(example), "`{example}` missing from:\n{text}");
    }
}

#[test]
fn version_prints_the_version() {
    let version = output(program().arg("--version"));
    assert!(version.status.success());
    assert_eq!(
        String::from_utf8(version.stdout).unwrap().trim(),
        format!("hive-satellite {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn a_missing_config_file_fails_with_a_message_naming_it() {
    let missing = output(program().args(["--config", "missing.toml"]));
    assert_eq!(missing.status.code(), Some(1), "{}", stderr(&missing));
    let message = stderr(&missing);
    assert!(
        message.contains("cannot read the configuration file missing.toml"),
        "{message}"
    );
    assert_eq!(
        message.matches("No such file").count(),
        1,
        "the reason once: {message}"
    );
}

#[test]
fn hive_config_names_the_file_when_config_is_not_given() {
    let bad = output(program().env("HIVE_CONFIG", "/nonexistent/bad path.toml"));
    assert_eq!(bad.status.code(), Some(1), "{}", stderr(&bad));
    assert!(
        stderr(&bad).contains("/nonexistent/bad path.toml"),
        "{}",
        stderr(&bad)
    );

    let check = output(
        program()
            .arg("check")
            .env("HIVE_CONFIG", "/nonexistent/checked.toml"),
    );
    assert_eq!(check.status.code(), Some(1));
    assert!(stderr(&check).contains("/nonexistent/checked.toml"));

    // Its first name still works when HIVE_CONFIG is unset.
    let old = output(program().env("HIVE_SATELLITE_CONFIG", "/nonexistent/old.toml"));
    assert_eq!(old.status.code(), Some(1));
    assert!(stderr(&old).contains("/nonexistent/old.toml"));
}

#[test]
fn an_invalid_config_file_fails_with_the_file_and_option() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("satellite.toml");
    std::fs::write(&path, "[wake]\nthreshold = 7\n").unwrap();
    let invalid = output(program().arg("check").arg("--config").arg(&path));
    assert_eq!(invalid.status.code(), Some(1));
    let message = stderr(&invalid);
    assert!(
        message.contains(&path.display().to_string()) && message.contains("wake.threshold"),
        "{message}"
    );
}

#[test]
fn a_wrong_command_line_exits_2() {
    let wrong = output(program().arg("--no-such-flag"));
    assert_eq!(wrong.status.code(), Some(2));
}

/// A headless satellite `kitchen` on `broker`: stdin in (held open by the test), no sound
/// out, no degraded mode.
fn write_config(broker: &Broker, dir: &Path) -> PathBuf {
    let path = dir.join("satellite.toml");
    std::fs::write(
        &path,
        format!(
            r#"
[satellite]
id = "kitchen"
[mqtt]
url = "{url}"
[audio.input]
type = "stdin"
[audio.output]
type = "none"
[storage]
path = "{state}"
[eyes]
outputs = ["log"]
[degraded]
enabled = false
"#,
            url = broker.url(),
            state = dir.join("state.json").display(),
        ),
    )
    .unwrap();
    path
}

/// Starts the program with stdin, stdout and stderr piped.
fn spawn(command: &mut Command) -> Child {
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for `child` to exit, bounded.
async fn wait_exit(mut child: Child) -> (std::process::ExitStatus, String) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut logs = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut logs)
                .unwrap();
            return (status, logs);
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the satellite did not exit within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn watch_status(broker: &Broker, name: &str) -> TestClient {
    let mut watcher = TestClient::connect(broker, name, None).await.unwrap();
    watcher
        .subscribe("hive/satellite/kitchen/status", QoS::AtLeastOnce)
        .await
        .unwrap();
    watcher
}

async fn expect_status(watcher: &mut TestClient, wanted: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let message = watcher
            .expect("hive/satellite/kitchen/status", left)
            .await
            .unwrap_or_else(|error| panic!("no `{wanted}` availability: {error}"));
        if message.text() == Some(wanted) {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_subcommand_it_runs_logs_without_colour_and_stops_on_sigterm_with_0() {
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(&broker, dir.path());
    let mut watcher = watch_status(&broker, "watcher").await;
    let child = spawn(program().arg("--config").arg(&config));

    expect_status(&mut watcher, "online").await;
    // What systemd's stop sends.
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let (status, logs) = wait_exit(child).await;
    assert_eq!(status.code(), Some(0), "{logs}");
    expect_status(&mut watcher, "offline").await;
    assert!(logs.contains("INFO"), "it logged: {logs}");
    assert!(
        !logs.contains('\u{1b}'),
        "colour codes in logs written to a pipe: {logs:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_satellite_is_marked_offline_by_its_last_will() {
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(&broker, dir.path());
    let mut watcher = watch_status(&broker, "watcher").await;
    let mut child = spawn(program().arg("run").env("HIVE_CONFIG", &config));
    expect_status(&mut watcher, "online").await;

    // SIGKILL: no DISCONNECT, no goodbye; only the broker can say it went away.
    child.kill().unwrap();
    let (status, _) = wait_exit(child).await;
    assert_eq!(status.code(), None, "killed by a signal");
    expect_status(&mut watcher, "offline").await;

    // Retained: someone who looks later sees it too.
    let mut late = watch_status(&broker, "late").await;
    expect_status(&mut late, "offline").await;
}
