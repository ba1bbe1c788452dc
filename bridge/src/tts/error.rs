//! What can go wrong while turning text into speech.

use std::path::PathBuf;

use super::wav::WavError;

/// An error from a text-to-speech engine, its configuration or the chain of engines.
///
/// The `Display` text is for logs and for the person editing the configuration; never speak
/// or publish it to a user. [`TtsError::code`] gives a stable code to log alongside it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TtsError {
    /// A configuration value is invalid; names the field and why, and how to fix it.
    #[error("invalid TTS configuration `{field}`: {reason}")]
    Config {
        /// The offending field, as written in the configuration file (e.g. `tts.model`).
        field: &'static str,
        /// What is wrong with it, including the value found and, where possible, the fix.
        reason: String,
    },

    /// The engine cannot run at all: a model, a library or a program is missing or does not
    /// load. Retrying will not help until the installation is fixed.
    #[error("TTS engine `{engine}` is unavailable: {detail}")]
    EngineUnavailable {
        /// The engine's name.
        engine: String,
        /// Why, including the path or program concerned and how to fix it.
        detail: String,
    },

    /// The engine cannot speak this language.
    #[error("TTS engine `{engine}` cannot speak language `{lang}`")]
    UnsupportedLanguage {
        /// The engine's name (`"chain"` when no engine of a chain can).
        engine: String,
        /// The language asked for.
        lang: String,
    },

    /// The engine is installed but failed on this text (inference error, the program
    /// exited with an error, the server answered with an error, a timeout).
    #[error("TTS engine `{engine}` failed: {detail}")]
    Synthesis {
        /// The engine's name.
        engine: String,
        /// What failed.
        detail: String,
    },

    /// Reading or writing a file failed.
    #[error("cannot access {}: {source}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// Audio could not be decoded or encoded as WAV.
    #[error("bad WAV audio: {0}")]
    Wav(#[from] WavError),

    /// Every engine of a chain that can speak the language failed; holds each failure in
    /// order.
    #[error("every TTS engine for `{lang}` failed: {}", summary(.failures))]
    AllFailed {
        /// The language asked for.
        lang: String,
        /// The engines tried, in order, with their errors.
        failures: Vec<EngineFailure>,
    },
}

/// One engine's failure inside a chain.
#[derive(Debug)]
pub struct EngineFailure {
    /// The engine's name.
    pub engine: String,
    /// What went wrong.
    pub error: TtsError,
}

fn summary(failures: &[EngineFailure]) -> String {
    let parts: Vec<String> = failures
        .iter()
        .map(|failure| format!("{}: {}", failure.engine, failure.error))
        .collect();
    parts.join("; ")
}

impl TtsError {
    /// A short stable code for logs and metrics (`tts.config`, `tts.unavailable`, …).
    pub fn code(&self) -> &'static str {
        match self {
            TtsError::Config { .. } => "tts.config",
            TtsError::EngineUnavailable { .. } => "tts.unavailable",
            TtsError::UnsupportedLanguage { .. } => "tts.unsupported_language",
            TtsError::Synthesis { .. } => "tts.synthesis",
            TtsError::Io { .. } => "tts.io",
            TtsError::Wav(_) => "tts.wav",
            TtsError::AllFailed { .. } => "tts.all_failed",
        }
    }

    pub(crate) fn synthesis(engine: &str, detail: impl Into<String>) -> Self {
        TtsError::Synthesis {
            engine: engine.to_owned(),
            detail: detail.into(),
        }
    }

    pub(crate) fn unavailable(engine: &str, detail: impl Into<String>) -> Self {
        TtsError::EngineUnavailable {
            engine: engine.to_owned(),
            detail: detail.into(),
        }
    }

    pub(crate) fn unsupported(engine: &str, lang: &str) -> Self {
        TtsError::UnsupportedLanguage {
            engine: engine.to_owned(),
            lang: lang.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_failed_lists_every_engine_in_order() {
        let error = TtsError::AllFailed {
            lang: "en".into(),
            failures: vec![
                EngineFailure {
                    engine: "piper".into(),
                    error: TtsError::synthesis("piper", "boom"),
                },
                EngineFailure {
                    engine: "espeak".into(),
                    error: TtsError::unavailable("espeak", "gone"),
                },
            ],
        };
        assert_eq!(
            error.to_string(),
            "every TTS engine for `en` failed: piper: TTS engine `piper` failed: boom; \
             espeak: TTS engine `espeak` is unavailable: gone"
        );
        assert_eq!(error.code(), "tts.all_failed");
    }
}
