//! The satellite's state machines: plain structs without I/O whose methods say what
//! changed, so that the runtime only has to apply it. Each is table-tested inline.

mod eyes;
mod link;
mod local;
mod outbox;
mod stopwatch;
mod timers;
mod turn;

pub use eyes::{EyeInput, EyeView, Eyes};
pub use link::{BridgeSeen, DegradedReason, Link};
pub use local::LocalState;
pub use outbox::Outbox;
pub use stopwatch::Stopwatch;
pub use timers::{CancelError, Timer, Timers};
pub use turn::{Expiry, Route, Stage, Turn, Turns};
