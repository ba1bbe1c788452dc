//! `/health`: the broker connection, each engine's health check, the conversation store and
//! the last error. 200 while the bridge can answer a voice turn, 503 when it cannot.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use super::state::HttpState;
use crate::metrics::LastError;
use crate::pipeline::Shared;

/// One engine's health.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct EngineHealth {
    /// `stt`, `vad`, `tts`, `llm`, `store`.
    pub(crate) kind: &'static str,
    /// The engine.
    pub(crate) name: String,
    pub(crate) healthy: bool,
    /// Why not, when not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) detail: Option<String>,
    /// Whether a voice turn needs it (unlike a fallback TTS engine or the store).
    pub(crate) required: bool,
    /// Why it last failed, kept once it recovers (the language models keep one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) last_error: Option<String>,
}

/// The whole answer.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Health {
    /// `ok`, `degraded` (answering, but something is unhealthy) or `down`.
    pub(crate) status: &'static str,
    pub(crate) broker: BrokerHealth,
    pub(crate) engines: Vec<EngineHealth>,
    pub(crate) last_error: Option<LastError>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct BrokerHealth {
    pub(crate) connected: bool,
    /// How many times it connected since start.
    pub(crate) connections: u64,
}

/// Runs every engine's health check; blocking (a check may start a program).
pub(crate) fn engines(shared: &Shared) -> Vec<EngineHealth> {
    let engines = &shared.engines;
    let stt = engines.stt.health();
    let mut out = vec![EngineHealth {
        kind: "stt",
        name: engines.stt.name().to_string(),
        healthy: stt.is_ok(),
        detail: stt
            .err()
            .map(|error| format!("{error}; retrying in the background")),
        required: true,
        last_error: None,
    }];
    let vad = engines.vad.health_check();
    out.push(EngineHealth {
        kind: "vad",
        name: engines.vad.engine_name().to_string(),
        healthy: vad.is_ok(),
        detail: vad.err().map(|error| error.to_string()),
        required: true,
        last_error: None,
    });
    let tts: Vec<_> = engines
        .tts
        .engines()
        .iter()
        .map(|engine| (engine.name().to_string(), engine.health()))
        .collect();
    // Only all of them failing stops speech.
    let any_tts = tts.iter().any(|(_, health)| health.is_ok());
    for (name, health) in tts {
        out.push(EngineHealth {
            kind: "tts",
            name,
            healthy: health.is_ok(),
            detail: health.err().map(|error| error.to_string()),
            required: !any_tts,
            last_error: None,
        });
    }
    // Each model in the chain, as the chain last found it: a resting engine is unhealthy
    // until it answers again. None is required: without one, local intents are answered.
    for llm in engines.llm.health() {
        let detail = if llm.healthy {
            None
        } else {
            let retry_in = llm.retry_in.unwrap_or_default().as_secs();
            Some(format!(
                "{}; retrying in {retry_in} s",
                llm.last_error.as_deref().unwrap_or("failed")
            ))
        };
        out.push(EngineHealth {
            kind: "llm",
            name: llm.name,
            healthy: llm.healthy,
            detail,
            required: false,
            last_error: llm.last_error,
        });
    }
    out.push(EngineHealth {
        kind: "store",
        name: "sled".into(),
        healthy: engines.store.is_some(),
        detail: engines
            .store
            .is_none()
            .then(|| format!("cannot open {}", shared.config.context_path().display())),
        required: false,
        last_error: None,
    });
    out
}

pub(crate) async fn health(State(state): State<HttpState>) -> (StatusCode, Json<Health>) {
    let connection = *state.connection.borrow();
    let engines = state.engines().await;
    let down = !connection.connected
        || engines
            .iter()
            .any(|engine| engine.required && !engine.healthy);
    let degraded = engines.iter().any(|engine| !engine.healthy);
    let status = if down {
        "down"
    } else if degraded {
        "degraded"
    } else {
        "ok"
    };
    let code = if down {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    let health = Health {
        status,
        broker: BrokerHealth {
            connected: connection.connected,
            connections: connection.generation,
        },
        engines,
        last_error: state.shared.telemetry.last_error(),
    };
    (code, Json(health))
}
