//! The `[vad]` configuration section and building the chosen engine from it.
//!
//! ```toml
//! [vad.engine]
//! type = "silero"                    # or "energy"
//! model = "vad/silero_vad.onnx"      # relative to the models directory (the default)
//! # runtime = "runtime/libonnxruntime.so.1.31.1"
//!
//! [vad.endpoint]                     # every field optional; these are the defaults
//! speech_start_s = 0.3
//! silence_end_s = 0.7
//! max_speech_s = 15.0
//! no_speech_timeout_s = 8.0
//! threshold = 0.5
//! speech_pad_s = 0.2
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::endpoint::{EndpointConfig, Endpointer};
use super::energy::{DEFAULT_THRESHOLD_DBFS, EnergyFactory};
use super::engine::VadFactory;
use super::error::VadError;
use super::runtime::ONNX_RUNTIME_FILE;
use super::silero::{SILERO_MODEL_FILE, SileroModel, default_sessions};
use super::stream::StreamVad;

/// Which detector to run, chosen by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum VadConfig {
    /// Silero VAD through ONNX Runtime: accurate in noise, ~0.1–0.3 ms per 32 ms frame.
    Silero {
        /// The ONNX model; relative paths are inside the models directory.
        #[serde(default = "default_silero_model")]
        model: PathBuf,
        /// The ONNX Runtime shared library; default `runtime/libonnxruntime.so.1.31.1` in the
        /// models directory.
        #[serde(default)]
        runtime: Option<PathBuf>,
    },
    /// Loudness threshold: needs nothing installed, but any noise louder than the threshold
    /// is "speech".
    Energy {
        /// RMS level in dBFS above which a frame counts as speech.
        #[serde(default = "default_threshold_dbfs")]
        threshold_dbfs: f32,
    },
}

fn default_silero_model() -> PathBuf {
    PathBuf::from(SILERO_MODEL_FILE)
}

fn default_threshold_dbfs() -> f32 {
    DEFAULT_THRESHOLD_DBFS
}

impl Default for VadConfig {
    fn default() -> Self {
        VadConfig::Silero {
            model: default_silero_model(),
            runtime: None,
        }
    }
}

/// The whole `[vad]` section: the engine and the endpointing timings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VadSection {
    /// The detector.
    pub engine: VadConfig,
    /// When speech starts and ends.
    pub endpoint: EndpointConfig,
}

impl VadSection {
    /// Checks the values without touching the file system.
    ///
    /// # Errors
    ///
    /// [`VadError::InvalidConfig`] naming the first bad field.
    pub fn validate(&self) -> Result<(), VadError> {
        self.endpoint.validate()?;
        if let VadConfig::Energy { threshold_dbfs } = self.engine {
            EnergyFactory::new(threshold_dbfs)?;
        }
        Ok(())
    }

    /// Loads the configured engine. Relative paths are resolved in `models_dir`. Blocking:
    /// Silero reads its model here.
    ///
    /// # Errors
    ///
    /// [`VadError::InvalidConfig`] for bad values; for Silero, [`VadError::ModelMissing`] or
    /// [`VadError::RuntimeMissing`] (both name the `hive-bridge models install` command) and
    /// the load errors of [`SileroModel::load`].
    pub fn build(&self, models_dir: &Path) -> Result<BuiltVad, VadError> {
        self.validate()?;
        let factory: Arc<dyn VadFactory> = match &self.engine {
            VadConfig::Silero { model, runtime } => {
                let model = resolve(models_dir, model);
                let runtime = runtime.as_deref().map_or_else(
                    || models_dir.join(ONNX_RUNTIME_FILE),
                    |runtime| resolve(models_dir, runtime),
                );
                Arc::new(SileroModel::load(&model, &runtime, default_sessions())?)
            }
            VadConfig::Energy { threshold_dbfs } => Arc::new(EnergyFactory::new(*threshold_dbfs)?),
        };
        BuiltVad::new(factory, self.endpoint.clone())
    }

    /// Like [`build`](VadSection::build), but if Silero cannot be loaded (model or runtime
    /// missing or broken) logs a warning and uses the energy detector, so the bridge still
    /// endpoints.
    ///
    /// # Errors
    ///
    /// [`VadError::InvalidConfig`] only: a wrong configuration is not papered over.
    pub fn build_or_fallback(&self, models_dir: &Path) -> Result<BuiltVad, VadError> {
        match self.build(models_dir) {
            Ok(built) => Ok(built),
            Err(error @ VadError::InvalidConfig { .. }) => Err(error),
            Err(error) => {
                tracing::warn!(
                    error = %error,
                    threshold_dbfs = DEFAULT_THRESHOLD_DBFS,
                    "VAD engine unavailable, falling back to the energy detector."
                );
                BuiltVad::new(
                    Arc::new(EnergyFactory::new(DEFAULT_THRESHOLD_DBFS)?),
                    self.endpoint.clone(),
                )
            }
        }
    }
}

fn resolve(models_dir: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        models_dir.join(path)
    }
}

/// A loaded engine with its endpointing settings: makes one [`StreamVad`] per audio stream.
#[derive(Clone)]
pub struct BuiltVad {
    factory: Arc<dyn VadFactory>,
    /// Validated once; cloned for every stream.
    endpointer: Endpointer,
}

impl std::fmt::Debug for BuiltVad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuiltVad")
            .field("engine", &self.factory.name())
            .field("endpoint", self.endpointer.config())
            .finish()
    }
}

