//! Retained state, as plain-text words: `{p}/bridge/status` and `{p}/satellite/{id}/status`
//! ([`Availability`]), `{p}/satellite/{id}/mode` ([`Mode`]) and `{p}/satellite/{id}/eyes`
//! ([`EyeColour`]). Also [`Retained`], the topics an empty payload clears.
//!
//! Plain words rather than JSON so that Home Assistant's MQTT integration and
//! `mosquitto_sub` read them as-is. Parsing trims blanks and ignores case; encoding writes
//! lowercase.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::codec;
use crate::error::ParseError;
use crate::id::{SatelliteId, SkillName};
use crate::outbound::{Outbound, QoS};
use crate::tree::Topics;

/// Message kind of `{p}/bridge/status`.
pub(crate) const BRIDGE_STATUS_KIND: &str = "bridge_status";
/// Message kind of `{p}/satellite/{id}/status`.
pub(crate) const SATELLITE_STATUS_KIND: &str = "satellite_status";
/// Message kind of [`Mode`].
pub(crate) const MODE_KIND: &str = "mode";
/// Message kind of [`EyeColour`].
pub(crate) const EYES_KIND: &str = "eyes";

/// An enum sent as one lowercase word.
pub(crate) trait Word: Copy + 'static {
    /// Every value, for parsing and error messages.
    const ALL: &'static [Self];
    /// The word on the wire.
    fn word(self) -> &'static str;
}

/// Parses a trimmed, case-insensitive word.
pub(crate) fn decode_word<T: Word>(kind: &'static str, payload: &[u8]) -> Result<T, ParseError> {
    let text = codec::utf8(kind, payload)?.trim();
    T::ALL
        .iter()
        .copied()
        .find(|value| value.word().eq_ignore_ascii_case(text))
        .ok_or_else(|| {
            let expected: Vec<&str> = T::ALL.iter().map(|value| value.word()).collect();
            codec::invalid(
                kind,
                "value",
                format!("expected one of {}", expected.join(", ")),
            )
        })
}

/// Whether the bridge or a satellite is connected. Each publishes `online` on connect and
/// sets `offline` as its MQTT last will, so the broker announces a crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Availability {
    /// Connected (`online`).
    Online,
    /// Disconnected, cleanly or not (`offline`).
    Offline,
}

/// What a satellite is doing. Retained on `mode` and repeated in the heartbeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Waiting for the wake word.
    Idle,
    /// Streaming the microphone to the bridge.
    Listening,
    /// Speech ended; waiting for the answer.
    Processing,
    /// Playing the answer.
    Responding,
    /// Working with reduced function, e.g. the bridge is offline and only local skills run.
    Degraded,
    /// Not working: microphone, speaker or configuration failed.
    Error,
}

/// The colour of a satellite's "eyes" (LED ring or screen), retained on `eyes` so a dashboard
/// can mirror it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EyeColour {
    /// Connected and idle.
    White,
    /// Degraded (e.g. bridge offline).
    Yellow,
    /// Listening.
    Blue,
    /// Processing.
    Violet,
    /// Error.
    Red,
}

impl EyeColour {
    /// The colour as 8-bit RGB.
    pub fn rgb(self) -> (u8, u8, u8) {
        match self {
            Self::White => (255, 255, 255),
            Self::Yellow => (255, 200, 0),
            Self::Blue => (0, 80, 255),
            Self::Violet => (148, 0, 211),
            Self::Red => (255, 0, 0),
        }
    }
}

/// Implements the word plumbing: [`Word`], `as_str` and `Display`.
macro_rules! words {
    ($type:ident { $($variant:ident => $word:literal),+ $(,)? }) => {
        impl Word for $type {
            const ALL: &'static [Self] = &[$(Self::$variant),+];

            fn word(self) -> &'static str {
                match self {
                    $(Self::$variant => $word),+
                }
            }
        }

        impl $type {
            /// The lowercase word on the wire.
            pub fn as_str(self) -> &'static str {
                self.word()
            }
        }

        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.word())
            }
        }
    };
}

