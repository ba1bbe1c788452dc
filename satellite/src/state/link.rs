//! Whether the satellite can count on the bridge: the broker connection, the bridge's
//! retained availability, and turns the bridge left unanswered.
//!
//! The satellite is *degraded* while the broker is unreachable, while the bridge's
//! availability is `offline`, cleared or not yet known, and for a while after a turn got
//! no answer in time. The bridge saying `online` again, or answering, ends the last.

use std::time::{Duration, Instant};

use hive_topics::Availability;

/// What the satellite last heard of the bridge's availability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BridgeSeen {
    /// Nothing since (re)connecting: no retained `online` arrived (yet).
    Unknown,
    /// `online`.
    Online,
    /// `offline` (its last will, or a clean shutdown), or the retained state was cleared.
    Offline,
}

/// Why the satellite is degraded, most fundamental first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DegradedReason {
    /// The broker cannot be reached.
    BrokerUnreachable,
    /// The bridge said it is offline.
    BridgeOffline,
    /// The bridge's availability is not known.
    BridgeUnknown,
    /// A turn got no answer in time.
    NoAnswer,
}

impl DegradedReason {
    /// A stable word for logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BrokerUnreachable => "broker_unreachable",
            Self::BridgeOffline => "bridge_offline",
            Self::BridgeUnknown => "bridge_unknown",
            Self::NoAnswer => "no_answer",
        }
    }
}

/// The link to the bridge.
#[derive(Debug, Clone)]
pub struct Link {
    broker: bool,
    bridge: BridgeSeen,
    no_answer_until: Option<Instant>,
}

impl Default for Link {
    fn default() -> Self {
        Link::new()
    }
}

impl Link {
    /// Not connected, bridge unknown.
    pub fn new() -> Link {
        Link {
            broker: false,
            bridge: BridgeSeen::Unknown,
            no_answer_until: None,
        }
    }

    /// The broker connection came up or went down. Going down forgets the bridge's
    /// availability: after reconnecting, its retained state arrives again.
    pub fn broker(&mut self, connected: bool) {
        self.broker = connected;
        if !connected {
            self.bridge = BridgeSeen::Unknown;
        }
    }

    /// The bridge's retained availability arrived; `None` when it was cleared.
    pub fn bridge_status(&mut self, availability: Option<Availability>) {
        self.bridge = match availability {
            Some(Availability::Online) => {
                self.no_answer_until = None;
                BridgeSeen::Online
            }
            Some(Availability::Offline) | None => BridgeSeen::Offline,
        };
    }

    /// A turn got no answer in time: stay degraded for `retry_after`.
    pub fn no_answer(&mut self, now: Instant, retry_after: Duration) {
        self.no_answer_until = Some(now + retry_after);
    }

    /// The bridge answered something: it works.
    pub fn bridge_answered(&mut self) {
        self.no_answer_until = None;
    }

    /// The bridge's availability.
    pub fn bridge(&self) -> BridgeSeen {
        self.bridge
    }

    /// Whether the broker is connected.
    pub fn broker_connected(&self) -> bool {
        self.broker
    }

    /// Whether messages for the bridge (events) would reach it now.
    pub fn bridge_reachable(&self) -> bool {
        self.broker && self.bridge == BridgeSeen::Online
    }

    /// Why the satellite is degraded at `now`, if it is.
    pub fn reason(&self, now: Instant) -> Option<DegradedReason> {
        if !self.broker {
            Some(DegradedReason::BrokerUnreachable)
        } else if self.bridge == BridgeSeen::Offline {
            Some(DegradedReason::BridgeOffline)
        } else if self.bridge == BridgeSeen::Unknown {
            Some(DegradedReason::BridgeUnknown)
        } else if self.no_answer_until.is_some_and(|until| until > now) {
            Some(DegradedReason::NoAnswer)
        } else {
            None
        }
    }

    /// Whether the satellite is degraded at `now`.
    pub fn degraded(&self, now: Instant) -> bool {
        self.reason(now).is_some()
    }

