//! A one-off connection that only checks that the broker accepts these settings: what
//! `hive-bridge doctor` uses. It publishes nothing and has no last will.

use std::time::Duration;

use rumqttc::{AsyncClient, ConnectReturnCode, ConnectionError, Event, MqttOptions, Packet};

use super::config::{MqttConfig, MqttConfigError};

/// Why the broker did not accept a connection.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// The settings cannot work.
    #[error(transparent)]
    Config(#[from] MqttConfigError),
    /// The broker refused the user name or password, or this client.
    #[error("the broker refused the credentials ({0})")]
    Credentials(String),
    /// The broker refused for another reason.
    #[error("the broker refused the connection ({0})")]
    Refused(String),
    /// Nothing answers at the address, or the network or TLS failed.
    #[error("cannot reach the broker: {0}")]
    Unreachable(String),
    /// No answer in time.
    #[error("the broker did not answer within {0} s")]
    Timeout(u64),
}

/// Connects with `config`'s address, credentials and TLS, waits for the CONNACK, and
/// disconnects.
///
/// # Errors
/// See [`ProbeError`].
pub async fn probe(config: &MqttConfig, timeout: Duration) -> Result<(), ProbeError> {
    config.validate()?;
    let endpoint = config.endpoint()?;
    let id = format!("hive-doctor-{}", std::process::id());
    let mut options = MqttOptions::new(id, &endpoint.host, endpoint.port);
    options.set_keep_alive(Duration::from_secs(10));
    if let Some(username) = &config.username {
        options.set_credentials(username, config.resolved_password()?.unwrap_or_default());
    }
    if endpoint.tls {
        options.set_transport(rumqttc::Transport::tls_with_config(super::connection::tls(
            config,
        )?));
    }
    let (client, mut event_loop) = AsyncClient::new(options, 4);
    let answer = async {
        loop {
            match event_loop.poll().await {
                Ok(Event::Incoming(Packet::ConnAck(_))) => return Ok(()),
                Ok(_) => {}
                Err(ConnectionError::ConnectionRefused(code)) => {
                    return Err(match code {
                        ConnectReturnCode::BadUserNamePassword
                        | ConnectReturnCode::NotAuthorized => {
                            ProbeError::Credentials(format!("{code:?}"))
                        }
                        other => ProbeError::Refused(format!("{other:?}")),
                    });
                }
                Err(error) => return Err(ProbeError::Unreachable(error.to_string())),
            }
        }
    };
    let result = tokio::time::timeout(timeout, answer)
        .await
        .map_err(|_| ProbeError::Timeout(timeout.as_secs()))?;
    if result.is_ok() {
        let _ = client.try_disconnect();
        let _ = tokio::time::timeout(Duration::from_secs(1), event_loop.poll()).await;
    }
    result
}
