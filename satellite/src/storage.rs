//! Timers, the stopwatch and unsent events on disk, so they survive a restart. The file is
//! small JSON, replaced atomically (temporary file, fsync, rename): a power cut leaves the
//! old state or the new, never half of one.

use std::path::{Path, PathBuf};

use crate::state::LocalState;

/// Why the state could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Reading or writing failed.
    #[error("state file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The state file.
#[derive(Debug, Clone)]
pub struct Store {
    path: PathBuf,
}

impl Store {
    /// The store at `path` (its directory is created when first written).
    pub fn new(path: impl Into<PathBuf>) -> Store {
        Store { path: path.into() }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the state. A missing file is a fresh start; a corrupt one is moved aside to
    /// `…json.corrupt` (and logged) rather than stopping the satellite.
    ///
    /// # Errors
    /// The file exists but cannot be read.
    pub fn load(&self) -> Result<LocalState, StoreError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(LocalState::default());
            }
            Err(source) => {
                return Err(StoreError::Io {
                    path: self.path.clone(),
                    source,
                });
            }
        };
        match serde_json::from_str(&text) {
            Ok(state) => Ok(state),
            Err(error) => {
                let aside = self.path.with_extension("json.corrupt");
                tracing::error!(path = %self.path.display(), error = %error, moved_to = %aside.display(), "State file is corrupt; starting afresh.");
                let _ = std::fs::rename(&self.path, aside);
                Ok(LocalState::default())
            }
        }
    }

    /// Writes the state atomically.
    ///
    /// # Errors
    /// The directory or file cannot be written.
    pub async fn save(&self, state: &LocalState) -> Result<(), StoreError> {
        let io = |source| StoreError::Io {
            path: self.path.clone(),
            source,
        };
        // Serialising plain data cannot fail.
        let text = serde_json::to_vec_pretty(state).unwrap_or_default();
        if let Some(dir) = self.path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(dir).await.map_err(io)?;
        }
        let temporary = self.path.with_extension("json.tmp");
        let mut file = tokio::fs::File::create(&temporary).await.map_err(io)?;
        tokio::io::AsyncWriteExt::write_all(&mut file, &text)
            .await
            .map_err(io)?;
        file.sync_all().await.map_err(io)?;
        drop(file);
        tokio::fs::rename(&temporary, &self.path).await.map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use hive_skills::Lang;

    use super::*;

    #[tokio::test]
    async fn state_survives_a_restart_and_corruption_does_not_stop_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().join("sub/state.json"));
        assert_eq!(store.load().unwrap(), LocalState::default());
        let mut state = LocalState::default();
        state
            .timers
            .add("k", 600, Some("pasta".into()), Lang::En, 1_000);
        state.stopwatch.start(5_000);
        state.outbox.push(hive_topics::LocalEvent::Stopwatch {
            elapsed_ms: 0,
            running: true,
        });
        store.save(&state).await.unwrap();
        assert_eq!(Store::new(store.path()).load().unwrap(), state);
        assert!(!dir.path().join("sub/state.json.tmp").exists());

        std::fs::write(store.path(), "{not json").unwrap();
        assert_eq!(store.load().unwrap(), LocalState::default());
        assert!(dir.path().join("sub/state.json.corrupt").exists());
    }
}
