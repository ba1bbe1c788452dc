//! MQTT: the connection task that owns the event loop, the publisher other tasks use, the
//! heartbeat and the sensors.

mod backoff;
mod connection;
mod endpoint;
mod heartbeat;
mod publisher;
mod sensors;

pub use backoff::Backoff;
pub use connection::{Connection, ConnectionState, MqttError, spawn};
pub use endpoint::Endpoint;
pub use heartbeat::{heartbeat, run_heartbeat};
pub use publisher::Publisher;
pub use sensors::{read_sensor, run_sensors};
