//! The timer book: every running timer and stopwatch the bridge knows, as a plain struct.
//!
//! No I/O and no clock: every method takes `now_ms` (Unix milliseconds) and returns the
//! [`Effect`]s the driver must apply (publish an event, announce on a satellite, publish the
//! list). Times are wall-clock so that a timer persisted before a restart rings at the right
//! moment after it, or at once if it fell due while the bridge was down.

use std::collections::{BTreeMap, VecDeque};

use hive_skills::Lang;
use hive_topics::{SatelliteId, TimerEventKind, TimerInfo};
use serde::{Deserialize, Serialize};

/// The most timers at once: bounded like everything else; a house never needs more.
pub(crate) const MAX_TIMERS: usize = 100;

/// Ids of timers that ended recently, remembered so that a late report of the same timer (a
/// satellite's queued `timer_fired` after the bridge already retired it) is not counted twice.
const FINISHED_MEMORY: usize = 64;

/// Who rings a timer when it falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Ringer {
    /// The bridge announces it on its satellite.
    Bridge,
    /// A satellite set it while offline and rings it itself; the bridge only lists it.
    Satellite,
}

/// One running timer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Timer {
    /// `t7` for the bridge's own, the satellite's id (`kitchen-3`) for a satellite's.
    pub(crate) id: String,
    /// The name the user gave it ("pasta").
    pub(crate) name: Option<String>,
    /// The satellite that rings (and announces) it.
    pub(crate) satellite: Option<SatelliteId>,
    /// Its length in seconds.
    pub(crate) duration_s: u64,
    /// When it rings, Unix milliseconds.
    pub(crate) ends_at_ms: u64,
    /// The language it was set in, to announce it in the same.
    pub(crate) lang: Lang,
    /// Who rings it.
    pub(crate) ringer: Ringer,
    /// A calendar reminder ("remind me to call mom at five"): announced as a reminder, and
    /// out of reach of spoken timer requests ("cancel the timers" keeps it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) reminder: bool,
}

impl Timer {
    /// Whole seconds left at `now_ms`, rounded up (0.2 s left is 1 s left).
    pub(crate) fn remaining_s(&self, now_ms: u64) -> u64 {
        self.ends_at_ms.saturating_sub(now_ms).div_ceil(1000)
    }

    /// The timer as the protocol lists it.
    pub(crate) fn info(&self) -> TimerInfo {
        TimerInfo {
            timer_id: self.id.clone(),
            name: self.name.clone(),
            satellite: self.satellite.clone(),
            duration_s: Some(self.duration_s),
            ends_at: Some(self.ends_at_ms / 1000),
        }
    }

    fn is_named(&self, name: &str) -> bool {
        self.name.as_deref().is_some_and(|own| {
            hive_skills::normalize_phrase(own) == hive_skills::normalize_phrase(name)
        })
    }
}

/// What the driver must do after a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Effect {
    /// Publish on `{p}/timer/event`.
    Event(TimerEventKind, Timer),
    /// Speak "your timer is done" on the timer's satellite.
    Announce(Timer),
    /// The list changed: publish the retained `{p}/timer/list`.
    ListChanged,
}

/// Which timers a request is about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Selector {
    /// Exactly this timer.
    pub(crate) id: Option<String>,
    /// Timers with this name (compared as spoken: case and accents ignored).
    pub(crate) name: Option<String>,
    /// Only timers on this satellite.
    pub(crate) satellite: Option<SatelliteId>,
    /// Reminders too (automations, by id or name); spoken timer requests leave them out.
    pub(crate) reminders: bool,
}

impl Selector {
    fn matches(&self, timer: &Timer) -> bool {
        (self.reminders || !timer.reminder)
            && self.id.as_ref().is_none_or(|id| &timer.id == id)
            && self.name.as_deref().is_none_or(|name| timer.is_named(name))
            && self
                .satellite
                .as_ref()
                .is_none_or(|satellite| timer.satellite.as_ref() == Some(satellite))
    }

    /// The same selector across every satellite: a named timer is found wherever it runs.
    fn anywhere(&self) -> Selector {
        Selector {
            satellite: None,
            ..self.clone()
        }
    }
}

/// Why a timer could not be set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetError {
    /// [`MAX_TIMERS`] already run.
    TooMany,
}

