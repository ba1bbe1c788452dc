//! Home Assistant control: lights, switches and fans on and off, lights dimmed, by the names
//! and areas Home Assistant reports, through its REST API.
//!
//! `config.rs` is always built (it is part of the configuration file); the rest needs the
//! `http` feature.

#[cfg(feature = "http")]
pub(crate) mod client;
mod config;
#[cfg(feature = "http")]
pub(crate) mod entity;
#[cfg(feature = "http")]
mod skill;
#[cfg(feature = "http")]
pub(crate) mod speech;
#[cfg(all(test, feature = "http"))]
mod tests;

pub use config::HomeAssistantConfig;
#[cfg(feature = "http")]
pub use skill::HomeAssistantSkill;
