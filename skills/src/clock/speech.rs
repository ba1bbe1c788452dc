//! Spoken time and date sentences, in a form the text-to-speech normaliser reads well.
//!
//! English uses the 12-hour clock ("It's 7:05 PM."); French and Dutch the 24-hour clock as
//! their speakers write it ("Il est 19 h 05.", "Het is 19:05.").

use chrono::{Datelike, NaiveDate, Timelike};

use crate::clock::names::{month_name, weekday_name};
use crate::lang::Lang;

/// "It's 7:05 PM." / "Il est 19 h 05." / "Het is 19:05." for a wall-clock time.
pub fn time_sentence(time: impl Timelike, lang: Lang) -> String {
    let (hour, minute) = (time.hour(), time.minute());
    match lang {
        Lang::En => {
            let suffix = if hour < 12 { "AM" } else { "PM" };
            let hour12 = match hour % 12 {
                0 => 12,
                other => other,
            };
            format!("It's {hour12}:{minute:02} {suffix}.")
        }
        // "19 h" on the hour: "19 h 00" would be read "dix-neuf heures zéro zéro".
        Lang::Fr if minute == 0 => format!("Il est {hour} h."),
        Lang::Fr => format!("Il est {hour} h {minute:02}."),
        Lang::Nl => format!("Het is {hour}:{minute:02}."),
    }
}

/// "Today is Sunday, November 22, 2026." / "Nous sommes le dimanche 22 novembre 2026." /
/// "Het is vandaag zondag 22 november 2026."
pub fn date_sentence(date: NaiveDate, lang: Lang) -> String {
    let weekday = weekday_name(date.weekday(), lang);
    let month = month_name(date.month(), lang).unwrap_or_default();
    let (day, year) = (date.day(), date.year());
    match lang {
        Lang::En => format!("Today is {weekday}, {month} {day}, {year}."),
        // French writes the first of the month as an ordinal: "le 1er novembre".
        Lang::Fr if day == 1 => format!("Nous sommes le {weekday} 1er {month} {year}."),
        Lang::Fr => format!("Nous sommes le {weekday} {day} {month} {year}."),
        Lang::Nl => format!("Het is vandaag {weekday} {day} {month} {year}."),
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveTime;

    use super::*;

    #[test]
    fn speaks_times() {
        let cases = [
            ((19, 5), "It's 7:05 PM.", "Il est 19 h 05.", "Het is 19:05."),
            ((0, 5), "It's 12:05 AM.", "Il est 0 h 05.", "Het is 0:05."),
            ((12, 0), "It's 12:00 PM.", "Il est 12 h.", "Het is 12:00."),
            ((9, 30), "It's 9:30 AM.", "Il est 9 h 30.", "Het is 9:30."),
            (
                (23, 59),
                "It's 11:59 PM.",
                "Il est 23 h 59.",
                "Het is 23:59.",
            ),
            ((7, 0), "It's 7:00 AM.", "Il est 7 h.", "Het is 7:00."),
        ];
        for ((hour, minute), en, fr, nl) in cases {
            let time = NaiveTime::from_hms_opt(hour, minute, 42).unwrap();
            assert_eq!(time_sentence(time, Lang::En), en);
            assert_eq!(time_sentence(time, Lang::Fr), fr);
            assert_eq!(time_sentence(time, Lang::Nl), nl);
        }
    }

    #[test]
    fn speaks_dates() {
        let cases = [
            (
                (2026, 11, 22),
                "Today is Sunday, November 22, 2026.",
                "Nous sommes le dimanche 22 novembre 2026.",
                "Het is vandaag zondag 22 november 2026.",
            ),
            (
                (2026, 11, 1),
                "Today is Sunday, November 1, 2026.",
                "Nous sommes le dimanche 1er novembre 2026.",
                "Het is vandaag zondag 1 november 2026.",
            ),
            (
                (2026, 7, 14),
                "Today is Tuesday, July 14, 2026.",
                "Nous sommes le mardi 14 juillet 2026.",
                "Het is vandaag dinsdag 14 juli 2026.",
            ),
        ];
        for ((year, month, day), en, fr, nl) in cases {
            let date = NaiveDate::from_ymd_opt(year, month, day).unwrap();
            assert_eq!(date_sentence(date, Lang::En), en);
            assert_eq!(date_sentence(date, Lang::Fr), fr);
            assert_eq!(date_sentence(date, Lang::Nl), nl);
        }
    }
}
