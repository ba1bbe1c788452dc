//! [`Inbound`], every message of the protocol as one enum, and the single entry point
//! [`Topics::parse`] that turns a received (topic, payload) into it. [`Topics::encode`] is
//! the exact inverse.
//!
//! Both sides use the same parser: the bridge receives satellite messages and automation
//! requests, a satellite receives what the bridge sends it.

use crate::action::{self, Action, ActionAck};
use crate::audio::{self, AudioChunk, AudioEnd, AudioStart};
use crate::automation::{self, Ask, AskReply, IntentEvent, Say, Target};
use crate::control::{self, Control};
use crate::error::ParseError;
use crate::event::{self, LocalEvent};
use crate::heartbeat::{self, Heartbeat};
use crate::id::{SatelliteId, SensorName, SkillName};
use crate::outbound::Outbound;
use crate::reply::{self, ErrorReport, ReplyChunk, TextInput};
use crate::route::Route;
use crate::sensor::{self, SensorReading};
use crate::skill::{self, SkillManifest, SkillRequest, SkillResponse};
use crate::state::{self, Availability, EyeColour, Mode, Retained, decode_word};
use crate::timer::{self, TimerCancel, TimerEvent, TimerInfo, TimerSet};
use crate::tree::Topics;
use crate::tts::{self, TtsAudio};
use crate::wake::{self, Wake};

/// A protocol v1 message with the names from its topic, as [`Topics::parse`] returns it.
#[derive(Debug, Clone, PartialEq)]
pub enum Inbound {
    // Satellite → bridge.
    /// `{p}/satellite/{id}/wake`
    Wake {
        /// The sender.
        satellite: SatelliteId,
        /// The message.
        wake: Wake,
    },
    /// `{p}/satellite/{id}/audio/start`
    AudioStart {
        /// The sender.
        satellite: SatelliteId,
        /// The message.
        start: AudioStart,
    },
    /// `{p}/satellite/{id}/audio/chunk`
    AudioChunk {
        /// The sender.
        satellite: SatelliteId,
        /// The message.
        chunk: AudioChunk,
    },
    /// `{p}/satellite/{id}/audio/end`
    AudioEnd {
        /// The sender.
        satellite: SatelliteId,
        /// The message.
        end: AudioEnd,
    },
    /// `{p}/satellite/{id}/sensor/{name}`
    Sensor {
        /// The sender.
        satellite: SatelliteId,
        /// The sensor, from the topic.
        name: SensorName,
        /// The message.
        reading: SensorReading,
    },
    /// `{p}/satellite/{id}/heartbeat`
    Heartbeat {
        /// The sender.
        satellite: SatelliteId,
        /// The message.
        heartbeat: Heartbeat,
    },
    /// `{p}/satellite/{id}/action/ack`
    ActionAck {
        /// The sender.
        satellite: SatelliteId,
        /// The message.
        ack: ActionAck,
    },
    /// `{p}/satellite/{id}/event`
    Event {
        /// The sender.
        satellite: SatelliteId,
        /// The message.
        event: LocalEvent,
    },
    /// `{p}/satellite/{id}/text`
    Text {
        /// The sender.
        satellite: SatelliteId,
        /// The message.
        input: TextInput,
    },

    // Bridge → satellite.
    /// `{p}/satellite/{id}/reply`
    Reply {
        /// The recipient.
        satellite: SatelliteId,
        /// The message.
        reply: ReplyChunk,
    },
    /// `{p}/satellite/{id}/tts`
    Tts {
        /// The recipient.
        satellite: SatelliteId,
        /// The message.
        audio: TtsAudio,
    },
    /// `{p}/satellite/{id}/action`
    Action {
        /// The recipient.
        satellite: SatelliteId,
        /// The message.
        action: Action,
    },
    /// `{p}/satellite/{id}/error`
    Error {
        /// The recipient.
        satellite: SatelliteId,
        /// The message.
        error: ErrorReport,
    },
    /// `{p}/satellite/{id}/control`
    Control {
        /// The recipient.
        satellite: SatelliteId,
        /// The message.
        control: Control,
    },

    // Retained state.
    /// `{p}/bridge/status`
    BridgeStatus(Availability),
    /// `{p}/satellite/{id}/status`
    SatelliteStatus {
        /// The satellite.
        satellite: SatelliteId,
        /// Its availability.
        availability: Availability,
    },
    /// `{p}/satellite/{id}/mode`
    Mode {
        /// The satellite.
        satellite: SatelliteId,
        /// Its mode.
        mode: Mode,
    },
    /// `{p}/satellite/{id}/eyes`
    Eyes {
        /// The satellite.
        satellite: SatelliteId,
        /// Its eye colour.
        colour: EyeColour,
    },
    /// An empty payload on a retained topic: the state was deleted.
    Cleared(Retained),

