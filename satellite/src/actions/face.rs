//! The emotion on the eyes over time. `show_emotion` shows an emotion at once; it then fades
//! (the skills crate's [`EmotionState`], halving every `[eyes] emotion_half_life_s`) and, once
//! too faint to see, the eyes go back to neutral and their normal colour. A plain state
//! machine: the runtime sleeps until [`Face::next_deadline`] and applies [`Face::tick`].

use std::time::{Duration, Instant};

use hive_skills::emotion::{Emotion as Felt, EmotionState};
use hive_topics::Emotion;

/// The emotion the eyes show, and when it goes.
#[derive(Debug, Clone)]
pub struct Face {
    state: EmotionState,
    /// When the shown emotion fades; `None` while the eyes show no emotion.
    fades_at: Option<Instant>,
}

impl Face {
    /// A neutral face whose emotions halve in intensity every `half_life`.
    pub fn new(half_life: Duration) -> Face {
        Face {
            state: EmotionState::new(half_life),
            fades_at: None,
        }
    }

    /// Shows `emotion` at `intensity` from `now`, replacing the one shown. Neutral, or an
    /// emotion too faint to see, clears the face at once: nothing is left to fade.
    pub fn show(&mut self, emotion: Emotion, intensity: f32, now: Instant) {
        self.state.set(felt(emotion), intensity, now);
        self.fades_at = self.state.fades_at();
    }

    /// The emotion and its intensity at `now`.
    pub fn current(&self, now: Instant) -> (Emotion, f32) {
        let (emotion, intensity) = self.state.current(now);
        (shown(emotion), intensity)
    }

    /// When the shown emotion fades, for the runtime's timer.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.fades_at
    }

    /// Time passed: true once, when the shown emotion has just faded and the eyes should go
    /// back to neutral.
    pub fn tick(&mut self, now: Instant) -> bool {
        // The deadline alone decides, so that a wake-up at the deadline always ends the
        // emotion (no float rounding can leave the runtime waking in a loop).
        if self.fades_at.is_some_and(|at| at <= now) {
            self.fades_at = None;
            return true;
        }
        false
    }
}

/// The protocol's emotion as the skills crate's.
fn felt(emotion: Emotion) -> Felt {
    match emotion {
        Emotion::Neutral => Felt::Neutral,
        Emotion::Happy => Felt::Happy,
        Emotion::Sad => Felt::Sad,
        Emotion::Angry => Felt::Angry,
        Emotion::Surprised => Felt::Surprised,
        Emotion::Thinking => Felt::Thinking,
        Emotion::Sleepy => Felt::Sleepy,
        Emotion::Love => Felt::Love,
    }
}

/// The skills crate's emotion as the protocol's.
fn shown(emotion: Felt) -> Emotion {
    match emotion {
        Felt::Neutral => Emotion::Neutral,
        Felt::Happy => Emotion::Happy,
        Felt::Sad => Emotion::Sad,
        Felt::Angry => Emotion::Angry,
        Felt::Surprised => Emotion::Surprised,
        Felt::Thinking => Emotion::Thinking,
        Felt::Sleepy => Emotion::Sleepy,
        Felt::Love => Emotion::Love,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "Now" as the runtime reads it: tokio's clock, paused in these tests.
    fn now() -> Instant {
        tokio::time::Instant::now().into_std()
    }

    /// Sleeps until the face's deadline, as the runtime's loop does, and ticks.
    async fn wait(face: &mut Face) -> Duration {
        let start = now();
        let deadline = face.next_deadline().expect("an emotion is fading");
        tokio::time::sleep_until(tokio::time::Instant::from_std(deadline)).await;
        assert!(face.tick(now()), "the deadline ends the emotion");
        now() - start
    }

    #[test]
    fn every_protocol_emotion_round_trips() {
        for emotion in [
            Emotion::Neutral,
            Emotion::Happy,
            Emotion::Sad,
            Emotion::Angry,
            Emotion::Surprised,
            Emotion::Thinking,
            Emotion::Sleepy,
            Emotion::Love,
        ] {
            assert_eq!(shown(felt(emotion)), emotion);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn an_emotion_fades_back_to_neutral_after_its_half_lives() {
        let mut face = Face::new(Duration::from_secs(30));
        assert_eq!(face.next_deadline(), None);
        face.show(Emotion::Happy, 1.0, now());
        assert_eq!(face.current(now()), (Emotion::Happy, 1.0));
        assert!(!face.tick(now()), "not yet");

        // Still happy, fainter, a minute later.
        tokio::time::sleep(Duration::from_secs(60)).await;
        let (emotion, intensity) = face.current(now());
        assert_eq!(emotion, Emotion::Happy);
        assert!((intensity - 0.25).abs() < 1e-3, "{intensity}");
        assert!(!face.tick(now()));

        // 1 → 0.1 takes log2(10) half-lives: 99.7 s in all.
        let waited = wait(&mut face).await + Duration::from_secs(60);
        assert!(
            waited > Duration::from_millis(99_600) && waited < Duration::from_millis(99_800),
            "{waited:?}"
        );
        assert_eq!(face.current(now()), (Emotion::Neutral, 0.0));
        assert_eq!(face.next_deadline(), None, "faded once");
        assert!(!face.tick(now() + Duration::from_secs(3600)));
    }

    #[tokio::test(start_paused = true)]
    async fn a_new_emotion_restarts_the_fade_and_neutral_ends_it() {
        let mut face = Face::new(Duration::from_secs(1));
        face.show(Emotion::Sad, 0.4, now());
        tokio::time::sleep(Duration::from_millis(1500)).await;
        face.show(Emotion::Surprised, 0.8, now());
        // 0.8 → 0.1: three half-lives from the second emotion, not from the first.
        let waited = wait(&mut face).await;
        assert!(
            waited > Duration::from_secs(3) && waited < Duration::from_millis(3010),
            "{waited:?}"
        );

        face.show(Emotion::Love, 1.0, now());
        face.show(Emotion::Neutral, 1.0, now());
        assert_eq!(face.next_deadline(), None, "neutral has nothing to fade");
        assert_eq!(face.current(now()), (Emotion::Neutral, 0.0));
        face.show(Emotion::Angry, 0.05, now());
        assert_eq!(face.next_deadline(), None, "too faint to see");
    }
}
