//! The handle the pipeline reports to: metrics, the status board, the last error, and the
//! answers that HTTP questions wait for. Locks here are std mutexes held for a few
//! instructions and never across an `.await`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hive_topics::{AskReply, Inbound, SatelliteId, Timings};
use serde::Serialize;
use tokio::sync::oneshot;

use super::board::{Board, SatelliteView, TurnView};
use super::registry::{Gauges, Metrics};

/// Questions from the status page waiting for their answer at once; more are refused
/// rather than queued.
const MAX_WAITING_ASKS: usize = 64;

/// The most recent error, for `/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LastError {
    /// Its code (`stt_failed`, `llm_unavailable`, …).
    pub code: String,
    /// When, milliseconds since the Unix epoch.
    pub at_ms: u64,
}

/// Everything the bridge measures; one per bridge, shared by every task.
#[derive(Debug, Default)]
pub struct Telemetry {
    metrics: Metrics,
    board: Mutex<Board>,
    asks: Mutex<HashMap<String, oneshot::Sender<AskReply>>>,
    last_error: Mutex<Option<LastError>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis() as u64)
        .unwrap_or(0)
}

impl Telemetry {
    /// A satellite's message went by.
    pub(crate) fn observe(&self, message: &Inbound) {
        lock(&self.board).observe(message, now_ms());
    }

    /// A turn ended: `outcome` is `answered` or the error code that ended it.
    pub(crate) fn turn(
        &self,
        satellite: Option<&SatelliteId>,
        question: &str,
        reply: &str,
        outcome: &str,
        timings: Option<Timings>,
    ) {
        self.metrics.turn(outcome, timings.as_ref());
        lock(&self.board).turn(TurnView {
            at_ms: now_ms(),
            satellite: satellite.map(|satellite| satellite.as_str().to_string()),
            question: question.to_string(),
            reply: reply.to_string(),
            outcome: outcome.to_string(),
            timings,
        });
    }

    /// An error with `code` happened.
    pub(crate) fn error(&self, code: &str) {
        self.metrics.error(code);
        *lock(&self.last_error) = Some(LastError {
            code: code.to_string(),
            at_ms: now_ms(),
        });
    }

    /// A message was dropped on purpose, for `reason`; not an error of the bridge, so the
    /// last error stays as it was.
    pub(crate) fn refused(&self, reason: &str) {
        self.metrics.refused(reason);
    }

    /// Listening ended with these chunk counts.
    pub(crate) fn chunks(&self, received: u64, lost: u64, late: u64) {
        self.metrics.chunks(received, lost, late);
    }

    /// An engine finished loading.
    pub(crate) fn loaded(&self, engine: &str, took: Duration) {
        self.metrics.loaded(engine, took.as_secs_f64());
    }

    /// An `ask` was answered: hands the answer to whoever waits for its id.
    pub(crate) fn ask_replied(&self, reply: &AskReply) {
        let Some(id) = &reply.id else { return };
        if let Some(waiter) = lock(&self.asks).remove(id) {
            let _ = waiter.send(reply.clone());
        }
    }

    /// Waits for the answer to the `ask` with `id`; `None` when too many already wait.
    pub(crate) fn wait_ask(&self, id: &str) -> Option<oneshot::Receiver<AskReply>> {
        let mut asks = lock(&self.asks);
        asks.retain(|_, waiter| !waiter.is_closed());
        if asks.len() >= MAX_WAITING_ASKS {
            return None;
        }
        let (sender, receiver) = oneshot::channel();
        asks.insert(id.to_string(), sender);
        Some(receiver)
    }

    /// The satellites as last seen.
    pub fn satellites(&self) -> Vec<SatelliteView> {
        lock(&self.board).satellites()
    }

    /// The last turns, newest first.
    pub fn turns(&self) -> Vec<TurnView> {
        lock(&self.board).turns()
    }

    /// The most recent error.
    pub fn last_error(&self) -> Option<LastError> {
        lock(&self.last_error).clone()
    }

    pub(crate) fn render(&self, mut gauges: Gauges) -> String {
        gauges.satellites_online = lock(&self.board).online();
        self.metrics.render(gauges)
    }
}
