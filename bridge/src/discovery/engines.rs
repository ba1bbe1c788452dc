//! The engines in use, named for the bridge device's diagnostic sensors.

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::{BridgeConfig, LlmConfig};
use crate::stt::SttConfig;
use crate::tts::TtsConfig;

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `stt`, `llm` and `tts`, each as a short human-readable list in order of preference.
pub fn engines_in_use(config: &BridgeConfig) -> BTreeMap<String, String> {
    let SttConfig::Whisper(whisper) = &config.stt;
    let stt = format!("whisper ({})", file_name(&whisper.model));
    let llm: Vec<String> = config
        .llm
        .iter()
        .map(|llm| match llm {
            LlmConfig::Local(local) => format!("local ({})", file_name(&local.model)),
            LlmConfig::Openai(openai) => format!("openai ({})", openai.model),
        })
        .collect();
    let tts: Vec<String> = config
        .tts
        .iter()
        .map(|tts| match tts {
            TtsConfig::Piper(piper) => format!("piper ({})", file_name(&piper.model)),
            TtsConfig::Espeak(_) => "espeak".to_owned(),
            TtsConfig::Http(_) => "http".to_owned(),
        })
        .collect();
    let or_none = |list: Vec<String>| {
        if list.is_empty() {
            "none".to_owned()
        } else {
            list.join(", ")
        }
    };
    [
        ("stt".to_owned(), stt),
        ("llm".to_owned(), or_none(llm)),
        ("tts".to_owned(), or_none(tts)),
    ]
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_configuration_names_its_engines() {
        let engines = engines_in_use(&BridgeConfig::default());
        assert_eq!(engines["stt"], "whisper (ggml-base.bin)");
        assert_eq!(engines["llm"], "none");
        assert_eq!(engines["tts"], "piper (en_US-joe-medium.onnx), espeak");
    }
}
