//! A real Mosquitto on a free loopback port, for as long as a test holds it.
//!
//! Start-up: write the configuration for a free port into a temporary directory, start
//! `mosquitto -c`, then poll every [`POLL_INTERVAL`] until an MQTT handshake succeeds
//! *and* this broker's log shows that very connection. The log check matters when tests
//! run in parallel: another test's broker may grab the same free port first, in which
//! case the probe reaches that broker while ours exits with "Address already in use",
//! and the harness retries with another port.

use std::fs::{self, OpenOptions};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::HarnessError;
use crate::config::{self, BrokerBuilder, Paths};
use crate::probe;

/// How often start-up and shutdown poll the broker.
const POLL_INTERVAL: Duration = Duration::from_millis(20);
/// How long Mosquitto may take to answer its first CONNECT, and, on restart, to get its
/// port back. It usually needs a few milliseconds; the bound is for loaded CI machines.
const READY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a stopping broker may take to save its database and exit before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
/// How many free ports a start tries when other processes keep taking them first.
const PORT_ATTEMPTS: usize = 5;
/// What Mosquitto logs when its port is taken.
const ADDRESS_IN_USE: &str = "Address already in use";

/// A running Mosquitto (the Debian package's `mosquitto`) for one test.
///
/// It listens on `127.0.0.1` on a port that was free when it started, keeps its
/// configuration, log and database in a temporary directory, and is killed when the
/// `Broker` is dropped.
///
/// ```no_run
/// # fn main() -> Result<(), hive_tests::HarnessError> {
/// let broker = hive_tests::Broker::start()?;
/// println!("connect to {}", broker.url());
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Broker {
    port: u16,
    paths: Paths,
    /// `None` after [`Broker::stop`].
    child: Option<Child>,
    /// Owns the directory in `paths`; removed on drop, after the process is gone.
    _dir: TempDir,
}

impl Broker {
    /// Starts a broker with a generated configuration: anonymous access, no persistence,
    /// no packet size limit, everything logged.
    ///
    /// # Errors
    ///
    /// [`HarnessError::Spawn`] when Mosquitto is not installed; [`HarnessError::Exited`]
    /// or [`HarnessError::NotReady`] (with Mosquitto's log) when it does not come up;
    /// [`HarnessError::NoFreePort`] when other processes kept taking its port.
    pub fn start() -> Result<Self, HarnessError> {
        Self::builder().start()
    }

    /// Options for a broker: persistence, extra configuration lines, users, or the
    /// project's own configuration.
    pub fn builder() -> BrokerBuilder {
        BrokerBuilder::default()
    }

    /// Starts the project's `mosquitto/` configuration (no anonymous access, the real ACL)
    /// with `users` as (username, password) in its password file.
    ///
    /// # Errors
    ///
    /// As [`Broker::start`], plus [`HarnessError::ProjectConfig`] when the project's
    /// configuration uses an option the harness cannot rewrite, and
    /// [`HarnessError::Passwd`] when the password file cannot be generated.
    pub fn with_project_config(users: &[(&str, &str)]) -> Result<Self, HarnessError> {
        users
            .iter()
            .fold(
                Self::builder().project_config(),
                |builder, (name, password)| builder.user(*name, *password),
            )
            .start()
    }

    /// Creates the directory and password file, then starts on a free port, retrying with
    /// another port when one was taken between choosing it and Mosquitto binding it.
    pub(crate) fn launch(options: BrokerBuilder) -> Result<Self, HarnessError> {
        let dir = tempfile::Builder::new()
            .prefix("hive-mosquitto-")
            .tempdir()
            .map_err(|e| HarnessError::io("creating the broker's temporary directory", e))?;
        let paths = Paths::new(dir.path());
        if config::needs_password_file(&options) {
            config::write_password_file(&paths.passwd, &options.users)?;
        }

        let mut last_log = String::new();
        for _ in 0..PORT_ATTEMPTS {
            let port = free_port()?;
            let text = config::render(&options, port, &paths)?;
            fs::write(&paths.config, text)
                .map_err(|e| HarnessError::io("writing mosquitto.conf", e))?;
            match run_until_ready(port, &paths) {
                Ok(child) => {
                    return Ok(Self {
                        port,
                        paths,
                        child: Some(child),
                        _dir: dir,
                    });
                }
                Err(Start::PortTaken) => last_log = read_log(&paths),
                Err(Start::Failed(error)) => return Err(error),
            }
        }
        Err(HarnessError::NoFreePort {
            attempts: PORT_ATTEMPTS,
            log: last_log,
        })
    }

