//! Recent reports, reused for a few minutes: the same question asked twice in a morning
//! costs one request.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use crate::lang::Lang;
use crate::weather::report::Report;

/// Places remembered at once; a household asks about a handful.
const CAPACITY: usize = 32;

/// A report and when it was fetched, by (normalised place, language).
type Entries = HashMap<(String, Lang), (DateTime<Utc>, Report)>;

/// Reports by (normalised place, language), stamped with when they were fetched.
#[derive(Debug)]
pub(crate) struct ReportCache {
    ttl: Duration,
    entries: Mutex<Entries>,
}

impl ReportCache {
    /// A cache keeping reports `ttl_s` seconds (0 turns it off).
    pub(crate) fn new(ttl_s: u64) -> ReportCache {
        ReportCache {
            ttl: Duration::seconds(i64::try_from(ttl_s).unwrap_or(i64::MAX / 1000)),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// A report fetched less than `ttl` before `now`.
    pub(crate) fn get(&self, place: &str, lang: Lang, now: DateTime<Utc>) -> Option<Report> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (at, report) = entries.get(&(place.to_owned(), lang))?;
        (now >= *at && now - *at < self.ttl).then(|| report.clone())
    }

    /// Remembers a report fetched at `now`; when full, expired entries go first, then the
    /// oldest.
    pub(crate) fn put(&self, place: &str, lang: Lang, now: DateTime<Utc>, report: Report) {
        if self.ttl <= Duration::zero() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY {
            let ttl = self.ttl;
            entries.retain(|_, (at, _)| now >= *at && now - *at < ttl);
        }
        if entries.len() >= CAPACITY
            && let Some(oldest) = entries
                .iter()
                .min_by_key(|(_, (at, _))| *at)
                .map(|(key, _)| key.clone())
        {
            entries.remove(&oldest);
        }
        entries.insert((place.to_owned(), lang), (now, report));
    }
}
