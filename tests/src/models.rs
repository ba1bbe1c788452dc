//! The provisioned models a test needs, checked up front with a message that says how to
//! get them (rather than a bridge that fails to load halfway through a test).

use hive_bridge::models::ModelsDir;

/// The models directory (`HIVE_MODELS_DIR`, or the default), after checking that each of
/// `needed` (paths inside it) is there.
///
/// # Panics
/// A model is missing.
pub fn require_models(needed: &[&str]) -> ModelsDir {
    let dir = ModelsDir::from_env(|name| std::env::var(name).ok());
    for model in needed {
        assert!(
            dir.path(model).is_file(),
            "{} is missing: run `cargo run -p hive-bridge -- models install --all` first",
            dir.path(model).display()
        );
    }
    dir
}

/// What a spoken English turn uses: whisper tiny.en, the Piper voice and Silero VAD.
pub const VOICE_TURN_MODELS: &[&str] = &[
    "whisper/ggml-tiny.en.bin",
    "tts/en_US-joe-medium.onnx",
    "vad/silero_vad.onnx",
];
