//! The listener: wake word detection, pre-roll and the local end of speech over the
//! incoming audio, on a thread of its own.

mod front;
mod thread;

pub use front::{FrontCommand, FrontEnd, FrontEvent, WakeInfo};
pub use thread::{Listener, spawn};
