//! The blocking HTTP client shared by the skills that call web services (weather, calendar,
//! Home Assistant), and a stand-in server for their tests.

mod client;
#[cfg(test)]
pub(crate) mod stand_in;

pub(crate) use client::{HttpClient, HttpError};
