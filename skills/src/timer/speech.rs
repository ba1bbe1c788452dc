//! What timers and the stopwatch say, as pure functions of durations, names and language, for
//! whichever runtime (bridge or satellite) holds their state.
//!
//! Numbers stay digits for the text-to-speech normaliser, except French "une", which keeps the
//! feminine of "heure", "minute" and "seconde" that a normaliser would get wrong.

use crate::lang::Lang;

/// "2 minutes 34 seconds" / "2 minutes et 34 secondes" / "2 minuten en 34 seconden";
/// "1 hour" / "une heure" / "1 uur". Zero parts are left out; zero itself is "0 seconds".
pub fn speak_duration(secs: u64, lang: Lang) -> String {
    let (hours, minutes, seconds) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut parts: Vec<String> = [
        (hours, Unit::Hour),
        (minutes, Unit::Minute),
        (seconds, Unit::Second),
    ]
    .into_iter()
    .filter(|(count, _)| *count > 0)
    .map(|(count, unit)| quantity(count, unit, lang))
    .collect();
    if parts.is_empty() {
        parts.push(quantity(0, Unit::Second, lang));
    }
    match lang {
        Lang::En => parts.join(" "),
        Lang::Fr => join_with_last(&parts, "et"),
        Lang::Nl => join_with_last(&parts, "en"),
    }
}

#[derive(Clone, Copy)]
enum Unit {
    Hour,
    Minute,
    Second,
}

fn quantity(count: u64, unit: Unit, lang: Lang) -> String {
    // French uses the singular for 0 and 1; Dutch "uur" does not take a plural after a number.
    let singular = match lang {
        Lang::Fr => count <= 1,
        Lang::En | Lang::Nl => count == 1,
    };
    let word = match (lang, unit, singular) {
        (Lang::En, Unit::Hour, true) => "hour",
        (Lang::En, Unit::Hour, false) => "hours",
        (Lang::En, Unit::Minute, true) => "minute",
        (Lang::En, Unit::Minute, false) => "minutes",
        (Lang::En, Unit::Second, true) => "second",
        (Lang::En, Unit::Second, false) => "seconds",
        (Lang::Fr, Unit::Hour, true) => "heure",
        (Lang::Fr, Unit::Hour, false) => "heures",
        (Lang::Fr, Unit::Minute, true) => "minute",
        (Lang::Fr, Unit::Minute, false) => "minutes",
        (Lang::Fr, Unit::Second, true) => "seconde",
        (Lang::Fr, Unit::Second, false) => "secondes",
        (Lang::Nl, Unit::Hour, _) => "uur",
        (Lang::Nl, Unit::Minute, true) => "minuut",
        (Lang::Nl, Unit::Minute, false) => "minuten",
        (Lang::Nl, Unit::Second, true) => "seconde",
        (Lang::Nl, Unit::Second, false) => "seconden",
    };
    if lang == Lang::Fr && count == 1 {
        format!("une {word}")
    } else {
        format!("{count} {word}")
    }
}

/// "a, b et c".
fn join_with_last(parts: &[String], and: &str) -> String {
    match parts {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} {and} {last}", init.join(", ")),
    }
}