words!(Availability { Online => "online", Offline => "offline" });
words!(Mode {
    Idle => "idle",
    Listening => "listening",
    Processing => "processing",
    Responding => "responding",
    Degraded => "degraded",
    Error => "error",
});
words!(EyeColour { White => "white", Yellow => "yellow", Blue => "blue", Violet => "violet", Red => "red" });

/// A retained topic. MQTT deletes a retained message when an empty payload is published on
/// its topic; [`Topics::parse`] reports such a payload as
/// [`Inbound::Cleared`](crate::Inbound::Cleared) rather than an error.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Retained {
    /// `{p}/bridge/status`
    BridgeStatus,
    /// `{p}/satellite/{id}/status`
    SatelliteStatus(SatelliteId),
    /// `{p}/satellite/{id}/mode`
    Mode(SatelliteId),
    /// `{p}/satellite/{id}/eyes`
    Eyes(SatelliteId),
    /// `{p}/timer/list`
    TimerList,
    /// `{p}/skill/{name}/manifest`: clearing it unregisters the skill.
    SkillManifest(SkillName),
}

impl Retained {
    /// The satellite the topic belongs to, if any.
    pub fn satellite(&self) -> Option<&SatelliteId> {
        match self {
            Self::SatelliteStatus(satellite) | Self::Mode(satellite) | Self::Eyes(satellite) => {
                Some(satellite)
            }
            Self::BridgeStatus | Self::TimerList | Self::SkillManifest(_) => None,
        }
    }
}

fn retained_word<T: Word>(topic: String, value: T) -> Outbound {
    Outbound::new(
        topic,
        value.word().as_bytes().to_vec(),
        QoS::AtLeastOnce,
        true,
    )
}

impl Topics {
    /// Builds `{p}/bridge/status`: plain text, QoS 1, retained.
    pub fn encode_bridge_status(&self, availability: Availability) -> Outbound {
        retained_word(self.bridge_status(), availability)
    }

    /// The bridge's MQTT last will: `offline` on `{p}/bridge/status`, QoS 1, retained.
    pub fn bridge_last_will(&self) -> Outbound {
        self.encode_bridge_status(Availability::Offline)
    }

    /// Builds `{p}/satellite/{id}/status`: plain text, QoS 1, retained.
    pub fn encode_satellite_status(
        &self,
        satellite: &SatelliteId,
        availability: Availability,
    ) -> Outbound {
        retained_word(self.satellite_status(satellite), availability)
    }

    /// A satellite's MQTT last will: `offline` on `{p}/satellite/{id}/status`, QoS 1, retained.
    pub fn satellite_last_will(&self, satellite: &SatelliteId) -> Outbound {
        self.encode_satellite_status(satellite, Availability::Offline)
    }

    /// Builds `{p}/satellite/{id}/mode`: plain text, QoS 1, retained.
    pub fn encode_mode(&self, satellite: &SatelliteId, mode: Mode) -> Outbound {
        retained_word(self.mode(satellite), mode)
    }

    /// Builds `{p}/satellite/{id}/eyes`: plain text, QoS 1, retained.
    pub fn encode_eyes(&self, satellite: &SatelliteId, colour: EyeColour) -> Outbound {
        retained_word(self.eyes(satellite), colour)
    }

    /// The topic of a retained state.
    pub fn retained(&self, retained: &Retained) -> String {
        match retained {
            Retained::BridgeStatus => self.bridge_status(),
            Retained::SatelliteStatus(satellite) => self.satellite_status(satellite),
            Retained::Mode(satellite) => self.mode(satellite),
            Retained::Eyes(satellite) => self.eyes(satellite),
            Retained::TimerList => self.timer_list(),
            Retained::SkillManifest(skill) => self.skill_manifest(skill),
        }
    }

