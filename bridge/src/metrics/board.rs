//! The status board: what each satellite is doing and the last turns, as the status page
//! shows them. A plain struct fed message by message, tested without I/O.

use std::collections::{BTreeMap, VecDeque};

use hive_topics::{Availability, Inbound, Timings};
use serde::Serialize;

/// Turns kept for the page: enough to see a pattern, small enough to send every second.
pub(crate) const LAST_TURNS: usize = 20;

/// One satellite as last seen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SatelliteView {
    /// Its id.
    pub id: String,
    /// Whether its retained status says online (a satellite only seen through its traffic
    /// counts as online).
    pub online: bool,
    /// Its mode (`idle`, `listening`, …), when it said.
    pub mode: Option<String>,
    /// Its eye colour (`white`, `blue`, …), when it said.
    pub eyes: Option<String>,
    /// Its eye colour as `#rrggbb`, for the page.
    pub eyes_rgb: Option<String>,
    /// When it was last heard from, milliseconds since the Unix epoch.
    pub last_seen_ms: u64,
}

/// One finished turn.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TurnView {
    /// When it ended, milliseconds since the Unix epoch.
    pub at_ms: u64,
    /// The satellite it was on, if any.
    pub satellite: Option<String>,
    /// What was heard or typed (empty when nothing was understood).
    pub question: String,
    /// What was answered.
    pub reply: String,
    /// `answered`, or the error code that ended it.
    pub outcome: String,
    /// Per-stage timings.
    pub timings: Option<Timings>,
}

/// Satellites and turns.
#[derive(Debug, Default)]
pub(crate) struct Board {
    satellites: BTreeMap<String, SatelliteView>,
    turns: VecDeque<TurnView>,
}

impl Board {
    /// Updates the satellites from one inbound message.
    pub(crate) fn observe(&mut self, message: &Inbound, now_ms: u64) {
        let (satellite, update): (_, &dyn Fn(&mut SatelliteView)) = match message {
            Inbound::SatelliteStatus {
                satellite,
                availability,
            } => {
                let online = *availability == Availability::Online;
                (satellite, &move |view: &mut SatelliteView| {
                    view.online = online
                })
            }
            Inbound::Mode { satellite, mode } => {
                let mode = mode.as_str();
                (satellite, &move |view: &mut SatelliteView| {
                    view.mode = Some(mode.to_string());
                })
            }
            Inbound::Eyes { satellite, colour } => {
                let colour = *colour;
                (satellite, &move |view: &mut SatelliteView| {
                    let (r, g, b) = colour.rgb();
                    view.eyes = Some(colour.as_str().to_string());
                    view.eyes_rgb = Some(format!("#{r:02x}{g:02x}{b:02x}"));
                })
            }
            Inbound::Heartbeat {
                satellite,
                heartbeat,
            } => {
                let mode = heartbeat.mode.as_str();
                (satellite, &move |view: &mut SatelliteView| {
                    view.online = true;
                    view.mode = Some(mode.to_string());
                })
            }
            Inbound::Wake { satellite, .. }
            | Inbound::AudioStart { satellite, .. }
            | Inbound::Text { satellite, .. } => {
                (satellite, &|view: &mut SatelliteView| view.online = true)
            }
            _ => return,
        };
        let id = satellite.as_str();
        let view = self
            .satellites
            .entry(id.to_string())
            .or_insert_with(|| SatelliteView {
                id: id.to_string(),
                online: true,
                ..SatelliteView::default()
            });
        update(view);
        view.last_seen_ms = now_ms;
    }

    /// Records a finished turn, forgetting the oldest beyond [`LAST_TURNS`].
    pub(crate) fn turn(&mut self, turn: TurnView) {
        if self.turns.len() == LAST_TURNS {
            self.turns.pop_front();
        }
        self.turns.push_back(turn);
    }

    pub(crate) fn satellites(&self) -> Vec<SatelliteView> {
        self.satellites.values().cloned().collect()
    }

    pub(crate) fn online(&self) -> usize {
        self.satellites.values().filter(|view| view.online).count()
    }

    /// The last turns, newest first.
    pub(crate) fn turns(&self) -> Vec<TurnView> {
        self.turns.iter().rev().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use hive_topics::{EyeColour, Mode, SatelliteId};

    use super::*;

    fn id(name: &str) -> SatelliteId {
        SatelliteId::new(name).unwrap()
    }

    #[test]
    fn satellites_follow_status_mode_and_eyes() {
        let mut board = Board::default();
        board.observe(
            &Inbound::SatelliteStatus {
                satellite: id("kitchen"),
                availability: Availability::Online,
            },
            1,
        );
        board.observe(
            &Inbound::Eyes {
                satellite: id("kitchen"),
                colour: EyeColour::Blue,
            },
            2,
        );
        board.observe(
            &Inbound::Mode {
                satellite: id("kitchen"),
                mode: Mode::Listening,
            },
            3,
        );
        board.observe(
            &Inbound::SatelliteStatus {
                satellite: id("attic"),
                availability: Availability::Offline,
            },
            4,
        );
        let views = board.satellites();
        assert_eq!(views.len(), 2);
        assert_eq!(board.online(), 1);
        let kitchen = views.iter().find(|view| view.id == "kitchen").unwrap();
        assert_eq!(kitchen.eyes.as_deref(), Some("blue"));
        assert_eq!(kitchen.eyes_rgb.as_deref(), Some("#0050ff"));
        assert_eq!(kitchen.mode.as_deref(), Some("listening"));
        assert_eq!(kitchen.last_seen_ms, 3);
        assert!(!views.iter().find(|view| view.id == "attic").unwrap().online);
    }

    #[test]
    fn only_the_last_turns_are_kept_newest_first() {
        let mut board = Board::default();
        for at_ms in 0..(LAST_TURNS as u64 + 5) {
            board.turn(TurnView {
                at_ms,
                satellite: None,
                question: String::new(),
                reply: String::new(),
                outcome: "answered".into(),
                timings: None,
            });
        }
        let turns = board.turns();
        assert_eq!(turns.len(), LAST_TURNS);
        assert_eq!(turns[0].at_ms, LAST_TURNS as u64 + 4);
    }
}
