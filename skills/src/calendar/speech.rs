//! What the calendar skill says, in English, French and Dutch.

use chrono::{DateTime, Datelike, NaiveDate, Timelike};
use chrono_tz::Tz;

use crate::clock::time_sentence;
use crate::lang::Lang;

/// Which day a question is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Day {
    Today,
    Tomorrow,
}

impl Day {
    pub(crate) fn word(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Day::Today, Lang::En) => "today",
            (Day::Tomorrow, Lang::En) => "tomorrow",
            (Day::Today, Lang::Fr) => "aujourd'hui",
            (Day::Tomorrow, Lang::Fr) => "demain",
            (Day::Today, Lang::Nl) => "vandaag",
            (Day::Tomorrow, Lang::Nl) => "morgen",
        }
    }
}

/// "9:30 AM" / "9 h 30" / "9:30", from the clock's own phrasing.
pub(crate) fn clock_time(time: impl Timelike, lang: Lang) -> String {
    let sentence = time_sentence(time, lang);
    let time = match lang {
        Lang::En => sentence.trim_start_matches("It's "),
        Lang::Fr => sentence.trim_start_matches("Il est "),
        Lang::Nl => sentence.trim_start_matches("Het is "),
    };
    time.trim_end_matches('.').to_owned()
}

/// One event in a list: "at 9:00 AM, Dentist" / "all day, Holiday".
pub(crate) fn item(summary: &str, start: Option<DateTime<Tz>>, lang: Lang) -> String {
    match (start, lang) {
        (None, Lang::En) => format!("all day, {summary}"),
        (None, Lang::Fr) => format!("toute la journée, {summary}"),
        (None, Lang::Nl) => format!("de hele dag {summary}"),
        (Some(at), Lang::En) => format!("at {}, {summary}", clock_time(at, lang)),
        (Some(at), Lang::Fr) => format!("à {}, {summary}", clock_time(at, lang)),
        (Some(at), Lang::Nl) => format!("om {} {summary}", clock_time(at, lang)),
    }
}

/// "Today you have 2 events: at 9:00 AM, Dentist; at 2:30 PM, Call Ada."
pub(crate) fn day_list(day: Day, items: &[String], lang: Lang) -> String {
    let when = day.word(lang);
    let count = items.len();
    if count == 0 {
        return match lang {
            Lang::En => format!("You have nothing on your calendar {when}."),
            Lang::Fr => format!("Vous n'avez rien dans votre agenda {when}."),
            Lang::Nl => format!("Je hebt {when} niets in je agenda."),
        };
    }
    let when = capitalised(when);
    let listed = items.join("; ");
    match (lang, count) {
        (Lang::En, 1) => format!("{when} you have 1 event: {listed}."),
        (Lang::En, _) => format!("{when} you have {count} events: {listed}."),
        (Lang::Fr, 1) => format!("{when}, vous avez 1 événement : {listed}."),
        (Lang::Fr, _) => format!("{when}, vous avez {count} événements : {listed}."),
        (Lang::Nl, 1) => format!("{when} heb je 1 afspraak: {listed}."),
        (Lang::Nl, _) => format!("{when} heb je {count} afspraken: {listed}."),
    }
}

/// "today", "tomorrow" or the weekday of `date`.
fn day_name(date: NaiveDate, today: NaiveDate, lang: Lang) -> &'static str {
    if date == today {
        Day::Today.word(lang)
    } else if Some(date) == today.succ_opt() {
        Day::Tomorrow.word(lang)
    } else {
        weekday(date, lang)
    }
}

/// One event in the coming days: "Thursday at 11:30 AM, Standup" / "tomorrow, Holiday".
pub(crate) fn dated_item(
    summary: &str,
    start: DateTime<Tz>,
    all_day: bool,
    today: NaiveDate,
    lang: Lang,
) -> String {
    let day = day_name(start.date_naive(), today, lang);
    let time = clock_time(start, lang);
    match (lang, all_day) {
        (Lang::En | Lang::Fr, true) => format!("{day}, {summary}"),
        (Lang::Nl, true) => format!("{day} {summary}"),
        (Lang::En, false) => format!("{day} at {time}, {summary}"),
        (Lang::Fr, false) => format!("{day} à {time}, {summary}"),
        (Lang::Nl, false) => format!("{day} om {time} {summary}"),
    }
}

