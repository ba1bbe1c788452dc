//! The streamed answer: `chat.completion.chunk` events as the engine produces text.
//!
//! Each text piece becomes a chunk at once, so the bridge can speak the first sentence while
//! the model writes the second. With tools offered, text goes through the tool-call splitter
//! first, so call markup and call JSON never reach `delta.content`; a finished call is sent
//! whole as one `delta.tool_calls` entry. The last chunk carries `finish_reason` and `usage`, then
//! `data: [DONE]`. If the client goes away, the body is dropped, the event channel closes, and
//! the engine stops generating at its next token.

use std::convert::Infallible;

use axum::body::{Body, Bytes};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use tokio::sync::mpsc;

use super::chat::finish_reason;
use super::error::ApiError;
use super::response::{Delta, Meta, ToolCall, Usage};
use super::sse;
use crate::engine::Event;
use crate::tools::{Segment, ToolCallSplitter};

/// The streaming response for an accepted request.
pub(super) fn response(
    meta: Meta,
    events: mpsc::Receiver<Event>,
    tool_names: Vec<String>,
    prompt_tokens: u32,
    cached_tokens: u32,
) -> Response {
    let chunks = Chunks {
        meta,
        events,
        splitter: (!tool_names.is_empty()).then(|| ToolCallSplitter::new(tool_names)),
        prompt_tokens,
        cached_tokens,
        tool_calls: 0,
        role_sent: false,
        done: false,
    };
    let body = futures_util::stream::unfold(chunks, |mut chunks| async move {
        let bytes = chunks.next_frame().await?;
        Some((Ok::<Bytes, Infallible>(bytes), chunks))
    });
    (
        [
            (CONTENT_TYPE, "text/event-stream"),
            (CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

/// Turns engine events into SSE frames.
struct Chunks {
    meta: Meta,
    events: mpsc::Receiver<Event>,
    splitter: Option<ToolCallSplitter>,
    prompt_tokens: u32,
    cached_tokens: u32,
    tool_calls: u32,
    role_sent: bool,
    done: bool,
}

impl Chunks {
    async fn next_frame(&mut self) -> Option<Bytes> {
        if self.done {
            return None;
        }
        if !self.role_sent {
            self.role_sent = true;
            let delta = Delta {
                role: Some("assistant"),
                content: Some(String::new()),
                tool_calls: None,
            };
            return Some(sse::event(&self.meta.chunk(delta, None, None)));
        }
        loop {
            let mut out = Vec::new();
            match self.events.recv().await {
                Some(Event::Text(text)) => {
                    let segments = match &mut self.splitter {
                        Some(splitter) => splitter.push(&text),
                        None => vec![Segment::Content(text)],
                    };
                    self.encode(segments, &mut out);
                    if !out.is_empty() {
                        return Some(out.into());
                    }
                }
                Some(Event::Finished {
                    reason,
                    completion_tokens,
                }) => {
                    if let Some(splitter) = self.splitter.take() {
                        self.encode(splitter.finish(), &mut out);
                    }
                    let finish = if self.tool_calls > 0 {
                        "tool_calls"
                    } else {
                        finish_reason(reason)
                    };
                    let usage =
                        Usage::new(self.prompt_tokens, self.cached_tokens, completion_tokens);
                    out.extend_from_slice(&sse::event(&self.meta.chunk(
                        Delta::default(),
                        Some(finish),
                        Some(usage),
                    )));
                    out.extend_from_slice(&sse::done());
                    self.done = true;
                    return Some(out.into());
                }
                Some(Event::Failed(error)) => {
                    self.done = true;
                    return Some(sse::event(&ApiError::from(error).body()));
                }
                Some(Event::Started { .. }) => {}
                None => {
                    self.done = true;
                    return Some(sse::event(&ApiError::internal().body()));
                }
            }
        }
    }

    fn encode(&mut self, segments: Vec<Segment>, out: &mut Vec<u8>) {
        for segment in segments {
            let delta = match segment {
                Segment::Content(text) => Delta {
                    content: Some(text),
                    ..Delta::default()
                },
                Segment::ToolCall(call) => {
                    let index = self.tool_calls;
                    self.tool_calls += 1;
                    let call = ToolCall::new(call, self.meta.tool_call_id(index), Some(index));
                    Delta {
                        tool_calls: Some(vec![call]),
                        ..Delta::default()
                    }
                }
            };
            out.extend_from_slice(&sse::event(&self.meta.chunk(delta, None, None)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::FinishReason;

    /// Runs events through the stream and returns the decoded `data:` payloads.
    async fn frames(events: Vec<Event>, tool_names: &[&str]) -> Vec<String> {
        let (sender, receiver) = mpsc::channel(events.len().max(1));
        for event in events {
            sender.send(event).await.unwrap();
        }
        drop(sender);
        let meta = Meta {
            id: "chatcmpl-x".into(),
            created: 1,
            model: "m".into(),
        };
        let tool_names = tool_names.iter().map(|name| name.to_string()).collect();
        let response = response(meta, receiver, tool_names, 10, 4);
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        text.split("\n\n")
            .filter(|frame| !frame.is_empty())
            .map(|frame| frame.trim_start_matches("data: ").to_string())
            .collect()
    }

    fn json(frame: &str) -> serde_json::Value {
        serde_json::from_str(frame).unwrap()
    }

    #[tokio::test]
    async fn text_streams_as_content_chunks_then_usage_and_done() {
        let frames = frames(
            vec![
                Event::Text("Cats".into()),
                Event::Text(" purr.".into()),
                Event::Finished {
                    reason: FinishReason::Length,
                    completion_tokens: 2,
                },
            ],
            &[],
        )
        .await;
        assert_eq!(frames.len(), 5, "{frames:?}");
        assert_eq!(json(&frames[0])["choices"][0]["delta"]["role"], "assistant");
        assert_eq!(json(&frames[1])["choices"][0]["delta"]["content"], "Cats");
        assert_eq!(json(&frames[2])["choices"][0]["delta"]["content"], " purr.");
        let last = json(&frames[3]);
        assert_eq!(last["object"], "chat.completion.chunk");
        assert_eq!(last["choices"][0]["finish_reason"], "length");
        assert_eq!(last["usage"]["total_tokens"], 12);
        assert_eq!(last["usage"]["prompt_tokens_details"]["cached_tokens"], 4);
        assert_eq!(frames[4], "[DONE]");
    }

    #[tokio::test]
    async fn tool_call_streams_as_delta_tool_calls_without_markup() {
        let frames = frames(
            vec![
                Event::Text("<tool".into()),
                Event::Text("_call>\n{\"name\": \"show_emotion\", ".into()),
                Event::Text("\"arguments\": {\"emotion\": \"happy\"}}\n</tool_call>".into()),
                Event::Finished {
                    reason: FinishReason::Stop,
                    completion_tokens: 20,
                },
            ],
            &["show_emotion"],
        )
        .await;
        assert!(
            frames.iter().all(|frame| !frame.contains("<tool_call>")),
            "{frames:?}"
        );
        let call = json(&frames[1]);
        let call = &call["choices"][0]["delta"]["tool_calls"][0];
        assert_eq!(call["index"], 0);
        assert_eq!(call["type"], "function");
        assert_eq!(call["function"]["name"], "show_emotion");
        assert_eq!(call["function"]["arguments"], "{\"emotion\":\"happy\"}");
        assert_eq!(
            json(&frames[2])["choices"][0]["finish_reason"],
            "tool_calls"
        );
        assert_eq!(frames.last().map(String::as_str), Some("[DONE]"));
    }

    #[tokio::test]
    async fn failure_midway_ends_with_an_error_event() {
        let frames = frames(
            vec![
                Event::Text("Hi".into()),
                Event::Failed(crate::engine::GenerationError::ShuttingDown),
            ],
            &[],
        )
        .await;
        assert_eq!(
            json(frames.last().unwrap())["error"]["code"],
            "shutting_down"
        );
        assert!(!frames.iter().any(|frame| frame == "[DONE]"));
    }
}
