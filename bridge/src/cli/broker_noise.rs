//! The embedded broker's log lines that are not news. rumqttd logs ERROR for what is normal
//! for a broker: a client that disconnects cleanly (its DISCONNECT races its closed socket:
//! "no-connection id N is already gone"), and each link's "router-drop" while the bridge
//! stops. A person who sees ERROR after every good run stops reading errors, so these two are
//! dropped; every other rumqttd line passes the level filter as usual.

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

/// How the dropped messages begin.
const NOT_NEWS: [&str; 2] = ["no-connection id ", "router-drop"];

/// Drops rumqttd's [`NOT_NEWS`].
pub(crate) struct BrokerNoise;

impl<S: Subscriber> Layer<S> for BrokerNoise {
    fn event_enabled(&self, event: &Event<'_>, _: Context<'_, S>) -> bool {
        if !event.metadata().target().starts_with("rumqttd") {
            return true;
        }
        let mut message = Message(None);
        event.record(&mut message);
        !message
            .0
            .is_some_and(|text| NOT_NEWS.iter().any(|start| text.starts_with(start)))
    }
}

/// An event's `message` field.
struct Message(Option<String>);

impl Visit for Message {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0 = Some(value.to_owned());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    /// Collects the messages that reach it.
    #[derive(Clone, Default)]
    struct Seen(Arc<Mutex<Vec<String>>>);

    impl<S: Subscriber> Layer<S> for Seen {
        fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
            let mut message = Message(None);
            event.record(&mut message);
            self.0.lock().unwrap().push(message.0.unwrap_or_default());
        }
    }

    #[test]
    fn only_rumqttds_clean_disconnect_and_router_drop_are_dropped() {
        let seen = Seen::default();
        let subscriber = tracing_subscriber::registry()
            .with(BrokerNoise)
            .with(seen.clone());
        tracing::subscriber::with_default(subscriber, || {
            tracing::error!(target: "rumqttd::router::routing", "no-connection id {} is already gone", 3);
            tracing::error!(target: "rumqttd::server::broker", error = "Recv(Disconnected)", "router-drop");
            tracing::error!(target: "rumqttd::router::routing", "Failed to append to commitlog");
            tracing::error!(target: "hive_bridge::server", "no-connection id 3 is already gone");
            tracing::warn!(target: "rumqttd::server::broker", "Tls handshake failed");
        });
        assert_eq!(
            *seen.0.lock().unwrap(),
            [
                "Failed to append to commitlog",
                "no-connection id 3 is already gone",
                "Tls handshake failed"
            ]
        );
    }
}
