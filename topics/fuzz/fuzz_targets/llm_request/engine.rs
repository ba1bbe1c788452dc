//! hive-llm's `engine` module: only its plain-data sampling settings.
#[path = "../../../../bridge/llm/src/engine/sampling.rs"]
mod sampling;
pub(crate) use sampling::Sampling;
