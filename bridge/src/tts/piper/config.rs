//! Configuration of the Piper engine.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::models::CATALOG;
use crate::tts::config::BuildContext;
use crate::tts::error::TtsError;

/// The voice the default configuration uses, relative to the models directory.
const DEFAULT_MODEL: &str = "tts/en_US-joe-medium.onnx";

/// `type = "piper"`: a Piper voice (an `.onnx` model and its `.onnx.json` configuration)
/// run with ONNX Runtime. Natural-sounding; one voice per language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PiperConfig {
    /// The voice model; a relative path is in the models directory.
    pub model: PathBuf,
    /// The voice's JSON configuration; defaults to the model's path with `.json` appended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<PathBuf>,
    /// The speaker of a multi-speaker voice (0 when not set); not allowed for single-speaker
    /// voices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<i64>,
    /// Speaking slowness: above 1 is slower, below 1 faster; defaults to the voice's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length_scale: Option<f32>,
    /// Languages to use this voice for; defaults to the voice's language (`en` for
    /// `en_US`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
}

impl Default for PiperConfig {
    /// The English voice `joe` from the catalogue (`piper-en-joe`).
    fn default() -> Self {
        PiperConfig {
            model: PathBuf::from(DEFAULT_MODEL),
            config: None,
            speaker: None,
            length_scale: None,
            languages: Vec::new(),
        }
    }
}

impl PiperConfig {
    /// Checks the values without reading any file.
    ///
    /// # Errors
    ///
    /// [`TtsError::Config`] naming the field.
    pub fn validate(&self) -> Result<(), TtsError> {
        if self.model.as_os_str().is_empty() {
            return Err(TtsError::Config {
                field: "tts.model",
                reason: format!("set the Piper voice model, e.g. `{DEFAULT_MODEL}`"),
            });
        }
        if let Some(scale) = self.length_scale
            && !(scale > 0.0 && scale <= 10.0)
        {
            return Err(TtsError::Config {
                field: "tts.length_scale",
                reason: format!("must be above 0 and at most 10 (found {scale})"),
            });
        }
        if let Some(speaker) = self.speaker
            && speaker < 0
        {
            return Err(TtsError::Config {
                field: "tts.speaker",
                reason: format!("must be 0 or more (found {speaker})"),
            });
        }
        if let Some(lang) = self.languages.iter().find(|lang| lang.trim().is_empty()) {
            return Err(TtsError::Config {
                field: "tts.languages",
                reason: format!("`{lang}` is not a language tag"),
            });
        }
        Ok(())
    }

    /// The model file.
    pub fn model_path(&self, ctx: &BuildContext) -> PathBuf {
        ctx.resolve(&self.model)
    }

    /// The voice's JSON configuration file.
    pub fn config_path(&self, ctx: &BuildContext) -> PathBuf {
        match &self.config {
            Some(config) => ctx.resolve(config),
            None => {
                let mut path = self.model_path(ctx).into_os_string();
                path.push(".json");
                PathBuf::from(path)
            }
        }
    }

    /// Checks that the model and its configuration exist, with the fix when they do not.
    pub(crate) fn check_files(&self, ctx: &BuildContext) -> Result<(PathBuf, PathBuf), TtsError> {
        let model = self.model_path(ctx);
        let config = self.config_path(ctx);
        for (path, field) in [(&model, "tts.model"), (&config, "tts.config")] {
            if !path.is_file() {
                return Err(TtsError::Config {
                    field,
                    reason: missing_voice(path, field, ctx),
                });
            }
        }
        Ok((model, config))
    }
}

/// "Piper voice not found at …", with the install command when the file is a catalogue
/// model's.
fn missing_voice(path: &Path, field: &str, ctx: &BuildContext) -> String {
    let from_catalog = CATALOG.iter().find(|spec| {
        spec.files
            .iter()
            .any(|file| ctx.models_dir.path(file.path) == path)
    });
    match from_catalog {
        Some(spec) => format!(
            "Piper voice not found at {}: run `hive-bridge models install {}` or fix {field}",
            path.display(),
            spec.id
        ),
        None => format!(
            "Piper voice not found at {}: put the voice (.onnx and .onnx.json) there or fix {field}",
            path.display()
        ),
    }
}
