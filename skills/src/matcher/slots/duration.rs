//! Spoken durations in English, French and Dutch → whole seconds.
//!
//! A duration is one or more components joined by "and"/"et"/"en" or nothing:
//! a quantity, a unit, and an optional fraction of that unit ("an hour and a half", "deux
//! heures et quart", "une heure moins le quart"). A bare number may close the duration and then
//! counts in the next smaller unit ("1 hour 20", "une minute trente", "twee uur dertig").
//! Quantities include fractions of their own ("half an", "une demi", "een half", "anderhalf",
//! "one and a half", "twee en een half", "tweeënhalf").

use crate::matcher::normalize::normalize_phrase;
use crate::matcher::slots::numbers::number_prefix;

/// The longest duration accepted: a year.
const MAX_SECS: f64 = 366.0 * 24.0 * 3600.0;

const HOUR: f64 = 3600.0;
const MINUTE: f64 = 60.0;
const SECOND: f64 = 1.0;
const QUARTER_HOUR: f64 = 900.0;

/// Unit phrases and their length in seconds, longest phrases first where they share a start.
const UNITS: &[(&[&str], f64)] = &[
    (&["quarters", "of", "an", "hour"], QUARTER_HOUR),
    (&["quarter", "of", "an", "hour"], QUARTER_HOUR),
    (&["quarter", "hour"], QUARTER_HOUR),
    (&["quarts", "de", "heure"], QUARTER_HOUR),
    (&["quart", "de", "heure"], QUARTER_HOUR),
    (&["kwartier"], QUARTER_HOUR),
    (&["kwartiertje"], QUARTER_HOUR),
    (&["hours"], HOUR),
    (&["hour"], HOUR),
    (&["hrs"], HOUR),
    (&["hr"], HOUR),
    (&["h"], HOUR),
    (&["heures"], HOUR),
    (&["heure"], HOUR),
    (&["uur"], HOUR),
    (&["uren"], HOUR),
    (&["uurtje"], HOUR),
    (&["minutes"], MINUTE),
    (&["minute"], MINUTE),
    (&["mins"], MINUTE),
    (&["min"], MINUTE),
    (&["mn"], MINUTE),
    (&["minuten"], MINUTE),
    (&["minuut"], MINUTE),
    (&["minuutje"], MINUTE),
    (&["minuutjes"], MINUTE),
    (&["seconds"], SECOND),
    (&["second"], SECOND),
    (&["secs"], SECOND),
    (&["sec"], SECOND),
    (&["s"], SECOND),
    (&["secondes"], SECOND),
    (&["seconde"], SECOND),
    (&["seconden"], SECOND),
    (&["secondjes"], SECOND),
];

/// Quantities that are fractions on their own, before a unit.
const FRACTIONS: &[(&[&str], f64)] = &[
    (&["half", "an"], 0.5),
    (&["half", "a"], 0.5),
    (&["a", "half"], 0.5),
    (&["een", "half"], 0.5),
    (&["een", "halve"], 0.5),
    (&["half"], 0.5),
    (&["halve"], 0.5),
    (&["une", "demi"], 0.5),
    (&["une", "demie"], 0.5),
    (&["un", "demi"], 0.5),
    (&["demi"], 0.5),
    (&["anderhalf"], 1.5),
    (&["anderhalve"], 1.5),
];

/// "…and a half" after a number, before the unit ("one and a half hours", "twee en een half
/// uur").
const HALF_AFTER_NUMBER: &[&[&str]] = &[
    &["and", "a", "half"],
    &["and", "half"],
    &["en", "een", "half"],
    &["en", "een", "halve"],
    &["en", "half"],
    &["et", "demi"],
    &["et", "demie"],
];

