//! What can be wrong with a configuration file.

use std::path::PathBuf;

use hive_skills::InterpolateError;

/// A configuration that cannot be used, with a message that names the file, the option and
/// what to write instead.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    // `reason` is deliberately not a `#[source]`: the message already says it, and a
    // reporter that walks the chain would say it twice.
    #[error("cannot read the configuration file {path}: {reason}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: std::io::Error,
    },
    /// A `${…}` reference cannot be resolved.
    #[error("{path}: {source}")]
    Interpolate {
        /// The file.
        path: PathBuf,
        /// Which reference, on which line.
        source: InterpolateError,
    },
    /// Not TOML, an unknown option or a wrong type.
    #[error("{path}: {detail}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The TOML parser's message (with line and column).
        detail: String,
    },
    /// Well-formed, but an option's value cannot work.
    #[error("{path}: {option}: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The option, as a dotted path (`wake.threshold`).
        option: String,
        /// What is wrong and what is accepted.
        reason: String,
    },
}