    // Automation surface.
    /// `{p}/say` or `{p}/satellite/{id}/say`
    Say {
        /// All satellites or one, from the topic.
        target: Target,
        /// The message.
        say: Say,
    },
    /// `{p}/ask`
    Ask(Ask),
    /// `{p}/ask/reply`
    AskReply(AskReply),
    /// `{p}/intent/{name}`
    Intent(IntentEvent),
    /// `{p}/timer/set`
    TimerSet(TimerSet),
    /// `{p}/timer/cancel`
    TimerCancel(TimerCancel),
    /// `{p}/timer/event`
    TimerEvent(TimerEvent),
    /// `{p}/timer/list`
    TimerList(Vec<TimerInfo>),

    // External skills.
    /// `{p}/skill/{name}/manifest` (retained)
    SkillManifest {
        /// The skill, from the topic.
        skill: SkillName,
        /// The message.
        manifest: SkillManifest,
    },
    /// `{p}/skill/{name}/request`
    SkillRequest {
        /// The skill, from the topic.
        skill: SkillName,
        /// The message.
        request: SkillRequest,
    },
    /// `{p}/skill/{name}/response`
    SkillResponse {
        /// The skill, from the topic.
        skill: SkillName,
        /// The message.
        response: SkillResponse,
    },
}

impl Inbound {
    /// Stable name of the message kind, for metrics and logs: `wake`, `audio_chunk`,
    /// `timer_list`, `cleared`… (the same string [`ParseError::kind`] reports).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Wake { .. } => wake::KIND,
            Self::AudioStart { .. } => audio::START_KIND,
            Self::AudioChunk { .. } => audio::CHUNK_KIND,
            Self::AudioEnd { .. } => audio::END_KIND,
            Self::Sensor { .. } => sensor::KIND,
            Self::Heartbeat { .. } => heartbeat::KIND,
            Self::ActionAck { .. } => action::ACK_KIND,
            Self::Event { .. } => event::KIND,
            Self::Text { .. } => reply::TEXT_KIND,
            Self::Reply { .. } => reply::REPLY_KIND,
            Self::Tts { .. } => tts::KIND,
            Self::Action { .. } => action::ACTION_KIND,
            Self::Error { .. } => reply::ERROR_KIND,
            Self::Control { .. } => control::KIND,
            Self::BridgeStatus(_) => state::BRIDGE_STATUS_KIND,
            Self::SatelliteStatus { .. } => state::SATELLITE_STATUS_KIND,
            Self::Mode { .. } => state::MODE_KIND,
            Self::Eyes { .. } => state::EYES_KIND,
            Self::Cleared(_) => "cleared",
            Self::Say { .. } => automation::SAY_KIND,
            Self::Ask(_) => automation::ASK_KIND,
            Self::AskReply(_) => automation::ASK_REPLY_KIND,
            Self::Intent(_) => automation::INTENT_KIND,
            Self::TimerSet(_) => timer::SET_KIND,
            Self::TimerCancel(_) => timer::CANCEL_KIND,
            Self::TimerEvent(_) => timer::EVENT_KIND,
            Self::TimerList(_) => timer::LIST_KIND,
            Self::SkillManifest { .. } => skill::MANIFEST_KIND,
            Self::SkillRequest { .. } => skill::REQUEST_KIND,
            Self::SkillResponse { .. } => skill::RESPONSE_KIND,
        }
    }

    /// The satellite the message comes from or is for, for logs: the topic's `{id}` when it
    /// has one, otherwise the payload's `satellite` field (ask, intent, timers); `None` for
    /// messages about no particular satellite.
    pub fn satellite(&self) -> Option<&SatelliteId> {
        match self {
            Self::Wake { satellite, .. }
            | Self::AudioStart { satellite, .. }
            | Self::AudioChunk { satellite, .. }
            | Self::AudioEnd { satellite, .. }
            | Self::Sensor { satellite, .. }
            | Self::Heartbeat { satellite, .. }
            | Self::ActionAck { satellite, .. }
            | Self::Event { satellite, .. }
            | Self::Text { satellite, .. }
            | Self::Reply { satellite, .. }
            | Self::Tts { satellite, .. }
            | Self::Action { satellite, .. }
            | Self::Error { satellite, .. }
            | Self::Control { satellite, .. }
            | Self::SatelliteStatus { satellite, .. }
            | Self::Mode { satellite, .. }
            | Self::Eyes { satellite, .. }
            | Self::Say {
                target: Target::Satellite(satellite),
                ..
            } => Some(satellite),
            Self::Cleared(retained) => retained.satellite(),
            Self::Ask(ask) => ask.satellite.as_ref(),
            Self::Intent(event) => event.satellite.as_ref(),
            Self::TimerSet(set) => set.satellite.as_ref(),
            Self::TimerCancel(cancel) => cancel.satellite.as_ref(),
            Self::TimerEvent(event) => event.timer.satellite.as_ref(),
            Self::SkillRequest { request, .. } => request.satellite.as_ref(),
            Self::BridgeStatus(_)
            | Self::Say {
                target: Target::All,
                ..
            }
            | Self::AskReply(_)
            | Self::TimerList(_)
            | Self::SkillManifest { .. }
            | Self::SkillResponse { .. } => None,
        }
    }
}

