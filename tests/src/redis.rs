//! A real Redis (the Debian package's `redis-server`) on a free loopback port, for as long as
//! a test holds it: the shared store of several bridges.
//!
//! Start-up as for [`Broker`](crate::Broker): write the configuration for a free port into a
//! temporary directory, start `redis-server`, then poll until it logs that it is ready *and*
//! answers `PING` on that port. When another process took the port first, Redis exits with
//! "Address already in use" and the harness retries with another port.

use std::fs;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::HarnessError;

/// How often start-up polls.
const POLL_INTERVAL: Duration = Duration::from_millis(20);
/// How long Redis may take to answer; it needs a few milliseconds, the bound is for loaded
/// CI machines.
const READY_TIMEOUT: Duration = Duration::from_secs(10);
/// How many free ports a start tries when other processes keep taking them first.
const PORT_ATTEMPTS: usize = 5;
/// What Redis logs when its port is taken.
const ADDRESS_IN_USE: &str = "Address already in use";
/// What Redis logs once it accepts clients.
const READY: &str = "Ready to accept connections";

/// A running `redis-server` for one test: loopback only, no persistence, killed on drop.
#[derive(Debug)]
pub struct RedisServer {
    port: u16,
    log: PathBuf,
    child: Option<Child>,
    /// Owns the directory of `log`; removed on drop, after the process is gone.
    _dir: TempDir,
}

impl RedisServer {
    /// Starts a server on a free port of 127.0.0.1.
    ///
    /// # Errors
    /// [`HarnessError::Spawn`] when `redis-server` is not installed; [`HarnessError::Redis`]
    /// (with its log) when it does not come up.
    pub fn start() -> Result<Self, HarnessError> {
        let dir = tempfile::Builder::new()
            .prefix("hive-redis-")
            .tempdir()
            .map_err(|e| HarnessError::io("creating Redis's temporary directory", e))?;
        let log = dir.path().join("redis.log");
        let mut last_log = String::new();
        for _ in 0..PORT_ATTEMPTS {
            let port = free_port()?;
            let config = dir.path().join("redis.conf");
            fs::write(&config, render(port, dir.path(), &log))
                .map_err(|e| HarnessError::io("writing redis.conf", e))?;
            match run_until_ready(port, &config, &log)? {
                Some(child) => {
                    return Ok(RedisServer {
                        port,
                        log,
                        child: Some(child),
                        _dir: dir,
                    });
                }
                None => last_log = fs::read_to_string(&log).unwrap_or_default(),
            }
        }
        Err(HarnessError::Redis(format!(
            "no free port after {PORT_ATTEMPTS} attempts; its last log:\n{last_log}"
        )))
    }

    /// The port it listens on (on 127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:PORT/0`, as the bridge's `[context] redis_url` takes it.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Everything Redis logged so far, for assertion messages.
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Errors mean the process is already gone.
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A loopback-only server without persistence: a test's data dies with the test.
fn render(port: u16, dir: &Path, log: &Path) -> String {
    format!(
        "port {port}\nbind 127.0.0.1\nprotected-mode yes\ndaemonize no\nsave \"\"\n\
         appendonly no\ndir {}\nlogfile {}\nloglevel notice\n",
        dir.display(),
        log.display()
    )
}

/// Starts Redis and waits until it answers; `None` when its port was taken.
fn run_until_ready(port: u16, config: &Path, log: &Path) -> Result<Option<Child>, HarnessError> {
    let _ = fs::remove_file(log);
    let program = crate::config::program("redis-server");
    let mut child = Command::new(&program)
        .arg(config)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|source| HarnessError::Spawn { program, source })?;
    let started = Instant::now();
    loop {
        let text = fs::read_to_string(log).unwrap_or_default();
        match child.try_wait() {
            Ok(None) => {}
            Ok(Some(status)) if text.contains(ADDRESS_IN_USE) => {
                let _ = status;
                return Ok(None);
            }
            Ok(Some(status)) => {
                return Err(HarnessError::Redis(format!(
                    "redis-server exited early ({status}); its log:\n{text}"
                )));
            }
            Err(e) => {
                reap(&mut child);
                return Err(HarnessError::io("waiting for redis-server", e));
            }
        }
        // Our server logged that it is ready, so the port is ours; PING proves it answers.
        if text.contains(READY) && ping(port) {
            return Ok(Some(child));
        }
        if started.elapsed() >= READY_TIMEOUT {
            reap(&mut child);
            return Err(HarnessError::Redis(format!(
                "redis-server did not answer on port {port} within {READY_TIMEOUT:?}; its log:\n{text}"
            )));
        }
        thread::sleep(POLL_INTERVAL);
    }
}

/// Whether a Redis on `port` answers `PING` (inline command, `+PONG` reply).
fn ping(port: u16) -> bool {
    let attempt = || -> std::io::Result<bool> {
        let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port))?;
        stream.set_read_timeout(Some(Duration::from_secs(1)))?;
        stream.write_all(b"PING\r\n")?;
        let mut reply = [0u8; 7];
        stream.read_exact(&mut reply)?;
        Ok(&reply == b"+PONG\r\n")
    };
    attempt().unwrap_or(false)
}

fn reap(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// A port that was free a moment ago.
fn free_port() -> Result<u16, HarnessError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(|e| HarnessError::io("binding 127.0.0.1:0 to find a free port", e))?;
    listener
        .local_addr()
        .map(|address| address.port())
        .map_err(|e| HarnessError::io("reading the free port", e))
}
