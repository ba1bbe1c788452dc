//! `POST /api/ask`: a question from the status page. It enters the router exactly like a
//! `{p}/ask` message (so it is answered, remembered and published on `{p}/ask/reply` the
//! same way), and the handler waits for that answer.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hive_topics::{Ask, AskReply, Inbound, Timings};
use serde::Serialize;

use super::ask_body::parse;
use super::state::HttpState;

/// The answer, or why there is none.
#[derive(Debug, Serialize)]
pub(crate) struct AskAnswer {
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    intent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timings: Option<Timings>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl AskAnswer {
    fn refused(status: StatusCode, error: &str) -> (StatusCode, Json<AskAnswer>) {
        (
            status,
            Json(AskAnswer {
                text: None,
                intent: None,
                timings: None,
                error: Some(error.to_string()),
            }),
        )
    }
}

static NEXT: AtomicU64 = AtomicU64::new(1);

pub(crate) async fn ask(
    State(state): State<HttpState>,
    body: axum::body::Bytes,
) -> (StatusCode, Json<AskAnswer>) {
    let question = match parse(&body) {
        Ok(question) => question,
        Err(why) => return AskAnswer::refused(StatusCode::BAD_REQUEST, why),
    };
    let id = format!(
        "http-{}-{}",
        crate::metrics::now_ms(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let telemetry = &state.shared.telemetry;
    let Some(answer) = telemetry.wait_ask(&id) else {
        return AskAnswer::refused(
            StatusCode::TOO_MANY_REQUESTS,
            "too many questions are waiting; try again",
        );
    };
    let message = Inbound::Ask(Ask {
        id: Some(id),
        text: question.text,
        satellite: question.satellite,
        lang: question.lang,
    });
    let queued = state
        .inbound
        .upgrade()
        .is_some_and(|sender| sender.try_send(message).is_ok());
    if !queued {
        return AskAnswer::refused(
            StatusCode::SERVICE_UNAVAILABLE,
            "the bridge is busy or stopping",
        );
    }
    let limit = Duration::from_secs_f32(state.shared.config.session.turn_timeout_s)
        + Duration::from_secs(5);
    match tokio::time::timeout(limit, answer).await {
        Ok(Ok(AskReply {
            text,
            intent,
            timings,
            ..
        })) => (
            StatusCode::OK,
            Json(AskAnswer {
                text: Some(text),
                intent,
                timings,
                error: None,
            }),
        ),
        _ => AskAnswer::refused(StatusCode::GATEWAY_TIMEOUT, "no answer in time"),
    }
}
