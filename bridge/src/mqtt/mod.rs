//! The MQTT side: connection settings, the one task that owns the event loop, and the
//! publisher handle every other task holds.

mod config;
mod connection;
mod probe;
mod publisher;

pub use config::{MqttConfig, MqttConfigError, TlsConfig};
pub(crate) use connection::base_options;
pub use connection::{Connection, ConnectionState, InboundStats, spawn};
pub use probe::{ProbeError, probe};
pub(crate) use publisher::qos as qos_of;
pub(crate) use publisher::qos;
pub use publisher::{PublishError, Publisher};
