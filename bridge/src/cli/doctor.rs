//! `hive-bridge doctor`: checks the set-up and says in plain words what to fix, one line
//! per check. Exit code 1 when a check fails.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

use hive_bridge::broker::BrokerMode;
use hive_bridge::config::{self, BridgeConfig};
use hive_bridge::models::ModelsDir;
use hive_bridge::mqtt::{ProbeError, probe};
use hive_bridge::stt::{SttConfig, WhisperStt};
use hive_bridge::tts::{BuildContext, TtsChain};

use super::style::Style;

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
    report(
        "home assistant",
        runtime.block_on(check_home_assistant(&env)),
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
        return match std::net::TcpListener::bind(listen) {
            Ok(_) => Verdict::Pass(format!(
                "embedded broker (no mqtt.url set): it will listen on {listen}"
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
        match WhisperStt::load(whisper.clone()) {
            Ok(_) => Verdict::Pass(format!("{} loads", whisper.model.display())),
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

/// Home Assistant's API, when the Home Assistant skill is configured through its
/// environment variables.
async fn check_home_assistant(env: &dyn Fn(&str) -> Option<String>) -> Verdict {
    let Some(url) = env("HIVE_HOMEASSISTANT_URL").filter(|url| !url.is_empty()) else {
        return Verdict::Skip("not configured (HIVE_HOMEASSISTANT_URL)".into());
    };
    let token = env("HIVE_HOMEASSISTANT_TOKEN").unwrap_or_default();
    let api = format!("{}/api/", url.trim_end_matches('/'));
    let client = match reqwest::Client::builder().timeout(NETWORK_TIMEOUT).build() {
        Ok(client) => client,
        Err(error) => return fail(error.to_string(), "report this as a bug"),
    };
    match client.get(&api).bearer_auth(&token).send().await {
        Ok(response) if response.status().is_success() => Verdict::Pass(format!("{api} answers")),
        Ok(response) if matches!(response.status().as_u16(), 401 | 403) => fail(
            format!("{api} refused the token ({})", response.status()),
            "create a long-lived access token in your Home Assistant profile and set HIVE_HOMEASSISTANT_TOKEN",
        ),
        Ok(response) => fail(
            format!("{api} answered {}", response.status()),
            "check that HIVE_HOMEASSISTANT_URL is Home Assistant's base URL (like http://homeassistant.local:8123)",
        ),
        Err(error) => fail(
            format!("cannot reach {api}: {error}"),
            "check HIVE_HOMEASSISTANT_URL and that Home Assistant is running",
        ),
    }
}

/// The conversation store's folder: writable, with room to grow.
fn check_disk(path: &Path) -> Verdict {
    // The folder is created on first run: check the nearest one that exists.
    let existing = path
        .ancestors()
        .find(|dir| dir.is_dir())
        .unwrap_or(Path::new("/"));
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
