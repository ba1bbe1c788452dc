//! Home Assistant MQTT discovery: the bridge and every satellite as devices with entities.

mod config;
mod engines;
mod entities;
#[cfg(test)]
mod fuzz_corpus;
mod payload;
mod state;
mod task;

pub use config::DiscoveryConfig;
pub use engines::engines_in_use;
pub use entities::{Component, SensorMeta, bridge_components, satellite_components};
pub use payload::{Announcer, Inventory};
pub use state::{DiscoveryState, Reaction};
pub use task::spawn;
