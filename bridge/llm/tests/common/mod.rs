//! Shared test support: finding the provisioned models and running `hive-llm` processes.

#![allow(dead_code, unreachable_pub)] // Each test binary uses a different part.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{OnceLock, mpsc};
use std::time::Duration;

/// How long a model may take to load before a test gives up.
pub const READY_TIMEOUT: Duration = Duration::from_secs(120);

pub const QWEN: &str = "llm/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf";
pub const SMOLLM: &str = "llm/SmolLM2-135M-Instruct.Q4_1.gguf";

/// The models directory: `HIVE_MODELS_DIR`, else the user cache's `hive/models`.
pub fn models_dir() -> PathBuf {
    std::env::var_os("HIVE_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            dirs::cache_dir()
                .expect("no cache directory on this system; set HIVE_MODELS_DIR")
                .join("hive")
                .join("models")
        })
}

/// A provisioned model file. Fails the test (never skips it) when the file is missing.
pub fn model(relative: &str) -> PathBuf {
    let path = models_dir().join(relative);
    assert!(
        path.is_file(),
        "model {} is missing: run the provisioning step: `cargo run -p hive-bridge -- models install --all` \
         (or point HIVE_MODELS_DIR at a directory holding {relative})",
        path.display()
    );
    path
}

/// A running `hive-llm`, killed when dropped.
pub struct LlmProcess {
    /// `None` once waited for.
    child: Option<Child>,
    /// Held open: the server runs with `--exit-on-stdin-close`, so it ends with the tests.
    _stdin: ChildStdin,
    /// Base URL from the ready line.
    pub url: String,
    /// Where the server's standard error (its log) goes.
    pub log: PathBuf,
}

impl LlmProcess {
    /// Starts `hive-llm` on `model` with extra arguments and waits for its ready line.
    pub fn start(model: &Path, extra: &[&str]) -> LlmProcess {
        let log = log_path();
        let stderr = std::fs::File::create(&log).expect("create the server log file");
        let mut child = Command::new(env!("CARGO_BIN_EXE_hive-llm"))
            .arg("--model")
            .arg(model)
            .args(["--port", "0", "--exit-on-stdin-close"])
            .args(extra)
            .env("RUST_LOG", "info,llama-cpp-2=warn,llama_cpp_2=warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start hive-llm");
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let (ready, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = ready.send(line);
            }
        });
        let url = loop {
            match lines.recv_timeout(READY_TIMEOUT) {
                Ok(line) => {
                    if let Some(url) = line.strip_prefix("HIVE_LLM_READY ") {
                        break url.trim().to_string();
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    panic!(
                        "hive-llm did not print its ready line within {READY_TIMEOUT:?}; log:\n{}",
                        std::fs::read_to_string(&log).unwrap_or_default()
                    );
                }
            }
        };
        LlmProcess {
            child: Some(child),
            _stdin: stdin,
            url,
            log,
        }
    }

    /// The server's log so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// Waits for the process to exit (bounded) and returns its exit code.
    pub fn wait(mut self, timeout: Duration) -> Option<i32> {
        let mut child = self.child.take().expect("the process is running");
        let (exited, status) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = exited.send(child.wait());
        });
        match status.recv_timeout(timeout) {
            Ok(status) => status.expect("wait for hive-llm").code(),
            Err(_) => panic!(
                "hive-llm did not exit within {timeout:?}; log:\n{}",
                self.log_text()
            ),
        }
    }
}

impl Drop for LlmProcess {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
        // Keep the log of a failed test for reading.
        if !std::thread::panicking() {
            let _ = std::fs::remove_file(&self.log);
        }
    }
}

/// One Qwen server shared by the tests of a test binary. It is never dropped; it exits
/// when the test process ends and its standard input closes.
pub fn shared_qwen() -> &'static LlmProcess {
    static SERVER: OnceLock<LlmProcess> = OnceLock::new();
    SERVER.get_or_init(|| LlmProcess::start(&model(QWEN), &["--ctx", "4096"]))
}

fn log_path() -> PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("hive-llm-test-{}-{n}.log", std::process::id()))
}

/// An HTTP client that never goes through a proxy (loopback only).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("HTTP client")
}

/// The `data:` payloads of an SSE body, in order.
pub fn sse_payloads(body: &str) -> Vec<String> {
    body.split("\n\n")
        .filter_map(|frame| frame.trim().strip_prefix("data: ").map(str::to_string))
        .collect()
}
