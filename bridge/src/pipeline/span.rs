//! The tracing span every turn runs in, so that each of its log lines carries the
//! satellite and session ids (as fields of the span: `spans` in JSON lines, a prefix in text).

use hive_topics::SatelliteId;
use tracing::Span;

/// The span of one turn; `None` ids (an `ask` from an automation) are left out.
pub(crate) fn turn_span(satellite: Option<&SatelliteId>, session: Option<u32>) -> Span {
    tracing::info_span!(
        "turn",
        satellite = satellite.map(SatelliteId::as_str),
        session
    )
}
