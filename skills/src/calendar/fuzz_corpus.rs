//! Replays the `ics` fuzz target's corpus (`topics/fuzz/corpus/ics/`): each file is parsed
//! and expanded in the target's three windows with its checks (occurrences sorted, inside
//! their window), then the seeds with known content are expanded where a person would ask
//! about them. `bad-` seeds hold no usable event; `edge-` ones and anything the fuzzer added
//! only have to be handled without a panic.

use std::path::Path;

use chrono::{Duration, TimeZone, Utc};
use chrono_tz::Tz;

use crate::calendar::ics::parse;
use crate::calendar::occurrence::occurrences;

/// Every seed's (name, text), by name; read lossily as the skill reads a feed.
fn corpus() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../topics/fuzz/corpus/ics");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| {
            let path = entry.expect("corpus entry").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let bytes = std::fs::read(&path).expect("corpus file");
            (name, String::from_utf8_lossy(&bytes).into_owned())
        })
        .collect();
    files.sort();
    files
}

/// The fuzz target's windows and checks.
fn replay(text: &str) {
    let events = parse(text);
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
        let found = occurrences(&events, from, to, zone);
        assert!(found.is_sorted_by_key(|occurrence| occurrence.start));
        assert!(found.iter().all(|occurrence| occurrence.start < to));
    }
}

/// The occurrences from local midnight of `from` for `days`, as a person in `zone` hears them.
fn starts(text: &str, zone: Tz, from: (i32, u32, u32), days: i64) -> Vec<String> {
    let from = zone
        .with_ymd_and_hms(from.0, from.1, from.2, 0, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    occurrences(&parse(text), from, from + Duration::days(days), zone)
        .iter()
        .map(|o| {
            let start = o.start.with_timezone(&zone).format("%a %m-%d %H:%M");
            format!("{start} {}", o.summary)
        })
        .collect()
}

#[test]
fn every_ics_seed_parses_or_is_skipped_without_a_panic() {
    let files = corpus();
    assert!(files.len() >= 15, "only {} ics seeds", files.len());
    for (name, text) in &files {
        replay(text);
        if name.starts_with("valid-") {
            assert!(!parse(text).is_empty(), "{name} has no event");
        } else if name.starts_with("bad-") {
            assert_eq!(parse(text), [], "{name}");
        }
    }
}

/// A seed, the zone and local day it is asked about, for how many days, and the answer.
type Case = (
    &'static str,
    Tz,
    (i32, u32, u32),
    i64,
    &'static [&'static str],
);

#[test]
fn the_valid_ics_seeds_say_what_a_person_expects() {
    let files = corpus();
    let seed = |name: &str| {
        files
            .iter()
            .find(|(file, _)| file == name)
            .map(|(_, text)| text.as_str())
            .unwrap_or_else(|| panic!("no seed {name}"))
    };
    let paris = chrono_tz::Europe::Paris;
    let new_york = chrono_tz::America::New_York;
    let cases: [Case; 7] = [
        (
            "valid-zoned-folded-escaped.ics",
            paris,
            (2026, 12, 2),
            1,
            &["Wed 12-02 09:00 Dentist, Dr. Ada"],
        ),
        (
            "valid-all-day.ics",
            paris,
            (2026, 12, 2),
            1,
            &["Wed 12-02 00:00 Holiday"],
        ),
        (
            "valid-utc-and-floating.ics",
            paris,
            (2026, 12, 2),
            1,
            &["Wed 12-02 09:00 Call", "Wed 12-02 12:30 Lunch"],
        ),
        (
            "valid-weekly-byday-count.ics",
            new_york,
            (2026, 3, 1),
            31,
            // Ten occurrences, the excluded one among them; 7:00 on both sides of DST.
            &[
                "Mon 03-02 07:00 Swim",
                "Sun 03-08 07:00 Swim",
                "Mon 03-09 07:00 Swim",
                "Wed 03-11 07:00 Swim",
                "Sun 03-15 07:00 Swim",
                "Mon 03-16 07:00 Swim",
                "Wed 03-18 07:00 Swim",
                "Sun 03-22 07:00 Swim",
                "Mon 03-23 07:00 Swim",
            ],
        ),
        (
            "valid-daily-until-across-dst.ics",
            new_york,
            (2026, 3, 7),
            2,
            // 2:00 does not exist on the night clocks spring forward: the hour after.
            &["Sat 03-07 02:00 Walk", "Sun 03-08 03:00 Walk"],
        ),
        (
            "valid-google-export.ics",
            paris,
            (2026, 12, 2),
            14,
            &[
                "Wed 12-02 18:30 Choir ; practice",
                "Wed 12-09 18:30 Choir ; practice",
            ],
        ),
        (
            "valid-windows-tzid-and-quoted-param.ics",
            paris,
            (2026, 12, 2),
            1,
            // A zone name that is not IANA's is read as UTC.
            &["Wed 12-02 10:00 Standup"],
        ),
    ];
    for (name, zone, from, days, expected) in cases {
        assert_eq!(starts(seed(name), zone, from, days), expected, "{name}");
    }
}
