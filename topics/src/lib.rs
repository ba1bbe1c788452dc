//! Hive's MQTT protocol, version 1: the topic tree and every payload, as plain Rust data.
//!
//! The bridge and the satellites agree on the wire through this crate alone. It does no I/O
//! and knows no MQTT client: [`Topics`] builds topic strings and [`Outbound`] messages (topic,
//! payload, [`QoS`], retain flag), and [`Topics::parse`] turns anything received into an
//! [`Inbound`] message or a typed [`ParseError`]. It never panics on input. The protocol
//! reference for people writing automations is this crate's `README.md`.
//!
//! # Parts
//!
//! - `id` — [`SatelliteId`], [`SensorName`], [`IntentName`], [`SkillName`]: validated topic
//!   levels.
//! - `tree` — [`Topics`]: the prefix, every topic, the bridge's and satellites' subscription
//!   lists, and [`topic_matches`] for MQTT wildcards.
//! - `route` — the reverse: a received topic resolved to its message kind.
//! - `limits` — [`Limits`]: the largest payloads accepted.
//! - `error` — [`TopicError`] and [`ParseError`], each with a stable `code()`.
//! - `inbound` — [`Inbound`] and the one parser, [`Topics::parse`] (and its inverse
//!   [`Topics::encode`]).
//! - `outbound` — [`Outbound`] and [`QoS`].
//! - One file per message family, each holding its types with their encoder and decoder:
//!   - `wake` — [`Wake`];
//!   - `audio` — [`AudioStart`], [`AudioChunk`] (binary), [`AudioEnd`];
//!   - `sensor` — [`SensorReading`];
//!   - `heartbeat` — [`Heartbeat`];
//!   - `action` — [`Action`], [`ActionAck`], [`KnownAction`], [`Emotion`];
//!   - `event` — [`LocalEvent`];
//!   - `reply` — [`ReplyChunk`], [`Timings`], [`TextInput`], [`ErrorReport`];
//!   - `tts` — [`TtsAudio`] (binary);
//!   - `control` — [`Control`];
//!   - `state` — retained [`Availability`], [`Mode`], [`EyeColour`], and [`Retained`];
//!   - `automation` — [`Say`], [`Ask`], [`AskReply`], [`IntentEvent`];
//!   - `timer` — [`TimerSet`], [`TimerCancel`], [`TimerEvent`], [`TimerInfo`];
//!   - `skill` — [`SkillManifest`], [`SkillRequest`], [`SkillResponse`] (external skills).
//!   - `summary` — retained [`TurnSummary`] and [`BridgeStats`] for dashboards.
//!
//! # Example
//!
//! ```
//! use hive_topics::{Inbound, QoS, SatelliteId, Topics, Wake};
//!
//! let topics = Topics::default(); // prefix `hive`
//! let kitchen = SatelliteId::new("kitchen")?;
//!
//! // Satellite side: build a message.
//! let wake = Wake { session: 7, wake_word: "hey_jarvis".into(), score: 0.93, energy: None };
//! let out = topics.encode_wake(&kitchen, &wake);
//! assert_eq!(out.topic, "hive/satellite/kitchen/wake");
//! assert_eq!((out.qos, out.retain), (QoS::AtLeastOnce, false));
//!
//! // Bridge side: parse whatever arrives.
//! match topics.parse(&out.topic, &out.payload)? {
//!     Inbound::Wake { satellite, wake } => assert_eq!((satellite.as_str(), wake.session), ("kitchen", 7)),
//!     other => panic!("unexpected {}", other.kind()),
//! }
//!
//! // Anything else is a typed error with a stable code.
//! let error = topics.parse("hive/satellite/kitchen/wake", b"{").unwrap_err();
//! assert_eq!(error.code(), "malformed_json");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod action;
mod audio;
mod automation;
mod codec;
mod control;
mod error;
mod event;
mod heartbeat;
mod id;
mod inbound;
mod limits;
mod outbound;
mod reply;
mod route;
mod sensor;
mod skill;
mod state;
mod summary;
mod timer;
mod tree;
mod tts;
mod wake;

#[cfg(test)]
mod protocol_tests;
#[cfg(test)]
mod readme_tests;
#[cfg(test)]
mod test_support;

pub use action::{Action, ActionAck, Emotion, KnownAction};
pub use audio::{AudioChunk, AudioEnd, AudioFormat, AudioStart, Encoding, EndReason};
pub use automation::{Ask, AskReply, IntentEvent, IntentSource, Say, Target};
pub use control::Control;
pub use error::{ParseError, TopicError};
pub use event::LocalEvent;
pub use heartbeat::Heartbeat;
pub use id::{IntentName, MAX_NAME_LEN, SatelliteId, SensorName, SkillName};
pub use inbound::Inbound;
pub use limits::Limits;
pub use outbound::{Outbound, QoS};
pub use reply::{ErrorReport, ReplyChunk, TextInput, Timings};
pub use sensor::{SensorReading, SensorValue};
pub use skill::{MAX_INTENTS, MAX_REQUEST_ID_LEN, SkillManifest, SkillRequest, SkillResponse};
pub use state::{Availability, EyeColour, Mode, Retained};
pub use summary::{BridgeStats, TurnSummary};
pub use timer::{TimerCancel, TimerEvent, TimerEventKind, TimerInfo, TimerSet};
pub use tree::{DEFAULT_PREFIX, Topics, topic_matches};
pub use tts::{AudioPayload, TtsAudio};
pub use wake::Wake;

/// The protocol version this crate implements, sent in every [`Heartbeat`].
pub const PROTOCOL_VERSION: u32 = 1;
