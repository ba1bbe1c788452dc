//! Exponential backoff with jitter for reconnecting, so that a house of satellites that lost
//! the broker together does not come back in lockstep.

use std::time::Duration;

/// Doubles from `first` to `max`, plus up to 25 % jitter.
#[derive(Debug, Clone)]
pub struct Backoff {
    first: Duration,
    max: Duration,
    current: Duration,
    seed: u64,
}

impl Backoff {
    /// A backoff from `first` to `max`.
    pub fn new(first: Duration, max: Duration) -> Backoff {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.subsec_nanos() as u64)
            .unwrap_or(1)
            | 1;
        Backoff {
            first,
            max,
            current: first,
            seed,
        }
    }

    /// The next delay.
    pub fn next_delay(&mut self) -> Duration {
        let base = self.current;
        self.current = (self.current * 2).min(self.max);
        // xorshift: cheap, and good enough to spread reconnects.
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        base + base.mul_f64((self.seed % 1000) as f64 / 4000.0)
    }

    /// Back to `first`, after a successful connection.
    pub fn reset(&mut self) {
        self.current = self.first;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap_with_bounded_jitter_and_reset() {
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_millis(800));
        for floor in [100, 200, 400, 800, 800] {
            let delay = backoff.next_delay();
            let floor = Duration::from_millis(floor);
            assert!(
                delay >= floor && delay <= floor.mul_f64(1.25),
                "{delay:?} vs {floor:?}"
            );
        }
        backoff.reset();
        assert!(backoff.next_delay() <= Duration::from_millis(125));
    }
}