    /// The port the broker listens on (on 127.0.0.1); it stays the same across restarts.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The host to connect to: always the loopback address.
    pub fn host(&self) -> &'static str {
        "127.0.0.1"
    }

    /// The listener's socket address.
    pub fn address(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    /// The broker's URL, `mqtt://127.0.0.1:PORT`, as Hive's configuration takes it.
    pub fn url(&self) -> String {
        format!("mqtt://{}:{}", self.host(), self.port)
    }

    /// Everything Mosquitto logged so far (all log types, every start), followed by what
    /// it printed on stdout and stderr. Put it in assertion messages.
    pub fn log(&self) -> String {
        read_log(&self.paths)
    }

    /// The configuration file Mosquitto runs, for a test that wants to show it.
    pub fn config_path(&self) -> &Path {
        &self.paths.config
    }

    /// Stops the broker gracefully (SIGTERM), so that with persistence on it saves its
    /// database; kills it if it has not exited after ten seconds. Clients see their
    /// connection drop. Does nothing if the broker is already stopped.
    ///
    /// # Errors
    ///
    /// [`HarnessError::Spawn`] when `kill` cannot be run (the broker is then killed
    /// with SIGKILL, without saving), or an I/O error while waiting for the process.
    pub fn stop(&mut self) -> Result<(), HarnessError> {
        match self.child.take() {
            Some(mut child) => terminate(&mut child),
            None => Ok(()),
        }
    }

    /// Stops the broker (if it runs) and starts it again with the same configuration on
    /// the same port, then waits until it answers. With persistence on, retained messages
    /// and persistent sessions survive. Connected clients are disconnected and may
    /// reconnect to the same address.
    ///
    /// # Errors
    ///
    /// As [`Broker::stop`]; then [`HarnessError::Exited`] or [`HarnessError::NotReady`]
    /// when the broker does not come back, e.g. because another process took the port
    /// while it was down and kept it for ten seconds.
    pub fn restart(&mut self) -> Result<(), HarnessError> {
        self.stop()?;
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            match run_until_ready(self.port, &self.paths) {
                Ok(child) => {
                    self.child = Some(child);
                    return Ok(());
                }
                // Another test's free-port probe may hold the port for a moment.
                Err(Start::PortTaken) if Instant::now() < deadline => {
                    thread::sleep(POLL_INTERVAL);
                }
                Err(Start::PortTaken) => {
                    return Err(HarnessError::NotReady {
                        port: self.port,
                        waited: READY_TIMEOUT,
                        log: self.log(),
                    });
                }
                Err(Start::Failed(error)) => return Err(error),
            }
        }
    }
}

impl Drop for Broker {
    /// Kills the broker (SIGKILL, no save) and reaps it, so no process or zombie outlives
    /// the test and the port stops accepting connections.
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Errors here mean the process is already gone; there is nothing left to do.
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Why one start attempt failed.
enum Start {
    /// Mosquitto exited because its port was taken: try again.
    PortTaken,
    /// Anything else: give up.
    Failed(HarnessError),
}

/// Starts Mosquitto with `paths.config` and waits until it answers on `port`.
fn run_until_ready(port: u16, paths: &Paths) -> Result<Child, Start> {
    let log_start = file_len(&paths.log);
    let mut child = spawn(paths).map_err(Start::Failed)?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(None) => {}
            Ok(Some(status)) => {
                let new_log = read_from(&paths.log, log_start);
                return Err(if new_log.contains(ADDRESS_IN_USE) {
                    Start::PortTaken
                } else {
                    Start::Failed(HarnessError::Exited {
                        status,
                        log: read_log(paths),
                    })
                });
            }
            Err(e) => {
                reap(&mut child);
                return Err(Start::Failed(HarnessError::io("waiting for mosquitto", e)));
            }
        }

