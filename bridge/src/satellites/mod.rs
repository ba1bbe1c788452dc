//! Which satellites the bridge talks to: the `[satellites]` allow-list and the gate that
//! drops every message naming a satellite not on it.

mod config;
mod gate;

pub use config::SatellitesConfig;
pub(crate) use gate::{SatelliteGate, Verdict};
