//! Speech-to-text that survives a missing or broken model: the bridge starts without it
//! (typed questions, timers, discovery all work), reports why on `/health`, and loads the
//! model in the background as soon as a valid file is there — without a restart.
//!
//! Retries follow an exponential backoff (1 s doubling to 60 s), so that a model that stays
//! broken costs a load attempt a minute at most. A file that changes (the user ran
//! `hive-bridge models install` or copied the model in) is tried as soon as it has stopped
//! changing, rather than at the end of a long backoff: the stat every second is cheap, a load
//! attempt is not.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use tokio_util::sync::CancellationToken;

use super::engine::{Stt, SttError, Transcript};
use super::whisper::{WhisperConfig, WhisperStt};
use crate::backoff::Backoff;

/// The first retry's delay.
const FIRST_RETRY: Duration = Duration::from_secs(1);
/// The longest delay between two retries of an unchanged file.
const MAX_RETRY: Duration = Duration::from_secs(60);
/// How often the model file is looked at for a change.
const WATCH_EVERY: Duration = Duration::from_secs(1);

/// Whisper, loaded now or later.
pub struct StandbyStt {
    model: PathBuf,
    slot: RwLock<Slot>,
}

enum Slot {
    Ready(Arc<WhisperStt>),
    /// Why the last load failed; what `transcribe` and `health` answer until one succeeds.
    Failed(SttError),
}

impl std::fmt::Debug for StandbyStt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StandbyStt")
            .field("model", &self.model)
            .field("ready", &self.health().is_ok())
            .finish()
    }
}

impl StandbyStt {
    /// Loads the model now (blocking: call from a blocking thread). When it cannot, the
    /// engine starts unloaded, and [`StandbyStt::retry`] loads it later.
    ///
    /// # Errors
    /// Only [`SttError::Config`]: a wrong setting does not fix itself, so the bridge must not
    /// start with it.
    pub fn load(config: &WhisperConfig) -> Result<Arc<Self>, SttError> {
        config.validate()?;
        let slot = match WhisperStt::load(config.clone()) {
            Ok(stt) => Slot::Ready(Arc::new(stt)),
            Err(error @ SttError::Config(_)) => return Err(error),
            Err(error) => {
                tracing::error!(
                    %error,
                    code = "stt_unavailable",
                    "Speech-to-text unavailable; starting without it and retrying in the background."
                );
                Slot::Failed(error)
            }
        };
        Ok(Arc::new(StandbyStt {
            model: config.model.clone(),
            slot: RwLock::new(slot),
        }))
    }

    /// Whether the model is loaded.
    pub fn is_ready(&self) -> bool {
        self.health().is_ok()
    }

    /// Retries loading until it works or `shutdown`; returns at once when already loaded.
    /// Loads run on a blocking thread; this task only sleeps and stats the file. Returns how
    /// long the load that worked took (for `/metrics`), `None` when it did not load.
    pub async fn retry(
        self: Arc<Self>,
        config: WhisperConfig,
        shutdown: CancellationToken,
    ) -> Option<Duration> {
        let mut backoff = Backoff::new(FIRST_RETRY, MAX_RETRY);
        let mut due = tokio::time::Instant::now() + backoff.next();
        // The file as the last attempt saw it, and as the previous look saw it.
        let mut tried = stamp(&self.model).await;
        let mut seen = tried;
        while !self.is_ready() {
            tokio::select! {
                () = shutdown.cancelled() => return None,
                () = tokio::time::sleep(WATCH_EVERY) => {}
            }
            let now = stamp(&self.model).await;
            // Never load a file that is still changing: whisper.cpp accepts some truncated
            // files. A settled change is tried at once, an unchanged file when the backoff is due.
            let settled = now == seen;
            seen = now;
            if !settled || (now == tried && tokio::time::Instant::now() < due) {
                continue;
            }
            tried = now;
            let attempt = config.clone();
            let started = tokio::time::Instant::now();
            let loaded = tokio::task::spawn_blocking(move || WhisperStt::load(attempt)).await;
            let error = match loaded {
                Ok(Ok(stt)) => {
                    tracing::info!(model = %self.model.display(), "Speech-to-text model loaded; voice turns work again.");
                    self.set(Slot::Ready(Arc::new(stt)));
                    return Some(started.elapsed());
                }
                Ok(Err(error)) => error,
                Err(join) => SttError::Load {
                    path: self.model.clone(),
                    detail: format!("loading crashed: {join}"),
                },
            };
            let retry_in = backoff.next();
            due = tokio::time::Instant::now() + retry_in;
            tracing::warn!(
                %error,
                code = "stt_unavailable",
                retry_in_s = retry_in.as_secs_f32(),
                "Speech-to-text model still unavailable."
            );
            self.set(Slot::Failed(error));
        }
        None
    }

    fn set(&self, slot: Slot) {
        // A poisoned lock only means a reader panicked; the slot itself is always whole.
        *self
            .slot
            .write()
            .unwrap_or_else(|poison| poison.into_inner()) = slot;
    }

    fn current(&self) -> Result<Arc<WhisperStt>, SttError> {
        match &*self
            .slot
            .read()
            .unwrap_or_else(|poison| poison.into_inner())
        {
            Slot::Ready(stt) => Ok(stt.clone()),
            Slot::Failed(error) => Err(error.clone()),
        }
    }
}

impl Stt for StandbyStt {
    fn transcribe(&self, audio: &[f32], lang: Option<&str>) -> Result<Transcript, SttError> {
        // The lock is released before the seconds of inference: a load finishing meanwhile
        // does not wait for it.
        self.current()?.transcribe(audio, lang)
    }

    fn name(&self) -> &str {
        "whisper"
    }

    fn health(&self) -> Result<(), SttError> {
        self.current().map(|_| ())
    }
}

/// What identifies a version of the file: its size and modification time (`None`: absent).
type Stamp = Option<(u64, Option<SystemTime>)>;

async fn stamp(path: &Path) -> Stamp {
    let metadata = tokio::fs::metadata(path).await.ok()?;
    Some((metadata.len(), metadata.modified().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_model_starts_unloaded_and_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ggml-tiny.en.bin");
        let stt = StandbyStt::load(&WhisperConfig::new(&path)).unwrap();
        let error = stt.health().unwrap_err();
        assert!(matches!(error, SttError::Missing { .. }), "{error}");
        assert!(error.to_string().contains(&path.display().to_string()));
        assert!(matches!(
            stt.transcribe(&[0.0; 16_000], None),
            Err(SttError::Missing { .. })
        ));
    }

    #[test]
    fn a_file_that_is_not_a_model_is_named_as_such() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ggml-tiny.en.bin");
        std::fs::write(&path, b"this is not a whisper model at all").unwrap();
        let stt = StandbyStt::load(&WhisperConfig::new(&path)).unwrap();
        let error = stt.health().unwrap_err();
        assert!(error.to_string().contains("not a whisper"), "{error}");
    }

    #[test]
    fn a_wrong_setting_still_stops_the_start() {
        let mut config = WhisperConfig::new("/nonexistent/ggml.bin");
        config.beam_size = 0;
        assert!(matches!(
            StandbyStt::load(&config),
            Err(SttError::Config(_))
        ));
    }
}
