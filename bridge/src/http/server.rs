//! The axum server: routes, binding, graceful shutdown.

use std::net::SocketAddr;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::config::HttpConfig;
use super::state::HttpState;
use super::{ask, health, page};
use crate::metrics::Telemetry;

/// Binds and serves until `shutdown`. A taken address is logged, not fatal: the voice
/// pipeline matters more than its dashboard.
pub(crate) async fn spawn(
    config: &HttpConfig,
    state: HttpState,
    shutdown: CancellationToken,
) -> Option<(SocketAddr, JoinHandle<()>)> {
    if !config.enabled {
        return None;
    }
    let listener = match tokio::net::TcpListener::bind(config.listen).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!(%error, listen = %config.listen, code = "http_bind_failed", "Status page unavailable: cannot listen (set [http] listen or enabled = false).");
            state.shared.telemetry.error("http_bind_failed");
            return None;
        }
    };
    let addr = listener.local_addr().unwrap_or(config.listen);
    tracing::info!(listen = %addr, "Status page listening.");
    let app = routes(state);
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await;
        if let Err(error) = served {
            tracing::error!(%error, "Status page server failed.");
        }
    });
    Some((addr, task))
}

fn routes(state: HttpState) -> Router {
    Router::new()
        .route("/", get(page::page))
        .route("/health", get(health::health))
        .route("/metrics", get(metrics))
        .route("/api/status", get(page::status))
        .route("/api/ask", post(ask::ask))
        .with_state(state)
}

async fn metrics(
    axum::extract::State(state): axum::extract::State<HttpState>,
) -> impl IntoResponse {
    let stats = &state.stats;
    let gauges = crate::metrics::Gauges {
        broker_connected: state.connection.borrow().connected,
        satellites_online: 0,
        inbound_queue: state.inbound_depth(),
        stt_queue: state.shared.engines.stt_queue.waiting(),
        mqtt_accepted: stats.accepted.load(std::sync::atomic::Ordering::Relaxed),
        mqtt_rejected: stats.rejected.load(std::sync::atomic::Ordering::Relaxed),
        mqtt_dropped: stats.dropped.load(std::sync::atomic::Ordering::Relaxed),
        parse_errors: stats.by_code.snapshot(),
    };
    let telemetry: &Telemetry = &state.shared.telemetry;
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        telemetry.render(gauges),
    )
}
