//! The embedded store: sled, keyed by time so that reads of the recent past and pruning of
//! the old are range scans.

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};

use super::entry::ContextEntry;
use super::store::{ContextStore, StoreError};
use super::timer_record::TimerRecordStore;

/// The tree and key of the timer book (where the bridge kept it before the trait existed).
const TIMERS_TREE: &str = "timers";
const TIMERS_KEY: &[u8] = b"book";

/// A conversation in a sled database.
#[derive(Debug, Clone)]
pub struct SledStore {
    tree: sled::Tree,
    timers: sled::Tree,
    db: sled::Db,
}

/// Disambiguates entries written in the same millisecond.
static SEQUENCE: AtomicU32 = AtomicU32::new(0);

fn key(at_ms: u64) -> [u8; 12] {
    let mut key = [0u8; 12];
    key[..8].copy_from_slice(&at_ms.to_be_bytes());
    key[8..].copy_from_slice(&SEQUENCE.fetch_add(1, Ordering::Relaxed).to_be_bytes());
    key
}

fn error(action: &'static str) -> impl Fn(sled::Error) -> StoreError {
    move |error| StoreError {
        action,
        detail: error.to_string(),
    }
}

impl SledStore {
    /// Opens (or creates) the database in `dir`.
    ///
    /// # Errors
    /// The folder cannot be created or the database cannot be opened (read-only, corrupt).
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        let db = sled::Config::new()
            .path(dir)
            .open()
            .map_err(error("open"))?;
        let tree = db.open_tree("conversation").map_err(error("open"))?;
        let timers = db.open_tree(TIMERS_TREE).map_err(error("open"))?;
        Ok(SledStore { tree, timers, db })
    }

    /// Another tree of the same database, for other state the bridge keeps (the timers):
    /// sled locks its folder, so one process opens one database.
    ///
    /// # Errors
    /// The tree cannot be opened.
    pub fn tree(&self, name: &str) -> Result<sled::Tree, StoreError> {
        self.db.open_tree(name).map_err(error("open"))
    }

    /// Writes everything to disk now (sled otherwise flushes every 500 ms).
    ///
    /// # Errors
    /// The disk refuses the write.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush().map(|_| ()).map_err(error("flush"))
    }
}

impl ContextStore for SledStore {
    fn append(&self, entry: &ContextEntry) -> Result<(), StoreError> {
        let value = serde_json::to_vec(entry).map_err(|error| StoreError {
            action: "append",
            detail: error.to_string(),
        })?;
        self.tree
            .insert(key(entry.at_ms), value)
            .map_err(error("append"))?;
        // On disk before the turn ends: a bridge killed right after still remembers it, and
        // a full or failing disk shows up here, as this turn's error, not later in a
        // background flush nobody hears of.
        self.db.flush().map_err(error("append"))?;
        Ok(())
    }

    fn recent(&self, limit: usize, since_ms: u64) -> Result<Vec<ContextEntry>, StoreError> {
        let mut entries = Vec::with_capacity(limit);
        for item in self.tree.range(since_ms.to_be_bytes()..).rev() {
            if entries.len() == limit {
                break;
            }
            let (_, value) = item.map_err(error("read"))?;
            // A damaged record is skipped, not fatal: the rest of the conversation still helps.
            match serde_json::from_slice::<ContextEntry>(&value) {
                Ok(entry) => entries.push(entry),
                Err(error) => tracing::warn!(%error, "Skipping an unreadable conversation record."),
            }
        }
        entries.reverse();
        Ok(entries)
    }

    fn prune(&self, before_ms: u64) -> Result<usize, StoreError> {
        let mut removed = 0;
        for item in self.tree.range(..before_ms.to_be_bytes()) {
            let (key, _) = item.map_err(error("prune"))?;
            self.tree.remove(key).map_err(error("prune"))?;
            removed += 1;
        }
        Ok(removed)
    }
}

impl TimerRecordStore for SledStore {
    fn load_timers(&self) -> Result<Option<Vec<u8>>, StoreError> {
        let record = self.timers.get(TIMERS_KEY).map_err(error("load"))?;
        Ok(record.map(|bytes| bytes.to_vec()))
    }

    fn save_timers(&self, record: &[u8]) -> Result<(), StoreError> {
        self.timers
            .insert(TIMERS_KEY, record)
            .map_err(error("save"))?;
        self.timers.flush().map_err(error("save"))?;
        Ok(())
    }

    fn swap_timers(&self, expected: Option<&[u8]>, record: &[u8]) -> Result<bool, StoreError> {
        let swapped = self
            .timers
            .compare_and_swap(TIMERS_KEY, expected, Some(record))
            .map_err(error("save"))?
            .is_ok();
        if swapped {
            self.timers.flush().map_err(error("save"))?;
        }
        Ok(swapped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Speaker;

    fn entry(at_ms: u64, text: &str) -> ContextEntry {
        ContextEntry {
            at_ms,
            speaker: Speaker::User,
            text: text.into(),
            satellite: Some("kitchen".into()),
            intent: None,
            lang: Some("en".into()),
        }
    }

    #[test]
    fn recent_returns_the_last_messages_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path()).unwrap();
        for (at, text) in [(10, "a"), (20, "b"), (20, "c"), (30, "d")] {
            store.append(&entry(at, text)).unwrap();
        }
        let texts =
            |entries: Vec<ContextEntry>| entries.into_iter().map(|e| e.text).collect::<Vec<_>>();
        assert_eq!(texts(store.recent(3, 0).unwrap()), ["b", "c", "d"]);
        assert_eq!(texts(store.recent(10, 20).unwrap()), ["b", "c", "d"]);
        assert_eq!(texts(store.recent(10, 31).unwrap()), Vec::<String>::new());
    }

    #[test]
    fn prune_drops_only_the_old() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path()).unwrap();
        for at in [1, 2, 3, 100] {
            store.append(&entry(at, "x")).unwrap();
        }
        assert_eq!(store.prune(50).unwrap(), 3);
        assert_eq!(store.recent(10, 0).unwrap().len(), 1);
    }

    #[test]
    fn the_conversation_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = SledStore::open(dir.path()).unwrap();
            store.append(&entry(5, "remember me")).unwrap();
            store.flush().unwrap();
        }
        let store = SledStore::open(dir.path()).unwrap();
        assert_eq!(store.recent(1, 0).unwrap()[0].text, "remember me");
    }

    #[test]
    fn an_unwritable_folder_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, "x").unwrap();
        let error = SledStore::open(&file.join("db")).unwrap_err();
        assert_eq!(error.action, "open");
    }
}
