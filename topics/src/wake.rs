//! `{p}/satellite/{id}/wake`: a satellite heard its wake word and opens a session.

use serde::{Deserialize, Serialize};

use crate::codec;
use crate::error::ParseError;
use crate::id::SatelliteId;
use crate::outbound::{Outbound, QoS};
use crate::tree::Topics;

/// Message kind of [`Wake`].
pub(crate) const KIND: &str = "wake";

/// A satellite heard its wake word. Opens a session; audio follows on `audio/start`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Wake {
    /// Random non-zero id the satellite picks at every wake; every message of this turn, in
    /// both directions, carries it.
    pub session: u32,
    /// Name of the wake word that fired, e.g. `hey_jarvis`.
    pub wake_word: String,
    /// Detector confidence, normally 0.0–1.0.
    pub score: f32,
    /// Loudness of the wake word (RMS, 0.0–1.0), so the bridge can keep the closest of
    /// several satellites that woke on the same words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub energy: Option<f32>,
}

impl Topics {
    /// Builds `{p}/satellite/{id}/wake`: QoS 1, not retained.
    pub fn encode_wake(&self, satellite: &SatelliteId, wake: &Wake) -> Outbound {
        Outbound::json(self.wake(satellite), wake, QoS::AtLeastOnce)
    }
}

impl Wake {
    pub(crate) fn decode(payload: &[u8]) -> Result<Self, ParseError> {
        let wake: Self = codec::decode_json(KIND, payload)?;
        codec::check_session(KIND, wake.session)?;
        Ok(wake)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Inbound;
    use crate::test_support::{assert_rejected, assert_round_trip, sat};

    #[test]
    fn wake_round_trips() {
        let wakes = [
            Wake {
                session: 1,
                wake_word: "hey_jarvis".into(),
                score: 0.93,
                energy: Some(0.12),
            },
            Wake {
                session: u32::MAX,
                wake_word: "ok_nabu".into(),
                score: 0.5,
                energy: None,
            },
        ];
        for wake in wakes {
            assert_round_trip(&Inbound::Wake {
                satellite: sat("kitchen"),
                wake,
            });
        }
    }

    #[test]
    fn wake_ignores_unknown_fields_and_accepts_missing_energy() {
        let payload = br#"{"session":7,"wake_word":"hey","score":1,"future":"field"}"#;
        let parsed = Topics::default()
            .parse("hive/satellite/kitchen/wake", payload)
            .unwrap();
        let expected = Wake {
            session: 7,
            wake_word: "hey".into(),
            score: 1.0,
            energy: None,
        };
        assert_eq!(
            parsed,
            Inbound::Wake {
                satellite: sat("kitchen"),
                wake: expected
            }
        );
    }

    #[test]
    fn malformed_wake_is_rejected() {
        assert_rejected(
            "hive/satellite/kitchen/wake",
            &[
                ("not json", b"wake up", "malformed_json"),
                ("empty", b"", "malformed_json"),
                (
                    "truncated",
                    br#"{"session":7,"wake_word":"hey""#,
                    "malformed_json",
                ),
                (
                    "session as string",
                    br#"{"session":"7","wake_word":"hey","score":1}"#,
                    "malformed_json",
                ),
                (
                    "negative session",
                    br#"{"session":-7,"wake_word":"hey","score":1}"#,
                    "malformed_json",
                ),
                (
                    "session above u32",
                    br#"{"session":4294967296,"wake_word":"hey","score":1}"#,
                    "malformed_json",
                ),
                (
                    "missing score",
                    br#"{"session":7,"wake_word":"hey"}"#,
                    "malformed_json",
                ),
                (
                    "session zero",
                    br#"{"session":0,"wake_word":"hey","score":1}"#,
                    "invalid_field",
                ),
                (
                    "not utf-8",
                    b"{\"session\":7,\"wake_word\":\"\xff\",\"score\":1}",
                    "malformed_json",
                ),
            ],
        );
    }
}
