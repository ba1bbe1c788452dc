//! The bridge's configuration: the file's shape, `${ENV}` interpolation, loading and
//! validation with readable errors before anything connects.

mod file;
mod load;
mod model_files;

pub use file::{
    AssistantConfig, BridgeConfig, ContextConfig, ExternalSkillsConfig, LlmConfig, ModelsSection,
    SessionConfig,
};
pub use hive_skills::{InterpolateError, interpolate};
pub use load::{ConfigError, load, parse};
pub use model_files::ModelFile;

/// The environment, injected so that tests never read the process's own.
pub type SharedEnv = std::sync::Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;
