//! Hive's skills: what the bridge can do besides asking an LLM.
//!
//! Every utterance is first tried against the skills' local trigger phrases; only when none
//! matches does the bridge ask the LLM, to which every intent is also offered as a tool. Both
//! paths end in the same [`IntentMatch`] and the same [`Skill::execute`]. The crate is pure,
//! synchronous code: the satellite links it for its offline mode.
//!
//! The parts, in the order of the source tree:
//! - `_template/`: the documented starting point for a new skill (test builds only).
//! - [`calendar`]: events from an iCalendar address or file, and reminders added by voice.
//! - [`clock`]: the time and the date, in the user's language and time zone.
//! - [`config`]: the `[skills]` configuration section.
//! - `connected`: the skills that call web services, built from the configuration (`http`).
//! - [`emotion`]: `show_emotion` for the satellite's face, and its decaying state.
//! - [`error`]: [`ManifestError`] and [`SkillError`].
//! - [`homeassistant`]: Home Assistant devices on, off and dimmed, by name and area.
//! - [`lang`]: the languages Hive speaks.
//! - `matcher/`: the local intent matcher — normalisation, trigger templates, spoken numbers
//!   and durations, fuzzy alignment. Its entry point is [`Registry::match_text`].
//! - [`registry`]: the enabled skills behind one API (match, tools, resolve, execute).
//! - [`skill`]: the skill model — `skill.toml` manifests, the [`Skill`] trait, context, replies,
//!   and intents as LLM tools.
//! - [`timer`]: timer and stopwatch intents and their spoken replies (state lives elsewhere).
//! - [`weather`]: the weather now and a short forecast (Open-Meteo, OpenWeatherMap).
//!
//! The skills that call web services (weather, calendar, Home Assistant) and `http/`, their
//! blocking client (and the hidden entry of the `http_answers` fuzz target), need the `http`
//! feature; their configuration is always built.

#[cfg(test)]
mod _template;
pub mod calendar;
pub mod clock;
pub mod config;
#[cfg(feature = "http")]
pub mod connected;
pub mod emotion;
pub mod error;
pub mod homeassistant;
#[cfg(feature = "http")]
mod http;
/// Not an API: the web services' answers decoded and spoken offline, for the `http_answers`
/// fuzz target (`topics/fuzz`) and its corpus replay.
#[cfg(feature = "http")]
#[doc(hidden)]
pub use http::answers as http_answers;
pub mod interpolate;
pub mod lang;
mod matcher;
pub mod registry;
pub mod skill;
pub mod timer;
pub mod weather;

pub use config::SkillsConfig;
pub use error::{ManifestError, SkillError};
pub use interpolate::{InterpolateError, interpolate};
pub use lang::Lang;
pub use matcher::{normalize_phrase, parse_duration_text};
pub use registry::Registry;
pub use skill::{IntentMatch, Manifest, Skill, SkillContext, SkillReply, SlotValue};
