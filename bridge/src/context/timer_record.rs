//! The second piece of shared state: the bridge's timer book, kept as one opaque record. The
//! timers module owns its shape (JSON); a store only keeps the bytes, so that the trait stays
//! small and any backend can hold it.

use super::store::StoreError;

/// Where the timer book is kept.
pub trait TimerRecordStore: Send + Sync {
    /// The saved record; `None` when none was ever saved.
    ///
    /// # Errors
    /// The store cannot read.
    fn load_timers(&self) -> Result<Option<Vec<u8>>, StoreError>;

    /// Replaces the record, durably: a timer set just before a power cut must ring.
    ///
    /// # Errors
    /// The store cannot write.
    fn save_timers(&self, record: &[u8]) -> Result<(), StoreError>;
}