/// "Pasta timer" / "Minuteur pâtes" / "Timer voor pasta", or the plain word without a name.
fn timer_label(name: Option<&str>, lang: Lang) -> String {
    match (name.map(str::trim).filter(|name| !name.is_empty()), lang) {
        (None, Lang::En) => "Timer".to_owned(),
        (None, Lang::Fr) => "Minuteur".to_owned(),
        (None, Lang::Nl) => "Timer".to_owned(),
        (Some(name), Lang::En) => format!("{} timer", capitalise(name)),
        (Some(name), Lang::Fr) => format!("Minuteur {name}"),
        (Some(name), Lang::Nl) => format!("Timer voor {name}"),
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// "Timer set for 5 minutes." / "Minuteur réglé sur 5 minutes." / "Timer gezet op 5 minuten."
pub fn timer_set_reply(duration_secs: u64, name: Option<&str>, lang: Lang) -> String {
    let label = timer_label(name, lang);
    let duration = speak_duration(duration_secs, lang);
    match lang {
        Lang::En => format!("{label} set for {duration}."),
        Lang::Fr => format!("{label} réglé sur {duration}."),
        Lang::Nl => format!("{label} gezet op {duration}."),
    }
}

/// "Your timer is done." / "Le minuteur est terminé." / "De timer is afgelopen."
pub fn timer_fired_reply(name: Option<&str>, lang: Lang) -> String {
    let name = name.map(str::trim).filter(|name| !name.is_empty());
    match (name, lang) {
        (None, Lang::En) => "Your timer is done.".to_owned(),
        (Some(name), Lang::En) => format!("Your {name} timer is done."),
        (None, Lang::Fr) => "Le minuteur est terminé.".to_owned(),
        (Some(name), Lang::Fr) => format!("Le minuteur {name} est terminé."),
        (None, Lang::Nl) => "De timer is afgelopen.".to_owned(),
        (Some(name), Lang::Nl) => format!("De timer voor {name} is afgelopen."),
    }
}

/// "Timer cancelled." / "Minuteur annulé." / "Timer geannuleerd."
pub fn timer_cancelled_reply(name: Option<&str>, lang: Lang) -> String {
    let label = timer_label(name, lang);
    match lang {
        Lang::En => format!("{label} cancelled."),
        Lang::Fr => format!("{label} annulé."),
        Lang::Nl => format!("{label} geannuleerd."),
    }
}

/// "4 minutes left." / "Il reste 4 minutes." / "Nog 4 minuten."
pub fn timer_remaining_reply(remaining_secs: u64, name: Option<&str>, lang: Lang) -> String {
    let remaining = speak_duration(remaining_secs, lang);
    let name = name.map(str::trim).filter(|name| !name.is_empty());
    match (name, lang) {
        (None, Lang::En) => format!("{} left.", capitalise(&remaining)),
        (Some(name), Lang::En) => format!("{} left on the {name} timer.", capitalise(&remaining)),
        (None, Lang::Fr) => format!("Il reste {remaining}."),
        (Some(name), Lang::Fr) => format!("Il reste {remaining} au minuteur {name}."),
        (None, Lang::Nl) => format!("Nog {remaining}."),
        (Some(name), Lang::Nl) => format!("Nog {remaining} voor {name}."),
    }
}

/// "There is no timer running." / "Aucun minuteur n'est en cours." / "Er loopt geen timer."
pub fn no_timer_reply(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "There is no timer running.",
        Lang::Fr => "Aucun minuteur n'est en cours.",
        Lang::Nl => "Er loopt geen timer.",
    }
}

/// "Stopwatch started." / "Chronomètre lancé." / "Stopwatch gestart."
pub fn stopwatch_started_reply(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Stopwatch started.",
        Lang::Fr => "Chronomètre lancé.",
        Lang::Nl => "Stopwatch gestart.",
    }
}

