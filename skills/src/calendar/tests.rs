//! The calendar skill against a real HTTP stand-in serving an ICS calendar as Google's secret
//! address does: spoken questions in three languages, reminders written to a real file.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{TimeZone, Utc};

use crate::calendar::{CalendarConfig, CalendarSkill};
use crate::config::SkillsConfig;
use crate::http::stand_in::StandIn;
use crate::lang::Lang;
use crate::registry::Registry;
use crate::skill::{SkillContext, SlotValue};

const CALENDAR: &str = "BEGIN:VCALENDAR\r
PRODID:-//Google Inc//Google Calendar 70.9054//EN\r
VERSION:2.0\r
CALSCALE:GREGORIAN\r
X-WR-TIMEZONE:Europe/Paris\r
BEGIN:VTIMEZONE\r
TZID:Europe/Paris\r
END:VTIMEZONE\r
BEGIN:VEVENT\r
DTSTART;TZID=Europe/Paris:20261201T090000\r
DTEND;TZID=Europe/Paris:20261201T093000\r
UID:1@google.com\r
SUMMARY:Dentist\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTART:20261103T103000Z\r
DTEND:20261103T104500Z\r
RRULE:FREQ=WEEKLY;BYDAY=TU,TH\r
UID:2@google.com\r
SUMMARY:Standup\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTART;VALUE=DATE:20261202\r
DTEND;VALUE=DATE:20261203\r
UID:3@google.com\r
SUMMARY:Holiday\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTART:20261202T130000Z\r
DTEND:20261202T140000Z\r
UID:4@google.com\r
SUMMARY:Call with Ada\r
END:VEVENT\r
END:VCALENDAR\r
";

fn google() -> StandIn {
    StandIn::start(|seen| {
        if seen.path() == "/calendar/ical/secret/basic.ics" {
            (200, "text/calendar; charset=UTF-8", CALENDAR.into())
        } else {
            (404, "text/html", "Not Found".into())
        }
    })
}

/// Tuesday 1 December 2026, 8:00 in Paris.
fn ctx(lang: Lang) -> SkillContext {
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 7, 0, 0).unwrap();
    SkillContext::new(lang, chrono_tz::Europe::Paris, now)
}

fn registry(server: &StandIn, data: &std::path::Path) -> Registry {
    let config = CalendarConfig {
        url: format!("{}/calendar/ical/secret/basic.ics", server.url),
        ..CalendarConfig::default()
    };
    let skill = CalendarSkill::new(&config, &BTreeMap::new(), data).unwrap();
    Registry::new(vec![Arc::new(skill)], &SkillsConfig::default()).unwrap()
}

