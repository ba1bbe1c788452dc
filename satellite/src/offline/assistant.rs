//! The local assistant: what degraded mode understands and answers, from a transcript. Pure:
//! the time is passed in, the timers and stopwatch are passed in, and the answer says what
//! to speak and which events to report.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use hive_skills::timer::{
    TimerIntent, no_timer_reply, stopwatch_started_reply, stopwatch_stopped_reply,
    timer_cancelled_reply, timer_fired_reply, timer_remaining_reply, timer_set_reply,
};
use hive_skills::{IntentMatch, Lang, Registry, SkillContext, SkillsConfig};
use hive_topics::LocalEvent;

use super::error::OfflineError;
use crate::state::{LocalState, Timer};

/// The longest timer, as the protocol allows: 7 days.
const MAX_TIMER_S: u64 = 7 * 24 * 3600;

/// What to say, and what happened.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalAnswer {
    /// The sentence to speak.
    pub speech: String,
    /// Its language.
    pub lang: Lang,
    /// The intent that answered, if one did.
    pub intent: Option<String>,
    /// Events for the bridge (timers, stopwatch).
    pub events: Vec<LocalEvent>,
}

/// The sentence for "I cannot do that offline".
pub fn not_understood(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Sorry, without the bridge I can only tell the time and run timers.",
        Lang::Fr => "Désolé, sans le pont je ne peux que donner l'heure et gérer des minuteurs.",
        Lang::Nl => "Sorry, zonder de brug kan ik alleen de tijd zeggen en timers zetten.",
    }
}

/// What to say when `timer` rings.
pub fn timer_announcement(timer: &Timer) -> String {
    timer_fired_reply(timer.name.as_deref(), timer.lang)
}

fn stopwatch_not_running(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "The stopwatch is not running.",
        Lang::Fr => "Le chronomètre n'est pas lancé.",
        Lang::Nl => "De stopwatch loopt niet.",
    }
}

/// The clock, timer and stopwatch skills, offline.
pub struct LocalAssistant {
    registry: Registry,
    time_zone: Tz,
    default_lang: Lang,
    satellite: String,
}

impl std::fmt::Debug for LocalAssistant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalAssistant")
            .field("time_zone", &self.time_zone)
            .field("default_lang", &self.default_lang)
            .finish_non_exhaustive()
    }
}

impl LocalAssistant {
    /// The assistant for `satellite` (timer ids start with it), answering in `time_zone`.
    ///
    /// # Errors
    /// The built-in skills failed to load (a bug, not a configuration problem).
    pub fn new(
        satellite: &str,
        time_zone: Tz,
        default_lang: Lang,
    ) -> Result<LocalAssistant, OfflineError> {
        let config = SkillsConfig {
            disabled: vec!["emotion".into()],
            ..SkillsConfig::default()
        };
        let registry =
            Registry::builtin(&config).map_err(|error| OfflineError::Skills(error.to_string()))?;
        Ok(LocalAssistant {
            registry,
            time_zone,
            default_lang,
            satellite: satellite.to_owned(),
        })
    }

    /// Answers `text` (heard in `lang_hint`, if known) at `now`, updating `state`.
    pub fn answer(
        &self,
        text: &str,
        lang_hint: Option<Lang>,
        state: &mut LocalState,
        now: DateTime<Utc>,
    ) -> LocalAnswer {
        let fallback = lang_hint.unwrap_or(self.default_lang);
        let Some(found) = self.registry.match_text(text, lang_hint) else {
            return LocalAnswer {
                speech: not_understood(fallback).to_owned(),
                lang: fallback,
                intent: None,
                events: Vec::new(),
            };
        };
        let lang = found.lang.unwrap_or(fallback);
        let mut answer = LocalAnswer {
            speech: String::new(),
            lang,
            intent: Some(found.intent.clone()),
            events: Vec::new(),
        };
        answer.speech = match found.skill.as_str() {
            "timer" => self.timer(&found, lang, state, now, &mut answer.events),
            _ => {
                let context =
                    SkillContext::new(lang, self.time_zone, now).with_satellite(&self.satellite);
                match self.registry.execute(&found, &context) {
                    Ok(reply) if !reply.speech.is_empty() => reply.speech,
                    _ => not_understood(lang).to_owned(),
                }
            }
        };
        answer
    }