impl Topics {
    /// Parses a received message. This is the one entry point for everything the broker
    /// delivers, in either direction.
    ///
    /// The topic is resolved first, then the payload size is checked against
    /// [`Limits`](crate::Limits), then the payload is decoded and validated. An empty payload
    /// on a retained topic yields [`Inbound::Cleared`]. Never panics, whatever the input.
    ///
    /// # Errors
    ///
    /// [`ParseError`] for unknown topics, bad names in the topic, oversized payloads and
    /// payloads that are malformed or break a rule of the protocol; see
    /// [`ParseError::code`].
    pub fn parse(&self, topic: &str, payload: &[u8]) -> Result<Inbound, ParseError> {
        let route = self.route(topic)?;
        let max = route.max_payload(self.limits());
        if payload.len() > max {
            return Err(ParseError::TooLarge {
                kind: route.kind(),
                size: payload.len(),
                max,
            });
        }
        let limits = self.limits();
        let cleared = payload.is_empty();
        let message = match route {
            Route::Wake(satellite) => Inbound::Wake {
                satellite,
                wake: Wake::decode(payload)?,
            },
            Route::AudioStart(satellite) => Inbound::AudioStart {
                satellite,
                start: AudioStart::decode(payload)?,
            },
            Route::AudioChunk(satellite) => Inbound::AudioChunk {
                satellite,
                chunk: AudioChunk::decode(payload)?,
            },
            Route::AudioEnd(satellite) => Inbound::AudioEnd {
                satellite,
                end: AudioEnd::decode(payload)?,
            },
            Route::Sensor(satellite, name) => Inbound::Sensor {
                satellite,
                name,
                reading: SensorReading::decode(payload)?,
            },
            Route::Heartbeat(satellite) => Inbound::Heartbeat {
                satellite,
                heartbeat: Heartbeat::decode(payload)?,
            },
            Route::ActionAck(satellite) => Inbound::ActionAck {
                satellite,
                ack: ActionAck::decode(payload)?,
            },
            Route::Event(satellite) => Inbound::Event {
                satellite,
                event: LocalEvent::decode(payload)?,
            },
            Route::Text(satellite) => Inbound::Text {
                satellite,
                input: TextInput::decode(payload, limits)?,
            },
            Route::Reply(satellite) => Inbound::Reply {
                satellite,
                reply: ReplyChunk::decode(payload)?,
            },
            Route::Tts(satellite) => Inbound::Tts {
                satellite,
                audio: TtsAudio::decode(payload)?,
            },
            Route::Action(satellite) => Inbound::Action {
                satellite,
                action: Action::decode(payload)?,
            },
            Route::Error(satellite) => Inbound::Error {
                satellite,
                error: ErrorReport::decode(payload)?,
            },
            Route::Control(satellite) => Inbound::Control {
                satellite,
                control: Control::decode(payload)?,
            },
            Route::BridgeStatus if cleared => Inbound::Cleared(Retained::BridgeStatus),
            Route::BridgeStatus => {
                Inbound::BridgeStatus(decode_word(state::BRIDGE_STATUS_KIND, payload)?)
            }
            Route::SatelliteStatus(satellite) if cleared => {
                Inbound::Cleared(Retained::SatelliteStatus(satellite))
            }
            Route::SatelliteStatus(satellite) => Inbound::SatelliteStatus {
                satellite,
                availability: decode_word(state::SATELLITE_STATUS_KIND, payload)?,
            },
            Route::Mode(satellite) if cleared => Inbound::Cleared(Retained::Mode(satellite)),
            Route::Mode(satellite) => Inbound::Mode {
                satellite,
                mode: decode_word(state::MODE_KIND, payload)?,
            },
            Route::Eyes(satellite) if cleared => Inbound::Cleared(Retained::Eyes(satellite)),
            Route::Eyes(satellite) => Inbound::Eyes {
                satellite,
                colour: decode_word(state::EYES_KIND, payload)?,
            },
            Route::Say(target) => Inbound::Say {
                target,
                say: Say::decode(payload, limits)?,
            },
            Route::Ask => Inbound::Ask(Ask::decode(payload, limits)?),
            Route::AskReply => Inbound::AskReply(AskReply::decode(payload)?),
            Route::Intent(name) => Inbound::Intent(IntentEvent::decode(payload, &name)?),
            Route::TimerSet => Inbound::TimerSet(TimerSet::decode(payload)?),
            Route::TimerCancel => Inbound::TimerCancel(TimerCancel::decode(payload)?),
            Route::TimerEvent => Inbound::TimerEvent(TimerEvent::decode(payload)?),
            Route::TimerList if cleared => Inbound::Cleared(Retained::TimerList),
            Route::TimerList => Inbound::TimerList(timer::decode_list(payload)?),
            Route::SkillManifest(skill) if cleared => {
                Inbound::Cleared(Retained::SkillManifest(skill))
            }
            Route::SkillManifest(skill) => Inbound::SkillManifest {
                manifest: SkillManifest::decode(payload, &skill)?,
                skill,
            },
            Route::SkillRequest(skill) => Inbound::SkillRequest {
                skill,
                request: SkillRequest::decode(payload, limits)?,
            },
            Route::SkillResponse(skill) => Inbound::SkillResponse {
                skill,
                response: SkillResponse::decode(payload, limits)?,
            },
        };
        Ok(message)
    }