    /// When a no-answer period ends, for the runtime's timer.
    pub fn next_deadline(&self, now: Instant) -> Option<Instant> {
        self.no_answer_until.filter(|until| *until > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Availability::{Offline, Online};
    use DegradedReason as R;

    #[derive(Debug, Clone, Copy)]
    enum Step {
        Broker(bool),
        Bridge(Option<Availability>),
        NoAnswer,
        Answered,
        /// Wait past the retry period.
        Later,
    }

    #[test]
    fn degraded_follows_every_input() {
        use Step::*;
        let table: &[(&str, &[Step], Option<DegradedReason>)] = &[
            ("at start", &[], Some(R::BrokerUnreachable)),
            (
                "connected, bridge unknown",
                &[Broker(true)],
                Some(R::BridgeUnknown),
            ),
            ("bridge online", &[Broker(true), Bridge(Some(Online))], None),
            (
                "bridge offline",
                &[Broker(true), Bridge(Some(Offline))],
                Some(R::BridgeOffline),
            ),
            (
                "bridge cleared",
                &[Broker(true), Bridge(None)],
                Some(R::BridgeOffline),
            ),
            (
                "bridge back online",
                &[Broker(true), Bridge(Some(Offline)), Bridge(Some(Online))],
                None,
            ),
            (
                "broker lost while the bridge was online",
                &[Broker(true), Bridge(Some(Online)), Broker(false)],
                Some(R::BrokerUnreachable),
            ),
            (
                "reconnected: the bridge is unknown until its retained state arrives",
                &[
                    Broker(true),
                    Bridge(Some(Online)),
                    Broker(false),
                    Broker(true),
                ],
                Some(R::BridgeUnknown),
            ),
            (
                "a turn got no answer",
                &[Broker(true), Bridge(Some(Online)), NoAnswer],
                Some(R::NoAnswer),
            ),
            (
                "no answer, then the bridge answered",
                &[Broker(true), Bridge(Some(Online)), NoAnswer, Answered],
                None,
            ),
            (
                "no answer, then the bridge said online again",
                &[
                    Broker(true),
                    Bridge(Some(Online)),
                    NoAnswer,
                    Bridge(Some(Online)),
                ],
                None,
            ),
            (
                "no answer, then the retry period passed",
                &[Broker(true), Bridge(Some(Online)), NoAnswer, Later],
                None,
            ),
            (
                "broker loss outranks no answer",
                &[Broker(true), Bridge(Some(Online)), NoAnswer, Broker(false)],
                Some(R::BrokerUnreachable),
            ),
            (
                "an offline bridge outranks no answer",
                &[
                    Broker(true),
                    Bridge(Some(Online)),
                    NoAnswer,
                    Bridge(Some(Offline)),
                ],
                Some(R::BridgeOffline),
            ),
        ];
        let start = Instant::now();
        let retry = Duration::from_secs(60);
        for (name, steps, expected) in table {
            let mut link = Link::new();
            let mut now = start;
            for step in *steps {
                match *step {
                    Broker(up) => link.broker(up),
                    Bridge(availability) => link.bridge_status(availability),
                    NoAnswer => link.no_answer(now, retry),
                    Answered => link.bridge_answered(),
                    Later => now += retry,
                }
            }
            assert_eq!(link.reason(now), *expected, "{name}");
            assert_eq!(link.degraded(now), expected.is_some(), "{name}");
        }
    }

    #[test]
    fn the_bridge_is_reachable_only_when_connected_and_online() {
        let mut link = Link::new();
        assert!(!link.bridge_reachable());
        link.broker(true);
        assert!(!link.bridge_reachable());
        link.bridge_status(Some(Online));
        assert!(link.bridge_reachable());
        link.broker(false);
        assert!(!link.bridge_reachable());
    }

    #[test]
    fn the_no_answer_deadline_is_reported_until_it_passes() {
        let now = Instant::now();
        let mut link = Link::new();
        link.no_answer(now, Duration::from_secs(5));
        assert_eq!(link.next_deadline(now), Some(now + Duration::from_secs(5)));
        assert_eq!(link.next_deadline(now + Duration::from_secs(5)), None);
    }
}
