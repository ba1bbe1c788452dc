//! `[http]`: where the status page, `/health` and `/metrics` listen.

use std::net::SocketAddr;

use serde::Deserialize;

/// The `[http]` section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// Serve at all.
    #[serde(default = "default_enabled")]
    pub enabled: bool,
    /// Where to listen. Loopback by default: the page can ask questions and shows what
    /// was said in the house, so opening it to the network is a deliberate choice.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
}

fn default_enabled() -> bool {
    true
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            enabled: default_enabled(),
            listen: default_listen(),
        }
    }
}
