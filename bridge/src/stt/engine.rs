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
#[derive(Debug, thiserror::Error)]
pub enum SttError {
    /// The model could not be loaded.
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
}
