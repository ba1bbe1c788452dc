//! Day and month names in English, French and Dutch. Our own tables rather than chrono's
//! locale feature: three languages do not justify pulling in every locale.

use chrono::Weekday;

use crate::lang::Lang;

/// The name of a weekday, capitalised as the language writes it mid-sentence.
pub(crate) fn weekday_name(day: Weekday, lang: Lang) -> &'static str {
    let index = day.num_days_from_monday() as usize;
    let names = match lang {
        Lang::En => [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ],
        Lang::Fr => [
            "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
        ],
        Lang::Nl => [
            "maandag",
            "dinsdag",
            "woensdag",
            "donderdag",
            "vrijdag",
            "zaterdag",
            "zondag",
        ],
    };
    names[index]
}

/// The name of a month (1 = January), capitalised as the language writes it mid-sentence;
/// `None` outside 1–12.
pub(crate) fn month_name(month: u32, lang: Lang) -> Option<&'static str> {
    let names = match lang {
        Lang::En => [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        Lang::Fr => [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ],
        Lang::Nl => [
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
        ],
    };
    names
        .get(usize::try_from(month).ok()?.checked_sub(1)?)
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_days_and_months() {
        let cases = [
            (Lang::En, "Monday", "Sunday", "January", "December"),
            (Lang::Fr, "lundi", "dimanche", "janvier", "décembre"),
            (Lang::Nl, "maandag", "zondag", "januari", "december"),
        ];
        for (lang, monday, sunday, january, december) in cases {
            assert_eq!(weekday_name(Weekday::Mon, lang), monday);
            assert_eq!(weekday_name(Weekday::Sun, lang), sunday);
            assert_eq!(month_name(1, lang), Some(january));
            assert_eq!(month_name(12, lang), Some(december));
            assert_eq!(month_name(0, lang), None);
            assert_eq!(month_name(13, lang), None);
        }
    }
}
