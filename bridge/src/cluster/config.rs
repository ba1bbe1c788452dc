//! The `[cluster]` section: off by default (one bridge, today's behaviour); a `group` turns
//! it on.

use std::sync::atomic::{AtomicU32, Ordering};

use serde::Deserialize;

/// The `[cluster]` section.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterConfig {
    /// The MQTT shared-subscription group the bridges of one household join (`hive`). Every
    /// instance of a group must use the same value and `[context] store = "redis"`; `None`
    /// runs alone.
    #[serde(default)]
    pub group: Option<String>,
    /// This instance's name, appended to `mqtt.client_id` (the broker refuses two clients
    /// with one id). Default: made up from the process id and the start time.
    #[serde(default)]
    pub instance: Option<String>,
}

/// A `[cluster]` setting that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cluster.{field}: {detail}")]
pub struct ClusterConfigError {
    /// `group` or `instance`.
    pub field: &'static str,
    /// Why.
    pub detail: String,
}

/// A level of a topic filter or a client id: no MQTT wildcard or separator may hide in it.
fn check_name(field: &'static str, value: &str) -> Result<(), ClusterConfigError> {
    let error = |detail: &str| ClusterConfigError {
        field,
        detail: detail.into(),
    };
    if value.is_empty() || value.len() > 64 {
        return Err(error("must be 1 to 64 characters"));
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(error("may only hold letters, digits, `-` and `_`"));
    }
    Ok(())
}

impl ClusterConfig {
    /// Whether this bridge shares the work with others.
    pub fn enabled(&self) -> bool {
        self.group.is_some()
    }

    /// Checks the names before anything connects.
    ///
    /// # Errors
    /// A name is empty, too long, or holds a character MQTT would read as structure.
    pub fn validate(&self) -> Result<(), ClusterConfigError> {
        if let Some(group) = &self.group {
            check_name("group", group)?;
        }
        if let Some(instance) = &self.instance {
            check_name("instance", instance)?;
        }
        Ok(())
    }

    /// In a group, names this instance when the configuration did not: once, at start, so
    /// that its client id and its timer record agree.
    pub fn name_instance(&mut self) {
        if self.enabled() && self.instance.is_none() {
            self.instance = Some(made_up_instance());
        }
    }

    /// The MQTT client id of this instance: `client_id` unchanged when alone, else with the
    /// instance name appended.
    pub fn client_id(&self, client_id: &str) -> String {
        if !self.enabled() {
            return client_id.to_owned();
        }
        match &self.instance {
            Some(instance) => format!("{client_id}-{instance}"),
            None => format!("{client_id}-{}", made_up_instance()),
        }
    }
}

/// Unique among the processes of one machine and the bridges of one process (tests run
/// several in one).
fn made_up_instance() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{:x}-{:x}-{}",
        std::process::id(),
        started,
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster(group: Option<&str>, instance: Option<&str>) -> ClusterConfig {
        ClusterConfig {
            group: group.map(Into::into),
            instance: instance.map(Into::into),
        }
    }

    #[test]
    fn alone_the_client_id_is_unchanged() {
        assert_eq!(
            cluster(None, Some("a")).client_id("hive-bridge"),
            "hive-bridge"
        );
    }

    #[test]
    fn in_a_group_each_instance_gets_its_own_client_id() {
        assert_eq!(
            cluster(Some("hive"), Some("a")).client_id("hive-bridge"),
            "hive-bridge-a"
        );
        let group = cluster(Some("hive"), None);
        assert_ne!(
            group.client_id("hive-bridge"),
            group.client_id("hive-bridge")
        );
    }

    #[test]
    fn an_unnamed_instance_is_named_once() {
        let mut group = cluster(Some("hive"), None);
        group.name_instance();
        let named = group.instance.clone().unwrap();
        group.name_instance();
        assert_eq!(group.instance.as_deref(), Some(named.as_str()));
        assert_eq!(group.client_id("b"), format!("b-{named}"));
        let mut alone = cluster(None, None);
        alone.name_instance();
        assert_eq!(alone.instance, None);
    }

    #[test]
    fn names_that_mqtt_would_read_as_structure_are_refused() {
        for (group, instance, field) in [
            (Some(""), None, "group"),
            (Some("a/b"), None, "group"),
            (Some("+"), None, "group"),
            (Some("hive"), Some("x#"), "instance"),
        ] {
            let error = cluster(group, instance).validate().unwrap_err();
            assert_eq!(error.field, field, "{group:?} {instance:?}");
        }
        assert!(cluster(Some("hive"), Some("node-1")).validate().is_ok());
        assert!(ClusterConfig::default().validate().is_ok());
    }
}
