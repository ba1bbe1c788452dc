//! Broker address, credentials and TLS, as the `[mqtt]` section gives them.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use crate::broker::{BrokerMode, EmbeddedBrokerConfig};

/// The `[mqtt]` section. Its `Debug` hides the password, so that logging a configuration
/// never logs the secret.
#[derive(Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MqttConfig {
    /// `mqtt://host:port` or `mqtts://host:port` (TLS). Empty in a file means "not
    /// configured": the embedded broker is used (see [`BrokerMode::Auto`]).
    #[serde(default)]
    pub url: String,
    /// Which broker: the embedded one, an external one at `url`, or `auto`.
    #[serde(default)]
    pub broker: BrokerMode,
    /// The embedded broker's settings.
    #[serde(default)]
    pub embedded: EmbeddedBrokerConfig,
    /// The client id; several bridges sharing one broker need different ids.
    #[serde(default = "default_client_id")]
    pub client_id: String,
    /// Topic prefix shared with the satellites.
    #[serde(default = "default_prefix")]
    pub prefix: String,
    /// User name, if the broker wants one.
    #[serde(default)]
    pub username: Option<String>,
    /// Password (prefer `password_file` or `${ENV}` interpolation to keep it out of files).
    #[serde(default)]
    pub password: Option<String>,
    /// A file whose first line is the password (Docker and systemd secrets).
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// Keep-alive interval in seconds; the broker declares the bridge dead (and publishes
    /// its last will) after 1.5 times this.
    #[serde(default = "default_keep_alive")]
    pub keep_alive_s: u64,
    /// Largest packet accepted or sent; TTS audio of one sentence is the largest message.
    #[serde(default = "default_max_packet")]
    pub max_packet_bytes: usize,
    /// TLS settings for `mqtts://`.
    #[serde(default)]
    pub tls: TlsConfig,
}

impl std::fmt::Debug for MqttConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MqttConfig")
            .field("url", &self.url)
            .field("broker", &self.broker)
            .field("embedded", &self.embedded)
            .field("client_id", &self.client_id)
            .field("prefix", &self.prefix)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("password_file", &self.password_file)
            .field("keep_alive_s", &self.keep_alive_s)
            .field("max_packet_bytes", &self.max_packet_bytes)
            .field("tls", &self.tls)
            .finish()
    }
}

/// TLS files; all PEM.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// The CA that signed the broker's certificate.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// A client certificate, for brokers that authenticate clients by certificate.
    #[serde(default)]
    pub cert_file: Option<PathBuf>,
    /// The client certificate's key.
    #[serde(default)]
    pub key_file: Option<PathBuf>,
}

fn default_client_id() -> String {
    "hive-bridge".into()
}

fn default_prefix() -> String {
    "hive".into()
}

fn default_keep_alive() -> u64 {
    15
}

fn default_max_packet() -> usize {
    8 * 1024 * 1024
}

impl Default for MqttConfig {
    fn default() -> Self {
        MqttConfig {
            // Not configured: the embedded broker (see `resolve_broker`).
            url: String::new(),
            broker: BrokerMode::default(),
            embedded: EmbeddedBrokerConfig::default(),
            client_id: default_client_id(),
            prefix: default_prefix(),
            username: None,
            password: None,
            password_file: None,
            keep_alive_s: default_keep_alive(),
            max_packet_bytes: default_max_packet(),
            tls: TlsConfig::default(),
        }
    }
}

/// A setting that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MqttConfigError {
    /// The URL is not `mqtt://host[:port]` or `mqtts://host[:port]`.
    #[error("mqtt.url `{0}` is not mqtt://host[:port] or mqtts://host[:port]")]
    Url(String),
    /// A TLS or password file cannot be read.
    #[error("mqtt: cannot read {path}: {detail}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        detail: String,
    },
    /// Another setting is out of range.
    #[error("mqtt.{0}")]
    Invalid(String),
}

/// Where to connect, from the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) tls: bool,
}

impl MqttConfig {
    /// A configuration for a broker URL, with the defaults.
    pub fn for_url(url: impl Into<String>) -> Self {
        MqttConfig {
            url: url.into(),
            ..MqttConfig::default()
        }
    }

