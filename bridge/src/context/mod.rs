//! The one conversation a household shares: every satellite's turns, in order, kept for a
//! rolling window, behind a small store trait (sled embedded by default).

mod entry;
mod sled_store;
mod store;

pub use entry::{ContextEntry, Speaker};
pub use sled_store::SledStore;
pub use store::{ContextStore, StoreError};
