//! [`SatelliteGate`]: whether a message may reach the pipeline under `[satellites] allow`.
//! Pure; the router applies it before anything else sees the message, so that an unlisted
//! satellite gets no session, no reply and no place on the status board.

use std::collections::HashSet;

use hive_topics::{Inbound, SatelliteId};

use super::config::SatellitesConfig;

/// Unlisted satellites remembered as already logged; bounded because ids come from the
/// network. When full it is emptied, so a flood of made-up ids costs one log line per id
/// per this many ids at worst.
const MAX_WARNED: usize = 1024;

/// What to do with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// It names no satellite, or an allowed one.
    Pass,
    /// It names a satellite that is not allowed: drop it. `first` is true the first time
    /// this satellite is refused, the one time it is worth a warning.
    Refuse {
        /// The unlisted satellite.
        satellite: SatelliteId,
        /// Whether it is the first refusal of this satellite.
        first: bool,
    },
}

/// The allow-list and the satellites already warned about.
#[derive(Debug)]
pub(crate) struct SatelliteGate {
    /// `None`: every satellite is allowed.
    allow: Option<HashSet<String>>,
    warned: HashSet<SatelliteId>,
}

impl SatelliteGate {
    pub(crate) fn new(config: &SatellitesConfig) -> Self {
        let allow = (!config.allow.is_empty()).then(|| config.allow.iter().cloned().collect());
        SatelliteGate {
            allow,
            warned: HashSet::new(),
        }
    }

    /// Judges `message` by the satellite it comes from or is for.
    pub(crate) fn check(&mut self, message: &Inbound) -> Verdict {
        let Some(allow) = &self.allow else {
            return Verdict::Pass;
        };
        let Some(satellite) = message.satellite() else {
            return Verdict::Pass;
        };
        if allow.contains(satellite.as_str()) {
            return Verdict::Pass;
        }
        if self.warned.len() >= MAX_WARNED && !self.warned.contains(satellite) {
            self.warned.clear();
        }
        let first = self.warned.insert(satellite.clone());
        Verdict::Refuse {
            satellite: satellite.clone(),
            first,
        }
    }
}

#[cfg(test)]
mod tests {
    use hive_topics::Topics;

    use super::*;

    fn parse(topic: &str, payload: &str) -> Inbound {
        Topics::default().parse(topic, payload.as_bytes()).unwrap()
    }

    fn gate(allow: &[&str]) -> SatelliteGate {
        SatelliteGate::new(&SatellitesConfig {
            allow: allow.iter().map(|id| (*id).to_string()).collect(),
        })
    }

    #[test]
    fn an_empty_list_lets_every_satellite_through() {
        let mut gate = gate(&[]);
        let wake = parse(
            "hive/satellite/anyone/wake",
            r#"{"session":1,"wake_word":"hey_jarvis","score":0.9}"#,
        );
        assert_eq!(gate.check(&wake), Verdict::Pass);
    }

    #[test]
    fn unlisted_satellites_are_refused_and_warned_about_once() {
        let mut gate = gate(&["kitchen"]);
        let kitchen = parse("hive/satellite/kitchen/text", r#"{"text":"hi"}"#);
        assert_eq!(gate.check(&kitchen), Verdict::Pass);
        let intruder = SatelliteId::new("intruder").unwrap();
        for (topic, payload, first) in [
            (
                "hive/satellite/intruder/wake",
                r#"{"session":1,"wake_word":"hey_jarvis","score":0.9}"#,
                true,
            ),
            ("hive/satellite/intruder/text", r#"{"text":"hi"}"#, false),
            ("hive/satellite/intruder/status", "online", false),
            ("hive/satellite/intruder/say", r#"{"text":"hi"}"#, false),
            ("hive/ask", r#"{"text":"hi","satellite":"intruder"}"#, false),
        ] {
            assert_eq!(
                gate.check(&parse(topic, payload)),
                Verdict::Refuse {
                    satellite: intruder.clone(),
                    first,
                },
                "{topic}"
            );
        }
    }

    #[test]
    fn messages_about_no_satellite_pass() {
        let mut gate = gate(&["kitchen"]);
        for (topic, payload) in [
            ("hive/ask", r#"{"text":"hi"}"#),
            ("hive/say", r#"{"text":"hi"}"#),
            ("hive/bridge/status", "online"),
        ] {
            assert_eq!(gate.check(&parse(topic, payload)), Verdict::Pass, "{topic}");
        }
    }
}