    /// Deletes a retained state: an empty payload, QoS 1, retained (e.g. when a satellite is
    /// decommissioned).
    pub fn encode_clear(&self, retained: &Retained) -> Outbound {
        Outbound::new(self.retained(retained), Vec::new(), QoS::AtLeastOnce, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Inbound;
    use crate::test_support::{assert_rejected, assert_round_trip, sat};

    #[test]
    fn every_state_word_round_trips() {
        let kitchen = sat("kitchen");
        for &availability in Availability::ALL {
            assert_round_trip(&Inbound::BridgeStatus(availability));
            assert_round_trip(&Inbound::SatelliteStatus {
                satellite: kitchen.clone(),
                availability,
            });
        }
        for &mode in Mode::ALL {
            assert_round_trip(&Inbound::Mode {
                satellite: kitchen.clone(),
                mode,
            });
        }
        for &colour in EyeColour::ALL {
            assert_round_trip(&Inbound::Eyes {
                satellite: kitchen.clone(),
                colour,
            });
        }
    }

    #[test]
    fn clearing_round_trips_for_every_retained_topic() {
        let kitchen = sat("kitchen");
        let all = [
            Retained::BridgeStatus,
            Retained::SatelliteStatus(kitchen.clone()),
            Retained::Mode(kitchen.clone()),
            Retained::Eyes(kitchen),
            Retained::TimerList,
            Retained::SkillManifest(crate::SkillName::new("dice").unwrap()),
        ];
        for retained in all {
            let out = Topics::default().encode_clear(&retained);
            assert!(out.payload.is_empty() && out.retain);
            assert_round_trip(&Inbound::Cleared(retained));
        }
    }

    #[test]
    fn words_are_trimmed_and_case_insensitive() {
        let cases: [(&str, &[u8], Inbound); 4] = [
            (
                "hive/bridge/status",
                b"ONLINE\n",
                Inbound::BridgeStatus(Availability::Online),
            ),
            (
                "hive/bridge/status",
                b" Offline ",
                Inbound::BridgeStatus(Availability::Offline),
            ),
            (
                "hive/satellite/kitchen/mode",
                b"Listening",
                Inbound::Mode {
                    satellite: sat("kitchen"),
                    mode: Mode::Listening,
                },
            ),
            (
                "hive/satellite/kitchen/eyes",
                b"\tVIOLET",
                Inbound::Eyes {
                    satellite: sat("kitchen"),
                    colour: EyeColour::Violet,
                },
            ),
        ];
        for (topic, payload, expected) in cases {
            assert_eq!(Topics::default().parse(topic, payload).unwrap(), expected);
        }
    }

    #[test]
    fn last_wills_are_retained_offline() {
        let topics = Topics::default();
        let bridge = topics.bridge_last_will();
        assert_eq!(
            (bridge.topic.as_str(), bridge.payload.as_slice()),
            ("hive/bridge/status", &b"offline"[..])
        );
        assert_eq!((bridge.qos, bridge.retain), (QoS::AtLeastOnce, true));
        let satellite = topics.satellite_last_will(&sat("kitchen"));
        assert_eq!(
            (satellite.topic.as_str(), satellite.payload.as_slice()),
            ("hive/satellite/kitchen/status", &b"offline"[..])
        );
        assert!(satellite.retain);
    }

    #[test]
    fn eye_colours_have_the_documented_rgb() {
        let cases = [
            (EyeColour::White, (255, 255, 255)),
            (EyeColour::Yellow, (255, 200, 0)),
            (EyeColour::Blue, (0, 80, 255)),
            (EyeColour::Violet, (148, 0, 211)),
            (EyeColour::Red, (255, 0, 0)),
        ];
        for (colour, rgb) in cases {
            assert_eq!(colour.rgb(), rgb, "{colour}");
        }
    }

    #[test]
    fn unknown_words_are_rejected() {
        assert_rejected(
            "hive/satellite/kitchen/mode",
            &[
                ("unknown word", b"dancing", "invalid_field"),
                ("blank", b"  ", "invalid_field"),
                ("json", br#""idle""#, "invalid_field"),
                ("not utf-8", b"idl\xe9", "bad_utf8"),
            ],
        );
        assert_rejected("hive/bridge/status", &[("yes", b"yes", "invalid_field")]);
        assert_rejected(
            "hive/satellite/kitchen/status",
            &[("1", b"1", "invalid_field")],
        );
        assert_rejected(
            "hive/satellite/kitchen/eyes",
            &[("green", b"green", "invalid_field")],
        );
        let error = Topics::default()
            .parse("hive/satellite/kitchen/eyes", b"green")
            .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("white, yellow, blue, violet, red"),
            "{error}"
        );
    }
}
