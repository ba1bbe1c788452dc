//! The `hive-llm` process around the API: exit codes, the port file, signals, prompt-cache
//! reuse and client disconnects. Each test runs its own server.

mod common;

use std::time::Duration;

use common::{LlmProcess, QWEN, client, model};
use serde_json::{Value, json};

fn run_to_exit(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_hive-llm"))
        .args(args)
        .output()
        .expect("run hive-llm")
}

#[test]
fn missing_model_exits_with_code_3_and_says_how_to_provision() {
    let output = run_to_exit(&["--model", "/nonexistent/dir/model.gguf"]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("model file not found: /nonexistent/dir/model.gguf"),
        "{stderr}"
    );
    assert!(
        stderr.contains("cargo run -p hive-bridge -- models install --all"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty(), "no ready line");
}

#[test]
fn file_that_is_not_a_model_exits_with_code_3() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("fake.gguf");
    std::fs::write(&fake, "this is not a GGUF file").unwrap();
    let output = run_to_exit(&["--model", fake.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot load model"), "{stderr}");
}

#[test]
fn bad_arguments_exit_with_code_2() {
    for args in [
        &[][..],
        &["--model", "m.gguf", "--port", "eighty"],
        &["--model", "m.gguf", "--bogus"],
    ] {
        let output = run_to_exit(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
    // Parsed but out of range.
    let output = run_to_exit(&["--model", "m.gguf", "--ctx", "8"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("context"));
}

#[test]
fn writes_the_port_file_and_exits_0_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port_file = dir.path().join("port");
    let server = LlmProcess::start(
        &model(QWEN),
        &["--port-file", port_file.to_str().unwrap(), "--ctx", "512"],
    );
    let written = std::fs::read_to_string(&port_file).unwrap();
    assert_eq!(written.trim(), format!("HIVE_LLM_READY {}", server.url));
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let log = server.log.clone();
    assert_eq!(
        server.wait(Duration::from_secs(30)),
        Some(0),
        "{}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

#[tokio::test]
async fn next_turn_reuses_the_cached_system_prompt() {
    let server = LlmProcess::start(&model(QWEN), &["--ctx", "2048"]);
    let system = "You are Hive, a helpful voice assistant in a smart home. Answer briefly, in one sentence, \
                  without lists or markdown, because your answer will be spoken aloud.";
    let ask = |question: &str| {
        json!({
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": question}],
            "temperature": 0,
            "max_tokens": 8,
        })
    };
    let url = format!("{}/v1/chat/completions", server.url);
    let first: Value = client()
        .post(&url)
        .json(&ask("What colour is the sky?"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let second: Value = client()
        .post(&url)
        .json(&ask("What colour is grass?"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        first["usage"]["prompt_tokens_details"]["cached_tokens"], 0,
        "{first}"
    );
    let cached = second["usage"]["prompt_tokens_details"]["cached_tokens"]
        .as_u64()
        .unwrap();
    let prompt = second["usage"]["prompt_tokens"].as_u64().unwrap();
    // Everything up to the user's question is shared.
    assert!(
        cached >= 30 && cached < prompt,
        "cached {cached} of {prompt}: {second}"
    );
    assert!(
        server
            .log_text()
            .contains(&format!("reused_tokens={cached}")),
        "the log names the reuse"
    );
}

#[tokio::test]
async fn stops_generating_when_a_streaming_client_disconnects() {
    let server = LlmProcess::start(&model(QWEN), &["--ctx", "2048"]);
    let url = format!("{}/v1/chat/completions", server.url);
    let mut response = client()
        .post(&url)
        .json(&json!({
            "messages": [{"role": "user", "content": "Count from 1 to 500, separated by commas."}],
            "stream": true,
            "temperature": 0,
            "max_tokens": 1500,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    // Read until some content has arrived, then hang up.
    let mut received = String::new();
    while !received.contains("\"content\":\"1") {
        let chunk = response.chunk().await.unwrap().expect("stream ended early");
        received.push_str(&String::from_utf8_lossy(&chunk));
    }
    drop(response);
    // One inference at a time: once this answer is back, the first request has ended.
    let after: Value = client()
        .post(&url)
        .json(&json!({"messages": [{"role": "user", "content": "Say hi."}], "temperature": 0, "max_tokens": 2}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(after["object"], "chat.completion");
    let log = server.log_text();
    assert!(
        log.contains("Client disconnected; generation stopped."),
        "{log}"
    );
}
