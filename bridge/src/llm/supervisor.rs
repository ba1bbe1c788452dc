//! Runs the local `hive-llm` process (llama.cpp cannot share a binary with whisper.cpp) and
//! restarts it with exponential backoff whenever it exits.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::chat::ChatRequest;
use super::engine::{Llm, LlmError, LlmStream};
use super::openai::{OpenAiClient, OpenAiConfig};
use crate::backoff::Backoff;

/// How long a local server may take to read a prompt before answering.
const LOCAL_FIRST_BYTE_TIMEOUT_MS: u64 = 120_000;

/// How long a turn waits for a server that is still starting.
const STARTING_WAIT: Duration = Duration::from_secs(30);

/// The line `hive-llm` prints on standard output once it serves.
const READY_PREFIX: &str = "HIVE_LLM_READY ";

/// A local model served by a supervised `hive-llm`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalLlmConfig {
    /// The GGUF model file.
    pub model: PathBuf,
    /// The `hive-llm` program; default: beside `hive-bridge`, else on the `PATH`.
    #[serde(default)]
    pub binary: Option<PathBuf>,
    /// Context length in tokens.
    #[serde(default = "default_context")]
    pub context: u32,
    /// Inference threads; 0 lets `hive-llm` decide.
    #[serde(default)]
    pub threads: u32,
    /// The most tokens an answer may have.
    #[serde(default = "default_max_tokens")]
    pub max_tokens: u32,
    /// How long the model may take to load before the start counts as failed.
    #[serde(default = "default_start_timeout_ms")]
    pub start_timeout_ms: u64,
}

fn default_context() -> u32 {
    4096
}

fn default_max_tokens() -> u32 {
    256
}

fn default_start_timeout_ms() -> u64 {
    120_000
}

/// Why the server is not usable right now.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ServerState {
    Starting,
    Ready(String),
    Down(String),
}

/// Handle on the supervised process; answers through it while it is up.
#[derive(Clone)]
pub struct LocalLlm {
    name: String,
    config: Arc<LocalLlmConfig>,
    state: watch::Receiver<ServerState>,
}

impl std::fmt::Debug for LocalLlm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalLlm")
            .field("model", &self.config.model)
            .finish()
    }
}

impl LocalLlm {
    /// Starts supervising: the process is launched now and relaunched after every exit until
    /// `shutdown` fires, when it is killed.
    pub fn spawn(config: LocalLlmConfig, shutdown: CancellationToken) -> Self {
        let (sender, state) = watch::channel(ServerState::Starting);
        let config = Arc::new(config);
        let name = format!(
            "hive-llm ({})",
            config
                .model
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default()
        );
        tokio::spawn(supervise(config.clone(), sender, shutdown));
        LocalLlm {
            name,
            config,
            state,
        }
    }

    /// Waits until the server is ready or `timeout` passes; returns its URL.
    ///
    /// # Errors
    /// [`LlmError::Unreachable`] if it is not ready in time.
    pub async fn ready(&self, timeout: Duration) -> Result<String, LlmError> {
        let mut state = self.state.clone();
        let wait = state.wait_for(|state| matches!(state, ServerState::Ready(_)));
        match tokio::time::timeout(timeout, wait).await {
            Ok(Ok(state)) => match &*state {
                ServerState::Ready(url) => Ok(url.clone()),
                _ => Err(self.unreachable("not ready".into())),
            },
            _ => Err(self.unreachable(format!(
                "not ready within {timeout:?} ({:?})",
                *self.state.borrow()
            ))),
        }
    }

    /// Calls `on_load` with how long the server took to become ready, from its launch (or
    /// the moment it was seen down, for a restart), each time it does; returns at shutdown.
    pub async fn each_load(&self, mut on_load: impl FnMut(Duration)) {
        let mut state = self.state.clone();
        let mut started = tokio::time::Instant::now();
        loop {
            if state
                .wait_for(|state| matches!(state, ServerState::Ready(_)))
                .await
                .is_err()
            {
                return;
            }
            on_load(started.elapsed());
            if state
                .wait_for(|state| !matches!(state, ServerState::Ready(_)))
                .await
                .is_err()
            {
                return;
            }
            started = tokio::time::Instant::now();
        }
    }

    fn unreachable(&self, detail: String) -> LlmError {
        LlmError::Unreachable {
            engine: self.name.clone(),
            detail,
        }
    }

    fn client(&self) -> Result<OpenAiClient, LlmError> {
        match &*self.state.borrow() {
            ServerState::Ready(url) => {
                let mut config = OpenAiConfig::new(format!("{url}/v1"), "local");
                config.max_tokens = self.config.max_tokens;
                // The first byte of a local answer comes after the whole prompt is read: on
                // two cores a cold prompt with every skill's tool takes tens of seconds, and a
                // crashed server is seen at once anyway (connection refused, supervisor).
                config.first_byte_timeout_ms = LOCAL_FIRST_BYTE_TIMEOUT_MS;
                Ok(OpenAiClient::new(self.name.clone(), config))
            }
            ServerState::Starting => Err(self.unreachable("still starting".into())),
            ServerState::Down(why) => Err(self.unreachable(why.clone())),
        }
    }
}

