//! The voice pipeline: routing messages to turns, listening with endpointing, transcribing,
//! understanding (local intents, then the LLM with tools), and replying sentence by sentence.

mod announce;
mod chunks;
mod early;
mod engines;
mod history;
mod refuse;
mod respond;
mod router;
mod shared;
mod span;
mod timings;
mod turn;
mod understand;
mod unheard;
mod warm;

pub(crate) use announce::announce;
pub use engines::{BuildError, Engines};
pub(crate) use router::Router;
pub(crate) use shared::Shared;
pub(crate) use understand::{Asker, now_ms};
pub(crate) use warm::warm_up;
