//! The harness's one error type.

use std::io;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::Duration;

/// Everything that can go wrong while starting a broker or talking to it.
///
/// Errors about the broker process carry Mosquitto's own log, so a failing test shows why
/// the broker refused to start or stopped answering.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// Test speech could not be synthesised.
    #[error("test speech: {0}")]
    Speech(String),
    /// The bridge under test failed.
    #[error("bridge under test: {0}")]
    Bridge(String),
    /// The test's `redis-server` did not come up (with its log).
    #[error("redis-server: {0}")]
    Redis(String),
    /// A file or socket operation of the harness itself failed.
    #[error("{context}: {source}")]
    Io {
        /// What the harness was doing.
        context: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },

    /// A program (`mosquitto`, `mosquitto_passwd`) could not be started.
    #[error("cannot run {program}: {source} (is the Debian package `mosquitto` installed?)")]
    Spawn {
        /// The program as the harness tried to run it.
        program: PathBuf,
        /// Why it could not be started.
        #[source]
        source: io::Error,
    },

    /// A test user cannot go into a password file (empty name, `:` in the name, or a
    /// line break).
    #[error("invalid test user {username:?}")]
    InvalidUser {
        /// The username as given.
        username: String,
    },

    /// `mosquitto_passwd` failed while generating the password file.
    #[error("mosquitto_passwd failed ({status}): {output}")]
    Passwd {
        /// Its exit status.
        status: ExitStatus,
        /// What it printed.
        output: String,
    },

    /// The project's `mosquitto.conf` uses an option the harness cannot rewrite for a test.
    #[error("cannot run the project's mosquitto.conf in a test: line {line}: {reason}")]
    ProjectConfig {
        /// The 1-based line number in `mosquitto/mosquitto.conf`.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },

    /// Mosquitto exited before it accepted connections.
    #[error("mosquitto exited early ({status}); its log:\n{log}")]
    Exited {
        /// Its exit status.
        status: ExitStatus,
        /// Mosquitto's log and console output.
        log: String,
    },

    /// Every free port the harness tried was taken before Mosquitto could bind it.
    #[error("mosquitto could not bind a free port after {attempts} attempts; its last log:\n{log}")]
    NoFreePort {
        /// How many ports were tried.
        attempts: usize,
        /// Mosquitto's log from the last attempt.
        log: String,
    },

    /// Mosquitto kept running but did not answer an MQTT CONNECT in time.
    #[error(
        "mosquitto did not accept MQTT connections on port {port} within {waited:?}; its log:\n{log}"
    )]
    NotReady {
        /// The port it should listen on.
        port: u16,
        /// How long the harness waited.
        waited: Duration,
        /// Mosquitto's log and console output.
        log: String,
    },

    /// The broker refused a [`TestClient`](crate::TestClient)'s connection with a CONNACK
    /// return code (bad credentials, not authorised).
    #[error("the broker refused the connection of client {client_id:?}: {code:?}")]
    ConnectRefused {
        /// The client's MQTT client id.
        client_id: String,
        /// The CONNACK return code; Mosquitto answers `NotAuthorized` to anonymous
        /// clients and to wrong passwords alike.
        code: rumqttc::ConnectReturnCode,
    },

    /// A [`TestClient`](crate::TestClient)'s connection failed before the first CONNACK.
    #[error("MQTT connection of client {client_id:?} failed: {source}")]
    Connect {
        /// The client's MQTT client id.
        client_id: String,
        /// The connection error (boxed: rumqttc's error is large).
        #[source]
        source: Box<rumqttc::ConnectionError>,
    },

    /// The broker refused a subscription (SUBACK failure code 0x80).
    #[error("the broker refused the subscription to {filter:?}")]
    SubscriptionRefused {
        /// The refused topic filter.
        filter: String,
    },

    /// Something the test waited for did not happen in time.
    #[error("timed out after {waited:?} waiting for {what}")]
    Timeout {
        /// What was awaited, e.g. `SUBACK for "hive/#"`.
        what: String,
        /// How long the test waited.
        waited: Duration,
    },

    /// [`TestClient::expect`](crate::TestClient::expect) received a message on another
    /// topic than the one expected.
    #[error("expected a message on {expected:?}, received one on {topic:?} ({len} bytes)")]
    UnexpectedMessage {
        /// The topic filter the test expected.
        expected: String,
        /// The topic of the message that arrived instead.
        topic: String,
        /// Its payload length.
        len: usize,
    },

    /// The client's event loop task has ended, so it takes no more requests and no more
    /// messages or acks can arrive.
    #[error("the MQTT client's event loop has stopped")]
    ClientClosed,
}

impl From<rumqttc::ClientError> for HarnessError {
    /// rumqttc only fails a request when the event loop has dropped its request queue.
    fn from(_: rumqttc::ClientError) -> Self {
        Self::ClientClosed
    }
}

impl HarnessError {
    /// Wraps an I/O error with what the harness was doing.
    pub(crate) fn io(context: impl Into<String>, source: io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }
}
