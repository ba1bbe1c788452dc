//! Timers on the automation surface: `{p}/timer/set` and `{p}/timer/cancel` in,
//! `{p}/timer/event` and the retained `{p}/timer/list` out.

use serde::{Deserialize, Serialize};

use crate::codec;
use crate::error::ParseError;
use crate::id::SatelliteId;
use crate::outbound::{Outbound, QoS};
use crate::tree::Topics;

/// Message kind of [`TimerSet`].
pub(crate) const SET_KIND: &str = "timer_set";
/// Message kind of [`TimerCancel`].
pub(crate) const CANCEL_KIND: &str = "timer_cancel";
/// Message kind of [`TimerEvent`].
pub(crate) const EVENT_KIND: &str = "timer_event";
/// Message kind of the timer list.
pub(crate) const LIST_KIND: &str = "timer_list";

/// Start a timer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimerSet {
    /// Satellite that rings and announces it; without one it is only reported on
    /// `timer/event`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub satellite: Option<SatelliteId>,
    /// A name to refer to it, e.g. `pasta`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Length in seconds: 1 to [`TimerSet::MAX_DURATION_S`].
    pub duration_s: u64,
}

impl TimerSet {
    /// Longest timer: seven days. Longer is a calendar entry, not a timer.
    pub const MAX_DURATION_S: u64 = 7 * 24 * 60 * 60;
}

/// Cancel a timer, by id or by name (at least one of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimerCancel {
    /// The timer's id, as in [`TimerInfo::timer_id`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timer_id: Option<String>,
    /// The timer's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Only timers on this satellite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub satellite: Option<SatelliteId>,
}

/// A running (or just finished) timer, as listed and reported by the bridge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimerInfo {
    /// Id assigned by the bridge (or the satellite that set it).
    pub timer_id: String,
    /// Its name, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The satellite that rings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub satellite: Option<SatelliteId>,
    /// Length in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_s: Option<u64>,
    /// When it rings (or rang), Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<u64>,
}

/// What happened to a timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerEventKind {
    /// It was started.
    Set,
    /// It rang.
    Fired,
    /// It was cancelled.
    Cancelled,
}

/// A timer changed. On the wire one flat object: `{"type": "fired", "timer_id": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimerEvent {
    /// What happened (JSON `type`).
    #[serde(rename = "type")]
    pub kind: TimerEventKind,
    /// The timer.
    #[serde(flatten)]
    pub timer: TimerInfo,
}

impl Topics {
    /// Builds `{p}/timer/set`: QoS 1, not retained.
    pub fn encode_timer_set(&self, set: &TimerSet) -> Outbound {
        Outbound::json(self.timer_set(), set, QoS::AtLeastOnce)
    }

    /// Builds `{p}/timer/cancel`: QoS 1, not retained.
    pub fn encode_timer_cancel(&self, cancel: &TimerCancel) -> Outbound {
        Outbound::json(self.timer_cancel(), cancel, QoS::AtLeastOnce)
    }

    /// Builds `{p}/timer/event`: QoS 1, not retained.
    pub fn encode_timer_event(&self, event: &TimerEvent) -> Outbound {
        Outbound::json(self.timer_event(), event, QoS::AtLeastOnce)
    }

    /// Builds `{p}/timer/list`: a JSON array of every running timer, QoS 1, retained. An
    /// empty list is `[]`, not an empty payload (which would delete the retained message).
    pub fn encode_timer_list(&self, timers: &[TimerInfo]) -> Outbound {
        let mut out = Outbound::json(self.timer_list(), &timers, QoS::AtLeastOnce);
        out.retain = true;
        out
    }
}

impl TimerSet {
    pub(crate) fn decode(payload: &[u8]) -> Result<Self, ParseError> {
        let set: Self = codec::decode_json(SET_KIND, payload)?;
        if set.duration_s == 0 || set.duration_s > Self::MAX_DURATION_S {
            return Err(codec::invalid(
                SET_KIND,
                "duration_s",
                "must be between 1 and 604800 (7 days)",
            ));
        }
        Ok(set)
    }
}

impl TimerCancel {
    pub(crate) fn decode(payload: &[u8]) -> Result<Self, ParseError> {
        let cancel: Self = codec::decode_json(CANCEL_KIND, payload)?;
        let given = |field: &Option<String>| {
            field
                .as_deref()
                .is_some_and(|value| !value.trim().is_empty())
        };
        if !given(&cancel.timer_id) && !given(&cancel.name) {
            return Err(codec::invalid(
                CANCEL_KIND,
                "timer_id",
                "give a timer_id or a name",
            ));
        }
        Ok(cancel)
    }
}

