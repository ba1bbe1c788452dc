//! The timer book on disk: one JSON record in a tree of the bridge's sled database, written
//! after every change, so that timers survive a restart.

use super::book::TimerBook;

/// The record's key.
const KEY: &[u8] = b"book";

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
#[derive(Debug, Clone)]
pub(crate) struct TimerStore {
    tree: sled::Tree,
}

impl TimerStore {
    /// The store in `tree` (the `timers` tree of the bridge's database).
    pub(crate) fn new(tree: sled::Tree) -> TimerStore {
        TimerStore { tree }
    }

    /// The saved book; an empty one when none was saved.
    ///
    /// # Errors
    /// The tree cannot be read, or the record is damaged.
    pub(crate) fn load(&self) -> Result<TimerBook, TimerStoreError> {
        let error = |detail: String| TimerStoreError {
            action: "load",
            detail,
        };
        match self.tree.get(KEY).map_err(|e| error(e.to_string()))? {
            Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| error(e.to_string())),
            None => Ok(TimerBook::default()),
        }
    }

    /// Saves `book` and flushes it to disk: a timer set just before a power cut must ring.
    ///
    /// # Errors
    /// The disk refuses the write.
    pub(crate) fn save(&self, book: &TimerBook) -> Result<(), TimerStoreError> {
        let error = |detail: String| TimerStoreError {
            action: "save",
            detail,
        };
        let bytes = serde_json::to_vec(book).map_err(|e| error(e.to_string()))?;
        self.tree
            .insert(KEY, bytes)
            .map_err(|e| error(e.to_string()))?;
        self.tree.flush().map_err(|e| error(e.to_string()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use hive_skills::Lang;

    use super::*;

    #[test]
    fn the_book_survives_reopening_the_database() {
        let dir = tempfile::tempdir().unwrap();
        {
            let db = sled::open(dir.path()).unwrap();
            let store = TimerStore::new(db.open_tree("timers").unwrap());
            assert_eq!(store.load().unwrap(), TimerBook::default());
            let mut book = TimerBook::default();
            book.set(None, Some("pasta".into()), 60, Lang::En, 1_000)
                .unwrap();
            store.save(&book).unwrap();
        }
        let db = sled::open(dir.path()).unwrap();
        let store = TimerStore::new(db.open_tree("timers").unwrap());
        let book = store.load().unwrap();
        assert_eq!(book.all()[0].name.as_deref(), Some("pasta"));
    }

    #[test]
    fn a_damaged_record_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::open(dir.path()).unwrap();
        let tree = db.open_tree("timers").unwrap();
        tree.insert(KEY, &b"{not json"[..]).unwrap();
        let error = TimerStore::new(tree).load().unwrap_err();
        assert_eq!(error.action, "load");
    }
}
