//! Monotonic counters, reported in every heartbeat.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counters shared by the satellite's tasks; each is only ever incremented.
#[derive(Debug, Default)]
pub struct Counters {
    /// Wake words heard.
    pub wakes: AtomicU64,
    /// Turns started (wake word or `listen`).
    pub turns: AtomicU64,
    /// Turns answered on the satellite.
    pub degraded_turns: AtomicU64,
    /// Audio chunks handed to the MQTT client.
    pub chunks_sent: AtomicU64,
    /// Audio chunks the MQTT client could not take.
    pub chunks_dropped: AtomicU64,
    /// 20 ms frames of heard audio dropped because the satellite was behind: by the
    /// microphone's capture ring (its pump thread behind) or the frame queue (the listener
    /// behind). Shared with the input threads, hence the `Arc`.
    pub audio_dropped: Arc<AtomicU64>,
    /// Other messages the MQTT client could not take.
    pub publish_dropped: AtomicU64,
    /// Received messages dropped because the runtime was behind.
    pub inbound_dropped: AtomicU64,
    /// Received messages refused by the protocol parser.
    pub inbound_rejected: AtomicU64,
    /// Connections to the broker after the first.
    pub reconnects: AtomicU64,
    /// Timers that rang.
    pub timers_fired: AtomicU64,
}

impl Counters {
    /// Adds one to `counter`.
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Every counter by name, for the heartbeat.
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        [
            ("wakes", read(&self.wakes)),
            ("turns", read(&self.turns)),
            ("degraded_turns", read(&self.degraded_turns)),
            ("chunks_sent", read(&self.chunks_sent)),
            ("chunks_dropped", read(&self.chunks_dropped)),
            ("audio_dropped", read(&self.audio_dropped)),
            ("publish_dropped", read(&self.publish_dropped)),
            ("inbound_dropped", read(&self.inbound_dropped)),
            ("inbound_rejected", read(&self.inbound_rejected)),
            ("reconnects", read(&self.reconnects)),
            ("timers_fired", read(&self.timers_fired)),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
    }
}
