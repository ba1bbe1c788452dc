//! The models directory: where it is and what is in it.

use std::path::{Path, PathBuf};

use super::catalog::{Derive, ModelSpec};
use super::verify::{self, FileState};

/// The environment variable that overrides the models directory.
pub const MODELS_DIR_ENV: &str = "HIVE_MODELS_DIR";

/// The folder holding every provisioned model, laid out as the catalogue says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelsDir {
    root: PathBuf,
}

/// Whether a model is ready to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelStatus {
    /// Every file is present and matches its pin (and derived files exist).
    Ready,
    /// Some files are missing; names the first one.
    Missing(PathBuf),
    /// A file is present but does not match its pin (size; hashes are checked on install).
    Corrupt(PathBuf),
}

impl ModelsDir {
    /// A models directory at an explicit path.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        ModelsDir { root: root.into() }
    }

    /// The models directory from the environment: `HIVE_MODELS_DIR`, else the user's cache
    /// directory (`~/.cache/hive/models` on Linux). `env` is injected so tests never read the
    /// process environment.
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Self {
        if let Some(dir) = env(MODELS_DIR_ENV).filter(|dir| !dir.is_empty()) {
            return ModelsDir::new(dir);
        }
        let cache = dirs::cache_dir().unwrap_or_else(|| PathBuf::from(".cache"));
        ModelsDir::new(cache.join("hive").join("models"))
    }

    /// The folder itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The absolute path of a catalogue-relative path.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    /// The file an engine loads for this model.
    pub fn main_file(&self, spec: &ModelSpec) -> PathBuf {
        self.path(spec.main_file())
    }

    /// Checks presence and sizes quickly (no hashing) for listings.
    pub fn status(&self, spec: &ModelSpec) -> ModelStatus {
        for file in spec.files {
            let path = self.path(file.path);
            match verify::quick_state(&path, file) {
                FileState::Missing => return ModelStatus::Missing(path),
                FileState::WrongSize(_) => return ModelStatus::Corrupt(path),
                FileState::Present => {}
            }
        }
        if let Some(Derive::WhisperToGgml { ggml, .. }) = spec.derive {
            let path = self.path(ggml);
            if !path.is_file() {
                return ModelStatus::Missing(path);
            }
        }
        ModelStatus::Ready
    }
}
