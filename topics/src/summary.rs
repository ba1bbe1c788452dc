//! `{p}/satellite/{id}/turn` and `{p}/bridge/stats`: retained summaries the bridge keeps for
//! dashboards and Home Assistant (last transcript and reply, turns answered, latencies).
//!
//! These are state, not commands: nobody acts on them, so they are not part of
//! [`Inbound`](crate::Inbound); [`TurnSummary::decode`] and [`BridgeStats::decode`] read them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::codec;
use crate::error::ParseError;
use crate::id::SatelliteId;
use crate::outbound::{Outbound, QoS};
use crate::reply::Timings;
use crate::tree::Topics;

/// Message kind of [`TurnSummary`].
pub(crate) const TURN_KIND: &str = "turn";
/// Message kind of [`BridgeStats`].
pub(crate) const STATS_KIND: &str = "bridge_stats";

/// The last finished turn of one satellite, retained.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TurnSummary {
    /// The turn's session (`0` when the turn came from `ask`, which has none).
    #[serde(default)]
    pub session: u32,
    /// What the bridge heard (or was asked in text).
    pub transcript: String,
    /// The whole reply, every sentence.
    pub reply: String,
    /// The intent that answered, when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
    /// How long each stage took.
    #[serde(default)]
    pub timings: Timings,
}

/// The bridge's running totals, retained.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BridgeStats {
    /// Turns answered since the bridge started.
    pub turns_answered: u64,
    /// The latencies of the last answered turn.
    #[serde(default)]
    pub last_turn: Timings,
    /// The engines in use by kind (`stt`, `llm`, `tts`), e.g. `{"stt": "whisper"}`.
    #[serde(default)]
    pub engines: BTreeMap<String, String>,
}

impl Topics {
    /// Builds `{p}/satellite/{id}/turn`: JSON, QoS 1, retained.
    pub fn encode_turn_summary(&self, satellite: &SatelliteId, summary: &TurnSummary) -> Outbound {
        let mut out = Outbound::json(self.turn(satellite), summary, QoS::AtLeastOnce);
        out.retain = true;
        out
    }

    /// Builds `{p}/bridge/stats`: JSON, QoS 1, retained.
    pub fn encode_bridge_stats(&self, stats: &BridgeStats) -> Outbound {
        let mut out = Outbound::json(self.bridge_stats(), stats, QoS::AtLeastOnce);
        out.retain = true;
        out
    }
}

impl TurnSummary {
    /// Reads a `turn` payload.
    ///
    /// # Errors
    /// Not UTF-8 JSON of this shape.
    pub fn decode(payload: &[u8]) -> Result<Self, ParseError> {
        codec::decode_json(TURN_KIND, payload)
    }
}

impl BridgeStats {
    /// Reads a `bridge/stats` payload.
    ///
    /// # Errors
    /// Not UTF-8 JSON of this shape.
    pub fn decode(payload: &[u8]) -> Result<Self, ParseError> {
        codec::decode_json(STATS_KIND, payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::sat;

    #[test]
    fn summaries_round_trip_retained() {
        let topics = Topics::default();
        let summary = TurnSummary {
            session: 42,
            transcript: "what time is it".into(),
            reply: "It is ten past four.".into(),
            intent: Some("clock.time".into()),
            timings: Timings {
                stt_ms: Some(310),
                total_ms: Some(900),
                ..Timings::default()
            },
        };
        let out = topics.encode_turn_summary(&sat("kitchen"), &summary);
        assert_eq!(out.topic, "hive/satellite/kitchen/turn");
        assert_eq!((out.qos, out.retain), (QoS::AtLeastOnce, true));
        assert_eq!(TurnSummary::decode(&out.payload).unwrap(), summary);

        let stats = BridgeStats {
            turns_answered: 3,
            last_turn: summary.timings,
            engines: [("stt".to_owned(), "whisper".to_owned())].into(),
        };
        let out = topics.encode_bridge_stats(&stats);
        assert_eq!(out.topic, "hive/bridge/stats");
        assert!(out.retain);
        assert_eq!(BridgeStats::decode(&out.payload).unwrap(), stats);
    }

    #[test]
    fn bad_summaries_are_typed_errors() {
        assert_eq!(
            TurnSummary::decode(b"{").unwrap_err().code(),
            "malformed_json"
        );
        assert_eq!(
            BridgeStats::decode(br#"{"turns_answered":"x"}"#)
                .unwrap_err()
                .code(),
            "malformed_json"
        );
    }
}
