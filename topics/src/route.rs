//! [`Route`]: a received topic resolved to the message it carries and the names in its
//! levels. The inverse of the topic builders in `tree.rs`; [`Topics::parse`] starts here.

use crate::automation::Target;
use crate::error::{ParseError, TopicError};
use crate::id::{IntentName, SatelliteId, SensorName, SkillName};
use crate::limits::Limits;
use crate::tree::Topics;
use crate::{
    action, audio, automation, control, event, heartbeat, reply, sensor, skill, state, timer, tts,
    wake,
};

impl Topics {
    /// Resolves a received topic to its message kind and the names in its levels.
    ///
    /// The shape is matched before names are validated, so `hive/satellite/BAD/nonsense` is
    /// an unknown topic while `hive/satellite/BAD/wake` is a bad satellite id.
    pub(crate) fn route(&self, topic: &str) -> Result<Route, ParseError> {
        let unknown = || ParseError::UnknownTopic {
            topic: topic.to_owned(),
        };
        let rest = topic
            .strip_prefix(self.prefix())
            .and_then(|rest| rest.strip_prefix('/'))
            .ok_or_else(unknown)?;
        let levels: Vec<&str> = rest.split('/').collect();
        let route = match levels.as_slice() {
            ["satellite", id, "sensor", name] => {
                Route::Sensor(satellite_level(id)?, sensor_level(name)?)
            }
            ["satellite", id, tail @ ..] => {
                let route: fn(SatelliteId) -> Route = match tail {
                    ["wake"] => Route::Wake,
                    ["audio", "start"] => Route::AudioStart,
                    ["audio", "chunk"] => Route::AudioChunk,
                    ["audio", "end"] => Route::AudioEnd,
                    ["heartbeat"] => Route::Heartbeat,
                    ["action", "ack"] => Route::ActionAck,
                    ["event"] => Route::Event,
                    ["text"] => Route::Text,
                    ["reply"] => Route::Reply,
                    ["tts"] => Route::Tts,
                    ["action"] => Route::Action,
                    ["error"] => Route::Error,
                    ["control"] => Route::Control,
                    ["status"] => Route::SatelliteStatus,
                    ["mode"] => Route::Mode,
                    ["eyes"] => Route::Eyes,
                    ["say"] => |satellite| Route::Say(Target::Satellite(satellite)),
                    _ => return Err(unknown()),
                };
                route(satellite_level(id)?)
            }
            ["bridge", "status"] => Route::BridgeStatus,
            ["say"] => Route::Say(Target::All),
            ["ask"] => Route::Ask,
            ["ask", "reply"] => Route::AskReply,
            ["intent", name] => Route::Intent(intent_level(name)?),
            ["timer", "set"] => Route::TimerSet,
            ["timer", "cancel"] => Route::TimerCancel,
            ["timer", "event"] => Route::TimerEvent,
            ["timer", "list"] => Route::TimerList,
            ["skill", name, "manifest"] => Route::SkillManifest(skill_level(name)?),
            ["skill", name, "request"] => Route::SkillRequest(skill_level(name)?),
            ["skill", name, "response"] => Route::SkillResponse(skill_level(name)?),
            _ => return Err(unknown()),
        };
        Ok(route)
    }

    /// The satellite that sent a message on `topic`, for topics only satellites publish to
    /// (wake, audio, sensor, heartbeat, action ack, event, text); `None` for any other topic.
    /// Lets a receiver answer a satellite whose payload it refused without decoding it.
    pub fn sender(&self, topic: &str) -> Option<SatelliteId> {
        match self.route(topic).ok()? {
            Route::Wake(id)
            | Route::AudioStart(id)
            | Route::AudioChunk(id)
            | Route::AudioEnd(id)
            | Route::Sensor(id, _)
            | Route::Heartbeat(id)
            | Route::ActionAck(id)
            | Route::Event(id)
            | Route::Text(id) => Some(id),
            _ => None,
        }
    }
}

fn satellite_level(level: &str) -> Result<SatelliteId, ParseError> {
    SatelliteId::new(level).map_err(|error| match error {
        TopicError::BadSatelliteId { id, reason } => ParseError::BadSatelliteId { id, reason },
        other => ParseError::BadSatelliteId {
            id: level.to_owned(),
            reason: other.code(),
        },
    })
}

fn name_error(level: &str, what: &'static str, error: TopicError) -> ParseError {
    match error {
        TopicError::BadName { what, name, reason } => ParseError::BadName { what, name, reason },
        other => ParseError::BadName {
            what,
            name: level.to_owned(),
            reason: other.code(),
        },
    }
}

fn sensor_level(level: &str) -> Result<SensorName, ParseError> {
    SensorName::new(level).map_err(|error| name_error(level, "sensor name", error))
}

fn intent_level(level: &str) -> Result<IntentName, ParseError> {
    IntentName::new(level).map_err(|error| name_error(level, "intent name", error))
}

fn skill_level(level: &str) -> Result<SkillName, ParseError> {
    SkillName::new(level).map_err(|error| name_error(level, "skill name", error))
}

