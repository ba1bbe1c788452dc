//! The status page (`/`) and the JSON it polls (`/api/status`).

use axum::Json;
use axum::extract::State;
use axum::response::Html;
use serde::Serialize;

use super::health::EngineHealth;
use super::state::HttpState;
use crate::metrics::{SatelliteView, TurnView};

/// One self-contained page: inline CSS and a little vanilla JavaScript, no build step.
const PAGE: &str = include_str!("page.html");

pub(crate) async fn page() -> Html<&'static str> {
    Html(PAGE)
}

/// What the page shows.
#[derive(Debug, Serialize)]
pub(crate) struct Status {
    version: &'static str,
    broker_connected: bool,
    satellites: Vec<SatelliteView>,
    turns: Vec<TurnView>,
    engines: Vec<EngineHealth>,
}

pub(crate) async fn status(State(state): State<HttpState>) -> Json<Status> {
    let telemetry = &state.shared.telemetry;
    // Read before any await: the watch guard must not live across one.
    let broker_connected = state.connection.borrow().connected;
    Json(Status {
        version: env!("CARGO_PKG_VERSION"),
        broker_connected,
        satellites: telemetry.satellites(),
        turns: telemetry.turns(),
        engines: state.engines().await,
    })
}
