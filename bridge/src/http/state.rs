//! What the HTTP handlers read: the pipeline's shared state, the connection, the queue.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hive_topics::Inbound;
use tokio::sync::{mpsc, watch};

use super::health::{EngineHealth, engines};
use crate::mqtt::{ConnectionState, InboundStats};
use crate::pipeline::Shared;

/// Shared by every handler; cheap to clone.
#[derive(Clone)]
pub(crate) struct HttpState {
    pub(crate) shared: Arc<Shared>,
    pub(crate) connection: watch::Receiver<ConnectionState>,
    pub(crate) stats: Arc<InboundStats>,
    /// The router's inbound queue: questions from the page go the same way as `{p}/ask`.
    /// Weak, so that the HTTP server never keeps the router alive at shutdown.
    pub(crate) inbound: mpsc::WeakSender<Inbound>,
    /// The last engine health checks: each synthesises speech, too costly for every poll.
    pub(crate) checked: HealthCache,
}

/// When engines were last checked, and what was found.
pub(crate) type HealthCache = Arc<Mutex<Option<(Instant, Vec<EngineHealth>)>>>;

/// How long engine health checks are reused.
const HEALTH_TTL: Duration = Duration::from_secs(5);

impl HttpState {
    /// Engine health, checked at most every [`HEALTH_TTL`].
    pub(crate) async fn engines(&self) -> Vec<EngineHealth> {
        {
            let cached = self
                .checked
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some((at, engines)) = cached.as_ref()
                && at.elapsed() < HEALTH_TTL
            {
                return engines.clone();
            }
        }
        let shared = self.shared.clone();
        let fresh = tokio::task::spawn_blocking(move || engines(&shared))
            .await
            .unwrap_or_default();
        *self
            .checked
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) =
            Some((Instant::now(), fresh.clone()));
        fresh
    }

    /// Messages waiting for the router.
    pub(crate) fn inbound_depth(&self) -> usize {
        self.inbound
            .upgrade()
            .map(|sender| sender.max_capacity() - sender.capacity())
            .unwrap_or(0)
    }
}
