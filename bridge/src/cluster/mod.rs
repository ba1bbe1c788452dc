//! Several bridges sharing the work through the broker: the `[cluster]` settings and the
//! subscriptions that make each turn land on exactly one instance.

mod config;
mod subscriptions;

pub use config::{ClusterConfig, ClusterConfigError};
pub use subscriptions::subscriptions;
