//! [`TurnRate`]: how many turns each satellite started in the last minute. A pure sliding
//! window; the caller passes the time.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use hive_topics::SatelliteId;

/// The window the rate is counted over.
const WINDOW: Duration = Duration::from_secs(60);

/// Turn starts per satellite within [`WINDOW`].
#[derive(Debug)]
pub(crate) struct TurnRate {
    per_minute: usize,
    starts: HashMap<SatelliteId, VecDeque<Instant>>,
}

impl TurnRate {
    pub(crate) fn new(per_minute: u32) -> Self {
        TurnRate {
            per_minute: per_minute.max(1) as usize,
            starts: HashMap::new(),
        }
    }

    /// Records a turn start at `now` and returns true, or returns false (recording nothing)
    /// when the satellite already started `per_minute` turns in the last minute.
    pub(crate) fn admit(&mut self, satellite: &SatelliteId, now: Instant) -> bool {
        // Forget satellites that have been quiet for a minute, so the table cannot grow
        // with every id a publisher invents.
        self.starts.retain(|_, starts| {
            while starts
                .front()
                .is_some_and(|start| now.duration_since(*start) >= WINDOW)
            {
                starts.pop_front();
            }
            !starts.is_empty()
        });
        let starts = self.starts.entry(satellite.clone()).or_default();
        if starts.len() >= self.per_minute {
            return false;
        }
        starts.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_turn_over_the_rate_is_refused_until_the_oldest_leaves_the_window() {
        let kitchen = SatelliteId::new("kitchen").unwrap();
        let hall = SatelliteId::new("hall").unwrap();
        let mut rate = TurnRate::new(2);
        let t0 = Instant::now();
        assert!(rate.admit(&kitchen, t0));
        assert!(rate.admit(&kitchen, t0 + Duration::from_secs(10)));
        assert!(!rate.admit(&kitchen, t0 + Duration::from_secs(20)));
        // Another satellite has its own budget.
        assert!(rate.admit(&hall, t0 + Duration::from_secs(20)));
        // A refusal is not counted: once the first start is a minute old, one more fits.
        assert!(rate.admit(&kitchen, t0 + Duration::from_secs(60)));
        assert!(!rate.admit(&kitchen, t0 + Duration::from_secs(61)));
    }

    #[test]
    fn quiet_satellites_are_forgotten() {
        let mut rate = TurnRate::new(1);
        let t0 = Instant::now();
        for n in 0..100 {
            let id = SatelliteId::new(format!("s{n}")).unwrap();
            assert!(rate.admit(&id, t0));
        }
        let last = SatelliteId::new("last").unwrap();
        assert!(rate.admit(&last, t0 + WINDOW));
        assert_eq!(rate.starts.len(), 1);
    }
}
