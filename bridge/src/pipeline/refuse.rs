//! Telling the asker that a turn was not started because it went over a limit
//! (`[limits]`): an error report to a satellite, an answer to an automation's `ask`.

use std::sync::Arc;

use hive_topics::{AskReply, ErrorReport, SatelliteId};

use super::shared::Shared;
use crate::limits::Refusal;

/// Counts the refusal and reports it on the satellite's `error` topic.
pub(crate) async fn refuse_satellite(
    shared: Arc<Shared>,
    satellite: SatelliteId,
    session: u32,
    refusal: Refusal,
) {
    count(&shared, Some(&satellite), refusal);
    let report = ErrorReport {
        session: Some(session),
        code: refusal.code().into(),
        message: refusal.message().into(),
        recoverable: true,
    };
    shared
        .publish(shared.topics.encode_error(&satellite, &report))
        .await;
}

/// Counts the refusal and answers the `ask` with its message, so that whoever waits for
/// the reply learns why at once instead of timing out.
pub(crate) async fn refuse_ask(shared: Arc<Shared>, id: Option<String>, refusal: Refusal) {
    count(&shared, None, refusal);
    let reply = AskReply {
        id,
        text: refusal.message().into(),
        intent: None,
        lang: None,
        timings: None,
    };
    shared.telemetry.ask_replied(&reply);
    shared.publish(shared.topics.encode_ask_reply(&reply)).await;
}

fn count(shared: &Shared, satellite: Option<&SatelliteId>, refusal: Refusal) {
    tracing::warn!(
        satellite = satellite.map(SatelliteId::as_str),
        code = refusal.code(),
        "Turn refused: over a limit."
    );
    shared.telemetry.error(refusal.code());
    shared
        .telemetry
        .turn(satellite, "", "", refusal.code(), None);
}
