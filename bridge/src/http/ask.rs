//! `POST /api/ask`: a question from the status page. It enters the router exactly like a
//! `{p}/ask` message (so it is answered, remembered and published on `{p}/ask/reply` the
//! same way), and the handler waits for that answer.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hive_topics::{Ask, AskReply, Inbound, Limits, SatelliteId, Timings};
use serde::{Deserialize, Serialize};

use super::state::HttpState;

/// The request body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AskBody {
    text: String,
    /// A satellite that should also speak the answer.
    #[serde(default)]
    satellite: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

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
    body: Result<Json<AskBody>, axum::extract::rejection::JsonRejection>,
) -> (StatusCode, Json<AskAnswer>) {
    let Ok(Json(body)) = body else {
        return AskAnswer::refused(
            StatusCode::BAD_REQUEST,
            "expected JSON like {\"text\": \"what time is it\"}",
        );
    };
    let text = body.text.trim().to_string();
    if text.is_empty() || text.len() > Limits::DEFAULT_MAX_TEXT {
        return AskAnswer::refused(
            StatusCode::BAD_REQUEST,
            "the question must have 1 to 4096 bytes",
        );
    }
    let satellite = match body.satellite.as_deref().filter(|id| !id.is_empty()) {
        Some(id) => match SatelliteId::new(id) {
            Ok(id) => Some(id),
            Err(_) => return AskAnswer::refused(StatusCode::BAD_REQUEST, "unknown satellite id"),
        },
        None => None,
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
        text,
        satellite,
        lang: body.lang,
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
