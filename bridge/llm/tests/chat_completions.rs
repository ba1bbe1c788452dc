//! The OpenAI chat-completions API of a real `hive-llm` process serving Qwen2.5-Coder 0.5B,
//! over loopback HTTP.

mod common;

use common::{client, shared_qwen, sse_payloads};
use serde_json::{Value, json};

const EMOTION_SYSTEM: &str =
    "You are a robot. When the user asks you to show a feeling, call show_emotion.";

fn emotion_tool() -> Value {
    json!({
        "type": "function",
        "function": {
            "name": "show_emotion",
            "description": "Show a feeling on the robot's face.",
            "parameters": {
                "type": "object",
                "properties": {
                    "emotion": {"type": "string", "enum": ["happy", "sad", "angry", "surprised", "neutral"]}
                },
                "required": ["emotion"]
            }
        }
    })
}

async fn post(body: &Value) -> reqwest::Response {
    client()
        .post(format!("{}/v1/chat/completions", shared_qwen().url))
        .json(body)
        .send()
        .await
        .expect("request to hive-llm")
}

/// Posts a streaming request and returns the SSE payloads.
async fn post_stream(body: &Value) -> Vec<String> {
    let response = post(body).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    sse_payloads(&response.text().await.expect("stream body"))
}

fn chunks(payloads: &[String]) -> Vec<Value> {
    let (done, chunks) = payloads.split_last().expect("at least one event");
    assert_eq!(done, "[DONE]", "the stream ends with [DONE]: {payloads:?}");
    chunks
        .iter()
        .map(|chunk| serde_json::from_str(chunk).expect("chunk JSON"))
        .collect()
}

#[tokio::test]
async fn answers_a_factual_question_without_streaming() {
    let response = post(&json!({
        "model": "qwen",
        "messages": [{"role": "user", "content": "What is the capital of France? Answer in one word."}],
        "temperature": 0,
        "seed": 1,
        "max_tokens": 16,
    }))
    .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["object"], "chat.completion");
    let content = body["choices"][0]["message"]["content"]
        .as_str()
        .expect("content");
    assert!(content.contains("Paris"), "{body}");
    assert_eq!(body["choices"][0]["message"]["role"], "assistant");
    assert_eq!(body["choices"][0]["finish_reason"], "stop");
    let usage = &body["usage"];
    assert!(usage["prompt_tokens"].as_u64().unwrap() > 0);
    assert!(usage["completion_tokens"].as_u64().unwrap() > 0);
    assert_eq!(
        usage["total_tokens"].as_u64(),
        Some(
            usage["prompt_tokens"].as_u64().unwrap() + usage["completion_tokens"].as_u64().unwrap()
        )
    );
}

#[tokio::test]
async fn streams_content_in_several_chunks_before_done() {
    let payloads = post_stream(&json!({
        "messages": [{"role": "user", "content": "Tell me two short sentences about cats."}],
        "stream": true,
        "temperature": 0,
        "max_tokens": 40,
    }))
    .await;
    let chunks = chunks(&payloads);
    let pieces: Vec<&str> = chunks
        .iter()
        .filter_map(|chunk| chunk["choices"][0]["delta"]["content"].as_str())
        .filter(|piece| !piece.is_empty())
        .collect();
    assert!(
        pieces.len() >= 2,
        "expected several content chunks: {payloads:?}"
    );
    let text: String = pieces.concat();
    assert!(!text.trim().is_empty());
    assert!(text.to_lowercase().contains("cat"), "{text}");
    let last = chunks.last().unwrap();
    assert_eq!(last["object"], "chat.completion.chunk");
    assert!(
        matches!(
            last["choices"][0]["finish_reason"].as_str(),
            Some("stop" | "length")
        ),
        "{last}"
    );
    assert!(last["usage"]["completion_tokens"].as_u64().unwrap() >= 2);
}

