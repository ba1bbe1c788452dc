//! The second piece of shared state: the bridge's timer book, kept as one opaque record. The
//! timers module owns its shape (JSON); a store only keeps the bytes, so that the trait stays
//! small and any backend can hold it. Changes are compare-and-swap, so that bridges sharing one
//! backend share one book.

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

    /// Replaces the record with `record`, durably, only if it still is `expected` (`None`:
    /// absent); returns whether it did. Several bridges sharing the book change it this way,
    /// so that none overwrites another's change and a timer that falls due is claimed, and
    /// rung, by exactly one of them.
    ///
    /// # Errors
    /// The store cannot read or write.
    fn swap_timers(&self, expected: Option<&[u8]>, record: &[u8]) -> Result<bool, StoreError>;
}
