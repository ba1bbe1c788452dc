//! The embedded broker's log lines that are not news. rumqttd logs ERROR for what is normal
//! for a broker: a client that disconnects cleanly (its DISCONNECT races its closed socket:
//! "no-connection id N is already gone"), and each link's "router-drop" while the bridge
//! stops. It also logs ERROR "disconnected" for a client whose socket was reset, which is how
//! a client that quits (or loses power) usually goes; rumqttd itself logs the same departure at
//! INFO when the socket says "aborted", and the client's last will tells everyone who needs to
//! know. A person who sees ERROR after every good run stops reading errors, so these three are
//! dropped; every other rumqttd line passes the level filter as usual.

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

/// How the dropped messages begin.
const NOT_NEWS: [&str; 2] = ["no-connection id ", "router-drop"];

/// The socket errors that mean the peer went away, when a "disconnected" event carries them.
const PEER_GONE: [&str; 2] = ["ConnectionReset", "BrokenPipe"];

/// Drops rumqttd's [`NOT_NEWS`], and its "disconnected" events caused by [`PEER_GONE`].
pub(crate) struct BrokerNoise;

impl<S: Subscriber> Layer<S> for BrokerNoise {
    fn event_enabled(&self, event: &Event<'_>, _: Context<'_, S>) -> bool {
        if !event.metadata().target().starts_with("rumqttd") {
            return true;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let Some(message) = fields.message else {
            return true;
        };
        let not_news = NOT_NEWS.iter().any(|start| message.starts_with(start));
        let peer_gone = message == "disconnected"
            && fields
                .error
                .is_some_and(|error| PEER_GONE.iter().any(|kind| error.contains(kind)));
        !(not_news || peer_gone)
    }
}

/// An event's `message` and `error` fields.
#[derive(Default)]
struct Fields {
    message: Option<String>,
    error: Option<String>,
}

impl Fields {
    fn slot(&mut self, field: &Field) -> Option<&mut Option<String>> {
        match field.name() {
            "message" => Some(&mut self.message),
            "error" => Some(&mut self.error),
            _ => None,
        }
    }
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if let Some(slot) = self.slot(field) {
            *slot = Some(value.to_owned());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if let Some(slot) = self.slot(field) {
            *slot = Some(format!("{value:?}"));
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
            let mut fields = Fields::default();
            event.record(&mut fields);
            self.0
                .lock()
                .unwrap()
                .push(fields.message.unwrap_or_default());
        }
    }

    #[test]
    fn only_rumqttds_clean_disconnect_router_drop_and_peer_reset_are_dropped() {
        let seen = Seen::default();
        let subscriber = tracing_subscriber::registry()
            .with(BrokerNoise)
            .with(seen.clone());
        tracing::subscriber::with_default(subscriber, || {
            tracing::error!(target: "rumqttd::router::routing", "no-connection id {} is already gone", 3);
            tracing::error!(target: "rumqttd::server::broker", error = "Recv(Disconnected)", "router-drop");
            tracing::error!(target: "rumqttd::router::routing", "Failed to append to commitlog");
            let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
            tracing::error!(target: "rumqttd::server::broker", error = ?reset, "disconnected");
            let pipe = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
            tracing::error!(target: "rumqttd::server::broker", error = ?pipe, "disconnected");
            tracing::error!(target: "rumqttd::server::broker", error = "KeepAlive(Elapsed(()))", "disconnected");
            tracing::error!(target: "rumqttd::server::broker", "disconnected");
            tracing::error!(target: "hive_bridge::server", "no-connection id 3 is already gone");
            tracing::warn!(target: "rumqttd::server::broker", "Tls handshake failed");
        });
        assert_eq!(
            *seen.0.lock().unwrap(),
            [
                "Failed to append to commitlog",
                "disconnected",
                "disconnected",
                "no-connection id 3 is already gone",
                "Tls handshake failed"
            ]
        );
    }
}
