//! Emotions on the satellite's face: the `show_emotion` skill and the decaying state the face
//! displays.

mod kind;
mod skill;
mod state;

pub use kind::{Emotion, UnknownEmotion};
pub use skill::{EmotionSkill, SHOW_EMOTION};
pub use state::{DEFAULT_HALF_LIFE, EmotionState};
