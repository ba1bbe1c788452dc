//! A voice turn's stages: listening, waiting for the answer, playing it, back to idle.
//!
//! One turn at a time. A turn goes to the bridge (`Route::Bridge`) or is answered on the
//! satellite (`Route::Local`, in degraded mode). While the turn waits for something from the
//! bridge it has a deadline: the first answer after the end of speech, then each following
//! piece of it. The runtime turns an expired deadline into a local answer or the end of the
//! turn.

use std::time::{Duration, Instant};

/// Where a turn stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// No turn.
    Idle,
    /// Capturing the question.
    Listening,
    /// The question is complete; the answer is being worked out.
    Processing,
    /// The answer is being played.
    Responding,
}

/// Who answers a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// The bridge, over MQTT.
    Bridge,
    /// The satellite itself (degraded mode).
    Local,
}

/// The current turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    /// Its session id.
    pub session: u32,
    /// Who answers.
    pub route: Route,
    /// Where it stands.
    pub stage: Stage,
    /// When waiting for the bridge runs out.
    pub deadline: Option<Instant>,
}

/// A deadline that ran out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expiry {
    /// The bridge did not start answering in time: the turn is now local and processing;
    /// answer it on the satellite.
    NoAnswer(Turn),
    /// The bridge stopped sending the rest of its answer: the turn ended.
    Stalled(Turn),
}

/// The turn tracker.
#[derive(Debug, Clone)]
pub struct Turns {
    current: Option<Turn>,
    reply_timeout: Duration,
}

impl Turns {
    /// No turn; the bridge gets `reply_timeout` to answer.
    pub fn new(reply_timeout: Duration) -> Turns {
        Turns {
            current: None,
            reply_timeout,
        }
    }

    /// The current turn.
    pub fn current(&self) -> Option<&Turn> {
        self.current.as_ref()
    }

    /// The current stage.
    pub fn stage(&self) -> Stage {
        self.current.as_ref().map_or(Stage::Idle, |turn| turn.stage)
    }

    /// Whether `session` is the current turn's.
    pub fn is_current(&self, session: u32) -> bool {
        self.current
            .as_ref()
            .is_some_and(|turn| turn.session == session)
    }

