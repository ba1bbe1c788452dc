//! `hive-bridge doctor`: checks the set-up and says in plain words what to fix, one line
//! per check. Exit code 1 when a check fails.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

use hive_bridge::broker::BrokerMode;
use hive_bridge::config::{self, BridgeConfig, LlmConfig};
use hive_bridge::llm::{LocalLlmConfig, OpenAiConfig};
use hive_bridge::models::ModelsDir;
use hive_bridge::mqtt::{ProbeError, probe};
use hive_bridge::stt::{SttConfig, WhisperStt};
use hive_bridge::tts::{BuildContext, TtsChain};

use hive_skills::homeassistant::HomeAssistantConfig;

use super::style::Style;

/// Home Assistant's API from inside the add-on, where `SUPERVISOR_TOKEN` is set.
const SUPERVISOR_URL: &str = "http://supervisor/core";

/// Free space below which the conversation store may fail to write.
const MIN_FREE_BYTES: u64 = 100 * 1024 * 1024;

/// How long the broker and Home Assistant get to answer.
const NETWORK_TIMEOUT: Duration = Duration::from_secs(5);

/// What one check found.
enum Verdict {
    Pass(String),
    Fail { problem: String, fix: String },
    Skip(String),
}

fn fail(problem: impl Into<String>, fix: impl Into<String>) -> Verdict {
    Verdict::Fail {
        problem: problem.into(),
        fix: fix.into(),
    }
}

