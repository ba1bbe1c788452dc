//! `hive-bridge models fetch` against a real local HTTP server.

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
