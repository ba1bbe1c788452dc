//! Everything the satellite keeps for itself across restarts.

use serde::{Deserialize, Serialize};

use super::outbox::Outbox;
use super::stopwatch::Stopwatch;
use super::timers::Timers;

/// Timers, the stopwatch and events not yet reported: what `storage.path` holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LocalState {
    /// Running timers.
    pub timers: Timers,
    /// The stopwatch.
    pub stopwatch: Stopwatch,
    /// Events for the bridge, queued while it was away.
    pub outbox: Outbox,
}
