//! Choosing the backend: `[context] store = "sled"` (embedded, one bridge) or `"redis"`
//! (several bridges sharing one conversation and one timer book).

use std::sync::Arc;

use serde::Deserialize;

use super::redis_store::RedisStore;
use super::sled_store::SledStore;
use super::store::{ContextStore, StoreError};
use super::timer_record::TimerRecordStore;
use crate::config::BridgeConfig;

/// Which backend keeps the bridge's shared state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreKind {
    /// sled, in `[context] path`: the embedded default for one bridge.
    #[default]
    Sled,
    /// Redis at `[context] redis_url`: for several bridges behind one broker.
    Redis,
}

/// The conversation and the timer book, from one backend.
#[derive(Clone)]
pub struct SharedState {
    /// The conversation.
    pub conversation: Arc<dyn ContextStore>,
    /// The timer book.
    pub timers: Arc<dyn TimerRecordStore>,
}

impl std::fmt::Debug for SharedState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedState").finish_non_exhaustive()
    }
}

impl SharedState {
    /// Opens the backend the configuration names. Blocking (disk or network): call from a
    /// blocking thread.
    ///
    /// # Errors
    /// The database cannot be opened, or Redis does not answer.
    pub fn open(config: &BridgeConfig) -> Result<SharedState, StoreError> {
        match config.context.store {
            StoreKind::Sled => {
                let store = Arc::new(SledStore::open(&config.context_path())?);
                Ok(SharedState {
                    conversation: store.clone(),
                    timers: store,
                })
            }
            StoreKind::Redis => {
                // Validation makes the URL present; an empty one fails to parse here.
                let url = config.context.redis_url.as_deref().unwrap_or_default();
                // The MQTT prefix names the household: two on one Redis stay apart, and the
                // bridges of one household share its conversation and its timer book.
                let store = Arc::new(RedisStore::open(url, &config.mqtt.prefix)?);
                Ok(SharedState {
                    conversation: store.clone(),
                    timers: store,
                })
            }
        }
    }
}
