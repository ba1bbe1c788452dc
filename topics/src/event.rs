//! `{p}/satellite/{id}/event`: something a satellite did on its own (a timer it set or rang
//! while the bridge was away, a stopwatch), reported so the bridge and automations stay in
//! step.

use serde::{Deserialize, Serialize};

use crate::codec;
use crate::error::ParseError;
use crate::id::SatelliteId;
use crate::outbound::{Outbound, QoS};
use crate::tree::Topics;

/// Message kind of [`LocalEvent`].
pub(crate) const KIND: &str = "event";

/// An event produced locally on a satellite, tagged by `"type"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LocalEvent {
    /// A timer was set on the satellite (`"type": "timer_set"`).
    TimerSet {
        /// The satellite's id for the timer.
        timer_id: String,
        /// Name the user gave it, e.g. `pasta`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// Length in seconds.
        duration_s: u64,
        /// When it rings, Unix seconds.
        ends_at: u64,
    },
    /// A timer rang (`"type": "timer_fired"`).
    TimerFired {
        /// The satellite's id for the timer.
        timer_id: String,
        /// Its name, if it has one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// A timer was cancelled (`"type": "timer_cancelled"`).
    TimerCancelled {
        /// The satellite's id for the timer.
        timer_id: String,
        /// Its name, if it has one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// The stopwatch was started, stopped or read (`"type": "stopwatch"`).
    Stopwatch {
        /// Time on the stopwatch, in milliseconds.
        elapsed_ms: u64,
        /// Whether it is still running.
        running: bool,
    },
}

impl Topics {
    /// Builds `{p}/satellite/{id}/event`: QoS 1, not retained.
    pub fn encode_event(&self, satellite: &SatelliteId, event: &LocalEvent) -> Outbound {
        Outbound::json(self.event(satellite), event, QoS::AtLeastOnce)
    }
}

impl LocalEvent {
    pub(crate) fn decode(payload: &[u8]) -> Result<Self, ParseError> {
        let event: Self = codec::decode_json(KIND, payload)?;
        match &event {
            Self::TimerSet { timer_id, .. }
            | Self::TimerFired { timer_id, .. }
            | Self::TimerCancelled { timer_id, .. } => {
                codec::check_non_empty(KIND, "timer_id", timer_id)?;
            }
            Self::Stopwatch { .. } => {}
        }
        Ok(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Inbound;
    use crate::test_support::{assert_rejected, assert_round_trip, sat};

    #[test]
    fn local_events_round_trip() {
        let events = [
            LocalEvent::TimerSet {
                timer_id: "t1".into(),
                name: Some("pasta".into()),
                duration_s: 600,
                ends_at: 1_700_000_600,
            },
            LocalEvent::TimerSet {
                timer_id: "t2".into(),
                name: None,
                duration_s: 1,
                ends_at: 0,
            },
            LocalEvent::TimerFired {
                timer_id: "t1".into(),
                name: Some("pasta".into()),
            },
            LocalEvent::TimerCancelled {
                timer_id: "t2".into(),
                name: None,
            },
            LocalEvent::Stopwatch {
                elapsed_ms: 61_500,
                running: false,
            },
        ];
        for event in events {
            assert_round_trip(&Inbound::Event {
                satellite: sat("kitchen"),
                event,
            });
        }
    }

    #[test]
    fn event_wire_form_is_tagged_by_type() {
        let event = LocalEvent::TimerFired {
            timer_id: "t1".into(),
            name: None,
        };
        let out = Topics::default().encode_event(&sat("kitchen"), &event);
        assert_eq!(out.payload, br#"{"type":"timer_fired","timer_id":"t1"}"#);
    }

    #[test]
    fn malformed_events_are_rejected() {
        assert_rejected(
            "hive/satellite/kitchen/event",
            &[
                ("no type", br#"{"timer_id":"t1"}"#, "malformed_json"),
                (
                    "unknown type",
                    br#"{"type":"alarm","timer_id":"t1"}"#,
                    "malformed_json",
                ),
                (
                    "missing duration",
                    br#"{"type":"timer_set","timer_id":"t1","ends_at":5}"#,
                    "malformed_json",
                ),
                (
                    "running as number",
                    br#"{"type":"stopwatch","elapsed_ms":5,"running":1}"#,
                    "malformed_json",
                ),
                (
                    "empty timer id",
                    br#"{"type":"timer_fired","timer_id":""}"#,
                    "invalid_field",
                ),
            ],
        );
    }
}
