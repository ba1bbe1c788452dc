//! What every turn shares: the protocol, the publisher, the engines and the settings.

use chrono_tz::Tz;
use hive_topics::{Outbound, Topics};

use super::engines::Engines;
use crate::config::BridgeConfig;
use crate::mqtt::Publisher;

/// Shared, read-only state of the pipeline.
pub(crate) struct Shared {
    pub(crate) topics: Topics,
    pub(crate) publisher: Publisher,
    pub(crate) engines: Engines,
    pub(crate) config: BridgeConfig,
    pub(crate) time_zone: Tz,
    /// Metrics and the status board.
    pub(crate) telemetry: std::sync::Arc<crate::metrics::Telemetry>,
    /// The timer driver.
    pub(crate) timers: crate::timers::Timers,
    /// Built-in and external skills, as one registry.
    pub(crate) skills: crate::skills::SkillCatalog,
    /// Requests to external skills in flight.
    pub(crate) skill_calls: crate::skills::SkillCalls,
    /// Where the prompt's history starts (a message's time): see `history`.
    pub(crate) history_anchor: std::sync::Mutex<Option<u64>>,
    /// A background read of the next prompt's opening is running (`warm::rewarm`).
    pub(crate) rewarming: std::sync::atomic::AtomicBool,
}

impl Shared {
    /// Publishes, logging (not failing) when the connection task is gone: that only happens
    /// during shutdown.
    pub(crate) async fn publish(&self, message: Outbound) {
        if let Err(error) = self.publisher.publish(message).await {
            tracing::debug!(%error, "Publish skipped.");
        }
    }
}
