//! A small iCalendar (RFC 5545) reader: the `VEVENT`s of a calendar with their summary, start,
//! end and recurrence, and the writer of the reminders file.
//!
//! Supported: line folding, text escapes, `DTSTART`/`DTEND` as UTC (`…Z`), with `TZID` (IANA
//! names, as Google and Nextcloud write them), floating (the household's zone) or all-day
//! (`VALUE=DATE`); `DURATION` is not read (an event without `DTEND` lasts an hour, or its day);
//! `RRULE` with `FREQ=DAILY` or `WEEKLY`, `INTERVAL`, `COUNT`, `UNTIL` and `BYDAY`; `EXDATE`.
//! Not supported: other frequencies (only the first occurrence is seen), `RDATE`,
//! `RECURRENCE-ID` overrides, and `VTIMEZONE` definitions under non-IANA names (read as UTC).

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// When an event starts or ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum When {
    /// A whole day.
    Date(NaiveDate),
    /// A wall-clock time in a zone.
    Zoned(NaiveDateTime, Tz),
    /// A wall-clock time in the household's zone (no zone given).
    Floating(NaiveDateTime),
}

/// How an event repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rule {
    /// Days between occurrences (7 per week for weekly rules).
    pub(crate) step_days: u32,
    /// For weekly rules, the weekdays it falls on (empty: the start's weekday).
    pub(crate) by_day: Vec<Weekday>,
    /// The most occurrences.
    pub(crate) count: Option<u32>,
    /// The last possible start.
    pub(crate) until: Option<When>,
    /// Whether the rule is weekly.
    pub(crate) weekly: bool,
}

/// One `VEVENT`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Event {
    pub(crate) summary: String,
    pub(crate) start: When,
    pub(crate) end: Option<When>,
    pub(crate) rule: Option<Rule>,
    pub(crate) excluded: Vec<When>,
}

/// The events of an ICS text; malformed events are skipped, never a panic.
pub(crate) fn parse(text: &str) -> Vec<Event> {
    let mut events = Vec::new();
    let mut current: Option<Partial> = None;
    for line in unfold(text) {
        let Some((name, params, value)) = split_line(&line) else {
            continue;
        };
        match (name.as_str(), value) {
            ("BEGIN", "VEVENT") => current = Some(Partial::default()),
            ("END", "VEVENT") => {
                if let Some(event) = current.take().and_then(Partial::finish) {
                    events.push(event);
                }
            }
            _ => {
                if let Some(partial) = current.as_mut() {
                    partial.property(&name, &params, value);
                }
            }
        }
    }
    events
}

#[derive(Default)]
struct Partial {
    summary: Option<String>,
    start: Option<When>,
    end: Option<When>,
    rule: Option<String>,
    excluded: Vec<When>,
    cancelled: bool,
}

impl Partial {
    fn property(&mut self, name: &str, params: &[(String, String)], value: &str) {
        match name {
            "SUMMARY" => self.summary = Some(unescape(value)),
            "DTSTART" => self.start = parse_when(params, value),
            "DTEND" => self.end = parse_when(params, value),
            "RRULE" => self.rule = Some(value.to_owned()),
            "EXDATE" => self
                .excluded
                .extend(value.split(',').filter_map(|one| parse_when(params, one))),
            "STATUS" => self.cancelled = value.eq_ignore_ascii_case("CANCELLED"),
            _ => {}
        }
    }

    fn finish(self) -> Option<Event> {
        if self.cancelled {
            return None;
        }
        let start = self.start?;
        let rule = self.rule.as_deref().and_then(parse_rule);
        Some(Event {
            summary: self.summary.unwrap_or_default(),
            start,
            end: self.end,
            rule,
            excluded: self.excluded,
        })
    }
}

/// Joins folded lines (a line starting with a space or tab continues the previous one).
fn unfold(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(rest), Some(last)) => last.push_str(rest),
            _ => lines.push(raw.to_owned()),
        }
    }
    lines
}

/// A content line's parameters, as (upper-case name, value).
type Params = Vec<(String, String)>;

/// `NAME;P=V;Q=W:value` → (NAME, [(P, V), (Q, W)], value).
fn split_line(line: &str) -> Option<(String, Params, &str)> {
    // The value starts at the first colon outside a quoted parameter value.
    let mut quoted = false;
    let colon = line.char_indices().find_map(|(index, c)| {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => return Some(index),
            _ => {}
        }
        None
    })?;
    let (head, value) = (&line[..colon], &line[colon + 1..]);
    let mut parts = head.split(';');
    let name = parts.next()?.trim().to_ascii_uppercase();
    let params = parts
        .filter_map(|param| {
            let (key, value) = param.split_once('=')?;
            Some((key.to_ascii_uppercase(), value.trim_matches('"').to_owned()))
        })
        .collect();
    Some((name, params, value.trim()))
}

fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push(' '),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out.trim().to_owned()
}

/// Escapes text for an ICS value.
pub(crate) fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace(['\n', '\r'], " ")
}

