//! The embedded MQTT broker: for a first run, a demo or a desktop trial without Mosquitto.
//! An external Mosquitto (`mosquitto/`) stays the production set-up.

mod config;
mod embedded;

pub use config::{BrokerMode, EmbeddedBrokerConfig};
pub use embedded::{BrokerError, EmbeddedBroker};