    /// When the current turn's deadline runs out.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.current.as_ref().and_then(|turn| turn.deadline)
    }

    /// Starts a turn listening; returns the turn it replaces (barge-in), which the caller
    /// must stop.
    pub fn begin(&mut self, session: u32, route: Route) -> Option<Turn> {
        self.current.replace(Turn {
            session,
            route,
            stage: Stage::Listening,
            deadline: None,
        })
    }

    /// The capture ended (local end of speech, the bridge's `end_of_speech`, the longest
    /// utterance): listening becomes processing, and a bridge turn starts waiting for its
    /// answer. Returns the turn when it changed.
    pub fn listening_ended(&mut self, session: u32, now: Instant) -> Option<&Turn> {
        let timeout = self.reply_timeout;
        let turn = self
            .current
            .as_mut()
            .filter(|turn| turn.session == session && turn.stage == Stage::Listening)?;
        turn.stage = Stage::Processing;
        turn.deadline = (turn.route == Route::Bridge).then_some(now + timeout);
        Some(turn)
    }

    /// A piece of the answer (text or audio) of `session` arrived from the bridge. Returns
    /// false when it is not the current turn's (a late answer to an abandoned turn).
    pub fn bridge_answered(&mut self, session: u32, now: Instant) -> bool {
        let timeout = self.reply_timeout;
        let Some(turn) = self
            .current
            .as_mut()
            .filter(|turn| turn.session == session && turn.route == Route::Bridge)
        else {
            return false;
        };
        if matches!(turn.stage, Stage::Listening | Stage::Processing) {
            turn.stage = Stage::Responding;
        }
        turn.deadline = Some(now + timeout);
        true
    }

    /// The local answer of `session` is ready to play.
    pub fn local_answered(&mut self, session: u32) -> bool {
        let Some(turn) = self
            .current
            .as_mut()
            .filter(|turn| turn.session == session && turn.route == Route::Local)
        else {
            return false;
        };
        turn.stage = Stage::Responding;
        turn.deadline = None;
        true
    }

    /// Audio of the current turn is playing: waiting is not stalling.
    pub fn playing(&mut self, session: u32) {
        if let Some(turn) = self.current.as_mut().filter(|turn| turn.session == session) {
            turn.deadline = None;
        }
    }

    /// Everything received so far has played but the answer is not complete: wait for the
    /// rest, with a deadline.
    pub fn waiting(&mut self, session: u32, now: Instant) {
        let timeout = self.reply_timeout;
        if let Some(turn) = self
            .current
            .as_mut()
            .filter(|turn| turn.session == session && turn.route == Route::Bridge)
        {
            turn.deadline = Some(now + timeout);
        }
    }

    /// The whole answer of `session` played: the turn is over.
    pub fn finished(&mut self, session: u32) -> Option<Turn> {
        self.take_if(|turn| turn.session == session)
    }

    /// `control` `stop`: stop playback at once. Ends the turn only when it is responding
    /// (and is `session`, if given).
    pub fn stop(&mut self, session: Option<u32>) -> Option<Turn> {
        self.take_if(|turn| {
            turn.stage == Stage::Responding && session.is_none_or(|s| s == turn.session)
        })
    }

    /// `control` `cancel`, or an error for the turn: abandon it whatever its stage.
    pub fn cancel(&mut self, session: Option<u32>) -> Option<Turn> {
        self.take_if(|turn| session.is_none_or(|s| s == turn.session))
    }

    /// Checks the deadline at `now`.
    pub fn expire(&mut self, now: Instant) -> Option<Expiry> {
        let turn = self.current.as_mut()?;
        if turn.deadline.is_none_or(|deadline| deadline > now) {
            return None;
        }
        turn.deadline = None;
        if turn.stage == Stage::Processing && turn.route == Route::Bridge {
            turn.route = Route::Local;
            return Some(Expiry::NoAnswer(turn.clone()));
        }
        self.current.take().map(Expiry::Stalled)
    }

    fn take_if(&mut self, condition: impl FnOnce(&Turn) -> bool) -> Option<Turn> {
        if self.current.as_ref().is_some_and(condition) {
            self.current.take()
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMEOUT: Duration = Duration::from_secs(8);

    #[derive(Debug, Clone, Copy)]
    enum Step {
        Begin(u32, Route),
        Ended(u32),
        Bridge(u32),
        Local(u32),
        Playing(u32),
        Waiting(u32),
        Finished(u32),
        Stop(Option<u32>),
        Cancel(Option<u32>),
        /// Let the deadline pass and check it.
        Expire,
    }

    fn run(steps: &[Step]) -> (Turns, Option<Expiry>, Instant) {
        let start = Instant::now();
        let mut now = start;
        let mut turns = Turns::new(TIMEOUT);
        let mut expiry = None;
        for step in steps {
            match *step {
                Step::Begin(session, route) => {
                    turns.begin(session, route);
                }
                Step::Ended(session) => {
                    turns.listening_ended(session, now);
                }
                Step::Bridge(session) => {
                    turns.bridge_answered(session, now);
                }
                Step::Local(session) => {
                    turns.local_answered(session);
                }
                Step::Playing(session) => turns.playing(session),
                Step::Waiting(session) => turns.waiting(session, now),
                Step::Finished(session) => {
                    turns.finished(session);
                }
                Step::Stop(session) => {
                    turns.stop(session);
                }
                Step::Cancel(session) => {
                    turns.cancel(session);
                }
                Step::Expire => {
                    now += TIMEOUT;
                    expiry = turns.expire(now);
                }
            }
        }
        (turns, expiry, start)
    }

    #[test]
    fn every_stage_transition() {
        use Route::{Bridge as B, Local as L};
        use Stage::*;
        use Step::*;
        let table: &[(&str, &[Step], Stage, Option<Route>)] = &[
            ("idle at start", &[], Idle, None),
            ("wake: listening", &[Begin(1, B)], Listening, Some(B)),
            (
                "end of speech: processing",
                &[Begin(1, B), Ended(1)],
                Processing,
                Some(B),
            ),
            (
                "another session's end is ignored",
                &[Begin(1, B), Ended(2)],
                Listening,
                Some(B),
            ),
            (
                "first answer: responding",
                &[Begin(1, B), Ended(1), Bridge(1)],
                Responding,
                Some(B),
            ),
            (
                "an answer before the end of speech also responds",
                &[Begin(1, B), Bridge(1)],
                Responding,
                Some(B),
            ),
            (
                "a stale answer is ignored",
                &[Begin(1, B), Ended(1), Bridge(9)],
                Processing,
                Some(B),
            ),
            (
                "played: idle",
                &[Begin(1, B), Ended(1), Bridge(1), Finished(1)],
                Idle,
                None,
            ),
            (
                "another session finishing changes nothing",
                &[Begin(1, B), Ended(1), Bridge(1), Finished(2)],
                Responding,
                Some(B),
            ),
            (
                "stop while responding: idle",
                &[Begin(1, B), Bridge(1), Stop(None)],
                Idle,
                None,
            ),
            (
                "stop for this session: idle",
                &[Begin(1, B), Bridge(1), Stop(Some(1))],
                Idle,
                None,
            ),
            (
                "stop for another session is ignored",
                &[Begin(1, B), Bridge(1), Stop(Some(2))],
                Responding,
                Some(B),
            ),
            (
                "stop while listening is ignored",
                &[Begin(1, B), Stop(None)],
                Listening,
                Some(B),
            ),
            (
                "cancel while listening: idle",
                &[Begin(1, B), Cancel(None)],
                Idle,
                None,
            ),
            (
                "cancel while processing: idle",
                &[Begin(1, B), Ended(1), Cancel(Some(1))],
                Idle,
                None,
            ),
            (
                "cancel for another session is ignored",
                &[Begin(1, B), Ended(1), Cancel(Some(3))],
                Processing,
                Some(B),
            ),
            (
                "barge-in: a new wake replaces the turn",
                &[Begin(1, B), Bridge(1), Begin(2, B)],
                Listening,
                Some(B),
            ),
            ("local turn: listening", &[Begin(1, L)], Listening, Some(L)),
            (
                "local end of speech: processing",
                &[Begin(1, L), Ended(1)],
                Processing,
                Some(L),
            ),
            (
                "local answer: responding",
                &[Begin(1, L), Ended(1), Local(1)],
                Responding,
                Some(L),
            ),
            (
                "a bridge answer does not take over a local turn",
                &[Begin(1, L), Ended(1), Bridge(1)],
                Processing,
                Some(L),
            ),
            (
                "a local answer does not take over a bridge turn",
                &[Begin(1, B), Ended(1), Local(1)],
                Processing,
                Some(B),
            ),
            (
                "no answer in time: the turn turns local",
                &[Begin(1, B), Ended(1), Expire],
                Processing,
                Some(L),
            ),
            (
                "the answer stalls: idle",
                &[Begin(1, B), Ended(1), Bridge(1), Expire],
                Idle,
                None,
            ),
            (
                "playing is not stalling",
                &[Begin(1, B), Ended(1), Bridge(1), Playing(1), Expire],
                Responding,
                Some(B),
            ),
            (
                "waiting after playing may stall",
                &[
                    Begin(1, B),
                    Ended(1),
                    Bridge(1),
                    Playing(1),
                    Waiting(1),
                    Expire,
                ],
                Idle,
                None,
            ),
            (
                "listening has no deadline",
                &[Begin(1, B), Expire],
                Listening,
                Some(B),
            ),
            (
                "a local turn has no deadline",
                &[Begin(1, L), Ended(1), Expire],
                Processing,
                Some(L),
            ),
        ];
        for (name, steps, stage, route) in table {
            let (turns, _, _) = run(steps);
            assert_eq!(turns.stage(), *stage, "{name}");
            assert_eq!(turns.current().map(|turn| turn.route), *route, "{name}");
        }
    }

    #[test]
    fn expiries_say_what_ran_out() {
        use Step::*;
        let (_, expiry, _) = run(&[Begin(5, Route::Bridge), Ended(5), Expire]);
        assert!(
            matches!(
                expiry,
                Some(Expiry::NoAnswer(Turn {
                    session: 5,
                    route: Route::Local,
                    stage: Stage::Processing,
                    ..
                }))
            ),
            "{expiry:?}"
        );
        let (_, expiry, _) = run(&[Begin(5, Route::Bridge), Bridge(5), Expire]);
        assert!(
            matches!(expiry, Some(Expiry::Stalled(Turn { session: 5, .. }))),
            "{expiry:?}"
        );
    }

    #[test]
    fn the_reply_deadline_starts_at_the_end_of_speech() {
        let (turns, _, start) = run(&[Step::Begin(1, Route::Bridge), Step::Ended(1)]);
        assert_eq!(turns.next_deadline(), Some(start + TIMEOUT));
        let mut turns = turns;
        assert_eq!(
            turns.expire(start + TIMEOUT - Duration::from_millis(1)),
            None
        );
    }

    #[test]
    fn begin_returns_the_interrupted_turn() {
        let mut turns = Turns::new(TIMEOUT);
        assert_eq!(turns.begin(1, Route::Bridge), None);
        let old = turns.begin(2, Route::Local).unwrap();
        assert_eq!((old.session, old.stage), (1, Stage::Listening));
        assert!(turns.is_current(2));
    }
}