/// Fractions of the unit just said: "an hour and a half", "une heure et quart", "une heure
/// moins le quart".
const AFTER_UNIT: &[(&[&str], f64)] = &[
    (&["and", "a", "half"], 0.5),
    (&["and", "half"], 0.5),
    (&["and", "a", "quarter"], 0.25),
    (&["et", "demie"], 0.5),
    (&["et", "demi"], 0.5),
    (&["et", "quart"], 0.25),
    (&["et", "le", "quart"], 0.25),
    (&["moins", "le", "quart"], -0.25),
    (&["moins", "quart"], -0.25),
    (&["en", "een", "half"], 0.5),
    (&["en", "half"], 0.5),
    (&["en", "een", "kwart"], 0.25),
];

/// Words that join two components.
const CONNECTORS: &[&str] = &["and", "et", "en", "plus"];

fn starts_with(tokens: &[&str], phrase: &[&str]) -> bool {
    tokens.len() >= phrase.len() && tokens.iter().zip(phrase).all(|(token, word)| token == word)
}

fn longest<T: Copy>(tokens: &[&str], table: &[(&[&str], T)]) -> Option<(T, usize)> {
    table
        .iter()
        .filter(|(phrase, _)| starts_with(tokens, phrase))
        .max_by_key(|(phrase, _)| phrase.len())
        .map(|(phrase, value)| (*value, phrase.len()))
}

/// A quantity at the start of `tokens`: its value, the tokens used, and whether it is a plain
/// number (which may stand without a unit at the end).
fn quantity(tokens: &[&str]) -> Option<(f64, usize, bool)> {
    if let Some((value, used)) = longest(tokens, FRACTIONS) {
        return Some((value, used, false));
    }
    // Dutch writes "two and a half" as one word: "tweeënhalf" → `tweeenhalf`.
    if let Some(first) = tokens.first()
        && let Some(number) = first
            .strip_suffix("enhalf")
            .or_else(|| first.strip_suffix("enhalve"))
        && let Some((value, 1)) = number_prefix(&[number])
    {
        return Some((value + 0.5, 1, false));
    }
    let (value, used) = number_prefix(tokens)?;
    let rest = &tokens[used..];
    if let Some(phrase) = HALF_AFTER_NUMBER
        .iter()
        .find(|phrase| starts_with(rest, phrase))
    {
        return Some((value + 0.5, used + phrase.len(), false));
    }
    let plain = !matches!(tokens.first(), Some(&"a" | &"an"));
    Some((value, used, plain))
}

/// The next smaller unit, for a bare number after a unit ("1 hour 20" means 20 minutes).
fn smaller(unit: f64) -> Option<f64> {
    if unit == HOUR {
        Some(MINUTE)
    } else if unit == MINUTE {
        Some(SECOND)
    } else {
        None
    }
}

/// Parses `tokens` (normalised) as exactly one duration, in whole seconds (at least one).
pub(crate) fn parse_duration(tokens: &[&str]) -> Option<u64> {
    let mut total = 0.0;
    let mut last_unit: Option<f64> = None;
    let mut index = 0;
    while index < tokens.len() {
        if last_unit.is_some() && CONNECTORS.contains(&tokens[index]) {
            index += 1;
        }
        let rest = tokens.get(index..).filter(|rest| !rest.is_empty())?;
        // A unit that means one of itself: "kwartier", "quarter of an hour".
        let (amount, used, plain) = match quantity(rest) {
            Some(found) => found,
            None if longest(rest, UNITS).is_some_and(|(unit, _)| unit == QUARTER_HOUR) => {
                (1.0, 0, false)
            }
            None => return None,
        };
        index += used;
        match longest(&tokens[index..], UNITS) {
            Some((unit, unit_used)) => {
                index += unit_used;
                let mut value = amount * unit;
                if let Some((fraction, fraction_used)) = longest(&tokens[index..], AFTER_UNIT) {
                    value += fraction * unit;
                    index += fraction_used;
                }
                total += value;
                last_unit = Some(unit);
            }
            None => {
                // A closing bare number in the next smaller unit.
                let unit = last_unit.and_then(smaller)?;
                let whole = amount.fract() == 0.0 && amount < 60.0;
                if !plain || !whole || index != tokens.len() {
                    return None;
                }
                total += amount * unit;
                last_unit = Some(unit);
            }
        }
    }
    let seconds = total.round();
    ((1.0..=MAX_SECS).contains(&seconds) && last_unit.is_some()).then_some(seconds as u64)
}

