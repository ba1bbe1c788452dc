//! Spoken timer and stopwatch requests executed against the [`TimerBook`]: what to say and
//! what changed. Pure, like the book: the time is passed in.

use hive_skills::Lang;
use hive_skills::timer::{
    TimerIntent, no_timer_reply, stopwatch_started_reply, stopwatch_stopped_reply,
    timer_cancelled_reply, timer_remaining_reply, timer_set_reply,
};
use hive_topics::{SatelliteId, TimerSet};

use super::book::{Effect, Selector, SetError, TimerBook};

/// "The stopwatch is not running."
fn stopwatch_not_running(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "The stopwatch is not running.",
        Lang::Fr => "Le chronomètre n'est pas lancé.",
        Lang::Nl => "De stopwatch loopt niet.",
    }
}

/// Said when a timer is longer than the protocol allows, or too many run.
fn cannot_set(lang: Lang, error: Option<SetError>) -> &'static str {
    match (lang, error) {
        (Lang::En, None) => "Timers can run for up to 7 days.",
        (Lang::Fr, None) => "Un minuteur peut durer au plus 7 jours.",
        (Lang::Nl, None) => "Een timer kan hooguit 7 dagen lopen.",
        (Lang::En, Some(SetError::TooMany)) => "There are too many timers running already.",
        (Lang::Fr, Some(SetError::TooMany)) => "Il y a déjà trop de minuteurs en cours.",
        (Lang::Nl, Some(SetError::TooMany)) => "Er lopen al te veel timers.",
    }
}

/// Executes `intent`, asked at `satellite` in `lang`, at `now_ms`: the sentence to say and the
/// effects for the driver.
pub(crate) fn execute(
    book: &mut TimerBook,
    intent: TimerIntent,
    satellite: Option<&SatelliteId>,
    lang: Lang,
    now_ms: u64,
) -> (String, Vec<Effect>) {
    let scope = |name: Option<String>| Selector {
        id: None,
        name,
        satellite: satellite.cloned(),
        reminders: false,
    };
    match intent {
        TimerIntent::Set {
            duration_secs,
            name,
        } => {
            if duration_secs == 0 || duration_secs > TimerSet::MAX_DURATION_S {
                return (cannot_set(lang, None).to_owned(), Vec::new());
            }
            match book.set(satellite.cloned(), name, duration_secs, lang, now_ms) {
                Ok((timer, effects)) => (
                    timer_set_reply(duration_secs, timer.name.as_deref(), lang),
                    effects,
                ),
                Err(error) => (cannot_set(lang, Some(error)).to_owned(), Vec::new()),
            }
        }
        TimerIntent::Cancel { name } => {
            let (cancelled, effects) = book.cancel(&scope(name.clone()));
            let speech = match cancelled.as_slice() {
                [] => no_timer_reply(lang).to_owned(),
                [only] => timer_cancelled_reply(only.name.as_deref(), lang),
                _ => timer_cancelled_reply(name.as_deref(), lang),
            };
            (speech, effects)
        }
        TimerIntent::Remaining { name } => {
            let speech = match book.find(&scope(name)) {
                Some(timer) => {
                    timer_remaining_reply(timer.remaining_s(now_ms), timer.name.as_deref(), lang)
                }
                None => no_timer_reply(lang).to_owned(),
            };
            (speech, Vec::new())
        }
        TimerIntent::List => {
            let timers = book.list(&scope(None));
            let speech = if timers.is_empty() {
                no_timer_reply(lang).to_owned()
            } else {
                timers
                    .iter()
                    .map(|timer| {
                        timer_remaining_reply(
                            timer.remaining_s(now_ms),
                            timer.name.as_deref(),
                            lang,
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            (speech, Vec::new())
        }
        TimerIntent::StopwatchStart => {
            book.stopwatch_start(satellite, now_ms);
            (stopwatch_started_reply(lang).to_owned(), Vec::new())
        }
        TimerIntent::StopwatchStop => {
            let speech = match book.stopwatch_stop(satellite, now_ms) {
                Some(elapsed_ms) => stopwatch_stopped_reply(elapsed_ms / 1000, lang),
                None => stopwatch_not_running(lang).to_owned(),
            };
            (speech, Vec::new())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_700_000_000_000;

    fn kitchen() -> SatelliteId {
        SatelliteId::new("kitchen").unwrap()
    }

    fn say(book: &mut TimerBook, intent: TimerIntent, at_ms: u64) -> String {
        execute(book, intent, Some(&kitchen()), Lang::En, at_ms).0
    }

    fn set(secs: u64, name: Option<&str>) -> TimerIntent {
        TimerIntent::Set {
            duration_secs: secs,
            name: name.map(str::to_owned),
        }
    }

    #[test]
    fn a_conversation_about_timers() {
        let mut book = TimerBook::default();
        assert_eq!(
            say(&mut book, set(600, Some("pasta")), NOW),
            "Pasta timer set for 10 minutes."
        );
        assert_eq!(
            say(&mut book, set(2, None), NOW),
            "Timer set for 2 seconds."
        );
        assert_eq!(
            say(&mut book, TimerIntent::List, NOW + 1_000),
            "1 second left. 9 minutes 59 seconds left on the pasta timer."
        );
        assert_eq!(
            say(
                &mut book,
                TimerIntent::Remaining {
                    name: Some("pasta".into())
                },
                NOW + 60_000
            ),
            "9 minutes left on the pasta timer."
        );
        assert_eq!(
            say(
                &mut book,
                TimerIntent::Cancel {
                    name: Some("pasta".into())
                },
                NOW
            ),
            "Pasta timer cancelled."
        );
        assert_eq!(
            say(&mut book, TimerIntent::Cancel { name: None }, NOW),
            "Timer cancelled."
        );
        assert_eq!(
            say(&mut book, TimerIntent::Remaining { name: None }, NOW),
            "There is no timer running."
        );
    }

    #[test]
    fn replies_follow_the_language_and_refuse_impossible_timers() {
        let mut book = TimerBook::default();
        let (speech, effects) = execute(&mut book, set(300, None), None, Lang::Fr, NOW);
        assert_eq!(speech, "Minuteur réglé sur 5 minutes.");
        assert_eq!(effects.len(), 2);
        let (speech, effects) = execute(&mut book, set(8 * 86_400, None), None, Lang::Nl, NOW);
        assert_eq!(speech, "Een timer kan hooguit 7 dagen lopen.");
        assert!(effects.is_empty());
    }

    #[test]
    fn the_stopwatch_starts_and_stops() {
        let mut book = TimerBook::default();
        assert_eq!(
            say(&mut book, TimerIntent::StopwatchStop, NOW),
            "The stopwatch is not running."
        );
        assert_eq!(
            say(&mut book, TimerIntent::StopwatchStart, NOW),
            "Stopwatch started."
        );
        assert_eq!(
            say(&mut book, TimerIntent::StopwatchStop, NOW + 154_400),
            "Stopwatch stopped at 2 minutes 34 seconds."
        );
    }
}
