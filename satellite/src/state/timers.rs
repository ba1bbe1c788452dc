//! Countdown timers kept on the satellite. Times are Unix milliseconds (wall clock), so
//! that a timer set before a restart rings at the right moment after it.

use hive_skills::Lang;
use serde::{Deserialize, Serialize};

/// One running timer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timer {
    /// Its id, unique on this satellite (`kitchen-3`).
    pub id: String,
    /// The name the user gave it ("pasta").
    pub name: Option<String>,
    /// Its length in seconds.
    pub duration_s: u64,
    /// When it rings, Unix milliseconds.
    pub ends_at_ms: u64,
    /// The language it was set in, to announce it in the same.
    pub lang: Lang,
}

impl Timer {
    /// Whole seconds left at `now_ms`, rounded up (a timer with 0.2 s left has 1 s left).
    pub fn remaining_s(&self, now_ms: u64) -> u64 {
        self.ends_at_ms.saturating_sub(now_ms).div_ceil(1000)
    }

    fn is_named(&self, name: &str) -> bool {
        self.name.as_deref().is_some_and(|own| {
            hive_skills::normalize_phrase(own) == hive_skills::normalize_phrase(name)
        })
    }
}

/// Why nothing was cancelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelError {
    /// No timer runs (with that name).
    NoTimer,
}

/// The running timers, soonest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timers {
    next_id: u64,
    timers: Vec<Timer>,
}

impl Timers {
    /// Starts a timer of `duration_s` named `name` at `now_ms`; its id starts with `prefix`
    /// (the satellite id).
    pub fn add(
        &mut self,
        prefix: &str,
        duration_s: u64,
        name: Option<String>,
        lang: Lang,
        now_ms: u64,
    ) -> Timer {
        self.next_id += 1;
        let timer = Timer {
            id: format!("{prefix}-{}", self.next_id),
            name: name.filter(|name| !name.trim().is_empty()),
            duration_s,
            ends_at_ms: now_ms.saturating_add(duration_s.saturating_mul(1000)),
            lang,
        };
        self.timers.push(timer.clone());
        self.timers.sort_by_key(|timer| timer.ends_at_ms);
        timer
    }

    /// Cancels the timers named `name`, or every timer when `name` is `None`.
    ///
    /// # Errors
    /// [`CancelError::NoTimer`] when none matched.
    pub fn cancel(&mut self, name: Option<&str>) -> Result<Vec<Timer>, CancelError> {
        let (cancelled, kept): (Vec<Timer>, Vec<Timer>) = std::mem::take(&mut self.timers)
            .into_iter()
            .partition(|timer| name.is_none_or(|name| timer.is_named(name)));
        self.timers = kept;
        if cancelled.is_empty() {
            Err(CancelError::NoTimer)
        } else {
            Ok(cancelled)
        }
    }

    /// The soonest timer named `name` (any timer when `None`).
    pub fn find(&self, name: Option<&str>) -> Option<&Timer> {
        self.timers
            .iter()
            .find(|timer| name.is_none_or(|name| timer.is_named(name)))
    }

    /// Removes and returns the timers due at `now_ms`.
    pub fn fired(&mut self, now_ms: u64) -> Vec<Timer> {
        let split = self
            .timers
            .iter()
            .position(|timer| timer.ends_at_ms > now_ms)
            .unwrap_or(self.timers.len());
        self.timers.drain(..split).collect()
    }

    /// When the next timer rings, Unix ms.
    pub fn next_deadline_ms(&self) -> Option<u64> {
        self.timers.first().map(|timer| timer.ends_at_ms)
    }

    /// Every running timer, soonest first.
    pub fn list(&self) -> &[Timer] {
        &self.timers
    }

    /// Whether no timer runs.
    pub fn is_empty(&self) -> bool {
        self.timers.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timers() -> Timers {
        let mut timers = Timers::default();
        timers.add("k", 600, Some("pasta".into()), Lang::En, 1_000);
        timers.add("k", 60, None, Lang::Fr, 1_000);
        timers.add("k", 300, Some("Eggs".into()), Lang::Nl, 1_000);
        timers
    }

    #[test]
    fn timers_are_kept_soonest_first_with_unique_ids() {
        let timers = timers();
        let ids: Vec<&str> = timers
            .list()
            .iter()
            .map(|timer| timer.id.as_str())
            .collect();
        assert_eq!(ids, ["k-2", "k-3", "k-1"]);
        assert_eq!(timers.next_deadline_ms(), Some(61_000));
    }

    #[test]
    fn timers_fire_when_due_and_not_before() {
        let mut timers = timers();
        assert!(timers.fired(60_999).is_empty());
        let fired = timers.fired(61_000);
        assert_eq!(fired.len(), 1);
        assert_eq!(fired[0].lang, Lang::Fr);
        let fired = timers.fired(10_000_000);
        assert_eq!(fired.len(), 2);
        assert!(timers.is_empty());
        assert_eq!(timers.next_deadline_ms(), None);
    }

    #[test]
    fn cancelling_by_name_or_all() {
        let cases: [(Option<&str>, Result<usize, CancelError>, usize); 4] = [
            (Some("pasta"), Ok(1), 2),
            (Some("EGGS"), Ok(1), 2),
            (Some("rice"), Err(CancelError::NoTimer), 3),
            (None, Ok(3), 0),
        ];
        for (name, expected, left) in cases {
            let mut timers = timers();
            assert_eq!(
                timers.cancel(name).map(|cancelled| cancelled.len()),
                expected,
                "{name:?}"
            );
            assert_eq!(timers.list().len(), left, "{name:?}");
        }
        assert_eq!(Timers::default().cancel(None), Err(CancelError::NoTimer));
    }

    #[test]
    fn remaining_time_rounds_up() {
        let timers = timers();
        let pasta = timers.find(Some("pasta")).unwrap();
        assert_eq!(pasta.remaining_s(1_000), 600);
        assert_eq!(pasta.remaining_s(600_800), 1);
        assert_eq!(pasta.remaining_s(601_000), 0);
        assert_eq!(pasta.remaining_s(u64::MAX), 0);
        assert_eq!(timers.find(None).unwrap().duration_s, 60);
    }

    #[test]
    fn blank_names_are_no_names_and_ids_survive_serialisation() {
        let mut timers = Timers::default();
        let timer = timers.add("k", 5, Some("  ".into()), Lang::En, 0);
        assert_eq!(timer.name, None);
        let json = serde_json::to_string(&timers).unwrap();
        let mut back: Timers = serde_json::from_str(&json).unwrap();
        assert_eq!(back, timers);
        assert_eq!(back.add("k", 5, None, Lang::En, 0).id, "k-2");
    }
}
