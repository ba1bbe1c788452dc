//! What the satellite did, for observers: tests, a status display. Sent on a broadcast
//! channel; a slow observer misses events (it lags), it never slows the satellite.

use std::path::PathBuf;

use hive_skills::Lang;
use hive_topics::{Emotion, EndReason};

use crate::playback::PlayKey;
use crate::state::{DegradedReason, EyeView, Timer};

/// One thing the satellite did.
#[derive(Debug, Clone, PartialEq)]
pub enum SatelliteEvent {
    /// The eyes (and mode) changed.
    Eyes(EyeView),
    /// An emotion was shown.
    Emotion {
        /// Which.
        emotion: Emotion,
        /// 0–1.
        intensity: f32,
    },
    /// Degraded mode began (with why) or ended (`None`).
    Degraded(Option<DegradedReason>),
    /// A turn began (wake word or `listen`).
    Wake {
        /// Its session.
        session: u32,
        /// The detector's score (1 for `listen`).
        score: f32,
        /// Whether the bridge answers it (false: the satellite does).
        to_bridge: bool,
    },
    /// A capture ended.
    CaptureEnded {
        /// The session.
        session: u32,
        /// Why.
        reason: EndReason,
        /// Chunks captured.
        chunks: u32,
    },
    /// Local speech-to-text heard this.
    Heard {
        /// The session.
        session: u32,
        /// The words.
        text: String,
    },
    /// A piece of the bridge's reply text.
    Reply {
        /// The session.
        session: u32,
        /// Its index.
        index: u32,
        /// The text.
        text: String,
    },
    /// The satellite answers or announces something by itself.
    LocalReply {
        /// The turn, when it answers one.
        session: Option<u32>,
        /// What it says.
        text: String,
        /// In which language.
        lang: Lang,
        /// The intent that answered, if any.
        intent: Option<String>,
    },
    /// A local timer was set.
    TimerSet(Timer),
    /// A local timer rang.
    TimerFired(Timer),
    /// A sound finished playing.
    Played {
        /// Which.
        key: PlayKey,
        /// Cut short (stop, barge-in).
        interrupted: bool,
        /// Its file, for WAV outputs.
        path: Option<PathBuf>,
    },
    /// The audio source ended for good; everything it gave has been listened to.
    InputEnded,
    /// An action was carried out (or not).
    Action {
        /// Its id.
        id: String,
        /// Whether it worked.
        ok: bool,
    },
}
