//! `[mqtt] broker` and `[mqtt.embedded]`: which broker the bridge talks to.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use serde::Deserialize;

/// Which broker the bridge connects to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BrokerMode {
    /// Embedded when `mqtt.url` is empty or absent, external otherwise. Loading a file
    /// resolves it to one of the other two.
    #[default]
    Auto,
    /// Start a broker inside the bridge on `[mqtt.embedded] listen` and connect to it.
    Embedded,
    /// Connect to `mqtt.url` (Mosquitto: the production set-up).
    External,
}

/// `[mqtt.embedded]`: the broker the bridge runs itself.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmbeddedBrokerConfig {
    /// Where it listens. Loopback by default: without `users` anyone who reaches it can
    /// speak for any satellite.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Most clients at once (satellites, the bridge, Home Assistant, tools).
    #[serde(default = "default_max_connections")]
    pub max_connections: usize,
    /// User name → password. When set, only these users connect (each may publish and
    /// subscribe anywhere: there is no ACL; Mosquitto is the set-up with one). The bridge
    /// connects with a login of its own, made up at each start.
    #[serde(default)]
    pub users: BTreeMap<String, String>,
}

/// By hand, so that the users' passwords never reach a log line.
impl std::fmt::Debug for EmbeddedBrokerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedBrokerConfig")
            .field("listen", &self.listen)
            .field("max_connections", &self.max_connections)
            .field("users", &self.users.keys().collect::<Vec<_>>())
            .finish()
    }
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 1883))
}

fn default_max_connections() -> usize {
    64
}

impl Default for EmbeddedBrokerConfig {
    fn default() -> Self {
        EmbeddedBrokerConfig {
            listen: default_listen(),
            max_connections: default_max_connections(),
            users: BTreeMap::new(),
        }
    }
}

impl EmbeddedBrokerConfig {
    /// The URL a client on this machine uses to reach the broker: an unspecified listen
    /// address (`0.0.0.0`, `::`) is reached through loopback.
    pub fn local_url(&self) -> String {
        local_url(self.listen)
    }
}

/// `mqtt://` URL of a listening address, through loopback when it is unspecified.
pub(crate) fn local_url(listen: SocketAddr) -> String {
    let port = listen.port();
    match listen {
        SocketAddr::V4(v4) if v4.ip().is_unspecified() => format!("mqtt://127.0.0.1:{port}"),
        SocketAddr::V4(v4) => format!("mqtt://{}:{port}", v4.ip()),
        SocketAddr::V6(v6) if v6.ip().is_unspecified() => format!("mqtt://[::1]:{port}"),
        SocketAddr::V6(v6) => format!("mqtt://[{}]:{port}", v6.ip()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_addresses_give_local_urls() {
        let cases = [
            ("127.0.0.1:1883", "mqtt://127.0.0.1:1883"),
            ("0.0.0.0:1884", "mqtt://127.0.0.1:1884"),
            ("[::]:1883", "mqtt://[::1]:1883"),
            ("[::1]:2000", "mqtt://[::1]:2000"),
            ("192.168.1.5:1883", "mqtt://192.168.1.5:1883"),
        ];
        for (listen, url) in cases {
            assert_eq!(local_url(listen.parse().unwrap()), url, "{listen}");
        }
    }
}
