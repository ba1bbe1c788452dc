//! Wake word failures.

use std::path::PathBuf;

/// Why a wake word model could not be loaded, built or saved.
#[derive(Debug, thiserror::Error)]
pub enum WakeError {
    /// The model file cannot be read.
    #[error("wake word model {path}: {detail}")]
    Model {
        /// The file (or `built-in`).
        path: PathBuf,
        /// Why (rustpotter's message).
        detail: String,
    },
    /// A training sample is unusable.
    #[error("sample {path}: {detail}")]
    Sample {
        /// The file.
        path: PathBuf,
        /// Why.
        detail: String,
    },
    /// Training needs samples.
    #[error("no training samples given")]
    NoSamples,
    /// The engine refused its configuration or the model.
    #[error("wake word engine: {0}")]
    Engine(String),
}