/// The running timers and stopwatches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TimerBook {
    next_id: u64,
    /// Soonest first.
    timers: Vec<Timer>,
    /// Running stopwatches: satellite (`""` for none) → start, Unix ms.
    #[serde(default)]
    stopwatches: BTreeMap<String, u64>,
    #[serde(default)]
    finished: VecDeque<String>,
}

impl TimerBook {
    /// Starts a timer the bridge rings.
    ///
    /// # Errors
    /// [`SetError::TooMany`] when [`MAX_TIMERS`] already run.
    pub(crate) fn set(
        &mut self,
        satellite: Option<SatelliteId>,
        name: Option<String>,
        duration_s: u64,
        lang: Lang,
        now_ms: u64,
    ) -> Result<(Timer, Vec<Effect>), SetError> {
        self.start(satellite, name, duration_s, lang, now_ms, false)
    }

    /// Starts a reminder of `text` at `at_ms` (to the second), which the bridge rings as a
    /// reminder on `satellite`. One already due rings at once.
    ///
    /// # Errors
    /// [`SetError::TooMany`] when [`MAX_TIMERS`] already run.
    pub(crate) fn remind(
        &mut self,
        satellite: Option<SatelliteId>,
        text: String,
        at_ms: u64,
        lang: Lang,
        now_ms: u64,
    ) -> Result<(Timer, Vec<Effect>), SetError> {
        let duration_s = at_ms.saturating_sub(now_ms).div_ceil(1000);
        self.start(satellite, Some(text), duration_s, lang, now_ms, true)
    }

    fn start(
        &mut self,
        satellite: Option<SatelliteId>,
        name: Option<String>,
        duration_s: u64,
        lang: Lang,
        now_ms: u64,
        reminder: bool,
    ) -> Result<(Timer, Vec<Effect>), SetError> {
        if self.timers.len() >= MAX_TIMERS {
            return Err(SetError::TooMany);
        }
        self.next_id += 1;
        let timer = Timer {
            id: format!("t{}", self.next_id),
            name: name
                .map(|name| name.trim().to_owned())
                .filter(|name| !name.is_empty()),
            satellite,
            duration_s,
            ends_at_ms: now_ms.saturating_add(duration_s.saturating_mul(1000)),
            lang,
            ringer: Ringer::Bridge,
            reminder,
        };
        self.insert(timer.clone());
        let effects = vec![
            Effect::Event(TimerEventKind::Set, timer.clone()),
            Effect::ListChanged,
        ];
        Ok((timer, effects))
    }

    fn insert(&mut self, timer: Timer) {
        let at = self
            .timers
            .partition_point(|other| other.ends_at_ms <= timer.ends_at_ms);
        self.timers.insert(at, timer);
    }

    fn retire(&mut self, id: &str) {
        if self.finished.len() == FINISHED_MEMORY {
            self.finished.pop_front();
        }
        self.finished.push_back(id.to_owned());
    }

    /// Cancels every timer `selector` picks; a named or id'd timer not found in the selector's
    /// satellite is looked for on every satellite. Returns the cancelled timers (empty when
    /// none matched) and the effects.
    pub(crate) fn cancel(&mut self, selector: &Selector) -> (Vec<Timer>, Vec<Effect>) {
        let mut chosen = selector.clone();
        let specific = selector.name.is_some() || selector.id.is_some();
        if specific && !self.timers.iter().any(|timer| chosen.matches(timer)) {
            chosen = selector.anywhere();
        }
        let (cancelled, kept): (Vec<Timer>, Vec<Timer>) = std::mem::take(&mut self.timers)
            .into_iter()
            .partition(|timer| chosen.matches(timer));
        self.timers = kept;
        let mut effects = Vec::new();
        for timer in &cancelled {
            self.retire(&timer.id);
            effects.push(Effect::Event(TimerEventKind::Cancelled, timer.clone()));
        }
        if !cancelled.is_empty() {
            effects.push(Effect::ListChanged);
        }
        (cancelled, effects)
    }

    /// The soonest timer `selector` picks (a named one on any satellite if not on the
    /// selector's).
    pub(crate) fn find(&self, selector: &Selector) -> Option<&Timer> {
        self.timers
            .iter()
            .find(|timer| selector.matches(timer))
            .or_else(|| {
                let anywhere = selector.anywhere();
                (selector.name.is_some() || selector.id.is_some())
                    .then(|| self.timers.iter().find(|timer| anywhere.matches(timer)))
                    .flatten()
            })
    }