    /// Encodes any message: the inverse of [`parse`](Self::parse), dispatching to the
    /// `encode_*` builder of its kind. `Cleared` encodes as an empty retained payload.
    pub fn encode(&self, message: &Inbound) -> Outbound {
        match message {
            Inbound::Wake { satellite, wake } => self.encode_wake(satellite, wake),
            Inbound::AudioStart { satellite, start } => self.encode_audio_start(satellite, start),
            Inbound::AudioChunk { satellite, chunk } => self.encode_audio_chunk(satellite, chunk),
            Inbound::AudioEnd { satellite, end } => self.encode_audio_end(satellite, end),
            Inbound::Sensor {
                satellite,
                name,
                reading,
            } => self.encode_sensor(satellite, name, reading),
            Inbound::Heartbeat {
                satellite,
                heartbeat,
            } => self.encode_heartbeat(satellite, heartbeat),
            Inbound::ActionAck { satellite, ack } => self.encode_action_ack(satellite, ack),
            Inbound::Event { satellite, event } => self.encode_event(satellite, event),
            Inbound::Text { satellite, input } => self.encode_text(satellite, input),
            Inbound::Reply { satellite, reply } => self.encode_reply(satellite, reply),
            Inbound::Tts { satellite, audio } => self.encode_tts(satellite, audio),
            Inbound::Action { satellite, action } => self.encode_action(satellite, action),
            Inbound::Error { satellite, error } => self.encode_error(satellite, error),
            Inbound::Control { satellite, control } => self.encode_control(satellite, control),
            Inbound::BridgeStatus(availability) => self.encode_bridge_status(*availability),
            Inbound::SatelliteStatus {
                satellite,
                availability,
            } => self.encode_satellite_status(satellite, *availability),
            Inbound::Mode { satellite, mode } => self.encode_mode(satellite, *mode),
            Inbound::Eyes { satellite, colour } => self.encode_eyes(satellite, *colour),
            Inbound::Cleared(retained) => self.encode_clear(retained),
            Inbound::Say { target, say } => self.encode_say(target, say),
            Inbound::Ask(ask) => self.encode_ask(ask),
            Inbound::AskReply(reply) => self.encode_ask_reply(reply),
            Inbound::Intent(event) => self.encode_intent(event),
            Inbound::TimerSet(set) => self.encode_timer_set(set),
            Inbound::TimerCancel(cancel) => self.encode_timer_cancel(cancel),
            Inbound::TimerEvent(event) => self.encode_timer_event(event),
            Inbound::TimerList(timers) => self.encode_timer_list(timers),
            Inbound::SkillManifest { skill, manifest } => {
                self.encode_skill_manifest(skill, manifest)
            }
            Inbound::SkillRequest { skill, request } => self.encode_skill_request(skill, request),
            Inbound::SkillResponse { skill, response } => {
                self.encode_skill_response(skill, response)
            }
        }
    }
}
