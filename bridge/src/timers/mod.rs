//! Timers and stopwatches held by the bridge: several named timers at once, persisted in
//! the bridge's shared state (sled or Redis), announced on the satellite that set them,
//! listed for automations, and reconciled with the timers a satellite ran on its own while
//! the bridge was away.
//!
//! - `book`: the pure state machine (time passed in) and its effects.
//! - `voice`: spoken timer and stopwatch intents against the book.
//! - `store`: the book as one record of the bridge's shared state
//!   (`context::TimerRecordStore`).
//! - `driver`: the task that owns the book and applies its effects.

mod book;
mod driver;
mod store;
mod voice;

pub(crate) use driver::{TimerCommand, Timers, run};
pub(crate) use store::TimerStore;
