//! The timer skill: a manifest whose intents the runtime executes.

use crate::error::{ManifestError, SkillError};
use crate::skill::{IntentMatch, Manifest, Skill, SkillContext, SkillReply};

/// The manifest, shipped next to this file.
const MANIFEST: &str = include_str!("skill.toml");

/// Timers and the stopwatch. Matching and tool resolution work like any skill's; execution
/// needs the running timers, so [`Skill::execute`] answers [`SkillError::NeedsRuntime`] and
/// the runtime handles the [`TimerIntent`](crate::timer::TimerIntent) itself.
#[derive(Debug, Clone)]
pub struct TimerSkill {
    manifest: Manifest,
}

impl TimerSkill {
    /// Loads the built-in manifest.
    ///
    /// # Errors
    /// Only if the shipped `skill.toml` is invalid, which the tests rule out.
    pub fn new() -> Result<TimerSkill, ManifestError> {
        Ok(TimerSkill {
            manifest: Manifest::from_toml(MANIFEST)?,
        })
    }
}

impl Skill for TimerSkill {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn execute(&self, intent: &IntentMatch, _ctx: &SkillContext) -> Result<SkillReply, SkillError> {
        match self.manifest.intent(&intent.intent) {
            Some(_) => Err(SkillError::NeedsRuntime {
                intent: intent.intent.clone(),
            }),
            None => Err(SkillError::UnknownIntent {
                skill: self.manifest.name.clone(),
                intent: intent.intent.clone(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::config::SkillsConfig;
    use crate::lang::Lang;
    use crate::registry::Registry;
    use crate::timer::TimerIntent;

    fn registry() -> Registry {
        Registry::builtin(&SkillsConfig::default()).unwrap()
    }

    fn set(duration_secs: u64, name: Option<&str>) -> TimerIntent {
        TimerIntent::Set {
            duration_secs,
            name: name.map(str::to_owned),
        }
    }

    #[test]
    fn spoken_phrasings_reach_timer_and_stopwatch_intents_with_slots() {
        let registry = registry();
        let cases: Vec<(&str, Lang, TimerIntent)> = vec![
            ("Set a timer for 5 minutes.", Lang::En, set(300, None)),
            ("Set a timer for five minutes.", Lang::En, set(300, None)),
            (
                "Set a pasta timer for ten minutes.",
                Lang::En,
                set(600, Some("pasta")),
            ),
            ("Start a 2 minute timer.", Lang::En, set(120, None)),
            (
                "Set a 10-minute egg timer.",
                Lang::En,
                set(600, Some("egg")),
            ),
            (
                "Set a timer for two minutes and thirty seconds.",
                Lang::En,
                set(150, None),
            ),
            (
                "Set a timer for an hour and a half.",
                Lang::En,
                set(5400, None),
            ),
            ("Set a timer for 1 hour 20.", Lang::En, set(4800, None)),
            ("Set a timer for 90 seconds.", Lang::En, set(90, None)),
            ("Timer for twenty-five minutes.", Lang::En, set(1500, None)),
            (
                "Hey, can you set a timer for 3 minutes please?",
                Lang::En,
                set(180, None),
            ),
            (
                "Set a timer for 10 minutes for the pasta.",
                Lang::En,
                set(600, Some("pasta")),
            ),
            (
                "Set a timer called laundry for 45 minutes.",
                Lang::En,
                set(2700, Some("laundry")),
            ),
            ("Set a timer for half an hour.", Lang::En, set(1800, None)),
            (
                "Set a timer for the eggs for 7 minutes.",
                Lang::En,
                set(420, Some("eggs")),
            ),
            (
                "Set a tea timer for 4 minutes.",
                Lang::En,
                set(240, Some("tea")),
            ),
            ("Timer 5 minutes.", Lang::En, set(300, None)),
            (
                "Peux-tu mettre un minuteur de cinq minutes ?",
                Lang::Fr,
                set(300, None),
            ),
            (
                "Mets un minuteur de soixante-quinze minutes.",
                Lang::Fr,
                set(4500, None),
            ),
            (
                "Mets un minuteur de cinq minutes.",
                Lang::Fr,
                set(300, None),
            ),
            ("Minuteur de 2 minutes.", Lang::Fr, set(120, None)),
            (
                "Mets un minuteur de deux heures et quart.",
                Lang::Fr,
                set(8100, None),
            ),
            (
                "Mets un minuteur d'une minute trente.",
                Lang::Fr,
                set(90, None),
            ),
            (
                "Mets un minuteur de dix minutes pour les pâtes.",
                Lang::Fr,
                set(600, Some("pâtes")),
            ),
            (
                "Lance un minuteur de quatre-vingt-dix secondes.",
                Lang::Fr,
                set(90, None),
            ),
            (
                "Mets un minuteur de vingt et une minutes, s'il te plaît.",
                Lang::Fr,
                set(1260, None),
            ),
            ("Minuteur d'un quart d'heure.", Lang::Fr, set(900, None)),
            ("Zet een timer op vijf minuten.", Lang::Nl, set(300, None)),
            ("Zet een timer van 2 minuten.", Lang::Nl, set(120, None)),
            (
                "Zet een timer van anderhalf uur.",
                Lang::Nl,
                set(5400, None),
            ),
            ("Zet een timer op een half uur.", Lang::Nl, set(1800, None)),
            (
                "Zet een timer op twee minuten en dertig seconden.",
                Lang::Nl,
                set(150, None),
            ),
            (
                "Zet een timer van vijfendertig minuten voor de pasta.",
                Lang::Nl,
                set(2100, Some("pasta")),
            ),
            (
                "Zet eens een timer op een kwartier.",
                Lang::Nl,
                set(900, None),
            ),
            (
                "Kun je een timer zetten op vijf minuten?",
                Lang::Nl,
                set(300, None),
            ),
            ("Zet een timer op drie kwartier.", Lang::Nl, set(2700, None)),
            (
                "Cancel the timer.",
                Lang::En,
                TimerIntent::Cancel { name: None },
            ),
            (
                "Cancel the pasta timer.",
                Lang::En,
                TimerIntent::Cancel {
                    name: Some("pasta".into()),
                },
            ),
            (
                "Stop the timer!",
                Lang::En,
                TimerIntent::Cancel { name: None },
            ),
            (
                "Annule le minuteur.",
                Lang::Fr,
                TimerIntent::Cancel { name: None },
            ),
            (
                "Annule le minuteur pour les pâtes.",
                Lang::Fr,
                TimerIntent::Cancel {
                    name: Some("pâtes".into()),
                },
            ),
            (
                "Arrête le minuteur.",
                Lang::Fr,
                TimerIntent::Cancel { name: None },
            ),
            (
                "Stop de timer.",
                Lang::Nl,
                TimerIntent::Cancel { name: None },
            ),
            (
                "Annuleer de timer voor de pasta.",
                Lang::Nl,
                TimerIntent::Cancel {
                    name: Some("pasta".into()),
                },
            ),
            (
                "How long is left?",
                Lang::En,
                TimerIntent::Remaining { name: None },
            ),
            (
                "How much time left?",
                Lang::En,
                TimerIntent::Remaining { name: None },
            ),
            (
                "How much time is left on the pasta timer?",
                Lang::En,
                TimerIntent::Remaining {
                    name: Some("pasta".into()),
                },
            ),
            (
                "Combien de temps reste-t-il ?",
                Lang::Fr,
                TimerIntent::Remaining { name: None },
            ),
            (
                "Il reste combien de temps ?",
                Lang::Fr,
                TimerIntent::Remaining { name: None },
            ),
            (
                "Hoeveel tijd is er nog?",
                Lang::Nl,
                TimerIntent::Remaining { name: None },
            ),
            (
                "Hoe lang nog?",
                Lang::Nl,
                TimerIntent::Remaining { name: None },
            ),
            ("What timers are running?", Lang::En, TimerIntent::List),
            ("Quels sont mes minuteurs ?", Lang::Fr, TimerIntent::List),
            ("Welke timers lopen er?", Lang::Nl, TimerIntent::List),
            (
                "Start the stopwatch.",
                Lang::En,
                TimerIntent::StopwatchStart,
            ),
            (
                "Lance le chronomètre.",
                Lang::Fr,
                TimerIntent::StopwatchStart,
            ),
            ("Démarre le chrono !", Lang::Fr, TimerIntent::StopwatchStart),
            ("Start de stopwatch.", Lang::Nl, TimerIntent::StopwatchStart),
            ("Stop the stopwatch.", Lang::En, TimerIntent::StopwatchStop),
            (
                "Arrête le chronomètre.",
                Lang::Fr,
                TimerIntent::StopwatchStop,
            ),
            ("Stop de stopwatch.", Lang::Nl, TimerIntent::StopwatchStop),
        ];
        for (text, lang, expected) in cases {
            for hint in [None, Some(lang), Some(Lang::En)] {
                let found = registry
                    .match_text(text, hint)
                    .unwrap_or_else(|| panic!("`{text}` matched nothing"));
                assert_eq!(found.skill, "timer", "{text}");
                assert_eq!(
                    TimerIntent::try_from(&found).unwrap(),
                    expected,
                    "{text} ({hint:?}): {found:?}"
                );
                assert_eq!(found.lang, Some(lang), "{text}");
            }
        }
    }

    #[test]
    fn unrelated_or_incomplete_sentences_match_no_timer_intent() {
        let registry = registry();
        for text in [
            "Tell me a joke.",
            "What's the weather in Paris?",
            "I like turtles.",
            "Set a timer.",
            "Set a timer for pasta.",
            "Mets un minuteur.",
            "Zet een timer.",
            "Timer.",
            "Five minutes of fame.",
            "Stop the music.",
            "Start the car.",
            "How long is the Nile?",
            "Hoe lang is de Rijn?",
            "Set an alarm for 7 AM.",
            "Remind me in 10 minutes to call mom.",
            "Set the oven to 200 degrees.",
            "Combien de temps reste-t-il avant Noël ?",
            "Il reste combien de bières ?",
            "Hoe lang duurt het nog tot kerst?",
            "Zet een wekker om zeven uur.",
            "Countdown from ten.",
            "Five minutes.",
        ] {
            let found = registry.match_text(text, Some(Lang::En));
            assert!(found.is_none(), "`{text}` matched {found:?}");
        }
    }

    #[test]
    fn execution_is_left_to_the_runtime() {
        let skill = TimerSkill::new().unwrap();
        let ctx = SkillContext::new(
            Lang::En,
            chrono_tz::UTC,
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        );
        let found = IntentMatch {
            skill: "timer".into(),
            intent: "stopwatch.start".into(),
            slots: Default::default(),
            lang: None,
            score: 1.0,
        };
        assert!(matches!(
            skill.execute(&found, &ctx),
            Err(SkillError::NeedsRuntime { .. })
        ));
        let unknown = IntentMatch {
            intent: "timer.snooze".into(),
            ..found
        };
        assert!(matches!(
            skill.execute(&unknown, &ctx),
            Err(SkillError::UnknownIntent { .. })
        ));
        assert!(matches!(
            TimerIntent::try_from(&unknown),
            Err(SkillError::UnknownIntent { .. })
        ));
    }

    #[test]
    fn timer_set_without_a_duration_is_rejected_by_the_typed_view() {
        let found = IntentMatch {
            skill: "timer".into(),
            intent: "timer.set".into(),
            slots: Default::default(),
            lang: None,
            score: 1.0,
        };
        let error = TimerIntent::try_from(&found).unwrap_err();
        assert_eq!(error.to_string(), "intent `timer.set` needs `duration`");
    }
}