impl Llm for LocalLlm {
    fn chat(&self, request: ChatRequest) -> BoxFuture<'_, Result<LlmStream, LlmError>> {
        Box::pin(async move {
            // A server still loading its model is worth waiting for (the first turn after
            // start-up); one that crashed is not: the chain moves on to the next engine.
            if matches!(*self.state.borrow(), ServerState::Starting) {
                let _ = self.ready(STARTING_WAIT).await;
            }
            let client = self.client()?;
            client.chat(request).await
        })
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn caches_prompt(&self) -> bool {
        true
    }
}

fn binary(config: &LocalLlmConfig) -> PathBuf {
    if let Some(binary) = &config.binary {
        return binary.clone();
    }
    // Beside `hive-bridge` (installed together), or one level up (a test binary in
    // `target/<profile>/deps/`), else whatever the PATH holds.
    let exe = std::env::current_exe().ok();
    let beside = exe
        .iter()
        .flat_map(|exe| exe.ancestors().skip(1).take(2))
        .map(|dir| dir.join("hive-llm"))
        .find(|path| path.is_file());
    beside.unwrap_or_else(|| PathBuf::from("hive-llm"))
}

async fn supervise(
    config: Arc<LocalLlmConfig>,
    state: watch::Sender<ServerState>,
    shutdown: CancellationToken,
) {
    let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));
    loop {
        let _ = state.send(ServerState::Starting);
        let outcome = tokio::select! {
            () = shutdown.cancelled() => return,
            outcome = run_once(&config, &state, &shutdown) => outcome,
        };
        let delay = match outcome {
            RunOutcome::Stopped => return,
            RunOutcome::Exited { why, served } => {
                if served {
                    backoff.reset();
                }
                let delay = backoff.next();
                tracing::warn!(reason = %why, retry_in_ms = delay.as_millis() as u64, "Local language model stopped; restarting.");
                let _ = state.send(ServerState::Down(why));
                delay
            }
        };
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(delay) => {}
        }
    }
}

enum RunOutcome {
    Stopped,
    Exited { why: String, served: bool },
}

async fn run_once(
    config: &LocalLlmConfig,
    state: &watch::Sender<ServerState>,
    shutdown: &CancellationToken,
) -> RunOutcome {
    let program = binary(config);
    let mut command = Command::new(&program);
    command
        .arg("--model")
        .arg(&config.model)
        .args([
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--ctx",
            &config.context.to_string(),
        ])
        // A pipe held open by the bridge: if the bridge dies, even by SIGKILL, the pipe closes
        // and `hive-llm` exits instead of holding gigabytes of model memory.
        .arg("--exit-on-stdin-close")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    if config.threads > 0 {
        command.args(["--threads", &config.threads.to_string()]);
    }
    let mut child: Child = match command.spawn() {
        Ok(child) => child,
        Err(error) => {
            return RunOutcome::Exited {
                why: format!("cannot start {}: {error}", program.display()),
                served: false,
            };
        }
    };
    let _stdin = child.stdin.take();
    let Some(stdout) = child.stdout.take() else {
        return RunOutcome::Exited {
            why: "no standard output".into(),
            served: false,
        };
    };
    let mut lines = BufReader::new(stdout).lines();
    let start_timeout = Duration::from_millis(config.start_timeout_ms);
    let ready = tokio::time::timeout(start_timeout, async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(url) = line.strip_prefix(READY_PREFIX) {
                return Some(url.trim().to_string());
            }
        }
        None
    });
    let url = tokio::select! {
        () = shutdown.cancelled() => {
            let _ = child.kill().await;
            return RunOutcome::Stopped;
        }
        url = ready => url,
    };
    let Ok(Some(url)) = url else {
        let _ = child.kill().await;
        let status = child
            .wait()
            .await
            .map(|status| status.to_string())
            .unwrap_or_default();
        return RunOutcome::Exited {
            why: format!("did not become ready ({status})"),
            served: false,
        };
    };
    tracing::info!(url = %url, model = %config.model.display(), "Local language model ready.");
    let _ = state.send(ServerState::Ready(url));
    // Keep reading stdout so the pipe never fills and blocks the server.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    tokio::select! {
        () = shutdown.cancelled() => {
            let _ = child.kill().await;
            RunOutcome::Stopped
        }
        status = child.wait() => {
            let why = status.map(|status| format!("exited: {status}")).unwrap_or_else(|error| error.to_string());
            RunOutcome::Exited { why, served: true }
        }
    }
}