    /// The timers `selector` picks, soonest first.
    pub(crate) fn list(&self, selector: &Selector) -> Vec<&Timer> {
        self.timers
            .iter()
            .filter(|timer| selector.matches(timer))
            .collect()
    }

    /// Every timer, soonest first.
    pub(crate) fn all(&self) -> &[Timer] {
        &self.timers
    }

    /// When the next timer falls due, Unix ms.
    pub(crate) fn next_deadline_ms(&self) -> Option<u64> {
        self.timers.first().map(|timer| timer.ends_at_ms)
    }

    /// Retires every timer due at `now_ms`: each is reported fired, and the bridge's own are
    /// announced. A satellite's timer is not: the satellite rings it itself.
    pub(crate) fn due(&mut self, now_ms: u64) -> Vec<Effect> {
        let split = self
            .timers
            .partition_point(|timer| timer.ends_at_ms <= now_ms);
        let fired: Vec<Timer> = self.timers.drain(..split).collect();
        let mut effects = Vec::new();
        for timer in fired {
            self.retire(&timer.id);
            effects.push(Effect::Event(TimerEventKind::Fired, timer.clone()));
            if timer.ringer == Ringer::Bridge {
                effects.push(Effect::Announce(timer));
            }
        }
        if !effects.is_empty() {
            effects.push(Effect::ListChanged);
        }
        effects
    }

    /// Takes in what a satellite did on its own (while the bridge was away, or reported from
    /// its queue on reconnection), so that the list shows its timers. Reports are idempotent:
    /// a timer already known or already ended is not added again, and one that ended is not
    /// reported twice.
    pub(crate) fn on_satellite_event(
        &mut self,
        satellite: &SatelliteId,
        event: &hive_topics::LocalEvent,
        default_lang: Lang,
        now_ms: u64,
    ) -> Vec<Effect> {
        use hive_topics::LocalEvent;
        match event {
            LocalEvent::TimerSet {
                timer_id,
                name,
                duration_s,
                ends_at,
            } => {
                let known = self.timers.iter().any(|timer| &timer.id == timer_id)
                    || self.finished.contains(timer_id);
                if known || self.timers.len() >= MAX_TIMERS {
                    return Vec::new();
                }
                let timer = Timer {
                    id: timer_id.clone(),
                    name: name.clone(),
                    satellite: Some(satellite.clone()),
                    duration_s: *duration_s,
                    ends_at_ms: ends_at.saturating_mul(1000),
                    lang: default_lang,
                    ringer: Ringer::Satellite,
                    reminder: false,
                };
                self.insert(timer.clone());
                vec![
                    Effect::Event(TimerEventKind::Set, timer),
                    Effect::ListChanged,
                ]
            }
            LocalEvent::TimerFired { timer_id, .. }
            | LocalEvent::TimerCancelled { timer_id, .. } => {
                let Some(at) = self.timers.iter().position(|timer| &timer.id == timer_id) else {
                    return Vec::new();
                };
                let timer = self.timers.remove(at);
                self.retire(&timer.id);
                let kind = if matches!(event, LocalEvent::TimerFired { .. }) {
                    TimerEventKind::Fired
                } else {
                    TimerEventKind::Cancelled
                };
                vec![Effect::Event(kind, timer), Effect::ListChanged]
            }
            LocalEvent::Stopwatch {
                elapsed_ms,
                running,
            } => {
                let key = satellite.as_str().to_owned();
                if *running {
                    self.stopwatches
                        .insert(key, now_ms.saturating_sub(*elapsed_ms));
                } else {
                    self.stopwatches.remove(&key);
                }
                Vec::new()
            }
        }
    }

    /// Starts (or restarts) the stopwatch of `satellite`.
    pub(crate) fn stopwatch_start(&mut self, satellite: Option<&SatelliteId>, now_ms: u64) {
        self.stopwatches.insert(stopwatch_key(satellite), now_ms);
    }

    /// Stops the stopwatch of `satellite`; the time it ran, or `None` if it was not running.
    pub(crate) fn stopwatch_stop(
        &mut self,
        satellite: Option<&SatelliteId>,
        now_ms: u64,
    ) -> Option<u64> {
        self.stopwatches
            .remove(&stopwatch_key(satellite))
            .map(|started| now_ms.saturating_sub(started))
    }
}

