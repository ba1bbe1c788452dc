//! Timer and stopwatch intents as a typed enum, for the runtime that executes them.

use crate::error::SkillError;
use crate::skill::IntentMatch;

/// A recognised timer or stopwatch request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimerIntent {
    /// `timer.set`: start a countdown.
    Set {
        /// How long, in seconds.
        duration_secs: u64,
        /// The timer's name, if one was given ("pasta").
        name: Option<String>,
    },
    /// `timer.cancel`: cancel the named timer, or the only or all running ones.
    Cancel {
        /// The timer's name, if one was given.
        name: Option<String>,
    },
    /// `timer.remaining`: how much time a timer has left.
    Remaining {
        /// The timer's name, if one was given.
        name: Option<String>,
    },
    /// `timer.list`: the running timers.
    List,
    /// `stopwatch.start`.
    StopwatchStart,
    /// `stopwatch.stop`.
    StopwatchStop,
}

impl TryFrom<&IntentMatch> for TimerIntent {
    type Error = SkillError;

    /// # Errors
    /// [`SkillError::UnknownIntent`] for an intent of another skill, and
    /// [`SkillError::MissingSlot`] for `timer.set` without a duration.
    fn try_from(found: &IntentMatch) -> Result<TimerIntent, SkillError> {
        let name = found.text("name").map(str::to_owned);
        let intent = match found.intent.as_str() {
            "timer.set" => TimerIntent::Set {
                duration_secs: found.duration_secs("duration").ok_or_else(|| {
                    SkillError::MissingSlot {
                        intent: found.intent.clone(),
                        slot: "duration".to_owned(),
                    }
                })?,
                name,
            },
            "timer.cancel" => TimerIntent::Cancel { name },
            "timer.remaining" => TimerIntent::Remaining { name },
            "timer.list" => TimerIntent::List,
            "stopwatch.start" => TimerIntent::StopwatchStart,
            "stopwatch.stop" => TimerIntent::StopwatchStop,
            other => {
                return Err(SkillError::UnknownIntent {
                    skill: found.skill.clone(),
                    intent: other.to_owned(),
                });
            }
        };
        Ok(intent)
    }
}
