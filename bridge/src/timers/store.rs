//! The timer book in the bridge's shared state: one JSON record, so that timers survive a
//! restart and, in Redis, are one book for every bridge of the household. The backend (sled
//! or Redis) sits behind [`TimerRecordStore`] and only keeps the bytes; the book's shape
//! stays here.
//!
//! A change is written over the exact bytes it was computed from (compare-and-swap): when
//! another bridge wrote in between, the write is refused and the change is made again on the
//! fresh book. That is what makes a due timer fire on exactly one bridge.

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

/// The book as read from the store, with the bytes it was read from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Stored {
    pub(crate) book: TimerBook,
    raw: Option<Vec<u8>>,
    /// Why the record could not be read, when it was damaged: the book is then empty, and
    /// the next change replaces the damaged record.
    pub(crate) damage: Option<String>,
}

impl Stored {
    /// Whether `other` was read from the same record.
    pub(crate) fn same_record(&self, other: &Stored) -> bool {
        self.raw == other.raw
    }
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

    /// The saved book; an empty one when none was saved, or when the record is damaged (said
    /// in [`Stored::damage`]). Blocking (disk or network).
    ///
    /// # Errors
    /// The store cannot be read.
    pub(crate) fn load(&self) -> Result<Stored, TimerStoreError> {
        let raw = self
            .records
            .load_timers()
            .map_err(|error| TimerStoreError {
                action: "load",
                detail: error.detail,
            })?;
        let (book, damage) = match raw.as_deref().map(serde_json::from_slice::<TimerBook>) {
            None => (TimerBook::default(), None),
            Some(Ok(book)) => (book, None),
            Some(Err(error)) => (TimerBook::default(), Some(error.to_string())),
        };
        Ok(Stored { book, raw, damage })
    }

    /// Writes `book`, durably, over the record `base` was read from: `Some` with what is now
    /// stored, or `None` when the record changed since (another bridge wrote). Blocking.
    ///
    /// # Errors
    /// The store refuses the write.
    pub(crate) fn commit(
        &self,
        base: &Stored,
        book: TimerBook,
    ) -> Result<Option<Stored>, TimerStoreError> {
        let error = |detail: String| TimerStoreError {
            action: "save",
            detail,
        };
        let raw = serde_json::to_vec(&book).map_err(|e| error(e.to_string()))?;
        let swapped = self
            .records
            .swap_timers(base.raw.as_deref(), &raw)
            .map_err(|e| error(e.detail))?;
        Ok(swapped.then_some(Stored {
            book,
            raw: Some(raw),
            damage: None,
        }))
    }
}

#[cfg(test)]
mod tests {
    use hive_skills::Lang;

    use super::*;
    use crate::context::SledStore;

    fn pasta() -> TimerBook {
        let mut book = TimerBook::default();
        book.set(None, Some("pasta".into()), 60, Lang::En, 1_000)
            .unwrap();
        book
    }

    #[test]
    fn the_book_survives_reopening_the_database() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = TimerStore::new(Arc::new(SledStore::open(dir.path()).unwrap()));
            let empty = store.load().unwrap();
            assert_eq!(empty.book, TimerBook::default());
            assert!(store.commit(&empty, pasta()).unwrap().is_some());
        }
        let store = TimerStore::new(Arc::new(SledStore::open(dir.path()).unwrap()));
        let book = store.load().unwrap().book;
        assert_eq!(book.all()[0].name.as_deref(), Some("pasta"));
    }

    #[test]
    fn a_change_computed_from_a_stale_book_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = TimerStore::new(Arc::new(SledStore::open(dir.path()).unwrap()));
        let first = store.load().unwrap();
        let second = store.load().unwrap();
        let written = store.commit(&first, pasta()).unwrap().unwrap();
        assert!(!written.same_record(&second));
        // The other reader's change was made on the empty book: refused, not overwriting.
        assert_eq!(store.commit(&second, TimerBook::default()).unwrap(), None);
        assert_eq!(store.load().unwrap().book, pasta());
        // Made again on what is stored, it goes through.
        assert!(
            store
                .commit(&written, TimerBook::default())
                .unwrap()
                .is_some()
        );
        assert_eq!(store.load().unwrap().book, TimerBook::default());
    }

    #[test]
    fn a_damaged_record_reads_as_an_empty_book_and_the_next_change_replaces_it() {
        let dir = tempfile::tempdir().unwrap();
        let records = Arc::new(SledStore::open(dir.path()).unwrap());
        records.save_timers(b"{not json").unwrap();
        let store = TimerStore::new(records);
        let damaged = store.load().unwrap();
        assert!(damaged.damage.is_some());
        assert_eq!(damaged.book, TimerBook::default());
        assert!(store.commit(&damaged, pasta()).unwrap().is_some());
        let repaired = store.load().unwrap();
        assert_eq!((repaired.book, repaired.damage), (pasta(), None));
    }
}
