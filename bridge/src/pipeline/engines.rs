//! Everything a turn uses, built once from the configuration and shared by every turn.

use std::sync::Arc;

use hive_skills::Registry;
use hive_skills::skill::EnvSource;
use tokio_util::sync::CancellationToken;

use crate::config::{BridgeConfig, LlmConfig};
use crate::context::{ContextStore, SharedState};
use crate::llm::{Llm, LlmChain, LocalLlm, OpenAiClient};
use crate::metrics::Telemetry;
use crate::stt::{StandbyStt, Stt, SttConfig, SttQueue};
use crate::tts::{BuildContext, TtsChain};
use crate::vad::BuiltVad;

/// How long the chain passes over the local model after it failed: its supervisor restarts
/// a crashed server within seconds, and a turn asking it then waits for it to load.
const LOCAL_LLM_REST: std::time::Duration = std::time::Duration::from_secs(2);

/// The engines of the pipeline.
pub struct Engines {
    /// Speech-to-text.
    pub stt: Arc<dyn Stt>,
    /// Utterances waiting for, or holding, a turn at speech-to-text.
    pub stt_queue: SttQueue,
    /// Voice-activity detection and endpointing.
    pub vad: BuiltVad,
    /// Language models, in failover order.
    pub llm: LlmChain,
    /// Text-to-speech engines, in failover order; one that failed to build stands in its
    /// place until it is rebuilt.
    pub tts: TtsChain,
    /// Local skills and their intents.
    pub skills: Registry,
    /// The shared conversation; `None` when the store could not be opened (turns are still
    /// answered, without memory).
    pub store: Option<Arc<dyn ContextStore>>,
    /// How long each engine took to load at start-up, for `/metrics`; engines loaded later
    /// (speech-to-text on standby, the local language model) report to the telemetry when
    /// they are.
    pub load_times: Vec<(&'static str, std::time::Duration)>,
    /// Where timers are kept (the conversation's backend); `None` with it.
    pub(crate) timer_store: Option<crate::timers::TimerStore>,
}

impl std::fmt::Debug for Engines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engines")
            .field("stt", &self.stt.name())
            .field("vad", &self.vad.engine_name())
            .field("llm", &self.llm)
            .finish_non_exhaustive()
    }
}

/// Why the bridge cannot start.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The speech-to-text settings are invalid. (A missing or broken model is not fatal: the
    /// bridge starts without speech and loads it later.)
    #[error(transparent)]
    Stt(#[from] crate::stt::SttError),
    /// The VAD configuration is invalid.
    #[error(transparent)]
    Vad(#[from] crate::vad::VadError),
    /// No text-to-speech engine is configured.
    #[error(transparent)]
    Tts(#[from] crate::tts::TtsError),
    /// The skills could not be set up.
    #[error(transparent)]
    Skills(#[from] hive_skills::SkillError),
}

impl Engines {
    /// Loads every engine. Slow (model loading): call from a blocking thread. Engines that
    /// fail are logged and retried in the background; their late loads go to `telemetry`.
    ///
    /// # Errors
    /// An engine without a fallback cannot be built.
    pub fn build(
        config: &BridgeConfig,
        env: &dyn Fn(&str) -> Option<String>,
        runtime: tokio::runtime::Handle,
        shutdown: &CancellationToken,
        telemetry: &Arc<Telemetry>,
    ) -> Result<Engines, BuildError> {
        let models = config.models_dir(env);
        let SttConfig::Whisper(whisper) = &config.stt;
        let mut load_times = Vec::new();
        let started = std::time::Instant::now();
        let standby = StandbyStt::load(whisper)?;
        if standby.is_ready() {
            load_times.push(("stt", started.elapsed()));
        } else {
            // Owned by the bridge's shutdown, like the local model's supervisor.
            let retry = standby.clone().retry(whisper.clone(), shutdown.clone());
            let telemetry = telemetry.clone();
            runtime.spawn(async move {
                if let Some(took) = retry.await {
                    telemetry.loaded("stt", took);
                }
            });
        }
        let stt: Arc<dyn Stt> = standby;
        let started = std::time::Instant::now();
        let vad = config.vad.build_or_fallback(models.root())?;
        load_times.push(("vad", started.elapsed()));
        let started = std::time::Instant::now();
        let context = BuildContext {
            models_dir: models.clone(),
            onnxruntime: models.path(crate::vad::ONNX_RUNTIME_FILE),
            espeak: "espeak-ng".into(),
            runtime: Some(runtime.clone()),
        };
        // An engine that fails to build stands in its place and is rebuilt in the background:
        // with none built, replies go out as text until one loads.
        let (tts, standby_tts) = TtsChain::build_with_standby(&config.tts, &context)?;
        load_times.push(("tts", started.elapsed()));
        for standby in standby_tts {
            let retry = standby.retry(context.clone(), shutdown.clone());
            let telemetry = telemetry.clone();
            runtime.spawn(async move {
                if let Some(took) = retry.await {
                    telemetry.loaded("tts", took);
                }
            });
        }
        let llm = {
            let _guard = runtime.enter();
            let engines = config
                .llm
                .iter()
                .map(|llm| -> (Arc<dyn Llm>, std::time::Duration) {
                    match llm {
                        LlmConfig::Local(local) => {
                            let local = LocalLlm::spawn(local.clone(), shutdown.clone());
                            // The model loads in its own process, after start-up: its load
                            // time (and each restart's) reaches `/metrics` when it is ready.
                            let loads = local.clone();
                            let telemetry = telemetry.clone();
                            tokio::spawn(async move {
                                loads.each_load(|took| telemetry.loaded("llm", took)).await;
                            });
                            (Arc::new(local), LOCAL_LLM_REST)
                        }
                        LlmConfig::Openai(openai) => (
                            Arc::new(OpenAiClient::new(
                                format!("openai ({})", openai.url),
                                openai.clone(),
                            )),
                            std::time::Duration::from_millis(openai.retry_after_ms),
                        ),
                    }
                })
                .collect();
            LlmChain::with_rests(engines)
        };
        // The connected skills (weather, calendar, Home Assistant) read their secrets from the
        // same injected environment as the rest of the configuration; the calendar keeps its
        // reminders next to the conversation.
        let skill_env = SkillEnv(env);
        let context_path = config.context_path();
        let data_dir = context_path.parent().unwrap_or(&context_path);
        let connected = hive_skills::connected::connected_skills(
            &config.skills,
            &skill_env,
            data_dir,
            chrono::Utc::now(),
        );
        let skills = Registry::builtin_with(&config.skills, connected)?;
        let (store, timer_store) = match SharedState::open(config) {
            Ok(state) => (
                Some(state.conversation),
                Some(crate::timers::TimerStore::new(state.timers)),
            ),
            Err(error) => {
                tracing::error!(%error, store = ?config.context.store, path = %config.context_path().display(), "Conversation store unavailable; answering without memory.");
                (None, None)
            }
        };
        Ok(Engines {
            stt,
            stt_queue: SttQueue::new(config.stt.parallel()),
            vad,
            llm,
            tts,
            skills,
            store,
            load_times,
            timer_store,
        })
    }
}

/// The bridge's injected environment as the skills read it.
struct SkillEnv<'a>(&'a dyn Fn(&str) -> Option<String>);

impl EnvSource for SkillEnv<'_> {
    fn var(&self, name: &str) -> Option<String> {
        (self.0)(name)
    }
}