/// A received topic resolved: which message it carries and the names in its levels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    Wake(SatelliteId),
    AudioStart(SatelliteId),
    AudioChunk(SatelliteId),
    AudioEnd(SatelliteId),
    Sensor(SatelliteId, SensorName),
    Heartbeat(SatelliteId),
    ActionAck(SatelliteId),
    Event(SatelliteId),
    Text(SatelliteId),
    Reply(SatelliteId),
    Tts(SatelliteId),
    Action(SatelliteId),
    Error(SatelliteId),
    Control(SatelliteId),
    BridgeStatus,
    SatelliteStatus(SatelliteId),
    Mode(SatelliteId),
    Eyes(SatelliteId),
    Say(Target),
    Ask,
    AskReply,
    Intent(IntentName),
    TimerSet,
    TimerCancel,
    TimerEvent,
    TimerList,
    SkillManifest(SkillName),
    SkillRequest(SkillName),
    SkillResponse(SkillName),
}

impl Route {
    /// The message kind, as [`Inbound::kind`](crate::Inbound::kind) names it.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Self::Wake(_) => wake::KIND,
            Self::AudioStart(_) => audio::START_KIND,
            Self::AudioChunk(_) => audio::CHUNK_KIND,
            Self::AudioEnd(_) => audio::END_KIND,
            Self::Sensor(..) => sensor::KIND,
            Self::Heartbeat(_) => heartbeat::KIND,
            Self::ActionAck(_) => action::ACK_KIND,
            Self::Event(_) => event::KIND,
            Self::Text(_) => reply::TEXT_KIND,
            Self::Reply(_) => reply::REPLY_KIND,
            Self::Tts(_) => tts::KIND,
            Self::Action(_) => action::ACTION_KIND,
            Self::Error(_) => reply::ERROR_KIND,
            Self::Control(_) => control::KIND,
            Self::BridgeStatus => state::BRIDGE_STATUS_KIND,
            Self::SatelliteStatus(_) => state::SATELLITE_STATUS_KIND,
            Self::Mode(_) => state::MODE_KIND,
            Self::Eyes(_) => state::EYES_KIND,
            Self::Say(_) => automation::SAY_KIND,
            Self::Ask => automation::ASK_KIND,
            Self::AskReply => automation::ASK_REPLY_KIND,
            Self::Intent(_) => automation::INTENT_KIND,
            Self::TimerSet => timer::SET_KIND,
            Self::TimerCancel => timer::CANCEL_KIND,
            Self::TimerEvent => timer::EVENT_KIND,
            Self::TimerList => timer::LIST_KIND,
            Self::SkillManifest(_) => skill::MANIFEST_KIND,
            Self::SkillRequest(_) => skill::REQUEST_KIND,
            Self::SkillResponse(_) => skill::RESPONSE_KIND,
        }
    }

    /// The largest payload this topic accepts.
    pub(crate) fn max_payload(&self, limits: &Limits) -> usize {
        match self {
            Self::AudioChunk(_) => limits.max_audio_chunk,
            Self::Tts(_) => limits.max_tts_audio,
            _ => limits.max_json,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_outside_the_tree_are_unknown() {
        let t = Topics::default();
        let unknown = [
            "",
            "hive",
            "hive/",
            "hivemind/satellite/kitchen/wake",
            "other/satellite/kitchen/wake",
            "hive/satellite",
            "hive/satellite/kitchen",
            "hive/satellite/kitchen/",
            "hive/satellite/kitchen/nonsense",
            "hive/satellite/kitchen/wake/extra",
            "hive/satellite/kitchen/audio",
            "hive/satellite/kitchen/audio/middle",
            "hive/satellite/kitchen/sensor",
            "hive/satellite/kitchen/sensor/lux/extra",
            "hive/satellite/BAD/nonsense",
            "hive/bridge",
            "hive/bridge/mode",
            "hive/timer",
            "hive/timer/pause",
            "hive/intent",
            "hive/intent/a/b",
            "hive/ask/reply/more",
            "hive/skill",
            "hive/skill/dice",
            "hive/skill/dice/answer",
            "hive/skill/dice/request/more",
            "/hive/ask",
            "HIVE/ask",
        ];
        for topic in unknown {
            assert_eq!(
                t.route(topic).unwrap_err().code(),
                "unknown_topic",
                "{topic:?}"
            );
        }
    }

    #[test]
    fn only_satellite_sent_topics_name_a_sender() {
        let t = Topics::default();
        for topic in [
            "hive/satellite/kitchen/wake",
            "hive/satellite/kitchen/audio/chunk",
            "hive/satellite/kitchen/sensor/lux",
            "hive/satellite/kitchen/text",
        ] {
            assert_eq!(t.sender(topic).unwrap().as_str(), "kitchen", "{topic}");
        }
        for topic in [
            "hive/satellite/kitchen/reply",
            "hive/satellite/kitchen/say",
            "hive/satellite/Kitchen/wake",
            "hive/ask",
            "hive/nonsense",
        ] {
            assert_eq!(t.sender(topic), None, "{topic}");
        }
    }

    #[test]
    fn bad_names_in_known_topic_shapes_are_reported_as_such() {
        let t = Topics::default();
        let cases = [
            ("hive/satellite/Kitchen/wake", "bad_satellite_id"),
            ("hive/satellite//wake", "bad_satellite_id"),
            ("hive/satellite/+/wake", "bad_satellite_id"),
            ("hive/satellite/kitchen/sensor/Lux", "bad_name"),
            ("hive/satellite/BAD/sensor/lux", "bad_satellite_id"),
            ("hive/intent/Light", "bad_name"),
            ("hive/intent/", "bad_name"),
            ("hive/skill/Dice/manifest", "bad_name"),
            ("hive/skill/+/response", "bad_name"),
        ];
        for (topic, code) in cases {
            assert_eq!(t.route(topic).unwrap_err().code(), code, "{topic:?}");
        }
    }
}
