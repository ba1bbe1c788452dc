//! Local events waiting for the bridge: queued while it is away, sent when it is back.

use std::collections::VecDeque;

use hive_topics::LocalEvent;
use serde::{Deserialize, Serialize};

/// A bounded queue of [`LocalEvent`]s. When full, the oldest is dropped: a day-old timer
/// event matters less than the latest one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outbox {
    events: VecDeque<LocalEvent>,
    /// Events dropped because the queue was full, since the satellite started.
    #[serde(skip)]
    dropped: u64,
}

impl Outbox {
    /// How many events it holds at most.
    pub const CAPACITY: usize = 256;

    /// Queues `event`; returns the event dropped to make room, if any.
    pub fn push(&mut self, event: LocalEvent) -> Option<LocalEvent> {
        let dropped = if self.events.len() >= Self::CAPACITY {
            self.dropped += 1;
            self.events.pop_front()
        } else {
            None
        };
        self.events.push_back(event);
        dropped
    }

    /// Takes every queued event, oldest first.
    pub fn drain(&mut self) -> Vec<LocalEvent> {
        self.events.drain(..).collect()
    }

    /// How many are queued.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether none is queued.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Events dropped so far.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: u64) -> LocalEvent {
        LocalEvent::Stopwatch {
            elapsed_ms: n,
            running: false,
        }
    }

    #[test]
    fn the_oldest_event_is_dropped_when_full() {
        let mut outbox = Outbox::default();
        for n in 0..Outbox::CAPACITY as u64 {
            assert_eq!(outbox.push(event(n)), None);
        }
        assert_eq!(outbox.push(event(999)), Some(event(0)));
        assert_eq!(outbox.dropped(), 1);
        let drained = outbox.drain();
        assert_eq!(drained.len(), Outbox::CAPACITY);
        assert_eq!(
            (drained[0].clone(), drained.last().cloned()),
            (event(1), Some(event(999)))
        );
        assert!(outbox.is_empty());
    }
}
