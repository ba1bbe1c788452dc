//! The timer book in the bridge's shared state: one JSON record, written after every change,
//! so that timers survive a restart. The backend (sled or Redis) sits behind
//! [`TimerRecordStore`] and only keeps the bytes; the book's shape stays here.

use std::sync::Arc;

use super::book::TimerBook;
use crate::context::TimerRecordStore;

/// Why the book could not be read or written. The driver logs it and keeps the timers in
/// memory: a full disk must not stop a running timer from ringing.
#[derive(Debug, Clone, thiserror::Error)]
#[error("timer store {action} failed: {detail}")]
pub(crate) struct TimerStoreError {
    /// `load` or `save`.
    pub(crate) action: &'static str,
    /// Why.
    pub(crate) detail: String,
}

/// Where the timer book is kept.
#[derive(Clone)]
pub(crate) struct TimerStore {
    records: Arc<dyn TimerRecordStore>,
}

impl std::fmt::Debug for TimerStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimerStore").finish_non_exhaustive()
    }
}

impl TimerStore {
    /// The book kept in `records`.
    pub(crate) fn new(records: Arc<dyn TimerRecordStore>) -> TimerStore {
        TimerStore { records }
    }

    /// The saved book; an empty one when none was saved. Blocking (disk or network).
    ///
    /// # Errors
    /// The store cannot be read, or the record is damaged.
    pub(crate) fn load(&self) -> Result<TimerBook, TimerStoreError> {
        let error = |detail: String| TimerStoreError {
            action: "load",
            detail,
        };
        match self.records.load_timers().map_err(|e| error(e.detail))? {
            Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| error(e.to_string())),
            None => Ok(TimerBook::default()),
        }
    }

    /// Saves `book` durably: a timer set just before a power cut must ring. Blocking.
    ///
    /// # Errors
    /// The store refuses the write.
    pub(crate) fn save(&self, book: &TimerBook) -> Result<(), TimerStoreError> {
        let error = |detail: String| TimerStoreError {
            action: "save",
            detail,
        };
        let bytes = serde_json::to_vec(book).map_err(|e| error(e.to_string()))?;
        self.records
            .save_timers(&bytes)
            .map_err(|e| error(e.detail))
    }
}

#[cfg(test)]
mod tests {
    use hive_skills::Lang;

    use super::*;
    use crate::context::SledStore;

    #[test]
    fn the_book_survives_reopening_the_database() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = TimerStore::new(Arc::new(SledStore::open(dir.path()).unwrap()));
            assert_eq!(store.load().unwrap(), TimerBook::default());
            let mut book = TimerBook::default();
            book.set(None, Some("pasta".into()), 60, Lang::En, 1_000)
                .unwrap();
            store.save(&book).unwrap();
        }
        let store = TimerStore::new(Arc::new(SledStore::open(dir.path()).unwrap()));
        let book = store.load().unwrap();
        assert_eq!(book.all()[0].name.as_deref(), Some("pasta"));
    }

    #[test]
    fn a_damaged_record_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let records = Arc::new(SledStore::open(dir.path()).unwrap());
        records.save_timers(b"{not json").unwrap();
        let error = TimerStore::new(records).load().unwrap_err();
        assert_eq!(error.action, "load");
    }
}