pub(crate) fn run(config_path: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let style = Style::detect();
    let env = |name: &str| std::env::var(name).ok();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut failed = false;
    let mut report = |name: &str, verdict: Verdict| {
        let line = match verdict {
            Verdict::Pass(what) => format!("{} {name:<16} {what}", style.ok("ok  ")),
            Verdict::Skip(why) => format!("{} {name:<16} {}", style.dim("skip"), style.dim(&why)),
            Verdict::Fail { problem, fix } => {
                failed = true;
                // One line per check, even for multi-line parser messages.
                let problem = problem.split_whitespace().collect::<Vec<_>>().join(" ");
                format!("{} {name:<16} {problem}; fix: {fix}", style.bad("FAIL"))
            }
        };
        println!("{line}");
    };

    let (config, config_verdict) = check_config(config_path);
    report("config", config_verdict);
    let models = config.models_dir(&env);
    report("broker", runtime.block_on(check_broker(&config)));
    report("onnx runtime", check_onnx(&models));
    report("espeak-ng", check_espeak(env("PATH")));
    for (name, verdict) in check_models(&config, &models, runtime.handle()) {
        report(name, verdict);
    }
    for verdict in runtime.block_on(check_llms(&config)) {
        report("llm", verdict);
    }
    report(
        "home assistant",
        runtime.block_on(check_home_assistant(&config.skills.homeassistant, &env)),
    );
    report("disk", check_disk(&config.context_path()));
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The configuration; the defaults (checked as such) when it is invalid.
fn check_config(path: Option<PathBuf>) -> (BridgeConfig, Verdict) {
    let env = |name: &str| std::env::var(name).ok();
    let path = path.or_else(|| env(super::run::CONFIG_ENV).map(PathBuf::from));
    let defaults = || config::parse("", Path::new("(defaults)"), &env);
    match path {
        None => match defaults() {
            Ok(config) => (
                config,
                Verdict::Pass("no file given (--config or HIVE_CONFIG): built-in defaults".into()),
            ),
            Err(error) => (
                BridgeConfig::default(),
                fail(error.to_string(), "fix the environment variable it names"),
            ),
        },
        Some(path) => match config::load(&path, &env) {
            Ok(config) => (
                config,
                Verdict::Pass(format!("{} is valid", path.display())),
            ),
            Err(error) => (
                defaults().unwrap_or_default(),
                fail(
                    error.to_string(),
                    "correct it (config/bridge.toml documents every option); the checks below use the defaults",
                ),
            ),
        },
    }
}

async fn check_broker(config: &BridgeConfig) -> Verdict {
    let mqtt = &config.mqtt;
    if mqtt.broker == BrokerMode::Embedded {
        let listen = mqtt.embedded.listen;
        if !listen.ip().is_loopback() && mqtt.embedded.users.is_empty() {
            return fail(
                format!(
                    "the embedded broker would listen on {listen} without users: anyone who reaches it can speak for any satellite"
                ),
                "set [mqtt.embedded] users (config/bridge.toml shows how), or listen on 127.0.0.1",
            );
        }
        let users = match mqtt.embedded.users.len() {
            0 => String::new(),
            1 => ", 1 user may connect".to_owned(),
            count => format!(", {count} users may connect"),
        };
        return match std::net::TcpListener::bind(listen) {
            Ok(_) => Verdict::Pass(format!(
                "embedded broker (no mqtt.url set): it will listen on {listen}{users}"
            )),
            Err(error) => fail(
                format!("the embedded broker cannot listen on {listen}: {error}"),
                format!(
                    "if a broker already runs there set mqtt.url = \"mqtt://{listen}\"; otherwise pick another [mqtt.embedded] listen"
                ),
            ),
        };
    }
    let who = match &mqtt.username {
        Some(user) => format!(" as {user}"),
        None => String::new(),
    };
    match probe(mqtt, NETWORK_TIMEOUT).await {
        Ok(()) => Verdict::Pass(format!("{} accepts the connection{who}", mqtt.url)),
        Err(ProbeError::Credentials(detail)) => fail(
            format!("{} refused the credentials{who} ({detail})", mqtt.url),
            "check mqtt.username and mqtt.password (or password_file) against the broker's password file",
        ),
        // rumqttc reports a server that takes the connection but never sends CONNACK like
        // one that cannot be reached; a plain TCP connection tells them apart.
        Err(ProbeError::Unreachable(detail)) if tcp_accepts(&mqtt.url).await => fail(
            format!(
                "{} accepts connections but did not answer as an MQTT broker ({detail})",
                mqtt.url
            ),
            "check that the port is the broker's (1883, or 8883 with mqtts://) and that no firewall or proxy holds the connection",
        ),
        Err(ProbeError::Unreachable(detail)) => fail(
            format!("cannot reach {}: {detail}", mqtt.url),
            "start the broker (sudo systemctl start mosquitto) or correct mqtt.url; remove mqtt.url to use the embedded broker",
        ),
        Err(ProbeError::Timeout(seconds)) => fail(
            format!("{} did not answer within {seconds} s", mqtt.url),
            "check the address, the port and any firewall between here and the broker",
        ),
        Err(error) => fail(
            format!("{}: {error}", mqtt.url),
            "correct the [mqtt] section",
        ),
    }
}

/// Whether the broker URL's host and port take a TCP connection.
async fn tcp_accepts(url: &str) -> bool {
    let (rest, default_port) = match url.strip_prefix("mqtts://") {
        Some(rest) => (rest, 8883),
        None => (url.strip_prefix("mqtt://").unwrap_or(url), 1883),
    };
    let rest = rest.trim_end_matches('/');
    let has_port = rest
        .rsplit_once(':')
        .is_some_and(|(host, port)| !port.contains(']') && !host.is_empty());
    let address = if has_port {
        rest.to_string()
    } else {
        format!("{rest}:{default_port}")
    };
    matches!(
        tokio::time::timeout(NETWORK_TIMEOUT, tokio::net::TcpStream::connect(address)).await,
        Ok(Ok(_))
    )
}

fn check_onnx(models: &ModelsDir) -> Verdict {
    let path = models.path(hive_bridge::vad::ONNX_RUNTIME_FILE);
    if !path.is_file() {
        return fail(
            format!("ONNX Runtime is missing ({})", path.display()),
            "run `hive-bridge models install onnxruntime`",
        );
    }
    match hive_bridge::vad::init_onnx_runtime(&path) {
        Ok(_) => Verdict::Pass(format!("{} loads", path.display())),
        Err(error) => fail(
            format!("ONNX Runtime does not load: {error}"),
            "reinstall it with `hive-bridge models install onnxruntime`",
        ),
    }
}

/// Looks `espeak-ng` up in `path` (the `PATH` value) and asks its version.
fn check_espeak(path: Option<String>) -> Verdict {
    let found = path.as_deref().and_then(|path| {
        std::env::split_paths(path)
            .map(|dir| dir.join("espeak-ng"))
            .find(|candidate| candidate.is_file())
    });
    let Some(program) = found else {
        return fail(
            "espeak-ng is not installed (not found on PATH)",
            "sudo apt-get install espeak-ng (Piper voices use it for phonemes; it is also the fallback voice)",
        );
    };
    match Command::new(&program).arg("--version").output() {
        Ok(output) if output.status.success() => {
            let version = String::from_utf8_lossy(&output.stdout);
            Verdict::Pass(
                version
                    .lines()
                    .next()
                    .unwrap_or("installed")
                    .trim()
                    .to_string(),
            )
        }
        Ok(output) => fail(
            format!(
                "{} --version failed: {}",
                program.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            ),
            "reinstall it: sudo apt-get install --reinstall espeak-ng",
        ),
        Err(error) => fail(
            format!("{} cannot run: {error}", program.display()),
            "reinstall it: sudo apt-get install --reinstall espeak-ng",
        ),
    }
}

/// Loads the Whisper model in a child process (`hive-bridge load-whisper`): whisper.cpp
/// aborts the whole process on some damaged files (a truncated download with the right
/// header), and the doctor must still report the checks after this one.
fn load_whisper_apart(model: &Path) -> Result<(), String> {
    let program = std::env::current_exe().map_err(|error| error.to_string())?;
    let output = Command::new(program)
        .arg(LOAD_WHISPER)
        .arg(model)
        .env("RUST_LOG", "off")
        .output()
        .map_err(|error| error.to_string())?;
    if output.status.success() {
        return Ok(());
    }
    let said = String::from_utf8_lossy(&output.stderr);
    let said = said.lines().rev().find(|line| !line.trim().is_empty());
    Err(match output.status.code() {
        Some(_) => said.unwrap_or("unknown error").trim().to_string(),
        None => "whisper.cpp crashed reading it".to_string(),
    })
}

/// The hidden subcommand [`load_whisper_apart`] runs.
pub(crate) const LOAD_WHISPER: &str = "load-whisper";

/// `hive-bridge load-whisper <model>`: exit 0 when the model loads, else 1 with the reason.
pub(crate) fn load_whisper(model: PathBuf) -> ExitCode {
    match WhisperStt::load(hive_bridge::stt::WhisperConfig::new(model)) {
        Ok(_) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::from(1)
        }
    }
}

