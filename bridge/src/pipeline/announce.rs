//! `say`: speaking a text on a satellite without a question.

use std::sync::Arc;

use hive_topics::SatelliteId;
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use super::respond::{Destination, ReplySink};
use super::shared::Shared;
use super::timings::TurnClock;
use crate::tts::split_sentences;

/// Speaks `text` on `satellite` as a reply of its own session.
pub(crate) async fn announce(
    shared: Arc<Shared>,
    satellite: SatelliteId,
    session: u32,
    text: String,
    lang: String,
    cancel: CancellationToken,
) {
    tracing::info!(satellite = %satellite, session, "Announcing.");
    let clock = Arc::new(Mutex::new(TurnClock::start()));
    clock.lock().await.endpoint();
    let mut sink = ReplySink::new(
        shared,
        Destination::Satellite { satellite, session },
        &lang,
        clock,
    );
    for sentence in split_sentences(&text) {
        if cancel.is_cancelled() {
            return;
        }
        sink.sentence(sentence).await;
    }
    sink.finish(None).await;
}
