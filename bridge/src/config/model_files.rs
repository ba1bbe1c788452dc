//! The model files a configuration loads, so `hive-bridge models list` can say what this
//! set-up needs rather than what the default one would.

use std::path::{Path, PathBuf};

use super::{BridgeConfig, LlmConfig};
use crate::stt::SttConfig;
use crate::tts::TtsConfig;
use crate::vad::{ONNX_RUNTIME_FILE, VadConfig};

/// One file the configured engines read at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelFile {
    /// What reads it: `stt`, `vad`, `tts`, `llm` or `onnx runtime`.
    pub role: &'static str,
    /// Where, absolute (relative paths are inside the models directory).
    pub path: PathBuf,
}

impl BridgeConfig {
    /// Every model file the configured engines read, in the order the bridge loads them.
    /// Engines that read no file (energy VAD, espeak-ng, remote servers) add nothing.
    pub fn model_files(&self, models: &Path) -> Vec<ModelFile> {
        let inside = |path: &Path| {
            if path.is_relative() {
                models.join(path)
            } else {
                path.to_path_buf()
            }
        };
        let mut files = Vec::new();
        let SttConfig::Whisper(whisper) = &self.stt;
        files.push(ModelFile {
            role: "stt",
            path: inside(&whisper.model),
        });
        let mut runtime = None;
        if let VadConfig::Silero {
            model,
            runtime: library,
        } = &self.vad.engine
        {
            files.push(ModelFile {
                role: "vad",
                path: inside(model),
            });
            runtime = Some(
                library
                    .as_deref()
                    .map_or_else(|| models.join(ONNX_RUNTIME_FILE), inside),
            );
        }
        for engine in &self.tts {
            if let TtsConfig::Piper(piper) = engine {
                files.push(ModelFile {
                    role: "tts",
                    path: inside(&piper.model),
                });
                runtime.get_or_insert_with(|| models.join(ONNX_RUNTIME_FILE));
            }
        }
        for llm in &self.llm {
            if let LlmConfig::Local(local) = llm {
                files.push(ModelFile {
                    role: "llm",
                    path: inside(&local.model),
                });
            }
        }
        if let Some(path) = runtime {
            files.push(ModelFile {
                role: "onnx runtime",
                path,
            });
        }
        files
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> BridgeConfig {
        crate::config::parse(text, Path::new("test.toml"), &|_: &str| None).unwrap()
    }

    fn roles_and_paths(config: &BridgeConfig) -> Vec<(&'static str, String)> {
        config
            .model_files(Path::new("/models"))
            .into_iter()
            .map(|file| (file.role, file.path.display().to_string()))
            .collect()
    }

    #[test]
    fn the_defaults_need_whisper_silero_piper_and_onnx_runtime() {
        let files = roles_and_paths(&parse("[models]\ndir = \"/models\"\n"));
        let roles: Vec<&str> = files.iter().map(|(role, _)| *role).collect();
        assert_eq!(roles, ["stt", "vad", "tts", "onnx runtime"]);
        assert!(
            files.iter().all(|(_, path)| path.starts_with("/models/")),
            "{files:?}"
        );
    }

    #[test]
    fn engines_without_files_need_none_and_own_paths_are_kept() {
        let config = parse(
            "[models]\ndir = \"/models\"\n\
             [stt]\ntype = \"whisper\"\nmodel = \"/elsewhere/ggml-small.bin\"\n\
             [vad.engine]\ntype = \"energy\"\n\
             [[tts]]\ntype = \"espeak\"\n\
             [[llm]]\ntype = \"local\"\nmodel = \"llm/mine.gguf\"\n",
        );
        assert_eq!(
            roles_and_paths(&config),
            [
                ("stt", "/elsewhere/ggml-small.bin".to_owned()),
                ("llm", "/models/llm/mine.gguf".to_owned()),
            ]
        );
    }
}