fn stopwatch_key(satellite: Option<&SatelliteId>) -> String {
    satellite
        .map(|id| id.as_str().to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use hive_topics::LocalEvent;

    use super::*;

    const NOW: u64 = 1_700_000_000_000;

    fn sat(id: &str) -> SatelliteId {
        SatelliteId::new(id).unwrap()
    }

    fn on(id: &str) -> Selector {
        Selector {
            satellite: Some(sat(id)),
            ..Selector::default()
        }
    }

    fn named(name: &str, satellite: &str) -> Selector {
        Selector {
            name: Some(name.into()),
            satellite: Some(sat(satellite)),
            ..Selector::default()
        }
    }

    fn set(book: &mut TimerBook, satellite: &str, name: Option<&str>, secs: u64) -> Timer {
        book.set(
            Some(sat(satellite)),
            name.map(str::to_owned),
            secs,
            Lang::En,
            NOW,
        )
        .unwrap()
        .0
    }

    fn kinds(effects: &[Effect]) -> Vec<String> {
        effects
            .iter()
            .map(|effect| match effect {
                Effect::Event(kind, timer) => format!("{kind:?} {}", timer.id),
                Effect::Announce(timer) => format!("announce {}", timer.id),
                Effect::ListChanged => "list".to_owned(),
            })
            .collect()
    }

    #[test]
    fn setting_a_timer_reports_it_and_lists_it() {
        let mut book = TimerBook::default();
        let (timer, effects) = book
            .set(
                Some(sat("kitchen")),
                Some(" pasta ".into()),
                600,
                Lang::Fr,
                NOW,
            )
            .unwrap();
        assert_eq!(timer.id, "t1");
        assert_eq!(timer.name.as_deref(), Some("pasta"));
        assert_eq!(timer.ends_at_ms, NOW + 600_000);
        assert_eq!(kinds(&effects), ["Set t1", "list"]);
        let info = timer.info();
        assert_eq!(
            (info.duration_s, info.ends_at),
            (Some(600), Some(NOW / 1000 + 600))
        );
        assert_eq!(book.next_deadline_ms(), Some(NOW + 600_000));
    }

    #[test]
    fn several_timers_run_at_once_soonest_first() {
        let mut book = TimerBook::default();
        set(&mut book, "kitchen", Some("pasta"), 600);
        set(&mut book, "kitchen", Some("eggs"), 420);
        set(&mut book, "hall", None, 30);
        let ids: Vec<&str> = book.all().iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["t3", "t2", "t1"]);
        let kitchen: Vec<&str> = book
            .list(&on("kitchen"))
            .iter()
            .map(|t| t.id.as_str())
            .collect();
        assert_eq!(kitchen, ["t2", "t1"]);
    }

    #[test]
    fn cancel_by_name_takes_only_that_timer_and_finds_it_on_another_satellite() {
        let mut book = TimerBook::default();
        set(&mut book, "kitchen", Some("pasta"), 600);
        set(&mut book, "kitchen", Some("eggs"), 420);
        let (cancelled, effects) = book.cancel(&named("Pasta", "kitchen"));
        assert_eq!(cancelled.len(), 1);
        assert_eq!(kinds(&effects), ["Cancelled t1", "list"]);
        assert_eq!(book.all().len(), 1);
        // Asked in the hall, the kitchen's egg timer is still found by its name.
        let (cancelled, _) = book.cancel(&named("eggs", "hall"));
        assert_eq!(cancelled[0].id, "t2");
        let (none, effects) = book.cancel(&named("eggs", "hall"));
        assert!(none.is_empty() && effects.is_empty());
    }

    #[test]
    fn cancel_without_a_name_takes_the_satellites_timers_only() {
        let mut book = TimerBook::default();
        set(&mut book, "kitchen", None, 60);
        set(&mut book, "kitchen", Some("tea"), 240);
        set(&mut book, "hall", None, 60);
        let (cancelled, effects) = book.cancel(&on("kitchen"));
        assert_eq!(cancelled.len(), 2);
        assert_eq!(kinds(&effects), ["Cancelled t1", "Cancelled t2", "list"]);
        assert_eq!(book.all()[0].id, "t3");
        let by_id = Selector {
            id: Some("t3".into()),
            ..Selector::default()
        };
        assert_eq!(book.cancel(&by_id).0.len(), 1);
        assert!(book.all().is_empty());
    }

    #[test]
    fn remaining_time_is_rounded_up_and_found_by_name() {
        let mut book = TimerBook::default();
        set(&mut book, "kitchen", Some("pasta"), 600);
        set(&mut book, "kitchen", None, 90);
        let soonest = book.find(&on("kitchen")).unwrap();
        assert_eq!(soonest.remaining_s(NOW + 30_200), 60);
        let pasta = book.find(&named("pasta", "hall")).unwrap();
        assert_eq!(pasta.remaining_s(NOW + 1), 600);
        assert!(book.find(&on("hall")).is_none());
        assert!(book.find(&named("rice", "kitchen")).is_none());
    }

    #[test]
    fn due_timers_fire_once_and_only_the_bridges_are_announced() {
        let mut book = TimerBook::default();
        set(&mut book, "kitchen", None, 2);
        set(&mut book, "kitchen", Some("pasta"), 600);
        assert!(book.due(NOW + 1_999).is_empty());
        let effects = book.due(NOW + 2_000);
        assert_eq!(kinds(&effects), ["Fired t1", "announce t1", "list"]);
        assert!(book.due(NOW + 3_000).is_empty(), "a timer fires once");
        assert_eq!(book.next_deadline_ms(), Some(NOW + 600_000));
    }

    #[test]
    fn a_timer_due_during_downtime_fires_late_once_after_a_restart() {
        let mut book = TimerBook::default();
        set(&mut book, "kitchen", Some("pasta"), 2);
        set(&mut book, "kitchen", None, 3_600);
        // Persisted, then the bridge is down for a minute.
        let saved = serde_json::to_vec(&book).unwrap();
        let mut restored: TimerBook = serde_json::from_slice(&saved).unwrap();
        assert_eq!(restored, book);
        let effects = restored.due(NOW + 60_000);
        assert_eq!(kinds(&effects), ["Fired t1", "announce t1", "list"]);
        let again: TimerBook =
            serde_json::from_slice(&serde_json::to_vec(&restored).unwrap()).unwrap();
        let mut again = again;
        assert!(again.due(NOW + 61_000).is_empty(), "not announced twice");
        // Ids keep counting: a new timer never reuses a fired one's id.
        assert_eq!(set(&mut again, "hall", None, 5).id, "t3");
    }

    #[test]
    fn a_satellites_offline_timers_are_listed_and_retired_without_announcement() {
        let mut book = TimerBook::default();
        let kitchen = sat("kitchen");
        let set_event = LocalEvent::TimerSet {
            timer_id: "kitchen-1".into(),
            name: Some("pasta".into()),
            duration_s: 600,
            ends_at: NOW / 1000 + 600,
        };
        let effects = book.on_satellite_event(&kitchen, &set_event, Lang::En, NOW);
        assert_eq!(kinds(&effects), ["Set kitchen-1", "list"]);
        assert_eq!(book.all()[0].ringer, Ringer::Satellite);
        // A repeated report (the satellite's queue replayed) changes nothing.
        assert!(
            book.on_satellite_event(&kitchen, &set_event, Lang::En, NOW)
                .is_empty()
        );
        let fired = LocalEvent::TimerFired {
            timer_id: "kitchen-1".into(),
            name: Some("pasta".into()),
        };
        let effects = book.on_satellite_event(&kitchen, &fired, Lang::En, NOW + 600_000);
        assert_eq!(kinds(&effects), ["Fired kitchen-1", "list"]);
        assert!(book.all().is_empty());
        // Late duplicates of the same timer are ignored.
        assert!(
            book.on_satellite_event(&kitchen, &fired, Lang::En, NOW)
                .is_empty()
        );
        assert!(
            book.on_satellite_event(&kitchen, &set_event, Lang::En, NOW)
                .is_empty()
        );
    }

    #[test]
    fn a_satellites_timer_falling_due_on_the_bridge_first_is_not_announced_nor_fired_twice() {
        let mut book = TimerBook::default();
        let kitchen = sat("kitchen");
        book.on_satellite_event(
            &kitchen,
            &LocalEvent::TimerSet {
                timer_id: "kitchen-2".into(),
                name: None,
                duration_s: 5,
                ends_at: NOW / 1000 + 5,
            },
            Lang::En,
            NOW,
        );
        let effects = book.due(NOW + 5_000);
        assert_eq!(kinds(&effects), ["Fired kitchen-2", "list"]);
        let late = LocalEvent::TimerFired {
            timer_id: "kitchen-2".into(),
            name: None,
        };
        assert!(
            book.on_satellite_event(&kitchen, &late, Lang::En, NOW + 6_000)
                .is_empty()
        );
    }

    #[test]
    fn a_satellites_cancellation_and_stopwatch_are_taken_in() {
        let mut book = TimerBook::default();
        let kitchen = sat("kitchen");
        book.on_satellite_event(
            &kitchen,
            &LocalEvent::TimerSet {
                timer_id: "kitchen-3".into(),
                name: None,
                duration_s: 60,
                ends_at: NOW / 1000 + 60,
            },
            Lang::En,
            NOW,
        );
        let cancelled = LocalEvent::TimerCancelled {
            timer_id: "kitchen-3".into(),
            name: None,
        };
        let effects = book.on_satellite_event(&kitchen, &cancelled, Lang::En, NOW);
        assert_eq!(kinds(&effects), ["Cancelled kitchen-3", "list"]);
        let running = LocalEvent::Stopwatch {
            elapsed_ms: 10_000,
            running: true,
        };
        book.on_satellite_event(&kitchen, &running, Lang::En, NOW);
        assert_eq!(
            book.stopwatch_stop(Some(&kitchen), NOW + 5_000),
            Some(15_000)
        );
    }

    #[test]
    fn stopwatches_run_per_satellite() {
        let mut book = TimerBook::default();
        let (kitchen, hall) = (sat("kitchen"), sat("hall"));
        book.stopwatch_start(Some(&kitchen), NOW);
        book.stopwatch_start(Some(&hall), NOW + 1_000);
        assert_eq!(
            book.stopwatch_stop(Some(&kitchen), NOW + 154_000),
            Some(154_000)
        );
        assert_eq!(book.stopwatch_stop(Some(&kitchen), NOW + 155_000), None);
        assert_eq!(book.stopwatch_stop(Some(&hall), NOW + 3_000), Some(2_000));
    }

    #[test]
    fn the_number_of_timers_is_bounded() {
        let mut book = TimerBook::default();
        for _ in 0..MAX_TIMERS {
            set(&mut book, "kitchen", None, 60);
        }
        assert_eq!(
            book.set(None, None, 60, Lang::En, NOW).unwrap_err(),
            SetError::TooMany
        );
    }

    #[test]
    fn reminders_ring_as_reminders_and_spoken_timer_requests_leave_them_alone() {
        let mut book = TimerBook::default();
        set(&mut book, "kitchen", None, 60);
        let (reminder, effects) = book
            .remind(
                Some(sat("kitchen")),
                "call mom".into(),
                NOW + 90_500,
                Lang::En,
                NOW,
            )
            .unwrap();
        assert_eq!((reminder.id.as_str(), reminder.duration_s), ("t2", 91));
        assert!(reminder.reminder);
        assert_eq!(kinds(&effects), ["Set t2", "list"]);
        // "How long is left?", "cancel the timers": the reminder is not a timer to them.
        assert!(book.find(&named("call mom", "kitchen")).is_none());
        let (cancelled, _) = book.cancel(&on("kitchen"));
        assert_eq!(cancelled.len(), 1);
        assert_eq!(cancelled[0].id, "t1");
        assert!(book.list(&on("kitchen")).is_empty());
        assert_eq!(book.all().len(), 1, "the reminder still runs");

        // Saved and read back (an older record without the field reads as a timer).
        let saved = serde_json::to_string(&book).unwrap();
        let restored: TimerBook = serde_json::from_str(&saved).unwrap();
        assert_eq!(restored, book);
        let older: Timer = serde_json::from_str(
            r#"{"id":"t9","name":null,"satellite":null,"duration_s":5,"ends_at_ms":1,"lang":"en","ringer":"bridge"}"#,
        )
        .unwrap();
        assert!(!older.reminder);

        let effects = book.due(NOW + 91_000);
        assert_eq!(kinds(&effects), ["Fired t2", "announce t2", "list"]);
        assert!(
            effects
                .iter()
                .any(|effect| matches!(effect, Effect::Announce(timer) if timer.reminder))
        );

        // An automation reaches it by name.
        book.remind(None, "water the plants".into(), NOW + 5_000, Lang::En, NOW)
            .unwrap();
        let by_name = Selector {
            name: Some("Water the plants".into()),
            reminders: true,
            ..Selector::default()
        };
        assert_eq!(book.cancel(&by_name).0.len(), 1);
    }
}