/// Speech-to-text, voice-activity detection and text-to-speech: present and loadable.
fn check_models(
    config: &BridgeConfig,
    models: &ModelsDir,
    runtime: &tokio::runtime::Handle,
) -> Vec<(&'static str, Verdict)> {
    let install = "run `hive-bridge models install` (or point the configuration at the file)";
    let mut out = Vec::new();
    let SttConfig::Whisper(whisper) = &config.stt;
    let stt = if !whisper.model.is_file() {
        fail(format!("missing {}", whisper.model.display()), install)
    } else {
        match load_whisper_apart(&whisper.model) {
            Ok(()) => Verdict::Pass(format!("{} loads", whisper.model.display())),
            Err(error) => fail(
                format!("{} does not load: {error}", whisper.model.display()),
                "the file is damaged: `hive-bridge models install` verifies and repairs it",
            ),
        }
    };
    out.push(("stt model", stt));
    let vad = match config.vad.build(models.root()) {
        Ok(vad) => Verdict::Pass(format!("{} loads", vad.engine_name())),
        Err(error) => fail(error.to_string(), install),
    };
    out.push(("vad model", vad));
    let context = BuildContext::new(models.clone()).with_runtime(runtime.clone());
    let tts = match TtsChain::build(&config.tts, &context) {
        Ok(built) if built.failures.is_empty() => {
            let names: Vec<&str> = built
                .chain
                .engines()
                .iter()
                .map(|engine| engine.name())
                .collect();
            Verdict::Pass(format!("{} load", names.join(", ")))
        }
        Ok(built) => {
            let failures: Vec<String> = built
                .failures
                .iter()
                .map(|(_, failure)| format!("{}: {}", failure.engine, failure.error))
                .collect();
            fail(failures.join("; "), install)
        }
        Err(error) => fail(error.to_string(), install),
    };
    out.push(("tts voices", tts));
    out
}

