//! The face's current emotion, fading back to neutral: a plain state machine without I/O that
//! the satellite's display task polls.

use std::time::{Duration, Instant};

use crate::emotion::kind::Emotion;

/// Below this intensity an emotion is no longer visible: the face is neutral.
const VISIBLE: f32 = 0.1;

/// The default half-life of an emotion.
pub const DEFAULT_HALF_LIFE: Duration = Duration::from_secs(30);

/// An emotion that decays exponentially towards neutral.
#[derive(Debug, Clone, PartialEq)]
pub struct EmotionState {
    half_life: Duration,
    shown: Option<Shown>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Shown {
    emotion: Emotion,
    intensity: f32,
    since: Instant,
}

impl Default for EmotionState {
    fn default() -> Self {
        EmotionState::new(DEFAULT_HALF_LIFE)
    }
}

impl EmotionState {
    /// A neutral face whose emotions halve in intensity every `half_life` (a zero half-life
    /// makes them vanish at once).
    pub fn new(half_life: Duration) -> EmotionState {
        EmotionState {
            half_life,
            shown: None,
        }
    }

    /// Shows `emotion` at `intensity` (clamped to 0–1; not a number counts as 0) from `now`,
    /// replacing whatever was shown.
    pub fn set(&mut self, emotion: Emotion, intensity: f32, now: Instant) {
        let intensity = if intensity.is_nan() {
            0.0
        } else {
            intensity.clamp(0.0, 1.0)
        };
        self.shown = Some(Shown {
            emotion,
            intensity,
            since: now,
        });
    }

    /// The emotion and intensity at `now`: `intensity × 0.5^(elapsed / half-life)`, snapped to
    /// `(Neutral, 0.0)` below 0.1. Neutral is always reported with intensity 0. A `now` before
    /// the last `set` counts as no time elapsed.
    pub fn current(&self, now: Instant) -> (Emotion, f32) {
        let Some(shown) = self.shown else {
            return (Emotion::Neutral, 0.0);
        };
        let elapsed = now.saturating_duration_since(shown.since);
        let intensity = if self.half_life.is_zero() {
            if elapsed.is_zero() {
                shown.intensity
            } else {
                0.0
            }
        } else {
            let half_lives = elapsed.as_secs_f64() / self.half_life.as_secs_f64();
            (f64::from(shown.intensity) * 0.5f64.powf(half_lives)) as f32
        };
        if shown.emotion == Emotion::Neutral || intensity < VISIBLE {
            (Emotion::Neutral, 0.0)
        } else {
            (shown.emotion, intensity)
        }
    }

    /// When the face turns neutral by itself: the first instant at which [`current`] reports
    /// `Neutral`, so that a display can sleep until then instead of polling. `None` when it
    /// is neutral already, at the last `set`.
    ///
    /// [`current`]: EmotionState::current
    pub fn fades_at(&self) -> Option<Instant> {
        let shown = self.shown?;
        if shown.emotion == Emotion::Neutral || shown.intensity < VISIBLE {
            return None;
        }
        // A millisecond past the exact crossing, where the intensity equals VISIBLE and still
        // shows: rounding never wakes a display a moment too early.
        let margin = Duration::from_millis(1);
        if self.half_life.is_zero() {
            return Some(shown.since + margin);
        }
        let half_lives = (f64::from(shown.intensity) / f64::from(VISIBLE)).log2();
        let visible_for = Duration::try_from_secs_f64(self.half_life.as_secs_f64() * half_lives)
            .unwrap_or(Duration::MAX / 2);
        shown.since.checked_add(visible_for + margin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decays_exponentially_and_snaps_to_neutral() {
        let start = Instant::now();
        let mut state = EmotionState::default();
        assert_eq!(state.current(start), (Emotion::Neutral, 0.0));
        state.set(Emotion::Happy, 0.8, start);
        let cases: &[(u64, Emotion, f32)] = &[
            (0, Emotion::Happy, 0.8),
            (30, Emotion::Happy, 0.4),
            (60, Emotion::Happy, 0.2),
            (89, Emotion::Happy, 0.1023),
            (91, Emotion::Neutral, 0.0),
            (3600, Emotion::Neutral, 0.0),
        ];
        for (secs, emotion, intensity) in cases {
            let (got, level) = state.current(start + Duration::from_secs(*secs));
            assert_eq!(got, *emotion, "{secs} s");
            assert!((level - intensity).abs() < 1e-4, "{secs} s: {level}");
        }
    }

    #[test]
    fn set_replaces_clamps_and_honours_the_half_life() {
        let start = Instant::now();
        let mut state = EmotionState::new(Duration::from_secs(10));
        state.set(Emotion::Sad, 7.0, start);
        assert_eq!(state.current(start), (Emotion::Sad, 1.0));
        assert!((state.current(start + Duration::from_secs(10)).1 - 0.5).abs() < 1e-4);
        state.set(Emotion::Love, 0.5, start + Duration::from_secs(10));
        assert_eq!(
            state.current(start + Duration::from_secs(10)),
            (Emotion::Love, 0.5)
        );
        // A clock read before the last set does not make the emotion grow.
        assert_eq!(state.current(start), (Emotion::Love, 0.5));
        state.set(Emotion::Angry, f32::NAN, start);
        assert_eq!(state.current(start), (Emotion::Neutral, 0.0));
        state.set(Emotion::Angry, 0.05, start);
        assert_eq!(state.current(start), (Emotion::Neutral, 0.0));
        state.set(Emotion::Neutral, 1.0, start);
        assert_eq!(state.current(start), (Emotion::Neutral, 0.0));
    }

    #[test]
    fn fades_at_is_the_first_neutral_instant() {
        let start = Instant::now();
        let mut state = EmotionState::default();
        assert_eq!(state.fades_at(), None, "nothing shown");
        // 0.8 halves to 0.1 in three half-lives: 90 s.
        state.set(Emotion::Happy, 0.8, start);
        let fades = state.fades_at().unwrap();
        let after = fades.duration_since(start);
        assert!(
            after > Duration::from_secs(90) && after < Duration::from_millis(90_010),
            "{after:?}"
        );
        assert_eq!(state.current(fades).0, Emotion::Neutral);
        assert_eq!(
            state.current(fades - Duration::from_millis(5)).0,
            Emotion::Happy
        );
        // Full intensity with a one-second half-life: log2(10) ≈ 3.32 s.
        let mut quick = EmotionState::new(Duration::from_secs(1));
        quick.set(Emotion::Love, 1.0, start);
        let after = quick.fades_at().unwrap().duration_since(start);
        assert!(
            after > Duration::from_millis(3320) && after < Duration::from_millis(3330),
            "{after:?}"
        );
        for (emotion, intensity) in [(Emotion::Neutral, 1.0), (Emotion::Sad, 0.05)] {
            state.set(emotion, intensity, start);
            assert_eq!(state.fades_at(), None, "{emotion} {intensity}");
        }
        let mut instant = EmotionState::new(Duration::ZERO);
        instant.set(Emotion::Angry, 1.0, start);
        let fades = instant.fades_at().unwrap();
        assert!(fades > start);
        assert_eq!(instant.current(fades).0, Emotion::Neutral);
    }

    #[test]
    fn a_zero_half_life_shows_only_the_instant_of_setting() {
        let start = Instant::now();
        let mut state = EmotionState::new(Duration::ZERO);
        state.set(Emotion::Surprised, 1.0, start);
        assert_eq!(state.current(start), (Emotion::Surprised, 1.0));
        assert_eq!(
            state.current(start + Duration::from_millis(1)),
            (Emotion::Neutral, 0.0)
        );
    }
}
