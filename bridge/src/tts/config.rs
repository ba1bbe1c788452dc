//! The `[[tts]]` configuration: which engines, in which order, and what they need to be
//! built.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::engine::Tts;
use super::error::TtsError;
use super::espeak::{EspeakConfig, EspeakTts};
use super::http::{HttpConfig, HttpTts};
use super::piper::{PiperConfig, PiperTts};
use crate::models::ModelsDir;

/// Where the ONNX Runtime library is in the models directory when the catalogue does not
/// say (it does: model `onnxruntime`).
const ONNXRUNTIME_FALLBACK: &str = "runtime/libonnxruntime.so.1.31.1";

/// One engine of the TTS chain, chosen by its `type`.
///
/// ```toml
/// [[tts]]
/// type = "piper"
/// model = "tts/en_US-joe-medium.onnx"   # relative to the models directory
///
/// [[tts]]
/// type = "espeak"
/// voices = { fr = "fr-fr", nl = "nl" }
///
/// [[tts]]
/// type = "http"
/// url = "http://127.0.0.1:5000/"
/// languages = ["en"]
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum TtsConfig {
    /// A Piper voice run with ONNX Runtime; see [`PiperConfig`].
    Piper(PiperConfig),
    /// The espeak-ng program; see [`EspeakConfig`].
    Espeak(EspeakConfig),
    /// A remote server that answers text with a WAV file; see [`HttpConfig`].
    Http(HttpConfig),
}

impl TtsConfig {
    /// The chain used when the configuration names none: the English Piper voice, then
    /// espeak-ng for every other language and as a fallback.
    pub fn default_chain() -> Vec<TtsConfig> {
        vec![
            TtsConfig::Piper(PiperConfig::default()),
            TtsConfig::Espeak(EspeakConfig::default()),
        ]
    }

    /// The engine type as written in `type`.
    pub fn kind(&self) -> &'static str {
        match self {
            TtsConfig::Piper(_) => "piper",
            TtsConfig::Espeak(_) => "espeak",
            TtsConfig::Http(_) => "http",
        }
    }

    /// Checks the values without touching the disk, a program or the network.
    ///
    /// # Errors
    ///
    /// [`TtsError::Config`] naming the field and what is wrong with it.
    pub fn validate(&self) -> Result<(), TtsError> {
        match self {
            TtsConfig::Piper(config) => config.validate(),
            TtsConfig::Espeak(config) => config.validate(),
            TtsConfig::Http(config) => config.validate(),
        }
    }

    /// Validates the configuration and builds the engine: loads the model, checks the
    /// program or prepares the HTTP client. Slow and blocking (a Piper voice takes a moment
    /// to load): call it from a blocking thread.
    ///
    /// # Errors
    ///
    /// [`TtsError::Config`] for invalid values or missing model files (with the command that
    /// installs them); [`TtsError::EngineUnavailable`] if the runtime, program or model
    /// fails to load.
    pub fn build(&self, ctx: &BuildContext) -> Result<Arc<dyn Tts>, TtsError> {
        self.validate()?;
        Ok(match self {
            TtsConfig::Piper(config) => Arc::new(PiperTts::load(config, ctx)?),
            TtsConfig::Espeak(config) => Arc::new(EspeakTts::new(config, ctx)?),
            TtsConfig::Http(config) => Arc::new(HttpTts::new(config, ctx)?),
        })
    }
}

/// What engines need from outside their own configuration section.
#[derive(Debug, Clone)]
pub struct BuildContext {
    /// Where relative model paths are looked up.
    pub models_dir: ModelsDir,
    /// The ONNX Runtime shared library (Piper). Loaded once per process: the first Piper
    /// voice built decides which library every later one uses.
    pub onnxruntime: PathBuf,
    /// The espeak-ng program (a name looked up in `PATH`, or a path).
    pub espeak: PathBuf,
    /// The Tokio runtime the HTTP engine sends its requests on. When `None`, the HTTP engine
    /// uses the runtime it is built in, if any.
    pub runtime: Option<tokio::runtime::Handle>,
}

impl BuildContext {
    /// Defaults for a models directory: its ONNX Runtime library, `espeak-ng` from `PATH`,
    /// no explicit runtime.
    pub fn new(models_dir: ModelsDir) -> Self {
        let onnxruntime = crate::models::find("onnxruntime")
            .map_or(ONNXRUNTIME_FALLBACK, |spec| spec.main_file());
        BuildContext {
            onnxruntime: models_dir.path(onnxruntime),
            models_dir,
            espeak: PathBuf::from("espeak-ng"),
            runtime: None,
        }
    }

    /// Sends the HTTP engine's requests on `runtime`.
    #[must_use]
    pub fn with_runtime(mut self, runtime: tokio::runtime::Handle) -> Self {
        self.runtime = Some(runtime);
        self
    }

