//! A text-to-speech engine that could not be built at start-up, standing in its place in the
//! chain: it speaks no language (so the chain passes it over without a warning per
//! sentence), reports why on `/health`, and is rebuilt in the background with an exponential
//! backoff until it loads — a Piper voice installed after start-up is picked up without a
//! restart, and takes its configured place ahead of the engines after it.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::config::{BuildContext, TtsConfig};
use super::engine::{Speech, Tts};
use super::error::TtsError;
use crate::backoff::Backoff;

/// The first rebuild's delay.
const FIRST_RETRY: Duration = Duration::from_secs(1);
/// The longest delay between two rebuilds: a voice that stays missing costs one failed
/// build a minute (a stat when the file is absent, a model load when it is corrupt).
const MAX_RETRY: Duration = Duration::from_secs(60);

/// One configured engine, built now or later.
pub struct StandbyTts {
    config: TtsConfig,
    slot: RwLock<Slot>,
}

enum Slot {
    Ready(Arc<dyn Tts>),
    /// Why the last build failed.
    Failed(String),
}

impl std::fmt::Debug for StandbyTts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StandbyTts")
            .field("engine", &self.config.kind())
            .field("ready", &self.is_ready())
            .finish()
    }
}

impl StandbyTts {
    /// An engine whose build failed with `error`, to be rebuilt by [`StandbyTts::retry`].
    pub fn failed(config: TtsConfig, error: &TtsError) -> Arc<Self> {
        Arc::new(StandbyTts {
            config,
            slot: RwLock::new(Slot::Failed(error.to_string())),
        })
    }

    /// Whether the engine is built.
    pub fn is_ready(&self) -> bool {
        self.current().is_ok()
    }

    /// Rebuilds until it works or `shutdown`; builds run on a blocking thread. Returns how
    /// long the build that worked took (for `/metrics`), `None` when none did.
    pub async fn retry(
        self: Arc<Self>,
        ctx: BuildContext,
        shutdown: CancellationToken,
    ) -> Option<Duration> {
        let mut backoff = Backoff::new(FIRST_RETRY, MAX_RETRY);
        while !self.is_ready() {
            tokio::select! {
                () = shutdown.cancelled() => return None,
                () = tokio::time::sleep(backoff.next()) => {}
            }
            let config = self.config.clone();
            let context = ctx.clone();
            let started = tokio::time::Instant::now();
            let built = tokio::task::spawn_blocking(move || config.build(&context)).await;
            match built {
                Ok(Ok(engine)) => {
                    tracing::info!(
                        engine = self.config.kind(),
                        "Text-to-speech engine loaded; speaking with it again."
                    );
                    self.set(Slot::Ready(engine));
                    return Some(started.elapsed());
                }
                Ok(Err(error)) => {
                    tracing::debug!(engine = self.config.kind(), %error, code = "tts_unavailable", "Text-to-speech engine still unavailable.");
                    self.set(Slot::Failed(error.to_string()));
                }
                Err(join) => self.set(Slot::Failed(format!("loading crashed: {join}"))),
            }
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

    fn current(&self) -> Result<Arc<dyn Tts>, TtsError> {
        match &*self
            .slot
            .read()
            .unwrap_or_else(|poison| poison.into_inner())
        {
            Slot::Ready(engine) => Ok(engine.clone()),
            Slot::Failed(why) => Err(TtsError::unavailable(
                self.config.kind(),
                format!("not loaded: {why}; retrying in the background"),
            )),
        }
    }
}

impl Tts for StandbyTts {
    fn synthesize(&self, text: &str, lang: &str) -> Result<Speech, TtsError> {
        // The lock is released before synthesis: a rebuild finishing meanwhile does not wait.
        self.current()?.synthesize(text, lang)
    }

    fn supports(&self, lang: &str) -> bool {
        self.current().is_ok_and(|engine| engine.supports(lang))
    }

    fn name(&self) -> &str {
        self.config.kind()
    }

    fn health(&self) -> Result<(), TtsError> {
        self.current()?.health()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ModelsDir;
    use crate::tts::PiperConfig;

    #[test]
    fn a_missing_voice_stands_in_speaking_nothing_and_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = BuildContext::new(ModelsDir::new(dir.path()));
        let config = TtsConfig::Piper(PiperConfig::default());
        let error = config.build(&ctx).err().expect("no voice in an empty dir");
        let standby = StandbyTts::failed(config, &error);
        assert!(!standby.is_ready());
        assert!(!standby.supports("en"));
        assert_eq!(standby.name(), "piper");
        let health = standby.health().unwrap_err().to_string();
        assert!(health.contains("not loaded"), "{health}");
        assert!(health.contains(&error.to_string()), "{health}");
        assert!(matches!(
            standby.synthesize("hello", "en"),
            Err(TtsError::EngineUnavailable { .. })
        ));
    }

    #[tokio::test]
    async fn retrying_stops_at_shutdown() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = BuildContext::new(ModelsDir::new(dir.path()));
        let config = TtsConfig::Piper(PiperConfig::default());
        let error = config.build(&ctx).err().expect("no voice in an empty dir");
        let standby = StandbyTts::failed(config, &error);
        let shutdown = CancellationToken::new();
        let retrying = tokio::spawn(standby.clone().retry(ctx, shutdown.clone()));
        shutdown.cancel();
        let loaded = tokio::time::timeout(Duration::from_secs(10), retrying)
            .await
            .expect("the retry loop ignored shutdown")
            .unwrap();
        assert_eq!(loaded, None);
        assert!(!standby.is_ready());
    }
}
