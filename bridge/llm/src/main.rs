//! The `hive-llm` command: parses the command line, sets up logging and signals, and hands
//! over to the library. Prints `HIVE_LLM_READY http://HOST:PORT` on standard output once the
//! model is loaded and the socket bound; logs go to standard error.
//!
//! Exit codes: 0 after a clean shutdown, 1 on a runtime failure, 2 for bad arguments, 3 when
//! the model is missing or cannot be loaded.

use std::io::{IsTerminal as _, Write as _};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, ValueEnum};
use hive_llm::config::{DEFAULT_CONTEXT, DEFAULT_QUEUE};
use hive_llm::{Config, Server, ready_line};
use tokio_util::sync::CancellationToken;

const EXIT_FAILURE: u8 = 1;
const EXIT_USAGE: u8 = 2;
const EXIT_MODEL: u8 = 3;

/// Examples and exit codes, under `--help`.
const AFTER_HELP: &str = "\
Examples:
  hive-llm --model ~/.cache/hive/models/llm/SmolLM2-135M-Instruct.Q4_1.gguf
  hive-llm --model qwen2.5-0.5b-instruct-q4_k_m.gguf --port 8081 --ctx 2048 --threads 2
  hive-llm --model model.gguf --port 0 --port-file /run/hive-llm.addr

The bridge starts it itself for a [[llm]] type = \"local\" entry; run it by hand to try a
model: it prints HIVE_LLM_READY http://HOST:PORT once it serves /v1/chat/completions.

Exit codes:
  0  clean shutdown (SIGINT or SIGTERM)
  1  failed while running
  2  bad command-line arguments
  3  the model file is missing or cannot be loaded";

/// Serves a local GGUF model over the OpenAI chat-completions API.
#[derive(Debug, Parser)]
#[command(name = "hive-llm", version, after_help = AFTER_HELP)]
struct Args {
    /// The GGUF model file.
    #[arg(long)]
    model: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Context length in tokens (prompt plus answer).
    #[arg(long, default_value_t = DEFAULT_CONTEXT)]
    ctx: u32,
    /// Inference threads; 0 uses every core.
    #[arg(long, default_value_t = 0)]
    threads: u32,
    /// Also write the ready line to this file.
    #[arg(long)]
    port_file: Option<PathBuf>,
    /// Model name reported to clients; default: the file name without extension.
    #[arg(long)]
    model_name: Option<String>,
    /// Requests that may wait while one generates; more get 503.
    #[arg(long, default_value_t = DEFAULT_QUEUE)]
    queue: usize,
    /// Shut down when standard input closes, so the server never outlives its supervisor.
    #[arg(long)]
    exit_on_stdin_close: bool,
    /// Log format on standard error.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

fn main() -> ExitCode {
    let exec_error = ensure_passive_openmp();
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(EXIT_USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    init_logging(args.log_format);
    if let Some(error) = exec_error {
        tracing::warn!(error = %error, "Cannot re-execute with OMP_WAIT_POLICY=PASSIVE; OpenMP threads will spin.");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .worker_threads(2)
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("hive-llm: cannot start the async runtime: {error}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %format_args!("{error:#}"), "Stopped with an error.");
            eprintln!("hive-llm: {error:#}");
            match error.downcast_ref::<hive_llm::Error>() {
                Some(error) if error.is_model_error() => ExitCode::from(EXIT_MODEL),
                Some(hive_llm::Error::Config(_)) => ExitCode::from(EXIT_USAGE),
                _ => ExitCode::from(EXIT_FAILURE),
            }
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let shutdown = CancellationToken::new();
    watch_signals(shutdown.clone()).context("cannot listen for signals")?;
    if args.exit_on_stdin_close {
        watch_stdin(shutdown.clone());
    }
    let config = Config {
        model_name: args.model_name,
        host: args.host,
        port: args.port,
        context: args.ctx,
        threads: (args.threads > 0).then_some(args.threads),
        queue: args.queue,
        ..Config::new(args.model)
    };
    let server = tokio::select! {
        server = Server::bind(config) => server?,
        () = shutdown.cancelled() => return Ok(()),
    };
    let line = ready_line(server.local_addr());
    if let Some(path) = &args.port_file {
        write_port_file(path, &line)
            .with_context(|| format!("cannot write the port file {}", path.display()))?;
    }
    // Not `println!`: it panics if the supervisor has closed the pipe.
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .is_err()
    {
        tracing::warn!("Standard output is closed; the ready line was not printed.");
    }
    drop(stdout);
    server.run(shutdown).await?;
    Ok(())
}

/// llama.cpp's OpenMP worker threads spin while they wait for work (the "active" policy).
/// On a small machine shared with speech recognition and synthesis that steals the cores the
/// other work needs, and generation collapses: measured on 2 busy cores, 3–17 tokens/s
/// spinning against 20–25 passive. libgomp reads the policy from the environment when it
/// loads, before `main`, so the process replaces itself once (same PID, same arguments and
/// pipes) with `OMP_WAIT_POLICY=PASSIVE`, unless the caller chose a policy. Returns the error
/// if that fails; the server then runs with the default policy.
fn ensure_passive_openmp() -> Option<std::io::Error> {
    use std::os::unix::process::CommandExt as _;
    if std::env::var_os("OMP_WAIT_POLICY").is_some() {
        return None;
    }
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(error) => return Some(error),
    };
    let mut args = std::env::args_os();
    let arg0 = args.next().unwrap_or_else(|| exe.clone().into_os_string());
    // `exec` only returns on failure.
    Some(
        std::process::Command::new(&exe)
            .arg0(arg0)
            .args(args)
            .env("OMP_WAIT_POLICY", "PASSIVE")
            .exec(),
    )
}

/// SIGINT or SIGTERM starts a graceful shutdown; a second one exits at once.
fn watch_signals(shutdown: CancellationToken) -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    tokio::spawn(async move {
        tokio::select! {
            _ = terminate.recv() => tracing::info!(signal = "SIGTERM", "Shutdown requested."),
            _ = interrupt.recv() => tracing::info!(signal = "SIGINT", "Shutdown requested."),
        }
        shutdown.cancel();
        tokio::select! {
            _ = terminate.recv() => {}
            _ = interrupt.recv() => {}
        }
        tracing::warn!("Second signal; exiting without waiting.");
        std::process::exit(130);
    });
    Ok(())
}

/// A plain thread, not a runtime task: a blocking read of stdin would keep the runtime from
/// shutting down, and a thread is simply abandoned at exit.
fn watch_stdin(shutdown: CancellationToken) {
    let spawned = std::thread::Builder::new()
        .name("hive-llm-stdin".into())
        .spawn(move || {
            let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
            tracing::info!("Standard input closed; shutting down.");
            shutdown.cancel();
        });
    if let Err(error) = spawned {
        tracing::warn!(error = %error, "Cannot watch standard input.");
    }
}

/// Written beside and renamed, so a reader never sees half a line.
fn write_port_file(path: &Path, line: &str) -> std::io::Result<()> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    std::fs::write(&partial, format!("{line}\n"))?;
    std::fs::rename(&partial, path)
}

fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    // llama.cpp reports every tensor at info level; keep its warnings only unless asked.
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,llama-cpp-2=warn,llama_cpp_2=warn"));
    // Colours only for a person at a terminal, not in a supervisor's or test's log file.
    let ansi = std::io::stderr().is_terminal();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}