    /// A configured path: absolute as written, relative in the models directory.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() {
            path.to_owned()
        } else {
            self.models_dir.root().join(path)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<TtsConfig>, String> {
        #[derive(Deserialize)]
        struct File {
            tts: Vec<TtsConfig>,
        }
        toml::from_str::<File>(text)
            .map(|file| file.tts)
            .map_err(|error| error.to_string())
    }

    #[test]
    fn parses_every_engine_with_defaults() {
        let configs = parse(
            r#"
            [[tts]]
            type = "piper"
            model = "tts/en_US-joe-medium.onnx"

            [[tts]]
            type = "espeak"
            rate = 160

            [[tts]]
            type = "http"
            url = "http://127.0.0.1:5000/"
            languages = ["de"]
            "#,
        )
        .unwrap();
        let TtsConfig::Piper(piper) = &configs[0] else {
            panic!("{configs:?}")
        };
        assert_eq!(piper.model, PathBuf::from("tts/en_US-joe-medium.onnx"));
        assert_eq!(
            (piper.config.as_ref(), piper.speaker, piper.length_scale),
            (None, None, None)
        );
        assert!(piper.languages.is_empty());
        let TtsConfig::Espeak(espeak) = &configs[1] else {
            panic!("{configs:?}")
        };
        assert_eq!(espeak.rate, Some(160));
        assert_eq!(
            espeak.voice_map().get("fr").map(String::as_str),
            Some("fr-fr")
        );
        let TtsConfig::Http(http) = &configs[2] else {
            panic!("{configs:?}")
        };
        assert_eq!(http.timeout_ms, 10_000);
        for config in &configs {
            config.validate().unwrap();
        }
        assert_eq!(
            configs.iter().map(TtsConfig::kind).collect::<Vec<_>>(),
            ["piper", "espeak", "http"]
        );
    }

    #[test]
    fn rejects_unknown_types_and_fields() {
        let unknown_type = parse("[[tts]]\ntype = \"festival\"\n").unwrap_err();
        assert!(
            unknown_type.contains("unknown variant `festival`"),
            "{unknown_type}"
        );
        let unknown_field = parse("[[tts]]\ntype = \"espeak\"\nspeed = 3\n").unwrap_err();
        assert!(
            unknown_field.contains("unknown field `speed`"),
            "{unknown_field}"
        );
        let missing = parse("[[tts]]\ntype = \"piper\"\n").unwrap_err();
        assert!(missing.contains("missing field `model`"), "{missing}");
    }

    #[test]
    fn validation_messages_name_the_field_and_the_fix() {
        let cases: Vec<(TtsConfig, &str)> = vec![
            (
                TtsConfig::Piper(PiperConfig {
                    length_scale: Some(0.0),
                    ..PiperConfig::default()
                }),
                "invalid TTS configuration `tts.length_scale`: must be above 0 and at most 10 (found 0)",
            ),
            (
                TtsConfig::Piper(PiperConfig {
                    speaker: Some(-1),
                    ..PiperConfig::default()
                }),
                "invalid TTS configuration `tts.speaker`: must be 0 or more (found -1)",
            ),
            (
                TtsConfig::Espeak(EspeakConfig {
                    rate: Some(1000),
                    ..EspeakConfig::default()
                }),
                "invalid TTS configuration `tts.rate`: espeak-ng speaks 80 to 450 words per minute (found 1000)",
            ),
            (
                TtsConfig::Espeak(EspeakConfig {
                    voices: [("fr".to_owned(), "fr fr".to_owned())].into(),
                    ..EspeakConfig::default()
                }),
                "invalid TTS configuration `tts.voices`: voice `fr fr` for `fr` is not an espeak-ng voice name (see `espeak-ng --voices`)",
            ),
            (
                TtsConfig::Http(HttpConfig {
                    url: "ftp://x".into(),
                    ..HttpConfig::example()
                }),
                "invalid TTS configuration `tts.url`: `ftp://x` is not an http:// or https:// URL",
            ),
            (
                TtsConfig::Http(HttpConfig {
                    languages: vec![],
                    ..HttpConfig::example()
                }),
                "invalid TTS configuration `tts.languages`: list the languages the server speaks, e.g. [\"en\"]",
            ),
            (
                TtsConfig::Http(HttpConfig {
                    timeout_ms: 0,
                    ..HttpConfig::example()
                }),
                "invalid TTS configuration `tts.timeout_ms`: must be 1 to 300000 milliseconds (found 0)",
            ),
        ];
        for (config, message) in cases {
            assert_eq!(
                config.validate().map_err(|e| e.to_string()),
                Err(message.to_owned()),
                "{config:?}"
            );
        }
    }

    #[test]
    fn a_missing_piper_voice_says_how_to_install_it() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = BuildContext::new(ModelsDir::new(dir.path()));
        let error = TtsConfig::Piper(PiperConfig::default())
            .build(&ctx)
            .map(|_| ())
            .unwrap_err();
        let expected = format!(
            "invalid TTS configuration `tts.model`: Piper voice not found at {}: run `hive-bridge models install piper-en-joe` or fix tts.model",
            dir.path().join("tts/en_US-joe-medium.onnx").display()
        );
        assert_eq!(error.to_string(), expected);
        let other = TtsConfig::Piper(PiperConfig {
            model: "/nowhere/voice.onnx".into(),
            ..PiperConfig::default()
        });
        let error = other.build(&ctx).map(|_| ()).unwrap_err().to_string();
        assert!(error.ends_with("Piper voice not found at /nowhere/voice.onnx: put the voice (.onnx and .onnx.json) there or fix tts.model"), "{error}");
    }

    #[test]
    fn relative_paths_are_in_the_models_directory() {
        let ctx = BuildContext::new(ModelsDir::new("/models"));
        assert_eq!(
            ctx.resolve(Path::new("tts/a.onnx")),
            PathBuf::from("/models/tts/a.onnx")
        );
        assert_eq!(
            ctx.resolve(Path::new("/abs/a.onnx")),
            PathBuf::from("/abs/a.onnx")
        );
        assert_eq!(
            ctx.onnxruntime,
            PathBuf::from("/models/runtime/libonnxruntime.so.1.31.1")
        );
    }
}
