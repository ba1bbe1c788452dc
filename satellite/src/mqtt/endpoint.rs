//! The broker URL.

/// Host, port and TLS, from `mqtt://host[:port]` or `mqtts://host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Host name or address.
    pub host: String,
    /// Port (1883, or 8883 for TLS, when absent).
    pub port: u16,
    /// Whether to use TLS.
    pub tls: bool,
}

impl Endpoint {
    /// Parses a broker URL.
    ///
    /// # Errors
    /// A message saying what is accepted.
    pub fn parse(url: &str) -> Result<Endpoint, String> {
        let bad = || format!("`{url}` is not mqtt://host[:port] or mqtts://host[:port]");
        let (tls, rest) = if let Some(rest) = url.strip_prefix("mqtts://") {
            (true, rest)
        } else if let Some(rest) = url.strip_prefix("mqtt://") {
            (false, rest)
        } else {
            return Err(bad());
        };
        let rest = rest.trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) if !host.contains(':') || host.ends_with(']') => {
                (host, port.parse::<u16>().map_err(|_| bad())?)
            }
            _ => (rest, if tls { 8883 } else { 1883 }),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() || host.contains(['/', '@', ' ']) || port == 0 {
            return Err(bad());
        }
        Ok(Endpoint {
            host: host.to_owned(),
            port,
            tls,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let ok = [
            ("mqtt://broker.lan", "broker.lan", 1883, false),
            ("mqtt://127.0.0.1:1884/", "127.0.0.1", 1884, false),
            ("mqtts://broker", "broker", 8883, true),
            ("mqtt://[::1]:1883", "::1", 1883, false),
        ];
        for (url, host, port, tls) in ok {
            assert_eq!(
                Endpoint::parse(url).unwrap(),
                Endpoint {
                    host: host.into(),
                    port,
                    tls
                },
                "{url}"
            );
        }
        for url in [
            "http://x",
            "mqtt://",
            "mqtt://host:port",
            "mqtt://a b",
            "mqtt://h:0",
        ] {
            assert!(Endpoint::parse(url).is_err(), "{url}");
        }
    }
}