        // Any CONNACK code will do, but only from this broker: it logs the probe's port.
        if let Ok(probe_port) = probe::mqtt_handshake(port) {
            let needle = format!("New connection from 127.0.0.1:{probe_port} on port {port}.");
            if read_from(&paths.log, log_start).contains(&needle) {
                return Ok(child);
            }
        }

        if started.elapsed() >= READY_TIMEOUT {
            reap(&mut child);
            return Err(Start::Failed(HarnessError::NotReady {
                port,
                waited: READY_TIMEOUT,
                log: read_log(paths),
            }));
        }
        thread::sleep(POLL_INTERVAL);
    }
}

/// Starts `mosquitto -c <config>` with stdout and stderr appended to the console file.
fn spawn(paths: &Paths) -> Result<Child, HarnessError> {
    let console = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&paths.console)
        .map_err(|e| HarnessError::io("opening mosquitto's console log", e))?;
    let console_err = console
        .try_clone()
        .map_err(|e| HarnessError::io("opening mosquitto's console log", e))?;
    let program = config::program("mosquitto");
    Command::new(&program)
        .arg("-c")
        .arg(&paths.config)
        .current_dir(&paths.dir)
        .stdin(Stdio::null())
        .stdout(console)
        .stderr(console_err)
        .spawn()
        .map_err(|source| HarnessError::Spawn { program, source })
}

/// Sends SIGTERM and waits for the exit; SIGKILL after [`STOP_TIMEOUT`].
fn terminate(child: &mut Child) -> Result<(), HarnessError> {
    if child.try_wait().ok().flatten().is_some() {
        return Ok(()); // Already exited (crashed, or killed by the test).
    }
    // The standard library only sends SIGKILL, which skips saving the database; `kill`
    // (procps, always installed on Debian) avoids `unsafe` libc calls in this crate.
    let program = Path::new("kill").to_path_buf();
    let signalled = Command::new(&program)
        .args(["-TERM", &child.id().to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if let Err(source) = signalled {
        reap(child);
        return Err(HarnessError::Spawn { program, source });
    }

    let deadline = Instant::now() + STOP_TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => return Ok(()),
            Ok(None) if Instant::now() < deadline => thread::sleep(POLL_INTERVAL),
            Ok(None) => {
                reap(child);
                return Ok(());
            }
            Err(e) => {
                reap(child);
                return Err(HarnessError::io("waiting for mosquitto to stop", e));
            }
        }
    }
}

/// Kills and reaps `child`, ignoring errors: it may already be gone.
fn reap(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// A port that was free a moment ago: bind port 0, read the port, release it.
fn free_port() -> Result<u16, HarnessError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(|e| HarnessError::io("binding 127.0.0.1:0 to find a free port", e))?;
    let port = listener
        .local_addr()
        .map_err(|e| HarnessError::io("reading the free port", e))?
        .port();
    Ok(port)
}

/// The log file followed by the console output, for error messages.
fn read_log(paths: &Paths) -> String {
    let mut text = read_from(&paths.log, 0);
    let console = read_from(&paths.console, 0);
    if !console.trim().is_empty() {
        text.push_str("--- mosquitto's stdout and stderr ---\n");
        text.push_str(&console);
    }
    text
}

/// A file's contents from byte `start`, lossily decoded; empty when it does not exist.
fn read_from(path: &Path, start: u64) -> String {
    let bytes = fs::read(path).unwrap_or_default();
    let start = usize::try_from(start)
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    String::from_utf8_lossy(&bytes[start..]).into_owned()
}

/// A file's length, 0 when it does not exist.
fn file_len(path: &Path) -> u64 {
    fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}
