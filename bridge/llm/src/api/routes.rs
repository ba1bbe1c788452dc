//! The router, its shared state, and the small routes (`/health`, `/v1/models`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{DefaultBodyLimit, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use super::chat;
use super::error::ApiError;
use super::response::Meta;
use crate::engine::EngineHandle;

/// A prompt must fit the context (a few thousand tokens, tens of kilobytes), so a megabyte
/// is generous and still keeps a runaway client from filling memory.
const MAX_BODY: usize = 1024 * 1024;

/// What every handler shares.
#[derive(Debug, Clone)]
pub(crate) struct AppState {
    pub(crate) engine: EngineHandle,
    pub(crate) model: Arc<str>,
    /// Unique per process start, so ids differ across restarts.
    epoch: u64,
    next: Arc<AtomicU64>,
}

impl AppState {
    pub(crate) fn new(engine: EngineHandle, model: &str) -> Self {
        let epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| {
                since.as_secs().wrapping_mul(1_000_003) ^ u64::from(since.subsec_nanos())
            });
        AppState {
            engine,
            model: Arc::from(model),
            epoch,
            next: Arc::new(AtomicU64::new(1)),
        }
    }

    /// The identity of a new completion, and a seed for it if the client gives none.
    pub(crate) fn next_request(&self) -> (Meta, u32) {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let created = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        let id = format!("chatcmpl-{:012x}{n:04x}", self.epoch & 0xffff_ffff_ffff);
        // Mixes the epoch and counter (splitmix64's finaliser) so unseeded requests vary.
        let mut seed = self.epoch ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        seed = (seed ^ (seed >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        seed = (seed ^ (seed >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        #[allow(clippy::cast_possible_truncation)]
        let seed = (seed ^ (seed >> 31)) as u32;
        (
            Meta {
                id,
                created,
                model: self.model.to_string(),
            },
            seed,
        )
    }
}

/// All routes.
pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/v1/models", get(models))
        .route("/v1/chat/completions", post(chat::completions))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

/// Ready as soon as it answers: the server binds only after the model loaded.
async fn health(State(state): State<AppState>) -> Response {
    Json(json!({"status": "ok", "model": &*state.model})).into_response()
}

async fn models(State(state): State<AppState>) -> Response {
    Json(json!({
        "object": "list",
        "data": [{"id": &*state.model, "object": "model", "created": 0, "owned_by": "hive"}],
    }))
    .into_response()
}

async fn not_found() -> Response {
    ApiError::not_found(
        "Unknown route; this server offers /health, /v1/models and /v1/chat/completions.",
    )
    .into_response()
}
