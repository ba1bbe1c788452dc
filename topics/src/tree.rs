//! The topic tree: [`Topics`] holds the prefix and builds every topic string and the
//! subscription lists; [`topic_matches`] applies MQTT wildcard rules. The reverse, from a
//! received topic to a message kind, is in `route.rs`.

use crate::automation::Target;
use crate::error::TopicError;
use crate::id::{IntentName, SatelliteId, SensorName, SkillName};
use crate::limits::Limits;

/// The prefix used when none is configured.
pub const DEFAULT_PREFIX: &str = "hive";

/// Hive's topic tree under one prefix, with the [`Limits`] its parser enforces.
///
/// Build topics with the per-topic methods (`wake`, `reply`, …), messages with the
/// `encode_*` methods, and parse anything received with [`Topics::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topics {
    prefix: String,
    limits: Limits,
}

impl Default for Topics {
    /// Prefix `hive`, default limits.
    fn default() -> Self {
        Self {
            prefix: DEFAULT_PREFIX.to_owned(),
            limits: Limits::default(),
        }
    }
}

impl Topics {
    /// A tree under `prefix`, e.g. `hive` or `home/hive`, with default limits.
    ///
    /// # Errors
    ///
    /// [`TopicError::BadPrefix`] if the prefix is empty, contains `+`, `#` or NUL, starts or
    /// ends with `/`, has an empty level (`a//b`) or starts with `$` (reserved by brokers).
    pub fn new(prefix: impl Into<String>) -> Result<Self, TopicError> {
        let prefix = prefix.into();
        let reason = if prefix.is_empty() {
            Some("must not be empty")
        } else if prefix.contains(['+', '#', '\0']) {
            Some("must not contain '+', '#' or NUL")
        } else if prefix.starts_with('/') || prefix.ends_with('/') {
            Some("must not start or end with '/'")
        } else if prefix.contains("//") {
            Some("must not contain an empty level")
        } else if prefix.starts_with('$') {
            Some("must not start with '$'")
        } else {
            None
        };
        match reason {
            Some(reason) => Err(TopicError::BadPrefix { prefix, reason }),
            None => Ok(Self {
                prefix,
                limits: Limits::default(),
            }),
        }
    }

