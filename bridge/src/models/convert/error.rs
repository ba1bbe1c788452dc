//! What can go wrong while converting a model; each error names the file or tensor at fault.

use std::path::PathBuf;

use super::ct2::Ct2Error;
use super::npz::NpzError;
use super::vocab::VocabError;

/// An error from a model conversion.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    /// A file could not be read or written.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done ("read", "write", "rename to").
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The CTranslate2 `model.bin` is not a well-formed CTranslate2 model.
    #[error("{path} is not a readable CTranslate2 model: {source}")]
    Ct2 {
        /// The `model.bin` file.
        path: PathBuf,
        /// What is wrong with it.
        source: Ct2Error,
    },
    /// The mel filter bank (`mel_filters.npz`) could not be read.
    #[error("{path} has no usable mel filters: {source}")]
    MelFilters {
        /// The `.npz` file.
        path: PathBuf,
        /// What is wrong with it.
        source: NpzError,
    },
    /// A tiktoken vocabulary could not be read.
    #[error("{path} is not a usable tiktoken vocabulary: {source}")]
    Vocab {
        /// The `.tiktoken` file.
        path: PathBuf,
        /// What is wrong with it.
        source: VocabError,
    },
    /// The model is a CTranslate2 model of something other than Whisper.
    #[error("the CTranslate2 model is a `{spec}`, not a `WhisperSpec`")]
    NotWhisper {
        /// The specification name stored in the model.
        spec: String,
    },
    /// A variable the Whisper layout requires is absent.
    #[error("the model has no variable `{name}`: not a standard Whisper model")]
    MissingTensor {
        /// The CTranslate2 variable name.
        name: String,
    },
    /// A variable is stored in a type the converter cannot turn into float16.
    #[error(
        "variable `{name}` is stored as {dtype}: only float32, float16 and bfloat16 \
         CTranslate2 models can be converted (a quantised int8/int16 model cannot); \
         provision the float16 model instead"
    )]
    UnsupportedDtype {
        /// The CTranslate2 variable name.
        name: String,
        /// The stored type.
        dtype: &'static str,
    },
    /// A variable's shape does not fit the dimensions read from the rest of the model.
    #[error("variable `{name}` has shape {actual:?}, expected {expected:?}")]
    BadShape {
        /// The CTranslate2 variable name.
        name: String,
        /// The shape the Whisper layout requires.
        expected: Vec<usize>,
        /// The shape found.
        actual: Vec<usize>,
    },
    /// The model is a Whisper variant whisper.cpp cannot run.
    #[error("unsupported Whisper model: {0}")]
    Unsupported(String),
}

impl ConvertError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
