//! `hive-bridge models`: fetch against a real local HTTP server, list, and install again over
//! the models the test command provisioned.

use std::path::Path;
use std::process::Command;

use hive_bridge::models::{self, ModelError, Progress};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Serves `body` at `/model.bin` and 404 elsewhere, for as many requests as come, on a free
/// loopback port. Returns the base URL.
async fn serve(body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let body = body.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 1024];
                while !request.windows(4).any(|window| window == b"\r\n\r\n") {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(read) => request.extend_from_slice(&buffer[..read]),
                    }
                }
                let request = String::from_utf8_lossy(&request);
                let head = if request.starts_with("GET /model.bin ") {
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                } else {
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .to_string()
                };
                let _ = socket.write_all(head.as_bytes()).await;
                if head.starts_with("HTTP/1.1 200") {
                    let _ = socket.write_all(&body).await;
                }
                let _ = socket.shutdown().await;
            });
        }
    });
    format!("http://{address}")
}

fn weights() -> (Vec<u8>, String) {
    // Large enough to arrive in many chunks.
    let body: Vec<u8> = (0..3_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let sha = hex::encode(Sha256::digest(&body));
    (body, sha)
}

#[tokio::test]
async fn a_fetched_file_matches_its_hash_and_lands_under_its_name() {
    let (body, sha) = weights();
    let base = serve(body.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("sub/model.bin");
    let fetched = models::fetch(
        &format!("{base}/model.bin"),
        &dest,
        Some(&sha),
        Progress::Hidden,
    )
    .await
    .unwrap();
    assert_eq!(fetched.bytes, body.len() as u64);
    assert_eq!(fetched.sha256, sha);
    assert_eq!(std::fs::read(&dest).unwrap(), body);
}

#[tokio::test]
async fn a_wrong_hash_is_refused_and_nothing_is_left_behind() {
    let (body, _) = weights();
    let base = serve(body).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("model.bin");
    let wrong = "0".repeat(64);
    let error = models::fetch(
        &format!("{base}/model.bin"),
        &dest,
        Some(&wrong),
        Progress::Hidden,
    )
    .await
    .unwrap_err();
    assert!(matches!(error, ModelError::Mismatch { .. }), "{error}");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no file or partial left"
    );
}

#[tokio::test]
async fn a_missing_file_reports_the_status() {
    let base = serve(Vec::new()).await;
    let dir = tempfile::tempdir().unwrap();
    let error = models::fetch(
        &format!("{base}/nope.bin"),
        &dir.path().join("x"),
        None,
        Progress::Hidden,
    )
    .await
    .unwrap_err();
    assert!(error.to_string().contains("404"), "{error}");
}

fn hive_bridge(models_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hive-bridge"));
    command.env("HIVE_MODELS_DIR", models_dir);
    command
}

#[tokio::test(flavor = "multi_thread")]
async fn the_fetch_command_downloads_and_checks() {
    let (body, sha) = weights();
    let base = serve(body.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("ggml-custom.bin");
    let output = hive_bridge(dir.path())
        .args(["models", "fetch", &format!("{base}/model.bin"), "--to"])
        .arg(&dest)
        .args(["--sha256", &sha])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains(&sha));
    assert_eq!(std::fs::read(&dest).unwrap(), body);

    let output = hive_bridge(dir.path())
        .args(["models", "fetch", &format!("{base}/model.bin"), "--to"])
        .arg(dir.path().join("other.bin"))
        .args(["--sha256", &"f".repeat(64)])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("does not match"));
}

#[test]
fn the_list_command_shows_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let output = hive_bridge(dir.path())
        .args(["models", "list"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(3), "{stdout}");
    assert!(
        stdout.contains("whisper-base") && stdout.contains("missing"),
        "{stdout}"
    );
    assert!(stdout.contains("hive-bridge models install"), "{stdout}");
}

#[test]
fn the_list_command_follows_the_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("my-models");
    let own = dir.path().join("ggml-small.bin");
    let config = dir.path().join("bridge.toml");
    std::fs::write(
        &config,
        format!(
            "[models]\ndir = {models:?}\n[stt]\ntype = \"whisper\"\nmodel = {own:?}\n\
             [vad.engine]\ntype = \"energy\"\n[[tts]]\ntype = \"espeak\"\n"
        ),
    )
    .unwrap();
    let list = || {
        // HIVE_MODELS_DIR points elsewhere: the configuration's `[models] dir` wins.
        let output = hive_bridge(&dir.path().join("from-env"))
            .args(["--config", config.to_str().unwrap(), "models", "list"])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        (output.status.code(), stdout)
    };

    let (code, stdout) = list();
    assert_eq!(code, Some(3), "{stdout}");
    assert!(
        stdout.contains(&format!("models directory: {}", models.display())),
        "{stdout}"
    );
    let line = stdout
        .lines()
        .find(|line| line.contains("ggml-small.bin"))
        .unwrap_or_else(|| panic!("the configured model is not listed: {stdout}"));
    assert!(line.contains("stt") && line.contains("missing"), "{line}");
    // Energy VAD and espeak-ng read no model file, so the STT model is all it loads.
    let loads: Vec<&str> = stdout
        .lines()
        .skip_while(|line| !line.starts_with("This configuration loads"))
        .skip(1)
        .take_while(|line| !line.is_empty())
        .collect();
    assert_eq!(loads.len(), 1, "{stdout}");

    std::fs::write(&own, b"weights").unwrap();
    let (code, stdout) = list();
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|line| line.contains("ggml-small.bin") && line.contains("present")),
        "{stdout}"
    );
}

#[test]
fn the_list_command_refuses_a_broken_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bridge.toml");
    std::fs::write(&config, "[stt]\ntype = \"whisper\"\nmodel = 42\n").unwrap();
    let output = hive_bridge(dir.path())
        .args(["--config", config.to_str().unwrap(), "models", "list"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("bridge.toml"), "{stderr}");
}

/// Every file under `root` with its size and modification time.
fn snapshot(root: &Path) -> Vec<(std::path::PathBuf, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                folders.push(entry.path());
            } else {
                out.push((entry.path(), meta.len(), meta.modified().unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn installing_again_over_installed_models_changes_nothing() {
    // The test command provisioned every model into this folder before the tests ran.
    let dir = models::ModelsDir::from_env(|name| std::env::var(name).ok());
    let before = snapshot(dir.root());
    let output = hive_bridge(dir.root())
        .args(["models", "install", "--all"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    let lines: Vec<&str> = stdout
        .lines()
        .filter(|line| !line.starts_with("models directory"))
        .collect();
    assert_eq!(lines.len(), models::CATALOG.len(), "{stdout}");
    assert!(
        lines
            .iter()
            .all(|line| line.trim_end().ends_with("present")),
        "{stdout}"
    );
    assert_eq!(
        snapshot(dir.root()),
        before,
        "a second install rewrote files"
    );
}
