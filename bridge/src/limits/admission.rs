//! [`Admission`]: whether a new turn may start — the satellite's turn rate and the number of
//! sessions in progress. Pure apart from the clock the caller passes; the router applies it.

use std::sync::{Arc, Weak};
use std::time::Instant;

use hive_topics::SatelliteId;

use super::config::LimitsConfig;
use super::turn_rate::TurnRate;

/// Why a turn was not started; sent to the satellite as an error report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The satellite started `turns_per_minute` turns in the last minute.
    RateLimited,
    /// `max_sessions` turns are in progress.
    TooManySessions,
}

impl Refusal {
    /// The error code of the report and of `hive_errors_total`.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Refusal::RateLimited => "rate_limited",
            Refusal::TooManySessions => "too_many_sessions",
        }
    }

    /// Short text, safe to show or speak.
    pub(crate) fn message(self) -> &'static str {
        match self {
            Refusal::RateLimited => "Too many questions in a short time; try again in a minute.",
            Refusal::TooManySessions => "I am busy with other questions; try again in a moment.",
        }
    }
}

/// Held by a running turn: the session counts as in progress until it is dropped, i.e.
/// until the turn's task has really ended (not merely been told to stop).
#[derive(Debug)]
pub(crate) struct SessionGuard(#[allow(dead_code)] Arc<()>);

/// A handle on a [`SessionGuard`] that does not keep the session alive.
#[derive(Debug, Clone, Default)]
pub(crate) struct SessionHandle(Weak<()>);

impl SessionHandle {
    /// Whether the turn is still running.
    pub(crate) fn is_live(&self) -> bool {
        self.0.strong_count() > 0
    }
}

/// Admits or refuses new turns.
#[derive(Debug)]
pub(crate) struct Admission {
    rate: TurnRate,
    max_sessions: usize,
    live: Vec<SessionHandle>,
}

impl Admission {
    pub(crate) fn new(config: &LimitsConfig) -> Self {
        Admission {
            rate: TurnRate::new(config.turns_per_minute),
            max_sessions: config.max_sessions.max(1),
            live: Vec::new(),
        }
    }

    /// Sessions in progress now.
    pub(crate) fn in_progress(&mut self) -> usize {
        self.live.retain(SessionHandle::is_live);
        self.live.len()
    }

    /// Admits a turn for `satellite` (`None`: an automation's `ask`). `replacing` is the
    /// satellite's current turn, which the new one cancels: it does not count against the
    /// session limit even though its task has not ended yet.
    pub(crate) fn admit(
        &mut self,
        satellite: Option<&SatelliteId>,
        replacing: Option<&SessionHandle>,
        now: Instant,
    ) -> Result<(SessionGuard, SessionHandle), Refusal> {
        let ending = usize::from(replacing.is_some_and(SessionHandle::is_live));
        if self.in_progress().saturating_sub(ending) >= self.max_sessions {
            return Err(Refusal::TooManySessions);
        }
        // Checked last, so that a turn refused as too many does not spend the rate.
        if let Some(satellite) = satellite
            && !self.rate.admit(satellite, now)
        {
            return Err(Refusal::RateLimited);
        }
        let live = Arc::new(());
        let handle = SessionHandle(Arc::downgrade(&live));
        self.live.push(handle.clone());
        Ok((SessionGuard(live), handle))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn config(turns_per_minute: u32, max_sessions: usize) -> LimitsConfig {
        LimitsConfig {
            turns_per_minute,
            max_sessions,
            ..LimitsConfig::default()
        }
    }

    #[test]
    fn sessions_over_the_limit_are_refused_until_one_ends() {
        let kitchen = SatelliteId::new("kitchen").unwrap();
        let hall = SatelliteId::new("hall").unwrap();
        let mut admission = Admission::new(&config(10, 1));
        let now = Instant::now();
        let (first, _) = admission.admit(Some(&kitchen), None, now).unwrap();
        assert_eq!(
            admission.admit(Some(&hall), None, now).unwrap_err(),
            Refusal::TooManySessions
        );
        assert_eq!(
            admission.admit(None, None, now).unwrap_err(),
            Refusal::TooManySessions
        );
        drop(first);
        assert!(admission.admit(Some(&hall), None, now).is_ok());
    }

    #[test]
    fn a_satellite_replacing_its_own_turn_is_not_refused_as_busy() {
        let kitchen = SatelliteId::new("kitchen").unwrap();
        let mut admission = Admission::new(&config(10, 1));
        let now = Instant::now();
        let (_old, handle) = admission.admit(Some(&kitchen), None, now).unwrap();
        // The old turn is still winding down when the new one is admitted.
        let (_new, _) = admission.admit(Some(&kitchen), Some(&handle), now).unwrap();
        assert_eq!(admission.in_progress(), 2);
    }

    #[test]
    fn the_rate_is_per_satellite_and_asks_have_none() {
        let kitchen = SatelliteId::new("kitchen").unwrap();
        let mut admission = Admission::new(&config(1, 100));
        let now = Instant::now();
        assert!(admission.admit(Some(&kitchen), None, now).is_ok());
        assert_eq!(
            admission
                .admit(Some(&kitchen), None, now + Duration::from_secs(1))
                .unwrap_err(),
            Refusal::RateLimited
        );
        assert!(admission.admit(None, None, now).is_ok());
        assert!(
            admission
                .admit(Some(&kitchen), None, now + Duration::from_secs(60))
                .is_ok()
        );
    }
}