    /// The same tree with other payload limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The prefix, without a trailing `/`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The limits [`parse`](Self::parse) enforces.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    fn satellite_topic(&self, satellite: &SatelliteId, suffix: &str) -> String {
        format!("{}/satellite/{satellite}/{suffix}", self.prefix)
    }

    fn global_topic(&self, suffix: &str) -> String {
        format!("{}/{suffix}", self.prefix)
    }

    // Satellite → bridge.

    /// `{p}/satellite/{id}/wake`
    pub fn wake(&self, satellite: &SatelliteId) -> String {
        self.satellite_topic(satellite, "wake")
    }

    /// `{p}/satellite/{id}/audio/start`
    pub fn audio_start(&self, satellite: &SatelliteId) -> String {
        self.satellite_topic(satellite, "audio/start")
    }

    /// `{p}/satellite/{id}/audio/chunk`
    pub fn audio_chunk(&self, satellite: &SatelliteId) -> String {
        self.satellite_topic(satellite, "audio/chunk")
    }

    /// `{p}/satellite/{id}/audio/end`
    pub fn audio_end(&self, satellite: &SatelliteId) -> String {
        self.satellite_topic(satellite, "audio/end")
    }

    /// `{p}/satellite/{id}/sensor/{name}`
    pub fn sensor(&self, satellite: &SatelliteId, name: &SensorName) -> String {
        self.satellite_topic(satellite, &format!("sensor/{name}"))
    }

    /// `{p}/satellite/{id}/heartbeat`
    pub fn heartbeat(&self, satellite: &SatelliteId) -> String {
        self.satellite_topic(satellite, "heartbeat")
    }

    /// `{p}/satellite/{id}/action/ack`
    pub fn action_ack(&self, satellite: &SatelliteId) -> String {
        self.satellite_topic(satellite, "action/ack")
    }

    /// `{p}/satellite/{id}/event`
    pub fn event(&self, satellite: &SatelliteId) -> String {
        self.satellite_topic(satellite, "event")
    }

    /// `{p}/satellite/{id}/text`
    pub fn text(&self, satellite: &SatelliteId) -> String {
        self.satellite_topic(satellite, "text")
    }

    // Bridge → satellite.

    /// `{p}/satellite/{id}/reply`
    pub fn reply(&self, satellite: &SatelliteId) -> String {
        self.satellite_topic(satellite, "reply")
    }

    /// `{p}/satellite/{id}/tts`
    pub fn tts(&self, satellite: &SatelliteId) -> String {
        self.satellite_topic(satellite, "tts")
    }

    /// `{p}/satellite/{id}/action`
    pub fn action(&self, satellite: &SatelliteId) -> String {
        self.satellite_topic(satellite, "action")
    }

    /// `{p}/satellite/{id}/error`
    pub fn error(&self, satellite: &SatelliteId) -> String {
        self.satellite_topic(satellite, "error")
    }

    /// `{p}/satellite/{id}/control`
    pub fn control(&self, satellite: &SatelliteId) -> String {
        self.satellite_topic(satellite, "control")
    }

    // Retained state.

    /// `{p}/bridge/status`
    pub fn bridge_status(&self) -> String {
        self.global_topic("bridge/status")
    }

    /// `{p}/satellite/{id}/status`
    pub fn satellite_status(&self, satellite: &SatelliteId) -> String {
        self.satellite_topic(satellite, "status")
    }

    /// `{p}/satellite/{id}/mode`
    pub fn mode(&self, satellite: &SatelliteId) -> String {
        self.satellite_topic(satellite, "mode")
    }

    /// `{p}/satellite/{id}/eyes`
    pub fn eyes(&self, satellite: &SatelliteId) -> String {
        self.satellite_topic(satellite, "eyes")
    }

    /// `{p}/satellite/{id}/turn`: the last turn's summary (retained, written by the bridge).
    pub fn turn(&self, satellite: &SatelliteId) -> String {
        self.satellite_topic(satellite, "turn")
    }

    /// `{p}/bridge/stats`: the bridge's totals (retained, written by the bridge).
    pub fn bridge_stats(&self) -> String {
        self.global_topic("bridge/stats")
    }

    // Automation surface.

    /// `{p}/say` for [`Target::All`], `{p}/satellite/{id}/say` for one satellite.
    pub fn say(&self, target: &Target) -> String {
        match target {
            Target::All => self.global_topic("say"),
            Target::Satellite(satellite) => self.satellite_topic(satellite, "say"),
        }
    }

    /// `{p}/ask`
    pub fn ask(&self) -> String {
        self.global_topic("ask")
    }

    /// `{p}/ask/reply`
    pub fn ask_reply(&self) -> String {
        self.global_topic("ask/reply")
    }

    /// `{p}/intent/{name}`
    pub fn intent(&self, intent: &IntentName) -> String {
        self.global_topic(&format!("intent/{intent}"))
    }

    /// `{p}/timer/set`
    pub fn timer_set(&self) -> String {
        self.global_topic("timer/set")
    }

    /// `{p}/timer/cancel`
    pub fn timer_cancel(&self) -> String {
        self.global_topic("timer/cancel")
    }

    /// `{p}/timer/event`
    pub fn timer_event(&self) -> String {
        self.global_topic("timer/event")
    }

    /// `{p}/timer/list`
    pub fn timer_list(&self) -> String {
        self.global_topic("timer/list")
    }

    /// `{p}/skill/{name}/manifest`
    pub fn skill_manifest(&self, skill: &SkillName) -> String {
        self.global_topic(&format!("skill/{skill}/manifest"))
    }

    /// `{p}/skill/{name}/request`
    pub fn skill_request(&self, skill: &SkillName) -> String {
        self.global_topic(&format!("skill/{skill}/request"))
    }

    /// `{p}/skill/{name}/response`
    pub fn skill_response(&self, skill: &SkillName) -> String {
        self.global_topic(&format!("skill/{skill}/response"))
    }

    // Subscriptions.

    /// The filters the bridge subscribes to: everything satellites publish, the satellites'
    /// availability, the automation inputs (`say`, `ask`, `timer/set`, `timer/cancel`), and
    /// external skills' manifests and responses.
    pub fn bridge_subscriptions(&self) -> Vec<String> {
        let p = &self.prefix;
        let any = |suffix: &str| format!("{p}/satellite/+/{suffix}");
        vec![
            any("wake"),
            any("audio/+"),
            any("sensor/+"),
            any("heartbeat"),
            any("action/ack"),
            any("event"),
            any("text"),
            any("status"),
            any("say"),
            self.global_topic("say"),
            self.global_topic("ask"),
            self.global_topic("timer/set"),
            self.global_topic("timer/cancel"),
            self.global_topic("skill/+/manifest"),
            self.global_topic("skill/+/response"),
        ]
    }

    /// The filters satellite `satellite` subscribes to: what the bridge sends it, `say` for
    /// it and for all, and the bridge's availability.
    pub fn satellite_subscriptions(&self, satellite: &SatelliteId) -> Vec<String> {
        vec![
            self.reply(satellite),
            self.tts(satellite),
            self.action(satellite),
            self.error(satellite),
            self.control(satellite),
            self.say(&Target::Satellite(satellite.clone())),
            self.say(&Target::All),
            self.bridge_status(),
        ]
    }
}