/// "In the next 7 days you have 6 events: today at 9:00 AM, Dentist; …; and 1 more."
/// `items` are the ones said, `count` all of them.
pub(crate) fn upcoming_list(days: u32, items: &[String], count: usize, lang: Lang) -> String {
    if count == 0 {
        return nothing_next(days, lang);
    }
    let mut listed = items.join("; ");
    let more = count.saturating_sub(items.len());
    if more > 0 {
        listed.push_str(&match lang {
            Lang::En => format!("; and {more} more"),
            Lang::Fr => format!("; et {more} de plus"),
            Lang::Nl => format!("; en nog {more}"),
        });
    }
    match (lang, count) {
        (Lang::En, 1) => format!("In the next {days} days you have 1 event: {listed}."),
        (Lang::En, _) => format!("In the next {days} days you have {count} events: {listed}."),
        (Lang::Fr, 1) => {
            format!("Dans les {days} prochains jours, vous avez 1 événement : {listed}.")
        }
        (Lang::Fr, _) => {
            format!("Dans les {days} prochains jours, vous avez {count} événements : {listed}.")
        }
        (Lang::Nl, 1) => format!("De komende {days} dagen heb je 1 afspraak: {listed}."),
        (Lang::Nl, _) => format!("De komende {days} dagen heb je {count} afspraken: {listed}."),
    }
}

/// "Your next event is Dentist, Wednesday at 9:00 AM."
pub(crate) fn next_event(
    summary: &str,
    start: DateTime<Tz>,
    all_day: bool,
    today: NaiveDate,
    lang: Lang,
) -> String {
    let day = day_name(start.date_naive(), today, lang);
    let time = clock_time(start, lang);
    match (lang, all_day) {
        (Lang::En, true) => format!("Your next event is {summary}, {day}, all day."),
        (Lang::En, false) => format!("Your next event is {summary}, {day} at {time}."),
        (Lang::Fr, true) => {
            format!("Votre prochain rendez-vous : {summary}, {day}, toute la journée.")
        }
        (Lang::Fr, false) => format!("Votre prochain rendez-vous : {summary}, {day} à {time}."),
        (Lang::Nl, true) => format!("Je volgende afspraak is {summary}, {day}, de hele dag."),
        (Lang::Nl, false) => format!("Je volgende afspraak is {summary}, {day} om {time}."),
    }
}

/// When nothing is planned in the coming days.
pub(crate) fn nothing_next(days: u32, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Nothing is planned in the next {days} days."),
        Lang::Fr => format!("Rien n'est prévu dans les {days} prochains jours."),
        Lang::Nl => format!("Er staat de komende {days} dagen niets gepland."),
    }
}

/// "Okay, I added call mum to your calendar for tomorrow at 9:00 AM."
pub(crate) fn reminder_added(text: &str, day: Day, at: DateTime<Tz>, lang: Lang) -> String {
    let (when, time) = (day.word(lang), clock_time(at, lang));
    match lang {
        Lang::En => format!("Okay, I added {text} to your calendar for {when} at {time}."),
        Lang::Fr => format!("D'accord, j'ai ajouté {text} à votre agenda pour {when} à {time}."),
        Lang::Nl => format!("Oké, ik heb {text} voor {when} om {time} in je agenda gezet."),
    }
}

/// "Okay, I'll remind you to call mum in 20 minutes."
pub(crate) fn reminder_in(text: &str, delay_s: u64, lang: Lang) -> String {
    let delay = crate::timer::speak_duration(delay_s, lang);
    match lang {
        Lang::En => format!("Okay, I'll remind you to {text} in {delay}."),
        Lang::Fr => format!("D'accord, je vous rappellerai de {text} dans {delay}."),
        Lang::Nl => format!("Oké, ik herinner je over {delay} aan {text}."),
    }
}

/// Said on the satellite when a reminder added by voice falls due: "Reminder: call mom."
pub fn reminder_due(text: &str, lang: Lang) -> String {
    let text = text.trim();
    match lang {
        Lang::En => format!("Reminder: {text}."),
        Lang::Fr => format!("Rappel : {text}."),
        Lang::Nl => format!("Herinnering: {text}."),
    }
}

fn weekday(date: NaiveDate, lang: Lang) -> &'static str {
    let index = date.weekday().num_days_from_monday() as usize;
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

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}