impl BuiltVad {
    /// Pairs a factory with endpointing settings.
    ///
    /// # Errors
    ///
    /// [`VadError::InvalidConfig`] if `endpoint` does not validate.
    pub fn new(factory: Arc<dyn VadFactory>, endpoint: EndpointConfig) -> Result<Self, VadError> {
        Ok(BuiltVad {
            factory,
            endpointer: Endpointer::new(endpoint)?,
        })
    }

    /// The engine, for callers that drive detectors themselves.
    pub fn factory(&self) -> &Arc<dyn VadFactory> {
        &self.factory
    }

    /// The engine's name (`"silero"`, `"energy"`).
    pub fn engine_name(&self) -> &'static str {
        self.factory.name()
    }

    /// Endpointing for a new audio stream, with its own detector state.
    pub fn stream(&self) -> StreamVad {
        StreamVad::with_endpointer(self.factory.detector(), self.endpointer.clone())
    }

    /// Runs a frame of silence through a fresh detector (see [`VadFactory::health_check`]).
    ///
    /// # Errors
    ///
    /// The engine's error if it cannot run.
    pub fn health_check(&self) -> Result<(), VadError> {
        self.factory.health_check()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_to_silero_from_the_models_directory() {
        let section: VadSection = toml::from_str("").unwrap();
        assert_eq!(section, VadSection::default());
        assert_eq!(
            section.engine,
            VadConfig::Silero {
                model: PathBuf::from("vad/silero_vad.onnx"),
                runtime: None
            }
        );
        assert_eq!(section.endpoint, EndpointConfig::default());
    }

    #[test]
    fn parses_each_engine() {
        let section: VadSection = toml::from_str(
            "[engine]\ntype = \"silero\"\nmodel = \"/opt/vad.onnx\"\nruntime = \"/opt/libonnxruntime.so\"\n\
             [endpoint]\nsilence_end_s = 1.0\n",
        )
        .unwrap();
        assert_eq!(
            section.engine,
            VadConfig::Silero {
                model: PathBuf::from("/opt/vad.onnx"),
                runtime: Some(PathBuf::from("/opt/libonnxruntime.so"))
            }
        );
        assert_eq!(section.endpoint.silence_end_s, 1.0);

        let section: VadSection = toml::from_str("[engine]\ntype = \"energy\"\n").unwrap();
        assert_eq!(
            section.engine,
            VadConfig::Energy {
                threshold_dbfs: -40.0
            }
        );
        let section: VadSection =
            toml::from_str("[engine]\ntype = \"energy\"\nthreshold_dbfs = -50\n").unwrap();
        assert_eq!(
            section.engine,
            VadConfig::Energy {
                threshold_dbfs: -50.0
            }
        );
    }

    #[test]
    fn rejects_unknown_engines_and_fields() {
        for (text, expected) in [
            ("[engine]\ntype = \"webrtc\"\n", "unknown variant"),
            (
                "[engine]\ntype = \"energy\"\nthreshold = -50\n",
                "unknown field",
            ),
            (
                "[engine]\ntype = \"silero\"\nthreshold_dbfs = -50\n",
                "unknown field",
            ),
            ("[engine]\nmodel = \"x.onnx\"\n", "type"),
            ("engin = 1\n", "unknown field"),
            ("[endpoint]\nsilence = 0.7\n", "unknown field"),
        ] {
            let error = toml::from_str::<VadSection>(text).unwrap_err().to_string();
            assert!(error.contains(expected), "{text:?}: {error}");
        }
    }

    #[test]
    fn validation_covers_engine_and_endpoint() {
        let section = VadSection {
            engine: VadConfig::Energy {
                threshold_dbfs: 10.0,
            },
            ..VadSection::default()
        };
        assert!(matches!(
            section.validate(),
            Err(VadError::InvalidConfig {
                field: "threshold_dbfs",
                ..
            })
        ));
        let section = VadSection {
            endpoint: EndpointConfig {
                silence_end_s: 0.0,
                ..EndpointConfig::default()
            },
            ..VadSection::default()
        };
        assert!(matches!(
            section.validate(),
            Err(VadError::InvalidConfig {
                field: "endpoint.silence_end_s",
                ..
            })
        ));
    }

    #[test]
    fn missing_silero_model_names_the_install_command() {
        let empty = tempfile::tempdir().unwrap();
        let error = VadSection::default().build(empty.path()).unwrap_err();
        assert!(matches!(error, VadError::ModelMissing { .. }), "{error:?}");
        let message = error.to_string();
        assert!(
            message.contains("hive-bridge models install silero-vad"),
            "{message}"
        );
        assert!(message.contains("vad/silero_vad.onnx"), "{message}");
    }

    #[test]
    fn falls_back_to_energy_when_silero_is_missing() {
        let empty = tempfile::tempdir().unwrap();
        let built = VadSection::default()
            .build_or_fallback(empty.path())
            .unwrap();
        assert_eq!(built.engine_name(), "energy");
        built.health_check().unwrap();
        let bad = VadSection {
            endpoint: EndpointConfig {
                threshold: 0.0,
                ..EndpointConfig::default()
            },
            ..VadSection::default()
        };
        assert!(
            bad.build_or_fallback(empty.path()).is_err(),
            "bad config is not papered over"
        );
    }

    #[test]
    fn energy_builds_streams() {
        let section = VadSection {
            engine: VadConfig::Energy {
                threshold_dbfs: -40.0,
            },
            ..VadSection::default()
        };
        let built = section.build(Path::new("/nonexistent")).unwrap();
        built.health_check().unwrap();
        let mut stream = built.stream();
        assert_eq!(stream.push_pcm(&[0; 1024]).unwrap(), None);
        assert_eq!(stream.samples_seen(), 1024);
    }
}
