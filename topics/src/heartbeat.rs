//! `{p}/satellite/{id}/heartbeat`: a satellite's periodic sign of life with its counters.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::codec;
use crate::error::ParseError;
use crate::id::SatelliteId;
use crate::outbound::{Outbound, QoS};
use crate::state::Mode;
use crate::tree::Topics;

/// Message kind of [`Heartbeat`].
pub(crate) const KIND: &str = "heartbeat";

/// Sent by every satellite every [`Heartbeat::INTERVAL`]. The retained `status` says whether
/// the MQTT session is up; the heartbeat says the satellite's software is alive and how it
/// fares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heartbeat {
    /// Seconds since the satellite process started.
    pub uptime_s: u64,
    /// Current mode.
    pub mode: Mode,
    /// Satellite software version, e.g. `0.1.0`.
    pub version: String,
    /// Protocol version the satellite speaks ([`PROTOCOL_VERSION`](crate::PROTOCOL_VERSION)).
    pub protocol: u32,
    /// Free-form monotonic counters, e.g. `wakes`, `chunks_dropped`, `reconnects`.
    #[serde(default)]
    pub counters: BTreeMap<String, u64>,
}

impl Heartbeat {
    /// How often satellites publish a heartbeat.
    pub const INTERVAL: Duration = Duration::from_secs(30);
    /// After how long without a heartbeat the bridge should consider a satellite stale:
    /// three missed beats, so one lost QoS 0 message is not an outage.
    pub const STALE_AFTER: Duration = Duration::from_secs(90);
}

impl Topics {
    /// Builds `{p}/satellite/{id}/heartbeat`: QoS 0, not retained.
    pub fn encode_heartbeat(&self, satellite: &SatelliteId, heartbeat: &Heartbeat) -> Outbound {
        Outbound::json(self.heartbeat(satellite), heartbeat, QoS::AtMostOnce)
    }
}

impl Heartbeat {
    pub(crate) fn decode(payload: &[u8]) -> Result<Self, ParseError> {
        codec::decode_json(KIND, payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Inbound;
    use crate::test_support::{assert_rejected, assert_round_trip, sat};

    #[test]
    fn heartbeats_round_trip() {
        let beats = [
            Heartbeat {
                uptime_s: 0,
                mode: Mode::Idle,
                version: "0.1.0".into(),
                protocol: 1,
                counters: BTreeMap::new(),
            },
            Heartbeat {
                uptime_s: u64::MAX,
                mode: Mode::Degraded,
                version: "0.2.0-rc1".into(),
                protocol: 2,
                counters: [("wakes".to_owned(), 12), ("chunks_dropped".to_owned(), 0)].into(),
            },
        ];
        for heartbeat in beats {
            assert_round_trip(&Inbound::Heartbeat {
                satellite: sat("kitchen"),
                heartbeat,
            });
        }
    }

    #[test]
    fn counters_are_optional() {
        let payload = br#"{"uptime_s":5,"mode":"listening","version":"0.1.0","protocol":1}"#;
        let Ok(Inbound::Heartbeat { heartbeat, .. }) =
            Topics::default().parse("hive/satellite/a/heartbeat", payload)
        else {
            panic!("heartbeat without counters must parse");
        };
        assert!(heartbeat.counters.is_empty());
        assert_eq!(heartbeat.mode, Mode::Listening);
    }

    #[test]
    fn malformed_heartbeats_are_rejected() {
        assert_rejected(
            "hive/satellite/kitchen/heartbeat",
            &[
                ("unknown mode", br#"{"uptime_s":5,"mode":"dancing","version":"1","protocol":1}"#, "malformed_json"),
                ("uptime as string", br#"{"uptime_s":"5","mode":"idle","version":"1","protocol":1}"#, "malformed_json"),
                ("negative counter", br#"{"uptime_s":5,"mode":"idle","version":"1","protocol":1,"counters":{"a":-1}}"#, "malformed_json"),
                ("counters as list", br#"{"uptime_s":5,"mode":"idle","version":"1","protocol":1,"counters":[]}"#, "malformed_json"),
                ("missing version", br#"{"uptime_s":5,"mode":"idle","protocol":1}"#, "malformed_json"),
            ],
        );
    }
}
