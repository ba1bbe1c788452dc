//! One language model's health inside a chain: an engine that failed rests for an exponential
//! backoff, so that a hung remote server is not waited on turn after turn while the next
//! engine could answer at once. Pure state: the chain passes the time in.

use std::time::{Duration, Instant};

use super::engine::LlmError;

/// The first rest after a failure.
pub(crate) const FIRST_REST: Duration = Duration::from_secs(5);
/// The longest rest: a server that stays down is still tried every five minutes, so that it
/// is back in use soon after it is repaired.
pub(crate) const MAX_REST: Duration = Duration::from_secs(300);

/// What `/health` shows of one engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LlmHealth {
    /// The engine's name.
    pub name: String,
    /// False from a failure until the engine next answers.
    pub healthy: bool,
    /// Why it last failed, kept after it recovers.
    pub last_error: Option<String>,
    /// How long until it is tried again; zero once its rest is over.
    pub retry_in: Option<Duration>,
}

/// Failures, rest and the last error of one engine.
#[derive(Debug, Clone)]
pub(crate) struct Health {
    first: Duration,
    max: Duration,
    /// Failures since the engine last answered.
    failures: u32,
    /// Until when the chain passes it over.
    resting_until: Option<Instant>,
    last_error: Option<String>,
}

impl Health {
    pub(crate) fn new(first: Duration, max: Duration) -> Self {
        Health {
            first,
            max,
            failures: 0,
            resting_until: None,
            last_error: None,
        }
    }

    /// Whether the chain should ask this engine at `now`.
    pub(crate) fn available(&self, now: Instant) -> bool {
        self.resting_until.is_none_or(|until| now >= until)
    }

    /// Records a failure at `now`; returns how long the engine now rests.
    pub(crate) fn failed(&mut self, now: Instant, error: String) -> Duration {
        // 2^16 rests already exceed any sane cap; stop shifting before it overflows.
        let factor = 1u32 << self.failures.min(16);
        let rest = self.first.saturating_mul(factor).min(self.max);
        self.failures = self.failures.saturating_add(1);
        self.resting_until = Some(now + rest);
        self.last_error = Some(error);
        rest
    }

    /// Records an answer: healthy again, and the next failure rests the shortest time.
    pub(crate) fn answered(&mut self) {
        self.failures = 0;
        self.resting_until = None;
    }

    pub(crate) fn report(&self, name: &str, now: Instant) -> LlmHealth {
        LlmHealth {
            name: name.to_owned(),
            healthy: self.failures == 0,
            last_error: self.last_error.clone(),
            retry_in: self
                .resting_until
                .map(|until| until.saturating_duration_since(now)),
        }
    }
}

/// Whether `error` says the engine is unwell rather than that this one request was wrong: a
/// request the server refuses as malformed or too long would fail on any engine, and resting
/// a healthy server for it would only push the next turns onto a worse one.
pub(crate) fn counts_against(error: &LlmError) -> bool {
    match error {
        LlmError::Status { status, .. } => {
            *status >= 500 || matches!(status, 401 | 403 | 404 | 408 | 429)
        }
        LlmError::Unreachable { .. } | LlmError::Protocol { .. } | LlmError::Exhausted(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn a_failed_engine_rests_doubling_from_five_seconds_to_five_minutes() {
        let start = Instant::now();
        let mut health = Health::new(FIRST_REST, MAX_REST);
        assert!(health.available(start));
        let rests: Vec<u64> = (0..9)
            .map(|_| health.failed(start, "timed out".into()).as_secs())
            .collect();
        assert_eq!(rests, [5, 10, 20, 40, 80, 160, 300, 300, 300]);
    }

    #[test]
    fn a_resting_engine_is_passed_over_until_its_rest_is_over() {
        let start = Instant::now();
        let mut health = Health::new(FIRST_REST, MAX_REST);
        health.failed(start, "no answer within 2s".into());
        assert!(!health.available(start));
        assert!(!health.available(start + 4 * S));
        assert!(health.available(start + 5 * S));
        let report = health.report("remote", start + 2 * S);
        assert!(!report.healthy);
        assert_eq!(report.retry_in, Some(3 * S));
        assert_eq!(report.last_error.as_deref(), Some("no answer within 2s"));
        // Tried again after its rest, and failing again: a longer rest.
        let rest = health.failed(start + 5 * S, "no answer within 2s".into());
        assert_eq!(rest, 10 * S);
        assert!(!health.available(start + 14 * S));
        assert!(health.available(start + 15 * S));
    }

    #[test]
    fn an_answer_makes_it_healthy_and_resets_the_rest_but_keeps_the_last_error() {
        let start = Instant::now();
        let mut health = Health::new(FIRST_REST, MAX_REST);
        for _ in 0..4 {
            health.failed(start, "refused".into());
        }
        health.answered();
        assert!(health.available(start));
        let report = health.report("remote", start);
        assert!(report.healthy);
        assert_eq!(report.retry_in, None);
        assert_eq!(report.last_error.as_deref(), Some("refused"));
        assert_eq!(health.failed(start, "refused".into()), 5 * S);
    }

    #[test]
    fn thousands_of_failures_neither_overflow_nor_exceed_the_cap() {
        let start = Instant::now();
        let mut health = Health::new(S, 60 * S);
        for _ in 0..10_000 {
            assert!(health.failed(start, "down".into()) <= 60 * S);
        }
    }

    #[test]
    fn only_faults_of_the_server_count_against_it() {
        let status = |status| LlmError::Status {
            engine: "remote".into(),
            status,
            detail: String::new(),
        };
        assert!(counts_against(&LlmError::Unreachable {
            engine: "remote".into(),
            detail: "timed out".into(),
        }));
        assert!(counts_against(&status(503)));
        assert!(counts_against(&status(429)));
        assert!(counts_against(&status(401)));
        assert!(!counts_against(&status(400)));
        assert!(!counts_against(&status(413)));
    }
}
