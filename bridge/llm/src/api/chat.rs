//! `POST /v1/chat/completions`: validate, queue, wait for the prompt to be accepted, then
//! answer whole or as a stream.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::response::{IntoResponse, Response};
use axum::{Json, http::StatusCode};
use tokio::sync::mpsc;

use super::error::ApiError;
use super::response::{AssistantMessage, Meta, ToolCall, Usage};
use super::routes::AppState;
use super::{stream, validate};
use crate::engine::{Event, FinishReason, GenerationRequest};
use crate::prompt::flatten;
use crate::tools::{Segment, split_all};

pub(super) async fn completions(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match answer(state, body).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn answer(
    state: AppState,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(|rejection| {
        let status = rejection.status();
        let error = ApiError::invalid(rejection.body_text());
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError { status, ..error }
        } else {
            error
        }
    })?;
    let (meta, fallback_seed) = state.next_request();
    let job = validate::parse(&body, fallback_seed)?;
    // Tool calls are looked for only when tools were offered.
    let tool_names: Vec<String> = job.tools.iter().map(|tool| tool.name.clone()).collect();
    tracing::info!(
        request = %meta.id,
        messages = job.messages.len(),
        tools = job.tools.len(),
        stream = job.stream,
        "Chat completion requested."
    );
    let request = GenerationRequest {
        id: meta.id.clone(),
        messages: flatten(&job.messages, &job.tools),
        max_tokens: job.max_tokens,
        sampling: job.sampling,
        stop: job.stop,
    };
    let mut events = state.engine.submit(request).inspect_err(|error| {
        tracing::warn!(request = %meta.id, error = %error, "Chat completion rejected.");
    })?;
    // Wait until the prompt is evaluated, so that a prompt too long for the context is a 400
    // rather than an error inside a 200 stream.
    let (prompt_tokens, cached_tokens) = match events.recv().await {
        Some(Event::Started {
            prompt_tokens,
            cached_tokens,
        }) => (prompt_tokens, cached_tokens),
        Some(Event::Failed(error)) => return Err(error.into()),
        Some(_) | None => return Err(ApiError::internal()),
    };
    if job.stream {
        Ok(stream::response(
            meta,
            events,
            tool_names,
            prompt_tokens,
            cached_tokens,
        ))
    } else {
        collect(meta, events, &tool_names, prompt_tokens, cached_tokens).await
    }
}

/// The whole answer as one `chat.completion`.
async fn collect(
    meta: Meta,
    mut events: mpsc::Receiver<Event>,
    tool_names: &[String],
    prompt_tokens: u32,
    cached_tokens: u32,
) -> Result<Response, ApiError> {
    let mut text = String::new();
    let (reason, completion_tokens) = loop {
        match events.recv().await {
            Some(Event::Text(piece)) => text.push_str(&piece),
            Some(Event::Finished {
                reason,
                completion_tokens,
            }) => break (reason, completion_tokens),
            Some(Event::Failed(error)) => return Err(error.into()),
            Some(Event::Started { .. }) => {}
            None => return Err(ApiError::internal()),
        }
    };
    let (content, tool_calls) = if tool_names.is_empty() {
        (text, Vec::new())
    } else {
        split_answer(&text, tool_names, &meta)
    };
    let finish = if tool_calls.is_empty() {
        finish_reason(reason)
    } else {
        "tool_calls"
    };
    let content = if content.is_empty() && !tool_calls.is_empty() {
        None
    } else {
        Some(content)
    };
    let message = AssistantMessage {
        role: "assistant",
        content,
        tool_calls,
    };
    let usage = Usage::new(prompt_tokens, cached_tokens, completion_tokens);
    Ok(Json(meta.completion(message, finish, usage)).into_response())
}

/// Content and tool calls of a complete answer.
fn split_answer(text: &str, tool_names: &[String], meta: &Meta) -> (String, Vec<ToolCall>) {
    let mut content = String::new();
    let mut calls = Vec::new();
    for segment in split_all(text, tool_names) {
        match segment {
            Segment::Content(piece) => content.push_str(&piece),
            Segment::ToolCall(call) => {
                let index = u32::try_from(calls.len()).unwrap_or(u32::MAX);
                calls.push(ToolCall::new(call, meta.tool_call_id(index), None));
            }
        }
    }
    (content, calls)
}

/// OpenAI's name for a finish reason.
pub(super) fn finish_reason(reason: FinishReason) -> &'static str {
    match reason {
        FinishReason::Stop => "stop",
        FinishReason::Length => "length",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> Meta {
        Meta {
            id: "chatcmpl-abc".into(),
            created: 1,
            model: "m".into(),
        }
    }

    #[test]
    fn answer_with_a_tool_call_splits_into_content_and_calls() {
        let text = "On it.\n<tool_call>\n{\"name\": \"show_emotion\", \"arguments\": {\"emotion\": \"happy\"}}\n</tool_call>";
        let (content, calls) = split_answer(text, &["show_emotion".to_string()], &meta());
        assert_eq!(content, "On it.");
        assert_eq!(calls.len(), 1);
        let json = serde_json::to_value(&calls[0]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "id": "call_abc_0",
                "type": "function",
                "function": {"name": "show_emotion", "arguments": "{\"emotion\":\"happy\"}"},
            })
        );
    }
}
