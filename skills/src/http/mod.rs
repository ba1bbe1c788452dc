//! The blocking HTTP client shared by the skills that call web services (weather, calendar,
//! Home Assistant), and a stand-in server for their tests.
//!
//! `answers` decodes and speaks those services' JSON answers without a network: the entry
//! of the `http_answers` fuzz target (`topics/fuzz`), whose seeds `fuzz_corpus` replays.

pub mod answers;
mod client;
#[cfg(test)]
mod fuzz_corpus;
#[cfg(test)]
pub(crate) mod stand_in;

pub(crate) use client::{HttpClient, HttpError, decode};