    pub(crate) fn endpoint(&self) -> Result<Endpoint, MqttConfigError> {
        let bad = || MqttConfigError::Url(self.url.clone());
        let (tls, rest) = if let Some(rest) = self.url.strip_prefix("mqtts://") {
            (true, rest)
        } else if let Some(rest) = self.url.strip_prefix("mqtt://") {
            (false, rest)
        } else {
            return Err(bad());
        };
        let rest = rest.trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) if !host.ends_with(']') || host.starts_with('[') => {
                (host, port.parse::<u16>().map_err(|_| bad())?)
            }
            _ => (rest, if tls { 8883 } else { 1883 }),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() || host.contains(['/', '@', ' ']) {
            return Err(bad());
        }
        Ok(Endpoint {
            host: host.to_string(),
            port,
            tls,
        })
    }

    /// The password from `password` or `password_file`.
    pub(crate) fn resolved_password(&self) -> Result<Option<String>, MqttConfigError> {
        if let Some(path) = &self.password_file {
            let text = std::fs::read_to_string(path).map_err(|error| MqttConfigError::File {
                path: path.clone(),
                detail: error.to_string(),
            })?;
            return Ok(Some(text.lines().next().unwrap_or_default().to_string()));
        }
        Ok(self.password.clone())
    }

    /// Turns [`BrokerMode::Auto`] into embedded (no `url`) or external, and gives an
    /// embedded broker's URL to `url`. Called when a file is loaded.
    ///
    /// # Errors
    /// `broker` contradicts `url`.
    pub fn resolve_broker(&mut self) -> Result<(), MqttConfigError> {
        let url_given = !self.url.trim().is_empty();
        match (self.broker, url_given) {
            (BrokerMode::Auto, false) | (BrokerMode::Embedded, false) => {
                self.broker = BrokerMode::Embedded;
                self.url = self.embedded.local_url();
            }
            (BrokerMode::Auto, true) => self.broker = BrokerMode::External,
            (BrokerMode::External, true) => {}
            (BrokerMode::Embedded, true) => {
                return Err(MqttConfigError::Invalid(
                    "broker = \"embedded\" and url are both set: remove url (the bridge connects to its own broker) or set broker = \"external\"".into(),
                ));
            }
            (BrokerMode::External, false) => {
                return Err(MqttConfigError::Invalid(
                    "broker = \"external\" needs url (like mqtt://broker.lan:1883)".into(),
                ));
            }
        }
        Ok(())
    }

    /// The keep-alive interval.
    pub fn keep_alive(&self) -> Duration {
        Duration::from_secs(self.keep_alive_s)
    }

    /// Checks everything that can be checked before connecting.
    ///
    /// # Errors
    /// The first bad setting.
    pub fn validate(&self) -> Result<(), MqttConfigError> {
        let endpoint = self.endpoint()?;
        if self.client_id.is_empty() || self.client_id.len() > 64 {
            return Err(MqttConfigError::Invalid(
                "client_id must have 1 to 64 characters".into(),
            ));
        }
        if !(5..=3600).contains(&self.keep_alive_s) {
            return Err(MqttConfigError::Invalid(
                "keep_alive_s must be between 5 and 3600".into(),
            ));
        }
        if self.max_packet_bytes < 64 * 1024 {
            return Err(MqttConfigError::Invalid(
                "max_packet_bytes must be at least 65536 (audio)".into(),
            ));
        }
        if self.password.is_some() && self.password_file.is_some() {
            return Err(MqttConfigError::Invalid(
                "set password or password_file, not both".into(),
            ));
        }
        self.resolved_password()?;
        if !endpoint.tls && (self.tls.ca_file.is_some() || self.tls.cert_file.is_some()) {
            return Err(MqttConfigError::Invalid(
                "tls files are set but mqtt.url is not mqtts://".into(),
            ));
        }
        if self.tls.cert_file.is_some() != self.tls.key_file.is_some() {
            return Err(MqttConfigError::Invalid(
                "tls.cert_file and tls.key_file go together".into(),
            ));
        }
        for path in [&self.tls.ca_file, &self.tls.cert_file, &self.tls.key_file]
            .into_iter()
            .flatten()
        {
            if !path.is_file() {
                return Err(MqttConfigError::File {
                    path: path.clone(),
                    detail: "no such file".into(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_give_endpoints() {
        let cases = [
            ("mqtt://127.0.0.1:1883", Some(("127.0.0.1", 1883, false))),
            ("mqtt://broker.lan", Some(("broker.lan", 1883, false))),
            ("mqtts://broker.lan", Some(("broker.lan", 8883, true))),
            ("mqtts://broker.lan:9999/", Some(("broker.lan", 9999, true))),
            ("mqtt://[::1]:1884", Some(("::1", 1884, false))),
            ("http://broker", None),
            ("mqtt://", None),
            ("mqtt://host:notaport", None),
            ("mqtt://user@host", None),
        ];
        for (url, expected) in cases {
            let got = MqttConfig::for_url(url).endpoint().ok();
            let expected = expected.map(|(host, port, tls)| Endpoint {
                host: host.into(),
                port,
                tls,
            });
            assert_eq!(got, expected, "{url}");
        }
    }

    #[test]
    fn bad_settings_are_named() {
        let config = MqttConfig {
            keep_alive_s: 1,
            ..MqttConfig::for_url("mqtt://127.0.0.1:1883")
        };
        assert!(
            config
                .validate()
                .unwrap_err()
                .to_string()
                .contains("keep_alive_s")
        );
        let mut config = MqttConfig::for_url("mqtt://127.0.0.1:1883");
        config.tls.ca_file = Some("/ca.pem".into());
        assert!(
            config
                .validate()
                .unwrap_err()
                .to_string()
                .contains("mqtts://")
        );
        let config = MqttConfig {
            password_file: Some("/nonexistent/secret".into()),
            ..MqttConfig::for_url("mqtt://127.0.0.1:1883")
        };
        assert!(
            config
                .validate()
                .unwrap_err()
                .to_string()
                .contains("/nonexistent/secret")
        );
        assert!(
            MqttConfig::for_url("mqtt://127.0.0.1:1883")
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn the_broker_choice_follows_the_url() {
        let resolved = |broker: BrokerMode, url: &str| {
            let mut config = MqttConfig {
                broker,
                ..MqttConfig::for_url(url)
            };
            config
                .resolve_broker()
                .map(|()| (config.broker, config.url))
        };
        let embedded = "mqtt://127.0.0.1:1883".to_string();
        let external = "mqtt://broker.lan:1883";
        let cases = [
            (
                BrokerMode::Auto,
                "",
                Some((BrokerMode::Embedded, embedded.clone())),
            ),
            (
                BrokerMode::Auto,
                " ",
                Some((BrokerMode::Embedded, embedded.clone())),
            ),
            (
                BrokerMode::Auto,
                external,
                Some((BrokerMode::External, external.into())),
            ),
            (
                BrokerMode::Embedded,
                "",
                Some((BrokerMode::Embedded, embedded)),
            ),
            (
                BrokerMode::External,
                external,
                Some((BrokerMode::External, external.into())),
            ),
            (BrokerMode::Embedded, external, None),
            (BrokerMode::External, "", None),
        ];
        for (broker, url, expected) in cases {
            assert_eq!(resolved(broker, url).ok(), expected, "{broker:?} {url:?}");
        }
    }

    #[test]
    fn a_password_file_gives_its_first_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        std::fs::write(&path, "s3cret\n").unwrap();
        let config = MqttConfig {
            password_file: Some(path),
            ..MqttConfig::for_url("mqtt://127.0.0.1:1883")
        };
        assert_eq!(
            config.resolved_password().unwrap().as_deref(),
            Some("s3cret")
        );
    }

    #[test]
    fn debug_never_shows_the_password() {
        let config = MqttConfig {
            password: Some("hunter2-debug-canary".into()),
            ..MqttConfig::default()
        };
        let shown = format!("{config:?} {config:#?}");
        assert!(!shown.contains("hunter2-debug-canary"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
}
