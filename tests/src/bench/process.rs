//! The programs as users run them: built once with cargo, spawned with a configuration
//! file, their memory read from `/proc`, the bridge's `/metrics` read over HTTP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::cli::{cargo, free_port, workspace_root};
use crate::error::HarnessError;

/// Builds `binary` of `package` in the profile this program runs in, and returns its path.
///
/// # Errors
/// The build failed or the program is not where cargo puts it.
pub(crate) fn build(package: &str, binary: &str) -> Result<PathBuf, HarnessError> {
    let exe = std::env::current_exe().map_err(|error| bench_error(error.to_string()))?;
    // `<target>/<profile>/hive-bench`, or `<target>/<profile>/deps/<test>` under cargo test.
    let profile_dir = exe
        .ancestors()
        .skip(1)
        .find(|dir| dir.join(".fingerprint").is_dir())
        .ok_or_else(|| {
            bench_error(format!(
                "no cargo profile directory above {}",
                exe.display()
            ))
        })?
        .to_path_buf();
    let mut command = Command::new(cargo());
    command
        .current_dir(workspace_root())
        .args(["build", "--quiet", "-p", package, "--bin", binary]);
    if profile_dir
        .file_name()
        .is_some_and(|name| name == "release")
    {
        command.arg("--release");
    }
    let output = command
        .output()
        .map_err(|error| bench_error(format!("cannot run cargo: {error}")))?;
    if !output.status.success() {
        return Err(bench_error(format!(
            "cargo build -p {package} --bin {binary} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    let program = profile_dir.join(binary);
    if program.is_file() {
        Ok(program)
    } else {
        Err(bench_error(format!("{} was not built", program.display())))
    }
}

pub(crate) fn bench_error(detail: impl Into<String>) -> HarnessError {
    HarnessError::Bridge(detail.into())
}

/// One line a program wrote on standard error, with when it was read.
#[derive(Debug, Clone)]
pub(crate) struct LogLine {
    pub(crate) at: Instant,
    pub(crate) text: String,
}

/// A spawned program; killed on drop. Its standard error is read continuously (so the pipe
/// never fills) and kept.
#[derive(Debug)]
pub(crate) struct Program {
    child: Child,
    log: Arc<Mutex<Vec<LogLine>>>,
}

/// Most log lines kept; older ones are dropped (the benchmark only looks at recent ones).
const LOG_LINES: usize = 20_000;

impl Program {
    /// Spawns `program args…` with `HIVE_MODELS_DIR=models`.
    pub(crate) fn spawn(
        program: &Path,
        args: &[&str],
        models: &Path,
    ) -> Result<Self, HarnessError> {
        let mut child = Command::new(program)
            .args(args)
            .env("HIVE_MODELS_DIR", models)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| bench_error(format!("cannot start {}: {error}", program.display())))?;
        let log = Arc::new(Mutex::new(Vec::new()));
        if let Some(stderr) = child.stderr.take() {
            let lines = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    let mut lines = lines
                        .lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner());
                    if lines.len() >= LOG_LINES {
                        lines.drain(..LOG_LINES / 2);
                    }
                    lines.push(LogLine {
                        at: Instant::now(),
                        text: strip_ansi(&line),
                    });
                }
            });
        }
        Ok(Program { child, log })
    }

    /// Its process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its resident memory now, in bytes.
    pub(crate) fn rss(&self) -> Option<u64> {
        rss(self.pid())
    }

    /// Lines logged at or after `since`.
    pub(crate) fn log_since(&self, since: Instant) -> Vec<LogLine> {
        let lines = self
            .log
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        lines
            .iter()
            .filter(|line| line.at >= since)
            .cloned()
            .collect()
    }

    /// The last lines logged, for error messages.
    pub(crate) fn tail(&self) -> String {
        let lines = self
            .log
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let start = lines.len().saturating_sub(15);
        lines[start..]
            .iter()
            .map(|line| line.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Whether it has exited.
    pub(crate) fn exited(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }

    /// Kills it (SIGKILL: queued work is abandoned at once) and reaps it.
    pub(crate) fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Samples a process's RSS every few milliseconds on a thread of its own, until dropped.
#[derive(Debug)]
pub(crate) struct RssSampler {
    samples: Arc<Mutex<Vec<(Instant, u64)>>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
}

/// How often [`RssSampler`] reads `/proc`: often enough to catch a turn's peak.
const SAMPLE_EVERY: Duration = Duration::from_millis(10);

impl RssSampler {
    pub(crate) fn start(pid: u32) -> Self {
        let samples = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (kept, stopped) = (samples.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stopped.load(std::sync::atomic::Ordering::Relaxed) {
                let Some(bytes) = rss(pid) else { break };
                kept.lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .push((Instant::now(), bytes));
                std::thread::sleep(SAMPLE_EVERY);
            }
        });
        RssSampler { samples, stop }
    }

    /// The highest sample taken in `from..to`.
    pub(crate) fn peak(&self, from: Instant, to: Instant) -> Option<u64> {
        self.in_window(from, to).into_iter().max()
    }

    /// The median sample taken in `from..to`.
    pub(crate) fn median(&self, from: Instant, to: Instant) -> Option<u64> {
        let mut window = self.in_window(from, to);
        window.sort_unstable();
        window.get(window.len() / 2).copied()
    }

    fn in_window(&self, from: Instant, to: Instant) -> Vec<u64> {
        self.samples
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .iter()
            .filter(|(at, _)| *at >= from && *at <= to)
            .map(|(_, bytes)| *bytes)
            .collect()
    }
}

impl Drop for RssSampler {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Removes terminal colour sequences (`ESC [ … m`) from a log line.
pub(crate) fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `VmRSS` of process `pid`, in bytes.
pub(crate) fn rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_vm_rss(&status)
}

fn parse_vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The children of process `pid` (e.g. the `hive-llm` the bridge supervises).
pub(crate) fn children(pid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&child| {
            std::fs::read_to_string(format!("/proc/{child}/stat"))
                .ok()
                .and_then(|stat| parent_of(&stat))
                == Some(pid)
        })
        .collect()
}