/// Parses a spoken duration in English, French or Dutch ("two minutes and thirty seconds",
/// "deux heures et quart", "anderhalf uur", "90 seconds") into whole seconds; `None` unless the
/// whole text is one duration of at least a second.
pub fn parse_duration_text(text: &str) -> Option<u64> {
    let normalised = normalize_phrase(text);
    let tokens: Vec<&str> = normalised
        .split(' ')
        .filter(|token| !token.is_empty())
        .collect();
    parse_duration(&tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Option<u64> {
        parse_duration_text(text)
    }

    #[test]
    fn parses_spoken_durations() {
        let cases: &[(&str, u64)] = &[
            // English.
            ("5 minutes", 300),
            ("1 minute", 60),
            ("a minute", 60),
            ("90 seconds", 90),
            ("two minutes and thirty seconds", 150),
            ("1 hour 20", 4800),
            ("an hour and a half", 5400),
            ("a minute and a half", 90),
            ("one and a half hours", 5400),
            ("1.5 hours", 5400),
            ("half an hour", 1800),
            ("half a minute", 30),
            ("a quarter of an hour", 900),
            ("three quarters of an hour", 2700),
            ("an hour and a quarter", 4500),
            ("twenty-five minutes", 1500),
            ("forty five seconds", 45),
            ("ninety-nine minutes", 5940),
            ("2 hours 30 minutes", 9000),
            ("2 hours, 30 minutes and 15 seconds", 9015),
            ("1 hour and 5", 3900),
            ("10 min", 600),
            ("5min", 300),
            ("30 secs", 30),
            ("2h30", 9000),
            ("a hundred seconds", 100),
            ("2 minute", 120),
            // French.
            ("cinq minutes", 300),
            ("une minute", 60),
            ("deux heures et quart", 8100),
            ("deux heures et demie", 9000),
            ("une heure moins le quart", 2700),
            ("une minute trente", 90),
            ("une minute et trente secondes", 90),
            ("deux heures trente", 9000),
            ("une demi-heure", 1800),
            ("un quart d'heure", 900),
            ("trois quarts d'heure", 2700),
            ("vingt et une minutes", 1260),
            ("trente-cinq minutes", 2100),
            ("soixante-dix secondes", 70),
            ("quatre-vingt-dix secondes", 90),
            ("quatre-vingt-dix-neuf minutes", 5940),
            ("soixante et onze secondes", 71),
            ("septante secondes", 70),
            ("1 h 30", 5400),
            ("2 minutes et 30 secondes", 150),
            ("cinq minutes et demie", 330),
            // Dutch.
            ("vijf minuten", 300),
            ("een minuut", 60),
            ("anderhalf uur", 5400),
            ("anderhalve minuut", 90),
            ("een half uur", 1800),
            ("half uur", 1800),
            ("twee minuten en dertig seconden", 150),
            ("eenentwintig seconden", 21),
            ("vijfendertig minuten", 2100),
            ("negenennegentig seconden", 99),
            ("een kwartier", 900),
            ("kwartier", 900),
            ("drie kwartier", 2700),
            ("twee en een half uur", 9000),
            ("tweeënhalf uur", 9000),
            ("1 uur en 20 minuten", 4800),
            ("twee uur dertig", 9000),
            ("een uur en een kwartier", 4500),
            ("tachtig seconden", 80),
            ("1,5 uur", 5400),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text), Some(*expected), "{text}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_duration() {
        let cases = [
            "",
            "five",
            "minutes",
            "the pasta",
            "5 apples",
            "zero minutes",
            "0 seconds",
            "a",
            "a timer",
            "5 minutes pasta",
            "1 hour 20 30",
            "1 hour 75",
            "an hour a",
            "and 5 minutes",
            "5 minutes and",
            "9999 hours",
            "30 seconds 20",
        ];
        for text in cases {
            assert_eq!(parse(text), None, "{text}");
        }
    }
}
