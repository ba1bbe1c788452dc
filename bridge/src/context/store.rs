//! The storage trait, so that several bridges can share one conversation through another
//! backend.

use super::entry::ContextEntry;

/// Why the store failed. The pipeline logs it and answers anyway: a full disk must not
/// silence the house.
#[derive(Debug, Clone, thiserror::Error)]
#[error("shared store {action} failed: {detail}")]
pub struct StoreError {
    /// What was being done (`open`, `append`, `read`, `prune`; `load`, `save` for timers).
    pub action: &'static str,
    /// Why.
    pub detail: String,
}

/// Where the shared conversation lives.
pub trait ContextStore: Send + Sync {
    /// Appends a message.
    ///
    /// # Errors
    /// The store cannot write.
    fn append(&self, entry: &ContextEntry) -> Result<(), StoreError>;

    /// The last `limit` messages at or after `since_ms`, oldest first.
    ///
    /// # Errors
    /// The store cannot read.
    fn recent(&self, limit: usize, since_ms: u64) -> Result<Vec<ContextEntry>, StoreError>;

    /// Deletes messages before `before_ms`; returns how many.
    ///
    /// # Errors
    /// The store cannot write.
    fn prune(&self, before_ms: u64) -> Result<usize, StoreError>;
}
