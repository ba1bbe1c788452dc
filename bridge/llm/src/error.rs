//! The crate's error type.

use std::net::SocketAddr;
use std::path::PathBuf;

/// What the command tells a person whose model file is missing.
pub const PROVISIONING_HINT: &str =
    "run the provisioning step: `cargo run -p hive-bridge -- models install --all`";

/// Why the server could not start or stopped serving.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A setting is out of range; the message names it.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The model file does not exist.
    #[error("model file not found: {} ({})", path.display(), PROVISIONING_HINT)]
    ModelNotFound {
        /// The path that was given.
        path: PathBuf,
    },
    /// llama.cpp could not load the model file (not a GGUF, unsupported architecture, …).
    #[error("cannot load model {}: {reason}", path.display())]
    ModelLoad {
        /// The model file.
        path: PathBuf,
        /// What llama.cpp or the backend reported.
        reason: String,
    },
    /// llama.cpp could not create an inference context (usually: not enough memory for the
    /// requested context length).
    #[error("cannot create an inference context of {context} tokens: {reason}")]
    Context {
        /// The requested context length.
        context: u32,
        /// What llama.cpp reported.
        reason: String,
    },
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The HTTP server failed while serving.
    #[error("HTTP server failed: {0}")]
    Serve(#[source] std::io::Error),
    /// The inference thread ended before it reported whether the model loaded.
    #[error("the inference thread stopped unexpectedly")]
    WorkerGone,
}

impl Error {
    /// Whether the model itself is the problem (missing, unreadable, or too big for the
    /// context), as opposed to the network or the settings. `hive-llm` exits with code 3 for
    /// these so that the supervisor stops retrying.
    #[must_use]
    pub fn is_model_error(&self) -> bool {
        matches!(
            self,
            Error::ModelNotFound { .. } | Error::ModelLoad { .. } | Error::Context { .. }
        )
    }
}
