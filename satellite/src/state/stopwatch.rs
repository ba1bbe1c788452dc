//! The stopwatch, in Unix milliseconds like the timers so that it survives a restart.

use serde::{Deserialize, Serialize};

/// A stopwatch: started, stopped (which reads and resets it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stopwatch {
    started_at_ms: Option<u64>,
}

impl Stopwatch {
    /// Starts it at `now_ms`; false (and no change) when it already runs.
    pub fn start(&mut self, now_ms: u64) -> bool {
        if self.started_at_ms.is_some() {
            return false;
        }
        self.started_at_ms = Some(now_ms);
        true
    }

    /// Stops it and returns the elapsed milliseconds; `None` when it was not running.
    pub fn stop(&mut self, now_ms: u64) -> Option<u64> {
        self.started_at_ms
            .take()
            .map(|started| now_ms.saturating_sub(started))
    }

    /// Milliseconds on the stopwatch at `now_ms` (0 when stopped).
    pub fn elapsed_ms(&self, now_ms: u64) -> u64 {
        self.started_at_ms
            .map_or(0, |started| now_ms.saturating_sub(started))
    }

    /// Whether it runs.
    pub fn running(&self) -> bool {
        self.started_at_ms.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_stop_and_read() {
        let mut stopwatch = Stopwatch::default();
        assert_eq!(stopwatch.stop(5), None);
        assert!(stopwatch.start(1_000));
        assert!(!stopwatch.start(2_000), "already running");
        assert_eq!(stopwatch.elapsed_ms(155_000), 154_000);
        assert_eq!(stopwatch.stop(155_000), Some(154_000));
        assert!(!stopwatch.running());
        assert_eq!(stopwatch.elapsed_ms(200_000), 0);
        // A clock that went backwards reads zero rather than wrapping.
        stopwatch.start(10_000);
        assert_eq!(stopwatch.stop(9_000), Some(0));
    }
}
