//! Audio failures.

use std::path::PathBuf;

/// Why a sound could not be read, written, captured or played.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    /// A WAV file or buffer is not usable.
    #[error("{what}: {detail}")]
    Wav {
        /// The file or what the buffer was.
        what: String,
        /// Why.
        detail: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The sound card could not be opened or failed.
    #[error("audio device: {0}")]
    Device(String),
    /// The binary was built without the `audio` feature.
    #[error(
        "{0} needs the `audio` cargo feature (a sound card); use a wav or stdin input and a wav_dir output for headless use"
    )]
    NoAudioFeature(&'static str),
}
