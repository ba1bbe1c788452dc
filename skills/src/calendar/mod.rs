//! The calendar skill: today's, tomorrow's and the next events from an iCalendar (ICS) address
//! or file, and reminders added by voice to a local ICS file. See `ics.rs` for what of
//! RFC 5545 is understood.
//!
//! `config.rs` is always built (it is part of the configuration file); the rest needs the
//! `http` feature.

mod config;
#[cfg(all(test, feature = "http"))]
mod fuzz_corpus;
#[cfg(feature = "http")]
mod ics;
#[cfg(feature = "http")]
mod occurrence;
#[cfg(feature = "http")]
mod skill;
#[cfg(feature = "http")]
mod speech;
#[cfg(all(test, feature = "http"))]
mod tests;

pub use config::CalendarConfig;
#[cfg(feature = "http")]
pub use skill::CalendarSkill;
#[cfg(feature = "http")]
pub use speech::reminder_due;