    fn timer(
        &self,
        found: &IntentMatch,
        lang: Lang,
        state: &mut LocalState,
        now: DateTime<Utc>,
        events: &mut Vec<LocalEvent>,
    ) -> String {
        let now_ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
        let Ok(intent) = TimerIntent::try_from(found) else {
            return not_understood(lang).to_owned();
        };
        match intent {
            TimerIntent::Set {
                duration_secs,
                name,
            } => {
                if duration_secs == 0 || duration_secs > MAX_TIMER_S {
                    return not_understood(lang).to_owned();
                }
                let timer = state
                    .timers
                    .add(&self.satellite, duration_secs, name, lang, now_ms);
                events.push(LocalEvent::TimerSet {
                    timer_id: timer.id.clone(),
                    name: timer.name.clone(),
                    duration_s: timer.duration_s,
                    ends_at: timer.ends_at_ms / 1000,
                });
                timer_set_reply(duration_secs, timer.name.as_deref(), lang)
            }
            TimerIntent::Cancel { name } => match state.timers.cancel(name.as_deref()) {
                Ok(cancelled) => {
                    events.extend(cancelled.iter().map(|timer| LocalEvent::TimerCancelled {
                        timer_id: timer.id.clone(),
                        name: timer.name.clone(),
                    }));
                    let label = if cancelled.len() == 1 {
                        cancelled[0].name.clone()
                    } else {
                        name
                    };
                    timer_cancelled_reply(label.as_deref(), lang)
                }
                Err(_) => no_timer_reply(lang).to_owned(),
            },
            TimerIntent::Remaining { name } => match state.timers.find(name.as_deref()) {
                Some(timer) => {
                    timer_remaining_reply(timer.remaining_s(now_ms), timer.name.as_deref(), lang)
                }
                None => no_timer_reply(lang).to_owned(),
            },
            TimerIntent::List => {
                let timers = state.timers.list();
                if timers.is_empty() {
                    return no_timer_reply(lang).to_owned();
                }
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
            }
            TimerIntent::StopwatchStart => {
                state.stopwatch.start(now_ms);
                events.push(LocalEvent::Stopwatch {
                    elapsed_ms: state.stopwatch.elapsed_ms(now_ms),
                    running: true,
                });
                stopwatch_started_reply(lang).to_owned()
            }
            TimerIntent::StopwatchStop => match state.stopwatch.stop(now_ms) {
                Some(elapsed_ms) => {
                    events.push(LocalEvent::Stopwatch {
                        elapsed_ms,
                        running: false,
                    });
                    stopwatch_stopped_reply(elapsed_ms / 1000, lang)
                }
                None => stopwatch_not_running(lang).to_owned(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn assistant() -> LocalAssistant {
        LocalAssistant::new("kitchen", chrono_tz::Europe::Brussels, Lang::En).unwrap()
    }

    fn noon() -> DateTime<Utc> {
        // 14:05 in Brussels (summer time).
        Utc.with_ymd_and_hms(2025, 6, 2, 12, 5, 0).unwrap()
    }

    #[test]
    fn the_time_is_told_in_each_language() {
        let assistant = assistant();
        let mut state = LocalState::default();
        let cases = [
            ("What time is it?", Lang::En),
            ("Quelle heure est-il ?", Lang::Fr),
            ("Hoe laat is het?", Lang::Nl),
        ];
        for (question, lang) in cases {
            let answer = assistant.answer(question, None, &mut state, noon());
            assert_eq!(answer.lang, lang, "{question}");
            assert_eq!(answer.intent.as_deref(), Some("clock.time"), "{question}");
            assert!(
                answer.speech.contains('2') || answer.speech.contains("14"),
                "{question}: {}",
                answer.speech
            );
            assert!(answer.events.is_empty());
        }
    }

    #[test]
    fn timers_are_set_listed_and_cancelled_with_events() {
        let assistant = assistant();
        let mut state = LocalState::default();
        let set = assistant.answer("set a timer for 2 seconds", None, &mut state, noon());
        assert_eq!(set.intent.as_deref(), Some("timer.set"), "{set:?}");
        assert!(set.speech.contains("2 seconds"), "{}", set.speech);
        let ends_at = (noon().timestamp() + 2) as u64;
        assert_eq!(
            set.events,
            [LocalEvent::TimerSet {
                timer_id: "kitchen-1".into(),
                name: None,
                duration_s: 2,
                ends_at
            }]
        );
        assert_eq!(state.timers.list().len(), 1);

        let french = assistant.answer("mets un minuteur de cinq minutes", None, &mut state, noon());
        assert_eq!(
            (french.lang, french.intent.as_deref()),
            (Lang::Fr, Some("timer.set"))
        );
        assert!(french.speech.contains("5 minutes"), "{}", french.speech);

        // Listed soonest first, each with what is left, in the language asked in; listing
        // changes nothing and tells the bridge nothing.
        let later = noon() + chrono::Duration::seconds(1);
        let list = assistant.answer("What timers are running?", None, &mut state, later);
        assert_eq!(list.intent.as_deref(), Some("timer.list"), "{list:?}");
        assert_eq!(list.speech, "1 second left. 4 minutes 59 seconds left.");
        assert!(list.events.is_empty(), "{:?}", list.events);
        let liste = assistant.answer("Quels sont mes minuteurs ?", None, &mut state, later);
        assert_eq!(liste.lang, Lang::Fr);
        assert_eq!(
            liste.speech,
            "Il reste une seconde. Il reste 4 minutes et 59 secondes."
        );
        assert_eq!(state.timers.list().len(), 2);

        let cancel = assistant.answer("cancel the timer", None, &mut state, noon());
        assert_eq!(cancel.intent.as_deref(), Some("timer.cancel"), "{cancel:?}");
        assert_eq!(cancel.events.len(), 2);
        assert!(state.timers.is_empty());
        let again = assistant.answer("cancel the timer", None, &mut state, noon());
        assert_eq!(again.speech, no_timer_reply(Lang::En));
        let none = assistant.answer("What timers are running?", None, &mut state, noon());
        assert_eq!(none.speech, "There is no timer running.");
    }

    #[test]
    fn the_stopwatch_runs_and_stops() {
        let assistant = assistant();
        let mut state = LocalState::default();
        let start = assistant.answer("start the stopwatch", None, &mut state, noon());
        assert_eq!(
            start.intent.as_deref(),
            Some("stopwatch.start"),
            "{start:?}"
        );
        let later = noon() + chrono::Duration::seconds(154);
        let stop = assistant.answer("stop the stopwatch", None, &mut state, later);
        assert_eq!(stop.speech, "Stopwatch stopped at 2 minutes 34 seconds.");
        assert_eq!(
            stop.events,
            [LocalEvent::Stopwatch {
                elapsed_ms: 154_000,
                running: false
            }]
        );
    }

    #[test]
    fn anything_else_gets_an_honest_answer() {
        let assistant = assistant();
        let mut state = LocalState::default();
        let answer = assistant.answer(
            "tell me a joke about penguins",
            Some(Lang::Fr),
            &mut state,
            noon(),
        );
        assert_eq!(
            (answer.speech.as_str(), answer.lang),
            (not_understood(Lang::Fr), Lang::Fr)
        );
        assert_eq!(answer.intent, None);
    }
}
