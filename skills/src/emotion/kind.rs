//! The emotions the face can show.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An emotion, as named in the `show_emotion` tool and on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Emotion {
    /// No particular emotion; the resting face.
    Neutral,
    /// Happy.
    Happy,
    /// Sad.
    Sad,
    /// Angry.
    Angry,
    /// Surprised.
    Surprised,
    /// Thinking.
    Thinking,
    /// Sleepy.
    Sleepy,
    /// Love.
    Love,
}

impl Emotion {
    /// Every emotion, in the manifest's order.
    pub const ALL: [Emotion; 8] = [
        Emotion::Neutral,
        Emotion::Happy,
        Emotion::Sad,
        Emotion::Angry,
        Emotion::Surprised,
        Emotion::Thinking,
        Emotion::Sleepy,
        Emotion::Love,
    ];

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Emotion::Neutral => "neutral",
            Emotion::Happy => "happy",
            Emotion::Sad => "sad",
            Emotion::Angry => "angry",
            Emotion::Surprised => "surprised",
            Emotion::Thinking => "thinking",
            Emotion::Sleepy => "sleepy",
            Emotion::Love => "love",
        }
    }
}

/// A name that is not an [`Emotion`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown emotion `{0}`")]
pub struct UnknownEmotion(pub String);

impl FromStr for Emotion {
    type Err = UnknownEmotion;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let lowered = text.trim().to_ascii_lowercase();
        Emotion::ALL
            .into_iter()
            .find(|emotion| emotion.as_str() == lowered)
            .ok_or_else(|| UnknownEmotion(text.to_owned()))
    }
}

impl fmt::Display for Emotion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