fn parse_when(params: &[(String, String)], value: &str) -> Option<When> {
    let param = |key: &str| {
        params
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.as_str())
    };
    let value = value.trim();
    if param("VALUE") == Some("DATE") || value.len() == 8 {
        return NaiveDate::parse_from_str(value, "%Y%m%d")
            .ok()
            .map(When::Date);
    }
    if let Some(utc) = value.strip_suffix('Z') {
        let naive = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").ok()?;
        return Some(When::Zoned(naive, chrono_tz::UTC));
    }
    let naive = NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").ok()?;
    match param("TZID") {
        // Unknown (Windows-style) names are read as UTC rather than dropped.
        Some(zone) => Some(When::Zoned(
            naive,
            zone.trim_start_matches('/')
                .parse()
                .unwrap_or(chrono_tz::UTC),
        )),
        None => Some(When::Floating(naive)),
    }
}

fn parse_rule(text: &str) -> Option<Rule> {
    let mut rule = Rule {
        step_days: 1,
        by_day: Vec::new(),
        count: None,
        until: None,
        weekly: false,
    };
    let mut interval = 1;
    let mut frequency = None;
    for part in text.split(';') {
        let Some((key, value)) = part.split_once('=') else {
            continue;
        };
        match key.to_ascii_uppercase().as_str() {
            "FREQ" => frequency = Some(value.to_ascii_uppercase()),
            "INTERVAL" => interval = value.parse::<u32>().ok().filter(|n| *n > 0)?,
            "COUNT" => rule.count = value.parse().ok(),
            "UNTIL" => rule.until = parse_when(&[], value),
            "BYDAY" => {
                rule.by_day = value
                    .split(',')
                    .filter_map(|day| {
                        weekday(day.trim_start_matches(|c: char| !c.is_ascii_alphabetic()))
                    })
                    .collect();
            }
            _ => {}
        }
    }
    match frequency.as_deref() {
        Some("DAILY") => rule.step_days = interval,
        Some("WEEKLY") => {
            // A feed may say any interval; one past u32 weeks is no recurrence worth reading.
            rule.step_days = interval.checked_mul(7)?;
            rule.weekly = true;
        }
        // Monthly and yearly rules are not expanded: the first occurrence stands alone.
        _ => return None,
    }
    Some(rule)
}

fn weekday(code: &str) -> Option<Weekday> {
    Some(match code.to_ascii_uppercase().as_str() {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}

impl When {
    /// The instant it denotes; a date is its midnight in `home`.
    pub(crate) fn instant(self, home: Tz) -> Option<DateTime<Utc>> {
        let local = match self {
            When::Date(date) => return resolve(home, date.and_hms_opt(0, 0, 0)?),
            When::Zoned(naive, zone) => return resolve(zone, naive),
            When::Floating(naive) => naive,
        };
        resolve(home, local)
    }

    /// The same wall-clock time `days` later (recurrences keep their local time across DST).
    pub(crate) fn plus_days(self, days: i64) -> Option<When> {
        let delta = chrono::Duration::days(days);
        Some(match self {
            When::Date(date) => When::Date(date.checked_add_signed(delta)?),
            When::Zoned(naive, zone) => When::Zoned(naive.checked_add_signed(delta)?, zone),
            When::Floating(naive) => When::Floating(naive.checked_add_signed(delta)?),
        })
    }

    /// The wall-clock date.
    pub(crate) fn date(self) -> NaiveDate {
        match self {
            When::Date(date) => date,
            When::Zoned(naive, _) | When::Floating(naive) => naive.date(),
        }
    }
}

/// A wall-clock time in a zone; in a DST gap, the hour after.
fn resolve(zone: Tz, naive: NaiveDateTime) -> Option<DateTime<Utc>> {
    zone.from_local_datetime(&naive)
        .earliest()
        .or_else(|| {
            zone.from_local_datetime(&(naive + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|time| time.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_events_with_zones_all_day_folding_and_escapes() {
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Dentist\\, Dr. Ad\r\n a\r\nDTSTART;TZID=Europe/Paris:20261202T090000\r\nDTEND;TZID=Europe/Paris:20261202T100000\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:Holiday\r\nDTSTART;VALUE=DATE:20261225\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:Gone\r\nSTATUS:CANCELLED\r\nDTSTART:20261202T080000Z\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:No start\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let events = parse(text);
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].summary, "Dentist, Dr. Ada");
        let paris: Tz = "Europe/Paris".parse().unwrap();
        assert_eq!(
            events[0].start.instant(chrono_tz::UTC).unwrap(),
            Utc.with_ymd_and_hms(2026, 12, 2, 8, 0, 0).unwrap()
        );
        assert_eq!(
            events[1].start,
            When::Date(NaiveDate::from_ymd_opt(2026, 12, 25).unwrap())
        );
        assert_eq!(
            events[1].start.instant(paris).unwrap(),
            Utc.with_ymd_and_hms(2026, 12, 24, 23, 0, 0).unwrap()
        );
    }

    #[test]
    fn reads_daily_and_weekly_rules_and_ignores_the_rest() {
        let event = |rule: &str| {
            parse(&format!(
                "BEGIN:VEVENT\nSUMMARY:x\nDTSTART:20261201T070000Z\nRRULE:{rule}\nEND:VEVENT\n"
            ))
            .remove(0)
            .rule
        };
        let weekly = event("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=4").unwrap();
        assert_eq!(weekly.step_days, 14);
        assert_eq!(weekly.by_day, [Weekday::Mon, Weekday::Wed]);
        assert_eq!(weekly.count, Some(4));
        assert_eq!(event("FREQ=DAILY").unwrap().step_days, 1);
        assert_eq!(event("FREQ=MONTHLY;BYMONTHDAY=1"), None);
    }
}