/// The parent pid in a `/proc/<pid>/stat` line (after the parenthesised command name).
fn parent_of(stat: &str) -> Option<u32> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(1)?.parse().ok()
}

/// The `hive-bridge` program running against a broker, with its status page on a free port.
#[derive(Debug)]
pub(crate) struct BridgeProcess {
    pub(crate) program: Program,
    pub(crate) http: SocketAddr,
    _dir: tempfile::TempDir,
}

impl BridgeProcess {
    /// Writes a configuration (English, whisper tiny.en, default Piper and Silero, `extra`
    /// appended) and starts `hive-bridge run` with it.
    pub(crate) fn start(
        binary: &Path,
        broker_url: &str,
        models: &Path,
        extra: &str,
    ) -> Result<Self, HarnessError> {
        let dir = tempfile::tempdir().map_err(|error| bench_error(error.to_string()))?;
        let port = free_port()?;
        let text = format!(
            "[mqtt]\nurl = \"{broker_url}\"\nclient_id = \"hive-bench-bridge\"\n\
             [stt]\ntype = \"whisper\"\nmodel = \"{stt}\"\nlanguage = \"en\"\n\
             [context]\npath = \"{context}\"\n\
             [http]\nenabled = true\nlisten = \"127.0.0.1:{port}\"\n{extra}",
            stt = super::config::STT_MODEL,
            context = dir.path().join("context").display(),
        );
        let config = dir.path().join("bridge.toml");
        std::fs::write(&config, text).map_err(|error| bench_error(error.to_string()))?;
        let config = config.display().to_string();
        let program = Program::spawn(binary, &["run", "--config", &config], models)?;
        Ok(BridgeProcess {
            program,
            http: SocketAddr::from(([127, 0, 0, 1], port)),
            _dir: dir,
        })
    }

    /// `/metrics` as Prometheus text.
    pub(crate) fn metrics(&self) -> Result<String, HarnessError> {
        http_get(self.http, "/metrics")
    }
}

/// A plain HTTP/1.0 GET; returns the body.
fn http_get(address: SocketAddr, path: &str) -> Result<String, HarnessError> {
    let failed = |error: std::io::Error| bench_error(format!("GET {path}: {error}"));
    let mut stream =
        TcpStream::connect_timeout(&address, Duration::from_secs(5)).map_err(failed)?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(failed)?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").map_err(failed)?;
    let mut response = String::new();
    stream.read_to_string(&mut response).map_err(failed)?;
    let (_, body) = response
        .split_once("\r\n\r\n")
        .ok_or_else(|| bench_error(format!("GET {path}: no HTTP body")))?;
    Ok(body.to_string())
}

/// The value of the Prometheus sample `name` (with its labels, e.g.
/// `hive_audio_chunks_total{fate="lost"}`); `None` when absent.
pub(crate) fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| {
            let (key, value) = line.rsplit_once(' ')?;
            (key == name).then(|| value.parse().ok()).flatten()
        })
}

/// A `key=value` number in a log line (tracing's text format), e.g. `prompt_ms=812`.
pub(crate) fn log_field(line: &str, key: &str) -> Option<f64> {
    let pattern = format!("{key}=");
    let start = line.find(&pattern)? + pattern.len();
    let digits: String = line[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_status_stat_logs_and_metrics_are_read() {
        let status = "Name:\thive-bridge\nVmPeak:\t  9 kB\nVmRSS:\t  123456 kB\nThreads:\t9\n";
        assert_eq!(parse_vm_rss(status), Some(123_456 * 1024));
        assert_eq!(parse_vm_rss("Name: x\n"), None);
        assert_eq!(parent_of("4242 (hive llm) S 4200 4242 1 0"), Some(4200));
        assert_eq!(
            strip_ansi("\u{1b}[3mprompt_ms\u{1b}[0m\u{1b}[2m=\u{1b}[0m812 x"),
            "prompt_ms=812 x"
        );
        let line = "INFO generate: Prompt evaluated. prompt_tokens=40 prompt_ms=812";
        assert_eq!(log_field(line, "prompt_ms"), Some(812.0));
        assert_eq!(log_field(line, "absent"), None);
        let text = "# HELP x\nhive_audio_chunks_total{fate=\"received\"} 250\nhive_audio_chunks_total{fate=\"lost\"} 0\n";
        assert_eq!(
            metric(text, "hive_audio_chunks_total{fate=\"received\"}"),
            Some(250.0)
        );
        assert_eq!(metric(text, "hive_audio_chunks_total{fate=\"late\"}"), None);
    }

    #[test]
    fn rss_of_this_process_is_readable() {
        assert!(rss(std::process::id()).is_some_and(|bytes| bytes > 1024 * 1024));
    }
}