#[tokio::test]
async fn calls_a_tool_when_asked_to_show_a_feeling() {
    let response = post(&json!({
        "messages": [
            {"role": "system", "content": EMOTION_SYSTEM},
            {"role": "user", "content": "Please look happy!"}
        ],
        "tools": [emotion_tool()],
        "tool_choice": "auto",
        "temperature": 0,
        "max_tokens": 64,
    }))
    .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let choice = &body["choices"][0];
    assert_eq!(choice["finish_reason"], "tool_calls", "{body}");
    let call = &choice["message"]["tool_calls"][0];
    assert_eq!(call["type"], "function");
    assert!(call["id"].as_str().is_some_and(|id| !id.is_empty()));
    assert_eq!(call["function"]["name"], "show_emotion");
    let arguments: Value = serde_json::from_str(
        call["function"]["arguments"]
            .as_str()
            .expect("arguments string"),
    )
    .expect("arguments JSON");
    assert_eq!(arguments["emotion"], "happy", "{body}");
    let content = choice["message"]["content"].as_str().unwrap_or_default();
    assert!(!content.contains("<tool_call>"), "{body}");
}

#[tokio::test]
async fn streams_a_tool_call_as_delta_tool_calls_without_leaking_markup() {
    let payloads = post_stream(&json!({
        "messages": [
            {"role": "system", "content": EMOTION_SYSTEM},
            {"role": "user", "content": "Please look happy!"}
        ],
        "tools": [emotion_tool()],
        "stream": true,
        "temperature": 0,
        "max_tokens": 64,
    }))
    .await;
    let chunks = chunks(&payloads);
    let content: String = chunks
        .iter()
        .filter_map(|chunk| chunk["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert!(
        !content.contains("<tool_call>") && !content.contains("</tool_call>"),
        "leaked: {content:?}"
    );
    let calls: Vec<&Value> = chunks
        .iter()
        .filter_map(|chunk| chunk["choices"][0]["delta"]["tool_calls"].as_array())
        .flatten()
        .collect();
    assert_eq!(calls.len(), 1, "{payloads:?}");
    assert_eq!(calls[0]["index"], 0);
    assert_eq!(calls[0]["function"]["name"], "show_emotion");
    assert!(
        calls[0]["function"]["arguments"]
            .as_str()
            .unwrap()
            .contains("\"happy\""),
        "{payloads:?}"
    );
    assert_eq!(
        chunks.last().unwrap()["choices"][0]["finish_reason"],
        "tool_calls"
    );
}

#[tokio::test]
async fn continues_a_conversation_after_a_tool_result() {
    let response = post(&json!({
        "messages": [
            {"role": "system", "content": EMOTION_SYSTEM},
            {"role": "user", "content": "Please look happy!"},
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "show_emotion", "arguments": "{\"emotion\": \"happy\"}"}}
            ]},
            {"role": "tool", "tool_call_id": "call_1", "content": "{\"shown\": \"happy\"}"}
        ],
        "tools": [emotion_tool()],
        "temperature": 0,
        "max_tokens": 40,
    }))
    .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let message = &body["choices"][0]["message"];
    assert!(
        message["content"]
            .as_str()
            .is_some_and(|text| !text.trim().is_empty())
            || message["tool_calls"].is_array(),
        "{body}"
    );
}

#[tokio::test]
async fn rejects_malformed_json_with_an_openai_error() {
    let response = client()
        .post(format!("{}/v1/chat/completions", shared_qwen().url))
        .header("content-type", "application/json")
        .body("{\"messages\": [")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    let error = &body["error"];
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|message| !message.is_empty()),
        "{body}"
    );
    assert_eq!(error["type"], "invalid_request_error");
    assert_eq!(error["code"], "invalid_json");
}

#[tokio::test]
async fn rejects_an_invalid_request_with_an_openai_error() {
    let response = post(&json!({"messages": [{"role": "wizard", "content": "hi"}]})).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["type"], "invalid_request_error");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("role"),
        "{body}"
    );
}

#[tokio::test]
async fn rejects_a_prompt_longer_than_the_context() {
    let long = "word ".repeat(6000);
    let response =
        post(&json!({"messages": [{"role": "user", "content": long}], "max_tokens": 4})).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "context_length_exceeded", "{body}");
}

#[tokio::test]
async fn health_and_models_name_the_model() {
    let url = &shared_qwen().url;
    let health: Value = client()
        .get(format!("{url}/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["model"], "qwen2.5-coder-0.5b-instruct-q4_k_m");
    let models: Value = client()
        .get(format!("{url}/v1/models"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(models["object"], "list");
    assert_eq!(models["data"][0]["id"], health["model"]);
    let missing = client()
        .get(format!("{url}/v1/embeddings"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
}
