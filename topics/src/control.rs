//! `{p}/satellite/{id}/control`: commands from the bridge (or an automation) that change
//! what a satellite is doing right now.

use serde::{Deserialize, Serialize};

use crate::codec;
use crate::error::ParseError;
use crate::id::SatelliteId;
use crate::outbound::{Outbound, QoS};
use crate::tree::Topics;

/// Message kind of [`Control`].
pub(crate) const KIND: &str = "control";

/// A command to a satellite, tagged by `"command"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Control {
    /// Open the microphone now, as if the wake word was heard: a follow-up question, or
    /// "listen" from an automation. With `session`, continue that session.
    Listen {
        /// Session to continue; the satellite picks a new one when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session: Option<u32>,
    },
    /// Stop playback at once (the user said "stop").
    Stop {
        /// Only if this session is still playing; any playback when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session: Option<u32>,
    },
    /// The bridge heard the end of speech: stop streaming audio and wait for the reply. Sent
    /// when the bridge's own endpointing decides, so a satellite without a VAD still stops.
    EndOfSpeech {
        /// The session whose stream should stop.
        session: u32,
    },
    /// Abandon the turn: stop listening and playing, drop what is queued, go idle.
    Cancel {
        /// Only if this session is current; the current turn when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session: Option<u32>,
    },
    /// Set the speaker volume.
    SetVolume {
        /// 0.0 (silent) to 1.0 (loudest).
        volume: f32,
    },
    /// Mute or unmute the microphone (and wake word detection).
    SetMute {
        /// Whether the microphone is muted.
        muted: bool,
    },
}

impl Topics {
    /// Builds `{p}/satellite/{id}/control`: QoS 1, not retained.
    pub fn encode_control(&self, satellite: &SatelliteId, control: &Control) -> Outbound {
        Outbound::json(self.control(satellite), control, QoS::AtLeastOnce)
    }
}

impl Control {
    pub(crate) fn decode(payload: &[u8]) -> Result<Self, ParseError> {
        let control: Self = codec::decode_json(KIND, payload)?;
        match control {
            Self::Listen { session } | Self::Stop { session } | Self::Cancel { session } => {
                codec::check_optional_session(KIND, session)?;
            }
            Self::EndOfSpeech { session } => codec::check_optional_session(KIND, Some(session))?,
            Self::SetVolume { volume } if !(0.0..=1.0).contains(&volume) => {
                return Err(codec::invalid(KIND, "volume", "must be between 0 and 1"));
            }
            Self::SetVolume { .. } | Self::SetMute { .. } => {}
        }
        Ok(control)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Inbound;
    use crate::test_support::{assert_rejected, assert_round_trip, sat};

    #[test]
    fn control_commands_round_trip() {
        let commands = [
            Control::Listen { session: None },
            Control::Listen { session: Some(3) },
            Control::Stop { session: None },
            Control::Stop { session: Some(3) },
            Control::Cancel { session: Some(3) },
            Control::EndOfSpeech { session: 3 },
            Control::SetVolume { volume: 0.0 },
            Control::SetVolume { volume: 0.35 },
            Control::SetVolume { volume: 1.0 },
            Control::SetMute { muted: true },
        ];
        for control in commands {
            assert_round_trip(&Inbound::Control {
                satellite: sat("kitchen"),
                control,
            });
        }
    }

    #[test]
    fn minimal_commands_parse() {
        let cases: [(&[u8], Control); 3] = [
            (br#"{"command":"stop"}"#, Control::Stop { session: None }),
            (
                br#"{"command":"listen","extra":1}"#,
                Control::Listen { session: None },
            ),
            (
                br#"{"command":"set_volume","volume":1}"#,
                Control::SetVolume { volume: 1.0 },
            ),
        ];
        for (payload, control) in cases {
            let parsed = Topics::default()
                .parse("hive/satellite/kitchen/control", payload)
                .unwrap();
            assert_eq!(
                parsed,
                Inbound::Control {
                    satellite: sat("kitchen"),
                    control
                }
            );
        }
    }

    #[test]
    fn malformed_commands_are_rejected() {
        assert_rejected(
            "hive/satellite/kitchen/control",
            &[
                ("no command", br#"{"volume":0.5}"#, "malformed_json"),
                (
                    "unknown command",
                    br#"{"command":"dance"}"#,
                    "malformed_json",
                ),
                (
                    "volume too loud",
                    br#"{"command":"set_volume","volume":1.01}"#,
                    "invalid_field",
                ),
                (
                    "volume negative",
                    br#"{"command":"set_volume","volume":-0.5}"#,
                    "invalid_field",
                ),
                (
                    "volume as string",
                    br#"{"command":"set_volume","volume":"50%"}"#,
                    "malformed_json",
                ),
                (
                    "volume missing",
                    br#"{"command":"set_volume"}"#,
                    "malformed_json",
                ),
                (
                    "muted as string",
                    br#"{"command":"set_mute","muted":"yes"}"#,
                    "malformed_json",
                ),
                (
                    "session zero",
                    br#"{"command":"stop","session":0}"#,
                    "invalid_field",
                ),
                ("plain text", b"stop", "malformed_json"),
            ],
        );
    }
}
