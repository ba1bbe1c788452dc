//! The calendar skill's iCalendar reader (`skills/src/calendar/ics.rs`, fed from a URL)
//! and the expansion of its events into occurrences (`occurrence.rs`), which does date
//! arithmetic on whatever the feed says. Both are private to hive-skills' `http` feature,
//! so the files themselves are compiled in here: the code fuzzed is the code shipped.
//!
//! Input: the ICS text (read lossily, as `reqwest`'s `text()` does). Each input is expanded
//! in the windows the skill asks for (a day, the next days) around three instants and zones.
//! Beyond "never panics": occurrences come sorted and overlap their window.
#![no_main]
#![allow(dead_code, unreachable_pub)]

#[path = "../../../skills/src/calendar"]
mod calendar {
    pub(crate) mod ics;
    pub(crate) mod occurrence;
}

use chrono::{Duration, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let events = calendar::ics::parse(&text);
    let windows = [
        (
            Utc.with_ymd_and_hms(2026, 12, 1, 23, 0, 0),
            chrono_tz::Europe::Paris,
            1,
        ),
        (
            Utc.with_ymd_and_hms(2026, 3, 8, 5, 0, 0),
            chrono_tz::America::New_York,
            7,
        ),
        (
            Utc.with_ymd_and_hms(2027, 4, 4, 0, 0, 0),
            chrono_tz::Australia::Lord_Howe,
            30,
        ),
    ];
    for (from, zone, days) in windows {
        let from = from.unwrap();
        let to = from + Duration::days(days);
        let found = calendar::occurrence::occurrences(&events, from, to, zone);
        assert!(found.is_sorted_by_key(|occurrence| occurrence.start));
        assert!(found.iter().all(|occurrence| occurrence.start < to));
    }
});