#[test]
fn spoken_questions_list_the_days_events_in_every_language() {
    let server = google();
    let data = tempfile_dir();
    let registry = registry(&server, &data);
    let cases = [
        (
            "What's on my calendar today?",
            Lang::En,
            "calendar.day",
            "Today you have 2 events: at 9:00 AM, Dentist; at 11:30 AM, Standup.",
        ),
        (
            "What do I have tomorrow?",
            Lang::En,
            "calendar.day",
            "Tomorrow you have 2 events: all day, Holiday; at 2:00 PM, Call with Ada.",
        ),
        (
            "What's my next appointment?",
            Lang::En,
            "calendar.next",
            "Your next event is Dentist, today at 9:00 AM.",
        ),
        (
            "Qu'est-ce que j'ai aujourd'hui ?",
            Lang::Fr,
            "calendar.day",
            "Aujourd'hui, vous avez 2 événements : à 9 h, Dentist; à 11 h 30, Standup.",
        ),
        (
            "Quel est mon prochain rendez-vous ?",
            Lang::Fr,
            "calendar.next",
            "Votre prochain rendez-vous : Dentist, aujourd'hui à 9 h.",
        ),
        (
            "Wat staat er vandaag op mijn agenda?",
            Lang::Nl,
            "calendar.day",
            "Vandaag heb je 2 afspraken: om 9:00 Dentist; om 11:30 Standup.",
        ),
        (
            "Wat heb ik morgen?",
            Lang::Nl,
            "calendar.day",
            "Morgen heb je 2 afspraken: de hele dag Holiday; om 14:00 Call with Ada.",
        ),
        (
            "Wat is mijn volgende afspraak?",
            Lang::Nl,
            "calendar.next",
            "Je volgende afspraak is Dentist, vandaag om 9:00.",
        ),
        (
            "Wanneer is mijn volgende afspraak?",
            Lang::Nl,
            "calendar.next",
            "Je volgende afspraak is Dentist, vandaag om 9:00.",
        ),
        (
            "Wat staat er hierna op mijn agenda?",
            Lang::Nl,
            "calendar.next",
            "Je volgende afspraak is Dentist, vandaag om 9:00.",
        ),
    ];
    for (text, lang, intent, speech) in cases {
        let found = registry
            .match_text(text, Some(lang))
            .unwrap_or_else(|| panic!("`{text}` matched nothing"));
        assert_eq!(found.intent, intent, "{text}");
        assert_eq!(found.lang, Some(lang), "{text}");
        let reply = registry.execute(&found, &ctx(lang)).unwrap();
        assert_eq!(reply.speech, speech, "{text}");
    }
    // Cached: one download for all those questions.
    assert_eq!(server.seen().len(), 1);
}

#[test]
fn reminders_are_added_to_a_local_file_and_listed() {
    let server = google();
    let data = tempfile_dir();
    let registry = registry(&server, &data);
    let cases = [
        (
            "Remind me to call mum tomorrow at 9.",
            Lang::En,
            "call mum",
            9,
            "Okay, I added call mum to your calendar for tomorrow at 9:00 AM.",
        ),
        (
            "Rappelle-moi d'appeler maman demain à 18 heures.",
            Lang::Fr,
            "appeler maman",
            18,
            "D'accord, j'ai ajouté appeler maman à votre agenda pour demain à 18 h.",
        ),
        (
            "Herinner me eraan om de plantjes water te geven morgen om 20 uur.",
            Lang::Nl,
            "plantjes water te geven",
            20,
            "Oké, ik heb plantjes water te geven voor morgen om 20:00 in je agenda gezet.",
        ),
    ];
    for (text, lang, what, hour, speech) in cases {
        let found = registry
            .match_text(text, Some(lang))
            .unwrap_or_else(|| panic!("`{text}` matched nothing"));
        assert_eq!(found.intent, "calendar.remind", "{text}");
        assert_eq!(found.text("text"), Some(what), "{text}");
        assert_eq!(
            found.slot("hour"),
            Some(&SlotValue::Integer(hour)),
            "{text}"
        );
        assert_eq!(found.text("day"), Some("tomorrow"), "{text}");
        let reply = registry.execute(&found, &ctx(lang)).unwrap();
        assert_eq!(reply.speech, speech, "{text}");
    }
    let file = std::fs::read_to_string(data.join("reminders.ics")).unwrap();
    assert!(file.starts_with("BEGIN:VCALENDAR") && file.trim_end().ends_with("END:VCALENDAR"));
    assert!(
        file.contains("DTSTART:20261202T080000Z\r\nSUMMARY:call mum"),
        "{file}"
    );

    // A new skill over the same data folder sees them: they are kept, not remembered.
    let again = self::registry(&server, &data);
    let found = again
        .match_text("What's on my calendar tomorrow?", None)
        .unwrap();
    assert_eq!(
        again.execute(&found, &ctx(Lang::En)).unwrap().speech,
        "Tomorrow you have 5 events: all day, Holiday; at 9:00 AM, call mum; at 2:00 PM, Call with Ada; at 6:00 PM, appeler maman; at 8:00 PM, plantjes water te geven."
    );
}

