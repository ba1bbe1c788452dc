//! The configuration file: its shape, `${ENV:-default}` interpolation, loading and
//! validation.

mod error;
mod file;
mod load;
mod validate;

pub use error::ConfigError;
pub use file::{
    ActionsConfig, AfterEnd, AudioConfig, DegradedConfig, EyesConfig, EyesOutputKind,
    HeartbeatConfig, InputConfig, ListenConfig, MqttConfig, OutputConfig, SatelliteConfig,
    SatelliteSection, SensorConfig, SensorKind, SensorSource, StorageConfig, TlsConfig, TurnConfig,
    WakeConfig,
};
pub use hive_skills::{InterpolateError, interpolate};
pub use load::{Env, load, parse};
