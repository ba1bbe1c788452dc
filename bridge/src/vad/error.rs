//! What can go wrong while detecting speech.

use std::path::PathBuf;

/// An error from a voice-activity detector, its configuration or its runtime.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VadError {
    /// A configuration value is out of range; names the field and why.
    #[error("invalid VAD configuration `{field}`: {reason}")]
    InvalidConfig {
        /// The offending field, as written in the configuration file.
        field: &'static str,
        /// What is wrong with it, including the value found.
        reason: String,
    },

    /// The Silero model file is not in the models directory.
    #[error("Silero VAD model not found at {}; install it with `hive-bridge models install silero-vad`", path.display())]
    ModelMissing {
        /// Where the model was looked for.
        path: PathBuf,
    },

    /// The ONNX Runtime shared library is not in the models directory.
    #[error("ONNX Runtime library not found at {}; install it with `hive-bridge models install onnxruntime`", path.display())]
    RuntimeMissing {
        /// Where the library was looked for.
        path: PathBuf,
    },

    /// The ONNX Runtime shared library exists but could not be loaded (wrong version or
    /// architecture, missing symbols).
    #[error("cannot load ONNX Runtime from {}: {reason}", path.display())]
    RuntimeLoad {
        /// The library that failed to load.
        path: PathBuf,
        /// Why, as the loader reported it.
        reason: String,
    },

    /// The model loaded but its inputs or outputs are not the ones Silero VAD v5/v6 has.
    #[error("unexpected Silero VAD model at {}: {reason}", path.display())]
    ModelShape {
        /// The model file.
        path: PathBuf,
        /// What differs from the expected signature.
        reason: String,
    },

    /// A frame had the wrong number of samples for this detector.
    #[error("VAD frame has {got} samples, the detector needs exactly {expected}")]
    FrameLength {
        /// [`Vad::frame_len`](super::Vad::frame_len) of the detector.
        expected: usize,
        /// The length passed in.
        got: usize,
    },

    /// The engine loaded but answered nonsense (e.g. a probability outside `0..=1`).
    #[error("VAD engine `{engine}` failed its health check: {reason}")]
    Unhealthy {
        /// The engine's name.
        engine: &'static str,
        /// What it answered.
        reason: String,
    },

    /// The model failed on a frame (ONNX Runtime's message, or what it returned instead of
    /// Silero's outputs).
    #[error("Silero VAD failed: {0}")]
    Inference(String),

    /// ONNX Runtime failed to create a session or run the model.
    #[error("ONNX Runtime error: {0}")]
    Onnx(#[from] ort::Error),
}
