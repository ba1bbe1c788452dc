//! Degraded-mode failures.

use std::path::PathBuf;

/// Why the satellite could not hear or speak by itself.
#[derive(Debug, thiserror::Error)]
pub enum OfflineError {
    /// The speech-to-text model is missing or unusable.
    #[error("speech-to-text model {path}: {detail}")]
    Model {
        /// The model file.
        path: PathBuf,
        /// Why, and what to do.
        detail: String,
    },
    /// Transcription failed.
    #[error("speech-to-text: {0}")]
    Stt(String),
    /// The binary was built without the `offline-stt` feature.
    #[error("local speech-to-text needs the `offline-stt` cargo feature")]
    NoStt,
    /// espeak-ng failed.
    #[error("text-to-speech ({command}): {detail}")]
    Tts {
        /// The program.
        command: String,
        /// Why.
        detail: String,
    },
    /// The skills could not be set up.
    #[error("local skills: {0}")]
    Skills(String),
}