/// Where Home Assistant is and the token to show it, found as the skill finds them: the
/// `[skills.homeassistant]` section, then `HIVE_HOMEASSISTANT_URL` and
/// `HIVE_HOMEASSISTANT_TOKEN`, then the add-on's `SUPERVISOR_TOKEN`. `None` when the skill
/// is off (no URL anywhere).
fn home_assistant_target(
    config: &HomeAssistantConfig,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<(String, String, &'static str)> {
    let pick = |configured: &str, name: &str| {
        Some(configured.trim().to_owned())
            .filter(|value| !value.is_empty())
            .or_else(|| env(name).filter(|value| !value.is_empty()))
    };
    let supervisor = env("SUPERVISOR_TOKEN").filter(|token| !token.is_empty());
    let (url, source) = match pick(&config.url, "HIVE_HOMEASSISTANT_URL") {
        Some(url) => (
            url,
            "[skills.homeassistant] token or HIVE_HOMEASSISTANT_TOKEN",
        ),
        None if supervisor.is_some() => (SUPERVISOR_URL.to_owned(), "SUPERVISOR_TOKEN"),
        None => return None,
    };
    let token = pick(&config.token, "HIVE_HOMEASSISTANT_TOKEN")
        .or(supervisor)
        .unwrap_or_default();
    Some((url, token, source))
}

/// Home Assistant's API, when the Home Assistant skill is configured.
async fn check_home_assistant(
    config: &HomeAssistantConfig,
    env: &dyn Fn(&str) -> Option<String>,
) -> Verdict {
    let Some((url, token, token_source)) = home_assistant_target(config, env) else {
        return Verdict::Skip(
            "not configured ([skills.homeassistant] url or HIVE_HOMEASSISTANT_URL)".into(),
        );
    };
    if token.is_empty() {
        return fail(
            format!("{url} is configured without a token"),
            "create a long-lived access token in your Home Assistant profile and set [skills.homeassistant] token (or HIVE_HOMEASSISTANT_TOKEN)",
        );
    }
    let api = format!("{}/api/", url.trim_end_matches('/'));
    let client = match reqwest::Client::builder().timeout(NETWORK_TIMEOUT).build() {
        Ok(client) => client,
        Err(error) => return fail(error.to_string(), "report this as a bug"),
    };
    match client.get(&api).bearer_auth(&token).send().await {
        Ok(response) if response.status().is_success() => Verdict::Pass(format!("{api} answers")),
        Ok(response) if matches!(response.status().as_u16(), 401 | 403) => fail(
            format!("{api} refused the token ({})", response.status()),
            format!(
                "create a long-lived access token in your Home Assistant profile and set it in {token_source}"
            ),
        ),
        Ok(response) => fail(
            format!("{api} answered {}", response.status()),
            "check that [skills.homeassistant] url (or HIVE_HOMEASSISTANT_URL) is Home Assistant's base URL (like http://homeassistant.local:8123)",
        ),
        Err(error) => fail(
            format!("cannot reach {api}: {error}"),
            "check [skills.homeassistant] url (or HIVE_HOMEASSISTANT_URL) and that Home Assistant is running",
        ),
    }
}

/// The first bytes of every GGUF file.
const GGUF_MAGIC: &[u8; 4] = b"GGUF";

/// One line per `[[llm]]` entry: a local model's file is there and is GGUF, and its server
/// program can be found; a remote server answers.
async fn check_llms(config: &BridgeConfig) -> Vec<Verdict> {
    let mut out = Vec::new();
    for llm in &config.llm {
        out.push(match llm {
            LlmConfig::Local(local) => check_local_llm(local),
            LlmConfig::Openai(remote) => check_remote_llm(remote).await,
        });
    }
    out
}

fn check_local_llm(local: &LocalLlmConfig) -> Verdict {
    let model = &local.model;
    let install = "download a GGUF model (`hive-bridge models install` lists the catalogue) and set [[llm]] model to its path";
    let mut magic = [0u8; 4];
    let read = std::fs::File::open(model)
        .and_then(|mut file| std::io::Read::read_exact(&mut file, &mut magic));
    match read {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return fail(format!("missing {}", model.display()), install);
        }
        Err(error) => {
            return fail(format!("cannot read {}: {error}", model.display()), install);
        }
        Ok(()) if &magic != GGUF_MAGIC => {
            return fail(
                format!("{} is not a GGUF model", model.display()),
                "download the model again (a partial download or another format does not load)",
            );
        }
        Ok(()) => {}
    }
    match (local_llm_program(local.binary.as_deref()), &local.binary) {
        (Some(program), _) => Verdict::Pass(format!(
            "{} (GGUF), served by {}",
            model.display(),
            program.display()
        )),
        (None, Some(configured)) => fail(
            format!("[[llm]] binary {} is not a file", configured.display()),
            "correct [[llm]] binary, or remove it to use the hive-llm beside hive-bridge",
        ),
        (None, None) => fail(
            "the hive-llm program is not beside hive-bridge nor on PATH",
            "build it (cargo build --release -p hive-llm) or set [[llm]] binary",
        ),
    }
}

