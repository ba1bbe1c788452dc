//! The eye colour and the published mode, from the session's stage, whether the satellite
//! is degraded, a passing error and a lasting fault.
//!
//! Priority, highest first: a fault or an unexpired error shows red; listening shows blue;
//! processing violet; otherwise white, or yellow while degraded. The mode follows the stage,
//! except that an idle degraded satellite says `degraded` and a faulty one `error`.

use std::time::Instant;

use hive_topics::{EyeColour, Mode};

use super::turn::Stage;

/// What the eyes show and the mode the satellite publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EyeView {
    /// The colour.
    pub colour: EyeColour,
    /// The mode.
    pub mode: Mode,
}

/// Something that may change the eyes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EyeInput {
    /// The session moved to a stage.
    Stage(Stage),
    /// The satellite became degraded (true) or normal again (false).
    Degraded(bool),
    /// Something failed: show red until `until` (a turn failed, the bridge reported an
    /// error).
    Error {
        /// When red ends.
        until: Instant,
    },
    /// A lasting fault (microphone or speaker gone) began (true) or cleared (false).
    Fault(bool),
    /// Time passed: an error may have expired.
    Tick,
}

/// The eye state machine.
#[derive(Debug, Clone)]
pub struct Eyes {
    stage: Stage,
    degraded: bool,
    fault: bool,
    error_until: Option<Instant>,
    shown: EyeView,
}

impl Eyes {
    /// Idle, degraded or not.
    pub fn new(degraded: bool) -> Eyes {
        let mut eyes = Eyes {
            stage: Stage::Idle,
            degraded,
            fault: false,
            error_until: None,
            shown: EyeView {
                colour: EyeColour::White,
                mode: Mode::Idle,
            },
        };
        eyes.shown = eyes.compute(None);
        eyes
    }

    /// What is shown now.
    pub fn view(&self) -> EyeView {
        self.shown
    }

