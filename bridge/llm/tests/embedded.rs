//! The library API: a server embedded in the test process, here with SmolLM2 135M (a second
//! model family, and the smallest provisioned model).

mod common;

use common::{SMOLLM, client, model};
use hive_llm::{Config, Server};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread")]
async fn embedded_server_answers_and_stops_on_the_token() {
    let config = Config {
        context: 1024,
        ..Config::new(model(SMOLLM))
    };
    let server = Server::bind(config).await.expect("load SmolLM2 and bind");
    let url = server.url();
    assert_eq!(server.model_name(), "SmolLM2-135M-Instruct.Q4_1");
    assert_ne!(server.local_addr().port(), 0);
    let shutdown = CancellationToken::new();
    let running = tokio::spawn(server.run(shutdown.clone()));

    let body: Value = client()
        .post(format!("{url}/v1/chat/completions"))
        .json(&json!({"messages": [{"role": "user", "content": "Say hello."}], "temperature": 0, "max_tokens": 12}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let content = body["choices"][0]["message"]["content"]
        .as_str()
        .unwrap_or_default();
    assert!(!content.trim().is_empty(), "{body}");

    shutdown.cancel();
    running.await.expect("server task").expect("clean shutdown");
    assert!(
        client().get(format!("{url}/health")).send().await.is_err(),
        "no longer listening"
    );
}

#[tokio::test]
async fn missing_model_is_a_model_error() {
    let error = Server::bind(Config::new("/nonexistent/model.gguf"))
        .await
        .unwrap_err();
    assert!(error.is_model_error());
    assert!(
        error.to_string().contains("models install --all"),
        "{error}"
    );
}