/// `hive-llm` as the supervisor finds it: the configured path, beside this program, on PATH.
fn local_llm_program(configured: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = configured {
        return path.is_file().then(|| path.to_path_buf());
    }
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("hive-llm")))
        .filter(|path| path.is_file());
    beside.or_else(|| {
        std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join("hive-llm"))
                .find(|candidate| candidate.is_file())
        })
    })
}

async fn check_remote_llm(remote: &OpenAiConfig) -> Verdict {
    let models = format!("{}/models", remote.url.trim_end_matches('/'));
    let client = match reqwest::Client::builder().timeout(NETWORK_TIMEOUT).build() {
        Ok(client) => client,
        Err(error) => return fail(error.to_string(), "report this as a bug"),
    };
    let mut request = client.get(&models);
    if let Some(key) = &remote.api_key {
        request = request.bearer_auth(key);
    }
    match request.send().await {
        Ok(response) if response.status().is_success() => {
            Verdict::Pass(format!("{models} answers (model {})", remote.model))
        }
        Ok(response) if matches!(response.status().as_u16(), 401 | 403) => fail(
            format!("{models} refused the API key ({})", response.status()),
            "set [[llm]] api_key to a key the server accepts",
        ),
        Ok(response) => fail(
            format!("{models} answered {}", response.status()),
            "check that [[llm]] url is the server's OpenAI-compatible base (like http://localhost:11434/v1)",
        ),
        Err(error) => fail(
            format!("cannot reach {models}: {error}"),
            "start the LLM server or correct [[llm]] url",
        ),
    }
}

/// The conversation store's folder: writable, with room to grow.
fn check_disk(path: &Path) -> Verdict {
    // The folder is created on first run: check the nearest path that exists, which must be
    // a folder (a file there makes the creation fail however the permissions are set).
    let existing = path
        .ancestors()
        .find(|dir| dir.exists())
        .unwrap_or(Path::new("/"));
    if !existing.is_dir() {
        return fail(
            format!(
                "cannot create {}: {} is a file, not a folder",
                path.display(),
                existing.display()
            ),
            "set [context] path to a writable folder",
        );
    }
    if let Err(error) = tempfile::tempfile_in(existing) {
        return fail(
            format!("cannot write in {}: {error}", existing.display()),
            "set [context] path to a writable folder or fix its permissions",
        );
    }
    match fs2::available_space(existing) {
        Ok(free) if free >= MIN_FREE_BYTES => Verdict::Pass(format!(
            "{} MB free for the conversation store ({})",
            free / 1_000_000,
            path.display()
        )),
        Ok(free) => fail(
            format!(
                "only {} MB free at {} for the conversation store",
                free / 1_000_000,
                existing.display()
            ),
            "free some space or set [context] path to another disk",
        ),
        Err(error) => fail(
            format!("cannot read free space at {}: {error}", existing.display()),
            "check the disk",
        ),
    }
}