#[test]
fn an_unreachable_calendar_is_an_error_and_an_empty_day_is_said() {
    let data = tempfile_dir();
    let config = CalendarConfig {
        url: "http://127.0.0.1:9/basic.ics".into(),
        timeout_s: 2,
        ..CalendarConfig::default()
    };
    let skill = CalendarSkill::new(&config, &BTreeMap::new(), &data).unwrap();
    let registry = Registry::new(vec![Arc::new(skill)], &SkillsConfig::default()).unwrap();
    let found = registry
        .match_text("What's on my calendar today?", None)
        .unwrap();
    let error = registry.execute(&found, &ctx(Lang::En)).unwrap_err();
    assert!(
        error.to_string().contains("the calendar unreachable"),
        "{error}"
    );

    // Reminders only, none yet.
    let skill = CalendarSkill::new(&CalendarConfig::default(), &BTreeMap::new(), &data).unwrap();
    let registry = Registry::new(vec![Arc::new(skill)], &SkillsConfig::default()).unwrap();
    let found = registry
        .match_text("Wat staat er vandaag op mijn agenda?", None)
        .unwrap();
    assert_eq!(
        registry.execute(&found, &ctx(Lang::Nl)).unwrap().speech,
        "Je hebt vandaag niets in je agenda."
    );
}