impl TimerEvent {
    pub(crate) fn decode(payload: &[u8]) -> Result<Self, ParseError> {
        let event: Self = codec::decode_json(EVENT_KIND, payload)?;
        codec::check_non_empty(EVENT_KIND, "timer_id", &event.timer.timer_id)?;
        Ok(event)
    }
}

/// Decodes the retained timer list.
pub(crate) fn decode_list(payload: &[u8]) -> Result<Vec<TimerInfo>, ParseError> {
    codec::decode_json(LIST_KIND, payload)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Inbound;
    use crate::test_support::{assert_rejected, assert_round_trip, sat};

    fn pasta() -> TimerInfo {
        TimerInfo {
            timer_id: "t1".into(),
            name: Some("pasta".into()),
            satellite: Some(sat("kitchen")),
            duration_s: Some(600),
            ends_at: Some(1_700_000_600),
        }
    }

    #[test]
    fn timer_messages_round_trip() {
        let bare = TimerInfo {
            timer_id: "t2".into(),
            name: None,
            satellite: None,
            duration_s: None,
            ends_at: None,
        };
        let messages = [
            Inbound::TimerSet(TimerSet {
                satellite: Some(sat("kitchen")),
                name: Some("pasta".into()),
                duration_s: 600,
            }),
            Inbound::TimerSet(TimerSet {
                satellite: None,
                name: None,
                duration_s: TimerSet::MAX_DURATION_S,
            }),
            Inbound::TimerCancel(TimerCancel {
                timer_id: Some("t1".into()),
                name: None,
                satellite: None,
            }),
            Inbound::TimerCancel(TimerCancel {
                timer_id: None,
                name: Some("pasta".into()),
                satellite: Some(sat("kitchen")),
            }),
            Inbound::TimerEvent(TimerEvent {
                kind: TimerEventKind::Set,
                timer: pasta(),
            }),
            Inbound::TimerEvent(TimerEvent {
                kind: TimerEventKind::Fired,
                timer: pasta(),
            }),
            Inbound::TimerEvent(TimerEvent {
                kind: TimerEventKind::Cancelled,
                timer: bare.clone(),
            }),
            Inbound::TimerList(vec![]),
            Inbound::TimerList(vec![pasta(), bare]),
        ];
        for message in &messages {
            assert_round_trip(message);
        }
    }

    #[test]
    fn timer_event_is_one_flat_object() {
        let event = TimerEvent {
            kind: TimerEventKind::Fired,
            timer: TimerInfo {
                duration_s: None,
                ends_at: None,
                ..pasta()
            },
        };
        let out = Topics::default().encode_timer_event(&event);
        assert_eq!(
            out.payload,
            br#"{"type":"fired","timer_id":"t1","name":"pasta","satellite":"kitchen"}"#
        );
    }

    #[test]
    fn empty_timer_list_is_an_empty_array_and_retained() {
        let out = Topics::default().encode_timer_list(&[]);
        assert_eq!((out.payload.as_slice(), out.retain), (&b"[]"[..], true));
    }

    #[test]
    fn malformed_timer_messages_are_rejected() {
        assert_rejected(
            "hive/timer/set",
            &[
                ("zero duration", br#"{"duration_s":0}"#, "invalid_field"),
                ("eight days", br#"{"duration_s":691200}"#, "invalid_field"),
                (
                    "negative duration",
                    br#"{"duration_s":-5}"#,
                    "malformed_json",
                ),
                (
                    "duration as text",
                    br#"{"duration_s":"5 minutes"}"#,
                    "malformed_json",
                ),
                ("missing duration", br#"{"name":"pasta"}"#, "malformed_json"),
                (
                    "bad satellite",
                    br#"{"duration_s":5,"satellite":"Kitchen"}"#,
                    "malformed_json",
                ),
                ("plain number", b"300", "malformed_json"),
            ],
        );
        assert_rejected(
            "hive/timer/cancel",
            &[
                (
                    "neither id nor name",
                    br#"{"satellite":"kitchen"}"#,
                    "invalid_field",
                ),
                ("blank name", br#"{"name":" "}"#, "invalid_field"),
                ("id as number", br#"{"timer_id":1}"#, "malformed_json"),
            ],
        );
        assert_rejected(
            "hive/timer/event",
            &[
                (
                    "unknown type",
                    br#"{"type":"paused","timer_id":"t1"}"#,
                    "malformed_json",
                ),
                ("no timer id", br#"{"type":"fired"}"#, "malformed_json"),
                (
                    "empty timer id",
                    br#"{"type":"fired","timer_id":""}"#,
                    "invalid_field",
                ),
            ],
        );
        assert_rejected(
            "hive/timer/list",
            &[
                (
                    "object instead of array",
                    br#"{"timer_id":"t1"}"#,
                    "malformed_json",
                ),
                (
                    "entry without id",
                    br#"[{"name":"pasta"}]"#,
                    "malformed_json",
                ),
            ],
        );
    }
}
