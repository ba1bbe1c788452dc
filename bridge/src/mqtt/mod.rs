//! The MQTT side: connection settings, the one task that owns the event loop, and the
//! publisher handle every other task holds.

mod config;
mod connection;
mod publisher;

pub use config::{MqttConfig, MqttConfigError, TlsConfig};
pub use connection::{Connection, ConnectionState, InboundStats, spawn};
pub use publisher::{PublishError, Publisher};