#[test]
fn a_calendar_file_answers_what_is_on_this_week_in_every_language() {
    let data = tempfile_dir();
    // Google's export as a file, and a dinner on Saturday: six events in the coming week.
    let file = data.join("household.ics");
    let dinner = "BEGIN:VEVENT\r\nDTSTART:20261205T180000Z\r\nUID:5@google.com\r\nSUMMARY:Dinner with Ada\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    std::fs::write(&file, CALENDAR.replace("END:VCALENDAR\r\n", dinner)).unwrap();
    let config = CalendarConfig {
        file: Some(file.clone()),
        ..CalendarConfig::default()
    };
    let skill = CalendarSkill::new(&config, &BTreeMap::new(), &data).unwrap();
    let registry = Registry::new(vec![Arc::new(skill)], &SkillsConfig::default()).unwrap();
    let week_en = "In the next 7 days you have 6 events: today at 9:00 AM, Dentist; today at 11:30 AM, Standup; tomorrow, Holiday; tomorrow at 2:00 PM, Call with Ada; Thursday at 11:30 AM, Standup; and 1 more.";
    let week_fr = "Dans les 7 prochains jours, vous avez 6 événements : aujourd'hui à 9 h, Dentist; aujourd'hui à 11 h 30, Standup; demain, Holiday; demain à 14 h, Call with Ada; jeudi à 11 h 30, Standup; et 1 de plus.";
    let week_nl = "De komende 7 dagen heb je 6 afspraken: vandaag om 9:00 Dentist; vandaag om 11:30 Standup; morgen Holiday; morgen om 14:00 Call with Ada; donderdag om 11:30 Standup; en nog 1.";
    let cases = [
        (
            "What's on my calendar this week?",
            Lang::En,
            "calendar.upcoming",
            week_en,
        ),
        (
            "What do I have this week?",
            Lang::En,
            "calendar.upcoming",
            week_en,
        ),
        ("What's coming up?", Lang::En, "calendar.upcoming", week_en),
        (
            "Qu'est-ce que j'ai cette semaine ?",
            Lang::Fr,
            "calendar.upcoming",
            week_fr,
        ),
        (
            "Quels sont mes prochains rendez-vous ?",
            Lang::Fr,
            "calendar.upcoming",
            week_fr,
        ),
        (
            "Wat staat er deze week op mijn agenda?",
            Lang::Nl,
            "calendar.upcoming",
            week_nl,
        ),
        (
            "Wat heb ik deze week?",
            Lang::Nl,
            "calendar.upcoming",
            week_nl,
        ),
        (
            "What's on my calendar today?",
            Lang::En,
            "calendar.day",
            "Today you have 2 events: at 9:00 AM, Dentist; at 11:30 AM, Standup.",
        ),
        (
            "Wat is mijn volgende afspraak?",
            Lang::Nl,
            "calendar.next",
            "Je volgende afspraak is Dentist, vandaag om 9:00.",
        ),
    ];
    for (text, lang, intent, speech) in cases {
        let found = registry
            .match_text(text, Some(lang))
            .unwrap_or_else(|| panic!("`{text}` matched nothing"));
        assert_eq!(found.intent, intent, "{text}");
        assert_eq!(found.lang, Some(lang), "{text}");
        let reply = registry.execute(&found, &ctx(lang)).unwrap();
        assert_eq!(reply.speech, speech, "{text}");
    }
    let found = registry
        .match_text("What's on my calendar this week?", None)
        .unwrap();
    let reply = registry.execute(&found, &ctx(Lang::En)).unwrap();
    assert_eq!(reply.data["events"].as_array().unwrap().len(), 6);
    assert_eq!(reply.data["events"][5]["summary"], "Dinner with Ada");

    // The file is read on every question: an edit is heard at once.
    std::fs::write(&file, CALENDAR.replace("Dentist", "Dentist moved")).unwrap();
    let found = registry
        .match_text("What's my next appointment?", None)
        .unwrap();
    assert_eq!(
        registry.execute(&found, &ctx(Lang::En)).unwrap().speech,
        "Your next event is Dentist moved, today at 9:00 AM."
    );
    // A week without events.
    std::fs::write(&file, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n").unwrap();
    let found = registry
        .match_text("Wat staat er deze week op mijn agenda?", None)
        .unwrap();
    assert_eq!(
        registry.execute(&found, &ctx(Lang::Nl)).unwrap().speech,
        "Er staat de komende 7 dagen niets gepland."
    );
}

/// A fresh directory under the system's temporary folder for one test.
fn tempfile_dir() -> std::path::PathBuf {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("hive-calendar-test-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn reminders_after_a_delay_are_added_from_now_in_every_language() {
    let data = tempfile_dir();
    let skill = CalendarSkill::new(&CalendarConfig::default(), &BTreeMap::new(), &data).unwrap();
    let registry = Registry::new(vec![Arc::new(skill)], &SkillsConfig::default()).unwrap();
    let cases = [
        (
            "Remind me in 20 minutes to take the cake out.",
            Lang::En,
            "take the cake out",
            1200,
            "Okay, I'll remind you to take the cake out in 20 minutes.",
            "20261201T072000Z",
        ),
        (
            "Remind me to call mum in an hour and a half.",
            Lang::En,
            "call mum",
            5400,
            "Okay, I'll remind you to call mum in 1 hour 30 minutes.",
            "20261201T083000Z",
        ),
        (
            "Rappelle-moi dans dix minutes de sortir le gâteau.",
            Lang::Fr,
            "sortir le gâteau",
            600,
            "D'accord, je vous rappellerai de sortir le gâteau dans 10 minutes.",
            "20261201T071000Z",
        ),
        (
            "Herinner me over vijf minuten aan boodschappen doen.",
            Lang::Nl,
            "boodschappen doen",
            300,
            "Oké, ik herinner je over 5 minuten aan boodschappen doen.",
            "20261201T070500Z",
        ),
    ];
    for (text, lang, what, delay, speech, start) in cases {
        let found = registry
            .match_text(text, Some(lang))
            .unwrap_or_else(|| panic!("`{text}` matched nothing"));
        assert_eq!(found.intent, "calendar.remind", "{text}");
        assert_eq!(found.text("text"), Some(what), "{text}");
        assert_eq!(found.duration_secs("delay"), Some(delay), "{text}");
        let reply = registry.execute(&found, &ctx(lang)).unwrap();
        assert_eq!(reply.speech, speech, "{text}");
        let file = std::fs::read_to_string(data.join("reminders.ics")).unwrap();
        assert!(
            file.contains(&format!("DTSTART:{start}\r\nSUMMARY:{what}")),
            "{text}: {file}"
        );
    }
}
