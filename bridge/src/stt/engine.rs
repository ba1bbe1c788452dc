//! The speech-to-text trait every engine implements.

/// What an engine heard.
#[derive(Debug, Clone, PartialEq)]
pub struct Transcript {
    /// The text, trimmed; empty when nothing intelligible was said.
    pub text: String,
    /// The language it was spoken in (two-letter code), as configured or detected.
    pub lang: String,
}

/// Why a transcription failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SttError {
    /// The model file is not there.
    #[error(
        "speech-to-text model {path} is missing (run `hive-bridge models install`, or fix stt.model)"
    )]
    Missing {
        /// Where it was looked for.
        path: std::path::PathBuf,
    },
    /// The model could not be loaded (not a whisper model, truncated, unreadable).
    #[error("speech-to-text model {path} could not be loaded: {detail}")]
    Load {
        /// The model file.
        path: std::path::PathBuf,
        /// Why.
        detail: String,
    },
    /// Inference failed.
    #[error("speech-to-text failed: {0}")]
    Inference(String),
    /// The configuration is invalid.
    #[error("invalid speech-to-text configuration: {0}")]
    Config(String),
}

/// A speech-to-text engine. Calls block for the length of the inference: run them on a
/// blocking thread, never on the async runtime.
pub trait Stt: Send + Sync {
    /// Transcribes 16 kHz mono audio in -1..1. `lang` forces a language; `None` detects it
    /// among the engine's configured languages.
    ///
    /// # Errors
    /// [`SttError::Inference`] when the engine fails on this audio.
    fn transcribe(&self, audio: &[f32], lang: Option<&str>) -> Result<Transcript, SttError>;

    /// A name for logs and metrics.
    fn name(&self) -> &str;

    /// Whether the engine can transcribe now, for `/health`.
    ///
    /// # Errors
    /// Why not: [`SttError::Missing`] or [`SttError::Load`] while its model is not loaded.
    fn health(&self) -> Result<(), SttError> {
        Ok(())
    }
}
