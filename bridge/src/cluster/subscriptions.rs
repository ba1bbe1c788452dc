//! Which subscriptions the instances of a group share.
//!
//! The broker gives each message of a shared subscription (`$share/{group}/{filter}`) to one
//! member of the group. Shared are the messages that *start work*: `wake` (a voice turn),
//! `text`, `ask`, `say`, the timer requests and a satellite's timer events. Audio is not
//! shared: every instance hears every chunk and keeps only the sessions it was given the
//! `wake` of. So a turn stays on one instance from wake to last audio without any
//! coordination, and the broker's per-client ordering makes the `wake` arrive before the
//! session's `audio/start` at the instance that won it. The rest (status, heartbeats,
//! sensors, action acks, skill manifests and responses) is state every instance keeps, or
//! answers only one instance is waiting for, so it is not shared either.

use hive_topics::Topics;

use super::ClusterConfig;

/// The filters of work one instance of the group does.
fn shared_filters(topics: &Topics) -> Vec<String> {
    let p = topics.prefix();
    ["wake", "text", "say", "event"]
        .iter()
        .map(|suffix| format!("{p}/satellite/+/{suffix}"))
        .chain(
            ["say", "ask", "timer/set", "timer/cancel"]
                .iter()
                .map(|suffix| format!("{p}/{suffix}")),
        )
        .collect()
}

/// The bridge's subscriptions: [`Topics::bridge_subscriptions`] alone; in a group, the work
/// filters shared and the bridge's own status added (an instance that dies leaves its last
/// will, `offline`, retained, and the others put `online` back).
pub fn subscriptions(topics: &Topics, cluster: &ClusterConfig) -> Vec<String> {
    let plain = topics.bridge_subscriptions();
    let Some(group) = &cluster.group else {
        return plain;
    };
    let shared = shared_filters(topics);
    plain
        .into_iter()
        .map(|filter| {
            if shared.contains(&filter) {
                format!("$share/{group}/{filter}")
            } else {
                filter
            }
        })
        .chain([topics.bridge_status()])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group() -> ClusterConfig {
        ClusterConfig {
            group: Some("hive".into()),
            instance: None,
        }
    }

    #[test]
    fn alone_nothing_changes() {
        let topics = Topics::default();
        assert_eq!(
            subscriptions(&topics, &ClusterConfig::default()),
            topics.bridge_subscriptions()
        );
    }

    #[test]
    fn every_shared_filter_is_one_the_bridge_subscribes_to() {
        // Guards against the topic tree changing under this list.
        let topics = Topics::default();
        let plain = topics.bridge_subscriptions();
        for filter in shared_filters(&topics) {
            assert!(plain.contains(&filter), "{filter}");
        }
    }

    #[test]
    fn in_a_group_work_is_shared_and_audio_is_not() {
        let filters = subscriptions(&Topics::default(), &group());
        for expected in [
            "$share/hive/hive/satellite/+/wake",
            "$share/hive/hive/satellite/+/text",
            "$share/hive/hive/ask",
            "$share/hive/hive/say",
            "$share/hive/hive/timer/set",
            "hive/satellite/+/audio/+",
            "hive/satellite/+/status",
            "hive/skill/+/response",
            "hive/bridge/status",
        ] {
            assert!(
                filters.iter().any(|f| f == expected),
                "{expected}: {filters:?}"
            );
        }
        assert!(!filters.iter().any(|f| f == "hive/satellite/+/wake"));
    }
}
