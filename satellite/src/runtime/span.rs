//! The tracing span of the current turn, so that every log line the loop writes while a
//! turn is on — its own, and those of the eyes, the player and the publisher it calls —
//! carries the satellite and session ids, as the bridge's turn lines do (`spans` in JSON
//! lines, a prefix in text).

use hive_topics::SatelliteId;
use tracing::Span;

/// The span of `session` on `satellite`; `None` (no turn) is the disabled span.
pub(crate) fn turn_span(satellite: &SatelliteId, session: Option<u32>) -> Span {
    match session {
        Some(session) => tracing::info_span!("turn", satellite = satellite.as_str(), session),
        None => Span::none(),
    }
}
