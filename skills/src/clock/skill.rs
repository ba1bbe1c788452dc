//! The clock skill: answers `clock.time` and `clock.date` from the context's instant and time
//! zone.

use serde_json::json;

use crate::clock::speech::{date_sentence, time_sentence};
use crate::error::{ManifestError, SkillError};
use crate::skill::{IntentMatch, Manifest, Skill, SkillContext, SkillReply};

/// The manifest, shipped next to this file.
const MANIFEST: &str = include_str!("skill.toml");

/// Tells the time and the date.
#[derive(Debug, Clone)]
pub struct ClockSkill {
    manifest: Manifest,
}

impl ClockSkill {
    /// Loads the built-in manifest.
    ///
    /// # Errors
    /// Only if the shipped `skill.toml` is invalid, which the tests rule out.
    pub fn new() -> Result<ClockSkill, ManifestError> {
        Ok(ClockSkill {
            manifest: Manifest::from_toml(MANIFEST)?,
        })
    }
}

impl Skill for ClockSkill {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn execute(&self, intent: &IntentMatch, ctx: &SkillContext) -> Result<SkillReply, SkillError> {
        let local = ctx.local_now();
        let zone = ctx.time_zone.name();
        match intent.intent.as_str() {
            "clock.time" => Ok(
                SkillReply::speech(time_sentence(local, ctx.lang)).with_data(json!({
                    "time": local.format("%H:%M").to_string(),
                    "iso": local.to_rfc3339(),
                    "time_zone": zone,
                })),
            ),
            "clock.date" => {
                let date = local.date_naive();
                Ok(
                    SkillReply::speech(date_sentence(date, ctx.lang)).with_data(json!({
                        "date": date.format("%Y-%m-%d").to_string(),
                        "weekday": local.format("%A").to_string().to_lowercase(),
                        "iso": local.to_rfc3339(),
                        "time_zone": zone,
                    })),
                )
            }
            other => Err(SkillError::UnknownIntent {
                skill: self.manifest.name.clone(),
                intent: other.to_owned(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use chrono_tz::Tz;

    use super::*;
    use crate::config::SkillsConfig;
    use crate::lang::Lang;
    use crate::registry::Registry;

    fn registry() -> Registry {
        Registry::builtin(&SkillsConfig::default()).unwrap()
    }

    #[test]
    fn spoken_phrasings_reach_the_clock_intents() {
        let registry = registry();
        let cases = [
            ("What time is it?", "clock.time", Lang::En),
            ("what's the time", "clock.time", Lang::En),
            ("Hey, what time is it now please?", "clock.time", Lang::En),
            ("Can you tell me what time it is?", "clock.time", Lang::En),
            ("Tell me the time.", "clock.time", Lang::En),
            ("What's the current time?", "clock.time", Lang::En),
            (" Quelle heure est-il ?", "clock.time", Lang::Fr),
            ("Il est quelle heure ?", "clock.time", Lang::Fr),
            (
                "Quelle heure il est, s'il te plaît ?",
                "clock.time",
                Lang::Fr,
            ),
            ("Tu as l'heure ?", "clock.time", Lang::Fr),
            ("Dis-moi l'heure.", "clock.time", Lang::Fr),
            ("C'est quelle heure maintenant ?", "clock.time", Lang::Fr),
            ("Hoe laat is het?", "clock.time", Lang::Nl),
            ("Hoe laat is het nu?", "clock.time", Lang::Nl),
            ("Wat is de tijd?", "clock.time", Lang::Nl),
            ("Weet je hoe laat het is?", "clock.time", Lang::Nl),
            ("Hoeveel uur is het?", "clock.time", Lang::Nl),
            ("Hoe laat is 't?", "clock.time", Lang::Nl),
            (
                "Kun je me vertellen hoe laat het is?",
                "clock.time",
                Lang::Nl,
            ),
            (
                "Est-ce que tu peux me dire l'heure ?",
                "clock.time",
                Lang::Fr,
            ),
            (
                "Tu peux me dire quelle heure il est ?",
                "clock.time",
                Lang::Fr,
            ),
            ("Il est quelle heure là ?", "clock.time", Lang::Fr),
            ("WHAT TIME IS IT?", "clock.time", Lang::En),
            ("Could you tell me the time?", "clock.time", Lang::En),
            ("What's the date?", "clock.date", Lang::En),
            ("What day is it today?", "clock.date", Lang::En),
            ("What is today's date?", "clock.date", Lang::En),
            ("Which day is it?", "clock.date", Lang::En),
            ("Which day is today?", "clock.date", Lang::En),
            ("C'est quoi la date aujourd'hui ?", "clock.date", Lang::Fr),
            ("Quel jour sommes-nous ?", "clock.date", Lang::Fr),
            ("On est quel jour ?", "clock.date", Lang::Fr),
            ("Quelle est la date d'aujourd'hui ?", "clock.date", Lang::Fr),
            ("Quelle est la date ?", "clock.date", Lang::Fr),
            ("On est le combien aujourd'hui ?", "clock.date", Lang::Fr),
            ("Welke dag is het vandaag?", "clock.date", Lang::Nl),
            ("Wat is de datum?", "clock.date", Lang::Nl),
            ("De hoeveelste is het vandaag?", "clock.date", Lang::Nl),
        ];
        for (text, intent, lang) in cases {
            for hint in [None, Some(Lang::En), Some(lang)] {
                let found = registry
                    .match_text(text, hint)
                    .unwrap_or_else(|| panic!("`{text}` matched nothing"));
                assert_eq!(found.intent, intent, "{text}");
                assert_eq!(found.skill, "clock", "{text}");
                assert_eq!(found.lang, Some(lang), "{text}");
                assert!(found.slots.is_empty(), "{text}");
            }
        }
    }

    #[test]
    fn unrelated_sentences_match_no_clock_intent() {
        let registry = registry();
        for text in [
            "Tell me a joke.",
            "What's the weather in Paris?",
            "I like turtles.",
            "What time is it in Tokyo?",
            "Quelle heure est-il à New York ?",
            "Hoe laat gaat de winkel open?",
            "What day is Christmas?",
            "What day is it tomorrow?",
            "Quel jour sommes-nous demain ?",
            "What is the date of Easter?",
            "What's the time difference with Japan?",
            "Time flies like an arrow.",
            "Time.",
        ] {
            let found = registry.match_text(text, Some(Lang::En));
            assert!(found.is_none(), "`{text}` matched {found:?}");
        }
    }

    #[test]
    fn answers_in_the_users_language_and_time_zone() {
        let skill = ClockSkill::new().unwrap();
        // 2026-11-22 18:05 UTC: 19:05 in Paris, 13:05 in New York, both on Sunday.
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 18, 5, 0).unwrap();
        let cases: &[(Tz, Lang, &str, &str)] = &[
            (
                chrono_tz::Europe::Paris,
                Lang::En,
                "It's 7:05 PM.",
                "Today is Sunday, November 22, 2026.",
            ),
            (
                chrono_tz::Europe::Paris,
                Lang::Fr,
                "Il est 19 h 05.",
                "Nous sommes le dimanche 22 novembre 2026.",
            ),
            (
                chrono_tz::Europe::Paris,
                Lang::Nl,
                "Het is 19:05.",
                "Het is vandaag zondag 22 november 2026.",
            ),
            (
                chrono_tz::America::New_York,
                Lang::En,
                "It's 1:05 PM.",
                "Today is Sunday, November 22, 2026.",
            ),
            (
                chrono_tz::America::New_York,
                Lang::Fr,
                "Il est 13 h 05.",
                "Nous sommes le dimanche 22 novembre 2026.",
            ),
            (
                chrono_tz::Asia::Tokyo,
                Lang::Nl,
                "Het is 3:05.",
                "Het is vandaag maandag 23 november 2026.",
            ),
        ];
        for (zone, lang, time, date) in cases {
            let ctx = SkillContext::new(*lang, *zone, now);
            let time_reply = skill.execute(&intent("clock.time"), &ctx).unwrap();
            assert_eq!(time_reply.speech, *time, "{zone} {lang}");
            let date_reply = skill.execute(&intent("clock.date"), &ctx).unwrap();
            assert_eq!(date_reply.speech, *date, "{zone} {lang}");
            assert!(time_reply.actions.is_empty() && date_reply.actions.is_empty());
        }
    }

    #[test]
    fn reply_data_carries_machine_readable_time() {
        let skill = ClockSkill::new().unwrap();
        let now = Utc.with_ymd_and_hms(2026, 7, 14, 17, 5, 9).unwrap();
        let ctx = SkillContext::new(Lang::En, chrono_tz::Europe::Paris, now);
        let reply = skill.execute(&intent("clock.time"), &ctx).unwrap();
        assert_eq!(
            reply.data,
            json!({"time": "19:05", "iso": "2026-07-14T19:05:09+02:00", "time_zone": "Europe/Paris"})
        );
        let reply = skill.execute(&intent("clock.date"), &ctx).unwrap();
        assert_eq!(
            reply.data,
            json!({"date": "2026-07-14", "weekday": "tuesday", "iso": "2026-07-14T19:05:09+02:00", "time_zone": "Europe/Paris"})
        );
    }

    #[test]
    fn rejects_unknown_intents() {
        let skill = ClockSkill::new().unwrap();
        let ctx = SkillContext::new(
            Lang::En,
            chrono_tz::UTC,
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        );
        let error = skill.execute(&intent("clock.alarm"), &ctx).unwrap_err();
        assert_eq!(
            error.to_string(),
            "skill `clock` has no intent `clock.alarm`"
        );
    }

    fn intent(name: &str) -> IntentMatch {
        IntentMatch {
            skill: "clock".into(),
            intent: name.into(),
            slots: Default::default(),
            lang: None,
            score: 1.0,
        }
    }
}