/// "Stopwatch stopped at 2 minutes 34 seconds." / "Chronomètre arrêté à 2 minutes et 34
/// secondes." / "Stopwatch gestopt op 2 minuten en 34 seconden."
pub fn stopwatch_stopped_reply(elapsed_secs: u64, lang: Lang) -> String {
    let elapsed = speak_duration(elapsed_secs, lang);
    match lang {
        Lang::En => format!("Stopwatch stopped at {elapsed}."),
        Lang::Fr => format!("Chronomètre arrêté à {elapsed}."),
        Lang::Nl => format!("Stopwatch gestopt op {elapsed}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speaks_durations() {
        let cases: &[(u64, &str, &str, &str)] = &[
            (0, "0 seconds", "0 seconde", "0 seconden"),
            (1, "1 second", "une seconde", "1 seconde"),
            (2, "2 seconds", "2 secondes", "2 seconden"),
            (60, "1 minute", "une minute", "1 minuut"),
            (
                90,
                "1 minute 30 seconds",
                "une minute et 30 secondes",
                "1 minuut en 30 seconden",
            ),
            (
                154,
                "2 minutes 34 seconds",
                "2 minutes et 34 secondes",
                "2 minuten en 34 seconden",
            ),
            (300, "5 minutes", "5 minutes", "5 minuten"),
            (3600, "1 hour", "une heure", "1 uur"),
            (7200, "2 hours", "2 heures", "2 uur"),
            (
                5400,
                "1 hour 30 minutes",
                "une heure et 30 minutes",
                "1 uur en 30 minuten",
            ),
            (
                3661,
                "1 hour 1 minute 1 second",
                "une heure, une minute et une seconde",
                "1 uur, 1 minuut en 1 seconde",
            ),
            (
                7322,
                "2 hours 2 minutes 2 seconds",
                "2 heures, 2 minutes et 2 secondes",
                "2 uur, 2 minuten en 2 seconden",
            ),
            (
                3605,
                "1 hour 5 seconds",
                "une heure et 5 secondes",
                "1 uur en 5 seconden",
            ),
            (90000, "25 hours", "25 heures", "25 uur"),
        ];
        for (secs, en, fr, nl) in cases {
            assert_eq!(speak_duration(*secs, Lang::En), *en, "{secs}");
            assert_eq!(speak_duration(*secs, Lang::Fr), *fr, "{secs}");
            assert_eq!(speak_duration(*secs, Lang::Nl), *nl, "{secs}");
        }
    }

    #[test]
    fn phrases_timer_and_stopwatch_replies() {
        type Reply = fn(Lang) -> String;
        let cases: &[(Reply, &str, &str, &str)] = &[
            (
                |lang| timer_set_reply(300, None, lang),
                "Timer set for 5 minutes.",
                "Minuteur réglé sur 5 minutes.",
                "Timer gezet op 5 minuten.",
            ),
            (
                |lang| timer_set_reply(600, Some("pasta"), lang),
                "Pasta timer set for 10 minutes.",
                "Minuteur pasta réglé sur 10 minutes.",
                "Timer voor pasta gezet op 10 minuten.",
            ),
            (
                |lang| timer_set_reply(60, Some("  "), lang),
                "Timer set for 1 minute.",
                "Minuteur réglé sur une minute.",
                "Timer gezet op 1 minuut.",
            ),
            (
                |lang| timer_fired_reply(None, lang),
                "Your timer is done.",
                "Le minuteur est terminé.",
                "De timer is afgelopen.",
            ),
            (
                |lang| timer_fired_reply(Some("pasta"), lang),
                "Your pasta timer is done.",
                "Le minuteur pasta est terminé.",
                "De timer voor pasta is afgelopen.",
            ),
            (
                |lang| timer_cancelled_reply(Some("eggs"), lang),
                "Eggs timer cancelled.",
                "Minuteur eggs annulé.",
                "Timer voor eggs geannuleerd.",
            ),
            (
                |lang| timer_remaining_reply(240, None, lang),
                "4 minutes left.",
                "Il reste 4 minutes.",
                "Nog 4 minuten.",
            ),
            (
                |lang| timer_remaining_reply(61, Some("pasta"), lang),
                "1 minute 1 second left on the pasta timer.",
                "Il reste une minute et une seconde au minuteur pasta.",
                "Nog 1 minuut en 1 seconde voor pasta.",
            ),
            (
                |lang| no_timer_reply(lang).to_owned(),
                "There is no timer running.",
                "Aucun minuteur n'est en cours.",
                "Er loopt geen timer.",
            ),
            (
                |lang| stopwatch_started_reply(lang).to_owned(),
                "Stopwatch started.",
                "Chronomètre lancé.",
                "Stopwatch gestart.",
            ),
            (
                |lang| stopwatch_stopped_reply(154, lang),
                "Stopwatch stopped at 2 minutes 34 seconds.",
                "Chronomètre arrêté à 2 minutes et 34 secondes.",
                "Stopwatch gestopt op 2 minuten en 34 seconden.",
            ),
        ];
        for (reply, en, fr, nl) in cases {
            assert_eq!(reply(Lang::En), *en);
            assert_eq!(reply(Lang::Fr), *fr);
            assert_eq!(reply(Lang::Nl), *nl);
        }
    }
}
