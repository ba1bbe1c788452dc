//! What a benchmark run measures.

use std::path::PathBuf;

/// The benchmark's settings; [`BenchConfig::default`] is what `hive-bench` runs.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchConfig {
    /// Measured turns per kind (after one warm-up turn that is not counted).
    pub runs: usize,
    /// Satellite counts tried for ingest capacity, in increasing order; the first that
    /// fails ends the search.
    pub ingest_steps: Vec<usize>,
    /// Measure the LLM turn (skipped anyway when the model file is missing).
    pub llm: bool,
    /// The models directory (`$HIVE_MODELS_DIR`, else `~/.cache/hive/models`).
    pub models_dir: PathBuf,
    /// Measure the satellite's memory and bandwidth with the real `hive-satellite`.
    pub satellite: bool,
    /// A `hive-bridge` program to measure instead of building one (to compare two builds
    /// on the same machine in the same hour).
    pub bridge: Option<PathBuf>,
}

impl Default for BenchConfig {
    fn default() -> Self {
        BenchConfig {
            runs: 3,
            ingest_steps: vec![10, 25, 50, 100, 200, 400],
            llm: true,
            models_dir: hive_bridge::models::ModelsDir::from_env(|name| std::env::var(name).ok())
                .root()
                .to_path_buf(),
            satellite: true,
            bridge: None,
        }
    }
}

/// The local model the LLM turn uses (what `hive-bridge models install` provides).
pub(crate) const LLM_MODEL: &str = "llm/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf";
/// Speech-to-text for an English household: the fast model.
pub(crate) const STT_MODEL: &str = "whisper/ggml-tiny.en.bin";
/// The bridge's other models with the default configuration (Piper and Silero).
pub(crate) const TTS_MODEL: &str = "tts/en_US-joe-medium.onnx";
/// Silero VAD.
pub(crate) const VAD_MODEL: &str = "vad/silero_vad.onnx";
