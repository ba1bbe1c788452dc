//! The one conversation a household shares: every satellite's turns, in order, kept for a
//! rolling window, behind a small store trait; and the bridge's timer book behind another.
//! sled is the embedded default for one bridge; Redis lets several bridges share both.

mod entry;
mod open;
mod redis_store;
mod sled_store;
mod store;
mod timer_record;

pub use entry::{ContextEntry, Speaker};
pub use open::{SharedState, StoreKind};
pub use redis_store::RedisStore;
pub use sled_store::SledStore;
pub use store::{ContextStore, StoreError};
pub use timer_record::TimerRecordStore;