    /// When a shown error ends, for the runtime's timer.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.error_until
    }

    /// Applies `input` at `now`; returns the new view when it changed.
    pub fn apply(&mut self, input: EyeInput, now: Instant) -> Option<EyeView> {
        match input {
            EyeInput::Stage(stage) => self.stage = stage,
            EyeInput::Degraded(degraded) => self.degraded = degraded,
            EyeInput::Error { until } => {
                self.error_until = Some(self.error_until.map_or(until, |old| old.max(until)));
            }
            EyeInput::Fault(fault) => self.fault = fault,
            EyeInput::Tick => {}
        }
        if self.error_until.is_some_and(|until| until <= now) {
            self.error_until = None;
        }
        let view = self.compute(Some(now));
        (view != self.shown).then(|| {
            self.shown = view;
            view
        })
    }

    fn compute(&self, now: Option<Instant>) -> EyeView {
        let error = match (self.error_until, now) {
            (Some(until), Some(now)) => until > now,
            (Some(_), None) => true,
            (None, _) => false,
        };
        let calm = if self.degraded {
            EyeColour::Yellow
        } else {
            EyeColour::White
        };
        let colour = if self.fault || error {
            EyeColour::Red
        } else {
            match self.stage {
                Stage::Listening => EyeColour::Blue,
                Stage::Processing => EyeColour::Violet,
                Stage::Responding | Stage::Idle => calm,
            }
        };
        let mode = if self.fault {
            Mode::Error
        } else {
            match self.stage {
                Stage::Idle if self.degraded => Mode::Degraded,
                Stage::Idle => Mode::Idle,
                Stage::Listening => Mode::Listening,
                Stage::Processing => Mode::Processing,
                Stage::Responding => Mode::Responding,
            }
        };
        EyeView { colour, mode }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use EyeColour::{Blue, Red, Violet, White, Yellow};

    const STAGES: [Stage; 4] = [
        Stage::Idle,
        Stage::Listening,
        Stage::Processing,
        Stage::Responding,
    ];

    fn eyes_at(stage: Stage, degraded: bool, now: Instant) -> Eyes {
        let mut eyes = Eyes::new(degraded);
        eyes.apply(EyeInput::Stage(stage), now);
        eyes
    }

    fn colour_of(stage: Stage, degraded: bool) -> EyeColour {
        match (stage, degraded) {
            (Stage::Listening, _) => Blue,
            (Stage::Processing, _) => Violet,
            (Stage::Idle | Stage::Responding, false) => White,
            (Stage::Idle | Stage::Responding, true) => Yellow,
        }
    }

    #[test]
    fn the_first_view_is_white_or_yellow() {
        assert_eq!(
            Eyes::new(false).view(),
            EyeView {
                colour: White,
                mode: Mode::Idle
            }
        );
        assert_eq!(
            Eyes::new(true).view(),
            EyeView {
                colour: Yellow,
                mode: Mode::Degraded
            }
        );
    }

    /// Every stage to every stage, normal and degraded: (from, to, degraded, colour, mode).
    #[test]
    fn every_stage_transition() {
        use Mode as M;
        use Stage as S;
        let table = [
            (S::Idle, S::Idle, false, White, M::Idle),
            (S::Idle, S::Listening, false, Blue, M::Listening),
            (S::Idle, S::Processing, false, Violet, M::Processing),
            (S::Idle, S::Responding, false, White, M::Responding),
            (S::Listening, S::Idle, false, White, M::Idle),
            (S::Listening, S::Listening, false, Blue, M::Listening),
            (S::Listening, S::Processing, false, Violet, M::Processing),
            (S::Listening, S::Responding, false, White, M::Responding),
            (S::Processing, S::Idle, false, White, M::Idle),
            (S::Processing, S::Listening, false, Blue, M::Listening),
            (S::Processing, S::Processing, false, Violet, M::Processing),
            (S::Processing, S::Responding, false, White, M::Responding),
            (S::Responding, S::Idle, false, White, M::Idle),
            (S::Responding, S::Listening, false, Blue, M::Listening),
            (S::Responding, S::Processing, false, Violet, M::Processing),
            (S::Responding, S::Responding, false, White, M::Responding),
            (S::Idle, S::Idle, true, Yellow, M::Degraded),
            (S::Idle, S::Listening, true, Blue, M::Listening),
            (S::Idle, S::Processing, true, Violet, M::Processing),
            (S::Idle, S::Responding, true, Yellow, M::Responding),
            (S::Listening, S::Idle, true, Yellow, M::Degraded),
            (S::Listening, S::Listening, true, Blue, M::Listening),
            (S::Listening, S::Processing, true, Violet, M::Processing),
            (S::Listening, S::Responding, true, Yellow, M::Responding),
            (S::Processing, S::Idle, true, Yellow, M::Degraded),
            (S::Processing, S::Listening, true, Blue, M::Listening),
            (S::Processing, S::Processing, true, Violet, M::Processing),
            (S::Processing, S::Responding, true, Yellow, M::Responding),
            (S::Responding, S::Idle, true, Yellow, M::Degraded),
            (S::Responding, S::Listening, true, Blue, M::Listening),
            (S::Responding, S::Processing, true, Violet, M::Processing),
            (S::Responding, S::Responding, true, Yellow, M::Responding),
        ];
        assert_eq!(table.len(), STAGES.len() * STAGES.len() * 2);
        let now = Instant::now();
        for (from, to, degraded, colour, mode) in table {
            let mut eyes = eyes_at(from, degraded, now);
            let before = eyes.view();
            let changed = eyes.apply(EyeInput::Stage(to), now);
            let expected = EyeView { colour, mode };
            assert_eq!(
                eyes.view(),
                expected,
                "{from:?} -> {to:?}, degraded {degraded}"
            );
            assert_eq!(
                changed,
                (expected != before).then_some(expected),
                "{from:?} -> {to:?}: reported change"
            );
        }
    }

    /// Entering and leaving degraded mode in every stage.
    #[test]
    fn every_degraded_transition() {
        let now = Instant::now();
        for stage in STAGES {
            for (from, to) in [(false, true), (true, false), (false, false), (true, true)] {
                let mut eyes = eyes_at(stage, from, now);
                eyes.apply(EyeInput::Degraded(to), now);
                let view = eyes.view();
                assert_eq!(view.colour, colour_of(stage, to), "{stage:?} {from}->{to}");
                let idle_mode = if to { Mode::Degraded } else { Mode::Idle };
                if stage == Stage::Idle {
                    assert_eq!(view.mode, idle_mode);
                } else {
                    assert_ne!(view.mode, Mode::Degraded, "only idle says degraded");
                }
            }
        }
    }

    /// An error shows red in every stage until it expires, then the stage's colour returns;
    /// a later, longer error extends it; the mode never changes for an error.
    #[test]
    fn every_error_transition() {
        let now = Instant::now();
        let until = now + Duration::from_secs(3);
        for stage in STAGES {
            for degraded in [false, true] {
                let mut eyes = eyes_at(stage, degraded, now);
                let mode = eyes.view().mode;
                let shown = eyes.apply(EyeInput::Error { until }, now).unwrap();
                assert_eq!(shown, EyeView { colour: Red, mode }, "{stage:?}");
                // Time passing within the error keeps red.
                eyes.apply(EyeInput::Tick, now + Duration::from_secs(1));
                assert_eq!(eyes.view().colour, Red);
                // An overlapping later error extends it.
                eyes.apply(
                    EyeInput::Error {
                        until: now + Duration::from_secs(5),
                    },
                    now + Duration::from_secs(1),
                );
                assert_eq!(eyes.apply(EyeInput::Tick, until), None, "extended");
                assert_eq!(eyes.next_deadline(), Some(now + Duration::from_secs(5)));
                let back = eyes
                    .apply(EyeInput::Tick, now + Duration::from_secs(5))
                    .unwrap();
                assert_eq!(back.colour, colour_of(stage, degraded), "{stage:?}");
                assert_eq!(eyes.next_deadline(), None);
            }
        }
    }

    /// While an error shows red, every stage change and every degraded change keeps red
    /// ("a stage change during the error keeps red") while the mode follows the stage at
    /// once; when the error ends, the colour is the one the new state calls for.
    /// Rows: (from stage, from degraded, input, mode during red, colour after the error).
    #[test]
    fn stage_and_degraded_changes_during_an_error_keep_red() {
        use EyeInput::{Degraded, Stage as To};
        use Mode as M;
        use Stage as S;
        let table = [
            (S::Idle, false, To(S::Listening), M::Listening, Blue),
            (S::Idle, false, To(S::Processing), M::Processing, Violet),
            (S::Idle, false, To(S::Responding), M::Responding, White),
            (
                S::Listening,
                false,
                To(S::Processing),
                M::Processing,
                Violet,
            ),
            (S::Listening, false, To(S::Idle), M::Idle, White),
            (
                S::Processing,
                false,
                To(S::Responding),
                M::Responding,
                White,
            ),
            (S::Processing, false, To(S::Idle), M::Idle, White),
            (S::Responding, false, To(S::Idle), M::Idle, White),
            (S::Responding, false, To(S::Listening), M::Listening, Blue),
            (S::Idle, true, To(S::Listening), M::Listening, Blue),
            (S::Processing, true, To(S::Idle), M::Degraded, Yellow),
            (S::Responding, true, To(S::Idle), M::Degraded, Yellow),
            (S::Idle, false, Degraded(true), M::Degraded, Yellow),
            (S::Idle, true, Degraded(false), M::Idle, White),
            (S::Listening, false, Degraded(true), M::Listening, Blue),
            (S::Processing, true, Degraded(false), M::Processing, Violet),
            (S::Responding, false, Degraded(true), M::Responding, Yellow),
            (S::Responding, true, Degraded(false), M::Responding, White),
        ];
        let now = Instant::now();
        let until = now + Duration::from_secs(3);
        let during = now + Duration::from_secs(1);
        for (stage, degraded, input, mode, after) in table {
            let row = format!("{stage:?} degraded {degraded}, {input:?}");
            let mut eyes = eyes_at(stage, degraded, now);
            eyes.apply(EyeInput::Error { until }, now);
            let before = eyes.view();
            let changed = eyes.apply(input, during);
            let expected = EyeView { colour: Red, mode };
            assert_eq!(eyes.view(), expected, "{row}");
            assert_eq!(
                changed,
                (expected != before).then_some(expected),
                "{row}: reported change"
            );
            assert_eq!(
                eyes.next_deadline(),
                Some(until),
                "{row}: the error keeps its end"
            );
            assert_eq!(
                eyes.apply(EyeInput::Tick, until),
                Some(EyeView {
                    colour: after,
                    mode
                }),
                "{row}: after the error"
            );
        }
    }

    /// A fault and an error at once: red until both are gone; the mode says `error` only
    /// while the fault lasts.
    #[test]
    fn a_fault_and_an_error_together_stay_red_until_both_end() {
        let now = Instant::now();
        let until = now + Duration::from_secs(3);
        for stage in STAGES {
            for degraded in [false, true] {
                let row = format!("{stage:?} degraded {degraded}");
                // The fault clears first: still red for the error, the stage's mode back.
                let mut eyes = eyes_at(stage, degraded, now);
                let calm = eyes.view();
                eyes.apply(EyeInput::Error { until }, now);
                eyes.apply(EyeInput::Fault(true), now);
                assert_eq!(
                    eyes.view(),
                    EyeView {
                        colour: Red,
                        mode: Mode::Error
                    },
                    "{row}"
                );
                eyes.apply(EyeInput::Fault(false), now + Duration::from_secs(1));
                assert_eq!(
                    eyes.view(),
                    EyeView {
                        colour: Red,
                        mode: calm.mode
                    },
                    "{row}"
                );
                assert_eq!(eyes.apply(EyeInput::Tick, until), Some(calm), "{row}");

                // The error ends first: still red and `error` for the fault.
                let mut eyes = eyes_at(stage, degraded, now);
                eyes.apply(EyeInput::Error { until }, now);
                eyes.apply(EyeInput::Fault(true), now);
                assert_eq!(eyes.apply(EyeInput::Tick, until), None, "{row}");
                assert_eq!(eyes.next_deadline(), None, "{row}");
                // A degraded change under the fault shows nothing new either.
                assert_eq!(
                    eyes.apply(EyeInput::Degraded(!degraded), until),
                    None,
                    "{row}"
                );
                assert_eq!(
                    eyes.apply(EyeInput::Fault(false), until)
                        .map(|view| view.colour),
                    Some(colour_of(stage, !degraded)),
                    "{row}"
                );
            }
        }
    }

    /// An error that has already expired changes nothing.
    #[test]
    fn an_expired_error_is_ignored() {
        let now = Instant::now();
        let mut eyes = Eyes::new(false);
        assert_eq!(eyes.apply(EyeInput::Error { until: now }, now), None);
        assert_eq!(eyes.view().colour, White);
    }

    /// A fault shows red and mode `error` in every stage, and clears back to the stage.
    #[test]
    fn every_fault_transition() {
        let now = Instant::now();
        for stage in STAGES {
            for degraded in [false, true] {
                let mut eyes = eyes_at(stage, degraded, now);
                let before = eyes.view();
                assert_eq!(
                    eyes.apply(EyeInput::Fault(true), now),
                    Some(EyeView {
                        colour: Red,
                        mode: Mode::Error
                    })
                );
                assert_eq!(eyes.apply(EyeInput::Fault(true), now), None);
                assert_eq!(eyes.apply(EyeInput::Fault(false), now), Some(before));
            }
        }
    }

    #[test]
    fn a_tick_without_an_error_changes_nothing() {
        let now = Instant::now();
        for stage in STAGES {
            let mut eyes = eyes_at(stage, false, now);
            assert_eq!(
                eyes.apply(EyeInput::Tick, now + Duration::from_secs(60)),
                None
            );
        }
    }
}
