//! The runtime: wiring every task together (`run`), and the satellite's main loop, which
//! owns the state machines and applies what they decide.

mod audio;
mod inbound;
mod local;
mod run;
mod satellite;
mod session;
mod span;

pub use run::{RunError, RunOptions, run};