/// Whether `topic` matches the subscription `filter` under MQTT rules: `+` matches exactly
/// one level, a final `#` matches the parent level and everything below it, and wildcards do
/// not match topics starting with `$`. An invalid filter (`#` not last, `a+`) or a topic
/// holding wildcards matches nothing.
pub fn topic_matches(filter: &str, topic: &str) -> bool {
    if topic.contains(['+', '#']) || (topic.starts_with('$') && filter.starts_with(['+', '#'])) {
        return false;
    }
    let mut filter_levels = filter.split('/').peekable();
    let mut topic_levels = topic.split('/');
    while let Some(level) = filter_levels.next() {
        match level {
            "#" => return filter_levels.peek().is_none(),
            "+" => {
                if topic_levels.next().is_none() {
                    return false;
                }
            }
            literal if literal.contains(['+', '#']) => return false,
            literal => {
                if topic_levels.next() != Some(literal) {
                    return false;
                }
            }
        }
    }
    topic_levels.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::sat;

    #[test]
    fn prefixes_are_validated() {
        let cases = [
            ("hive", true),
            ("home/hive", true),
            ("hive-2", true),
            ("", false),
            ("hive/", false),
            ("/hive", false),
            ("home//hive", false),
            ("hive/+", false),
            ("hive#", false),
            ("hi\0ve", false),
            ("$SYS", false),
        ];
        for (prefix, ok) in cases {
            let result = Topics::new(prefix);
            assert_eq!(result.is_ok(), ok, "{prefix:?}: {result:?}");
            if let Err(error) = result {
                assert_eq!(error.code(), "bad_prefix");
            }
        }
        assert_eq!(Topics::default(), Topics::new("hive").unwrap());
    }

    #[test]
    fn every_topic_has_its_documented_string() {
        let t = Topics::new("home/hive").unwrap();
        let id = sat("kitchen");
        let cases = [
            (t.wake(&id), "home/hive/satellite/kitchen/wake"),
            (
                t.audio_start(&id),
                "home/hive/satellite/kitchen/audio/start",
            ),
            (
                t.audio_chunk(&id),
                "home/hive/satellite/kitchen/audio/chunk",
            ),
            (t.audio_end(&id), "home/hive/satellite/kitchen/audio/end"),
            (
                t.sensor(&id, &SensorName::new("lux").unwrap()),
                "home/hive/satellite/kitchen/sensor/lux",
            ),
            (t.heartbeat(&id), "home/hive/satellite/kitchen/heartbeat"),
            (t.action_ack(&id), "home/hive/satellite/kitchen/action/ack"),
            (t.event(&id), "home/hive/satellite/kitchen/event"),
            (t.text(&id), "home/hive/satellite/kitchen/text"),
            (t.reply(&id), "home/hive/satellite/kitchen/reply"),
            (t.tts(&id), "home/hive/satellite/kitchen/tts"),
            (t.action(&id), "home/hive/satellite/kitchen/action"),
            (t.error(&id), "home/hive/satellite/kitchen/error"),
            (t.control(&id), "home/hive/satellite/kitchen/control"),
            (t.bridge_status(), "home/hive/bridge/status"),
            (
                t.satellite_status(&id),
                "home/hive/satellite/kitchen/status",
            ),
            (t.mode(&id), "home/hive/satellite/kitchen/mode"),
            (t.eyes(&id), "home/hive/satellite/kitchen/eyes"),
            (t.say(&Target::All), "home/hive/say"),
            (
                t.say(&Target::Satellite(id.clone())),
                "home/hive/satellite/kitchen/say",
            ),
            (t.ask(), "home/hive/ask"),
            (t.ask_reply(), "home/hive/ask/reply"),
            (
                t.intent(&IntentName::new("light.turn_on").unwrap()),
                "home/hive/intent/light.turn_on",
            ),
            (t.timer_set(), "home/hive/timer/set"),
            (t.timer_cancel(), "home/hive/timer/cancel"),
            (t.timer_event(), "home/hive/timer/event"),
            (t.timer_list(), "home/hive/timer/list"),
            (
                t.skill_manifest(&SkillName::new("dice").unwrap()),
                "home/hive/skill/dice/manifest",
            ),
            (
                t.skill_request(&SkillName::new("dice").unwrap()),
                "home/hive/skill/dice/request",
            ),
            (
                t.skill_response(&SkillName::new("dice").unwrap()),
                "home/hive/skill/dice/response",
            ),
        ];
        for (built, expected) in cases {
            assert_eq!(built, expected);
            assert!(t.route(&built).is_ok(), "{built} does not route");
        }
    }

    #[test]
    fn topic_matches_follows_mqtt_wildcard_rules() {
        let cases = [
            ("a/b/c", "a/b/c", true),
            ("a/b/c", "a/b", false),
            ("a/b", "a/b/c", false),
            ("a/+/c", "a/b/c", true),
            ("a/+/c", "a//c", true),
            ("a/+/c", "a/b/d", false),
            ("a/+", "a/b/c", false),
            ("+/+", "a/b", true),
            ("+", "a", true),
            ("+", "", true),
            ("+", "a/b", false),
            ("a/#", "a", true),
            ("a/#", "a/b", true),
            ("a/#", "a/b/c", true),
            ("a/#", "b/c", false),
            ("#", "a/b/c", true),
            ("#", "$SYS/broker", false),
            ("+/broker", "$SYS/broker", false),
            ("$SYS/#", "$SYS/broker", true),
            ("a/#/c", "a/b/c", false),
            ("a/b+", "a/b+", false),
            ("a/+", "a/+", false),
            (
                "hive/satellite/+/audio/+",
                "hive/satellite/kitchen/audio/chunk",
                true,
            ),
            (
                "hive/satellite/+/audio/+",
                "hive/satellite/kitchen/audio",
                false,
            ),
        ];
        for (filter, topic, expected) in cases {
            assert_eq!(
                topic_matches(filter, topic),
                expected,
                "{filter} vs {topic}"
            );
        }
    }

    #[test]
    fn subscription_filters_are_valid_and_under_the_prefix() {
        let t = Topics::new("home/hive").unwrap();
        let kitchen = sat("kitchen");
        for filter in t
            .bridge_subscriptions()
            .iter()
            .chain(&t.satellite_subscriptions(&kitchen))
        {
            assert!(filter.starts_with("home/hive/"), "{filter}");
            assert!(
                !filter.contains('#'),
                "{filter}: no multi-level wildcards, the tree is exact"
            );
        }
        let satellite_filters = t.satellite_subscriptions(&kitchen);
        assert!(
            satellite_filters.iter().all(|filter| !filter.contains('+')),
            "a satellite hears only its own topics"
        );
        assert!(
            !satellite_filters
                .iter()
                .any(|f| topic_matches(f, &t.reply(&sat("hall")))),
            "nor another's replies"
        );
    }
}
