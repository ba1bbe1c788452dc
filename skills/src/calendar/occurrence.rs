//! Expanding events (and their daily or weekly recurrences) into the occurrences that overlap
//! a window of time.

use chrono::{DateTime, Datelike, Duration, Utc};
use chrono_tz::Tz;

use crate::calendar::ics::{Event, When};

/// Steps tried per event: bounds the work on a hostile calendar.
const MAX_STEPS: u32 = 20_000;

/// One occurrence of an event.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Occurrence {
    pub(crate) summary: String,
    /// When it starts.
    pub(crate) start: DateTime<Utc>,
    /// Whether it lasts whole days.
    pub(crate) all_day: bool,
}

/// Every occurrence overlapping `[from, to)`, by start time (all-day ones first on a tie).
pub(crate) fn occurrences(
    events: &[Event],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    home: Tz,
) -> Vec<Occurrence> {
    let mut found = Vec::new();
    for event in events {
        let Some(first) = event.start.instant(home) else {
            continue;
        };
        let all_day = matches!(event.start, When::Date(_));
        let length = event
            .end
            .and_then(|end| end.instant(home))
            .map(|end| end - first)
            .filter(|length| *length > Duration::zero())
            .unwrap_or(if all_day {
                Duration::days(1)
            } else {
                Duration::hours(1)
            });
        let excluded: Vec<DateTime<Utc>> = event
            .excluded
            .iter()
            .filter_map(|when| when.instant(home))
            .collect();
        let mut push = |start: DateTime<Utc>| {
            if start < to && start + length > from && !excluded.contains(&start) {
                found.push(Occurrence {
                    summary: event.summary.clone(),
                    start,
                    all_day,
                });
            }
        };
        let Some(rule) = &event.rule else {
            push(first);
            continue;
        };
        let until = rule.until.and_then(|until| until.instant(home));
        let step = i64::from(rule.step_days);
        // Without a count, skip the periods wholly before the window.
        let skip = if rule.count.is_none() {
            let days = (from - first).num_days() - length.num_days() - 1;
            (days / step - 1).max(0)
        } else {
            0
        };
        // Weekly rules with BYDAY: each period starts on the Monday of DTSTART's week.
        let offsets: Vec<i64> = if rule.weekly && !rule.by_day.is_empty() {
            let start_day = i64::from(event.start.date().weekday().num_days_from_monday());
            let mut days: Vec<i64> = rule
                .by_day
                .iter()
                .map(|day| i64::from(day.num_days_from_monday()) - start_day)
                .collect();
            days.sort_unstable();
            days
        } else {
            vec![0]
        };
        let mut emitted = 0;
        'periods: for period in (skip..).take(MAX_STEPS as usize) {
            for offset in &offsets {
                let Some(when) = event.start.plus_days(period * step + offset) else {
                    break 'periods;
                };
                let Some(start) = when.instant(home) else {
                    continue;
                };
                if start < first {
                    continue;
                }
                if until.is_some_and(|until| start > until)
                    || rule.count.is_some_and(|count| emitted >= count)
                    || start >= to
                {
                    break 'periods;
                }
                emitted += 1;
                push(start);
            }
        }
    }
    found.sort_by(|a, b| a.start.cmp(&b.start).then(b.all_day.cmp(&a.all_day)));
    found
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::calendar::ics::parse;

    fn starts(text: &str, from: (i32, u32, u32), days: i64) -> Vec<String> {
        let paris: Tz = "Europe/Paris".parse().unwrap();
        let from = paris
            .with_ymd_and_hms(from.0, from.1, from.2, 0, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        occurrences(&parse(text), from, from + Duration::days(days), paris)
            .iter()
            .map(|o| {
                format!(
                    "{} {}",
                    o.start.with_timezone(&paris).format("%a %m-%d %H:%M"),
                    o.summary
                )
            })
            .collect()
    }

    #[test]
    fn expands_daily_and_weekly_rules_in_local_time_across_dst() {
        let daily = "BEGIN:VEVENT\nSUMMARY:Pills\nDTSTART;TZID=Europe/Paris:20260320T080000\nRRULE:FREQ=DAILY;INTERVAL=3\nEND:VEVENT\n";
        // 8:00 in Paris before and after the switch to summer time on March 29.
        assert_eq!(
            starts(daily, (2026, 3, 28), 5),
            ["Sun 03-29 08:00 Pills", "Wed 04-01 08:00 Pills"]
        );
        let weekly = "BEGIN:VEVENT\nSUMMARY:Gym\nDTSTART;TZID=Europe/Paris:20261130T180000\nDTEND;TZID=Europe/Paris:20261130T190000\nRRULE:FREQ=WEEKLY;BYDAY=MO,TH;COUNT=3\nEXDATE;TZID=Europe/Paris:20261203T180000\nEND:VEVENT\n";
        assert_eq!(
            starts(weekly, (2026, 11, 30), 14),
            ["Mon 11-30 18:00 Gym", "Mon 12-07 18:00 Gym"],
            "three occurrences, one excluded"
        );
        let old = "BEGIN:VEVENT\nSUMMARY:Standup\nDTSTART:20100104T083000Z\nRRULE:FREQ=WEEKLY;UNTIL=20301231T000000Z\nEND:VEVENT\n";
        assert_eq!(starts(old, (2026, 11, 30), 7), ["Mon 11-30 09:30 Standup"]);
        let all_day = "BEGIN:VEVENT\nSUMMARY:Trip\nDTSTART;VALUE=DATE:20261129\nDTEND;VALUE=DATE:20261202\nEND:VEVENT\n";
        assert_eq!(starts(all_day, (2026, 12, 1), 1), ["Sun 11-29 00:00 Trip"]);
        assert!(starts(all_day, (2026, 12, 2), 1).is_empty());
    }
}
