//! The shape of `bridge.toml`; every default lives here. `config/bridge.toml` documents each
//! option.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::llm::{LocalLlmConfig, OpenAiConfig};
use crate::models::ModelsDir;
use crate::mqtt::MqttConfig;
use crate::stt::{SttConfig, WhisperConfig};
use crate::tts::TtsConfig;
use crate::vad::VadSection;

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BridgeConfig {
    /// The broker.
    #[serde(default)]
    pub mqtt: MqttConfig,
    /// Where models live.
    #[serde(default)]
    pub models: ModelsSection,
    /// Speech-to-text.
    #[serde(default = "default_stt")]
    pub stt: SttConfig,
    /// Voice-activity detection and endpointing.
    #[serde(default)]
    pub vad: VadSection,
    /// Language models, in order of preference (`[[llm]]`); empty answers local intents only.
    #[serde(default)]
    pub llm: Vec<LlmConfig>,
    /// Text-to-speech engines, in order of preference (`[[tts]]`).
    #[serde(default = "default_tts")]
    pub tts: Vec<TtsConfig>,
    /// The shared conversation.
    #[serde(default)]
    pub context: ContextConfig,
    /// Who the assistant is and where it lives.
    #[serde(default)]
    pub assistant: AssistantConfig,
    /// Limits of one turn.
    #[serde(default)]
    pub session: SessionConfig,
    /// Home Assistant MQTT discovery.
    #[serde(default)]
    pub discovery: crate::discovery::DiscoveryConfig,
    /// The status page, `/health` and `/metrics`.
    #[serde(default)]
    pub http: crate::http::HttpConfig,
    /// Skills served by other programs over MQTT.
    #[serde(default)]
    pub external_skills: ExternalSkillsConfig,
    /// The built-in skills: which run, the matcher, and `[skills.weather]`,
    /// `[skills.homeassistant]`.
    #[serde(default)]
    pub skills: hive_skills::SkillsConfig,
    /// What the network may ask: payload sizes, turns per minute, sessions at once.
    #[serde(default)]
    pub limits: crate::limits::LimitsConfig,
    /// Several bridges sharing the work through the broker; off by default.
    #[serde(default)]
    pub cluster: crate::cluster::ClusterConfig,
    /// The satellites the bridge answers (`allow`); empty, every one.
    #[serde(default)]
    pub satellites: crate::satellites::SatellitesConfig,
}

/// The `[external_skills]` section.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalSkillsConfig {
    /// How long an external skill has to answer before the user hears an apology.
    #[serde(default = "default_external_timeout_s")]
    pub timeout_s: f32,
}

fn default_external_timeout_s() -> f32 {
    5.0
}

impl Default for ExternalSkillsConfig {
    fn default() -> Self {
        ExternalSkillsConfig {
            timeout_s: default_external_timeout_s(),
        }
    }
}

/// The `[models]` section.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelsSection {
    /// The models directory; default `$HIVE_MODELS_DIR`, else the user's cache.
    #[serde(default)]
    pub dir: Option<PathBuf>,
}

/// One `[[llm]]` entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LlmConfig {
    /// A GGUF model served by a supervised `hive-llm` process.
    Local(LocalLlmConfig),
    /// Any OpenAI-compatible server: Ollama (`http://localhost:11434/v1`), vLLM, OpenAI.
    Openai(OpenAiConfig),
}

/// The `[context]` section.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextConfig {
    /// The sled database folder; default `<data dir>/hive/context`.
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// Days of conversation kept.
    #[serde(default = "default_window_days")]
    pub window_days: u32,
    /// Past messages put in each prompt.
    #[serde(default = "default_prompt_messages")]
    pub prompt_messages: usize,
    /// Where the conversation and the timers live: `sled` (embedded, at `path`) or `redis`
    /// (shared by several bridges, at `redis_url`).
    #[serde(default)]
    pub store: crate::context::StoreKind,
    /// `redis://host:port/db`, required with `store = "redis"`.
    #[serde(default)]
    pub redis_url: Option<String>,
}

/// The `[assistant]` section.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssistantConfig {
    /// Its name, used in the system prompt.
    #[serde(default = "default_name")]
    pub name: String,
    /// The language of announcements and of answers when detection is not possible.
    #[serde(default = "default_language")]
    pub language: String,
    /// The household's IANA time zone (`Europe/Paris`).
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    /// Extra instructions appended to the built-in system prompt.
    #[serde(default)]
    pub instructions: Option<String>,
}

/// The `[session]` section: limits of one turn.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionConfig {
    /// A stream with no chunk for this long is closed with an error reply.
    #[serde(default = "default_audio_idle_s")]
    pub audio_idle_timeout_s: f32,
    /// The most audio one turn may send.
    #[serde(default = "default_max_audio_s")]
    pub max_audio_s: f32,
    /// The most a whole turn may take before it is abandoned with an apology.
    #[serde(default = "default_turn_timeout_s")]
    pub turn_timeout_s: f32,
}

fn default_stt() -> SttConfig {
    SttConfig::Whisper(WhisperConfig::new("whisper/ggml-base.bin"))
}

fn default_tts() -> Vec<TtsConfig> {
    toml::from_str::<TtsList>("[[tts]]\ntype = \"piper\"\nmodel = \"tts/en_US-joe-medium.onnx\"\n[[tts]]\ntype = \"espeak\"\n")
        .map(|list| list.tts)
        .unwrap_or_default()
}

#[derive(Deserialize)]
struct TtsList {
    tts: Vec<TtsConfig>,
}

fn default_window_days() -> u32 {
    7
}

fn default_prompt_messages() -> usize {
    12
}

fn default_name() -> String {
    "Hive".into()
}

fn default_language() -> String {
    "en".into()
}

fn default_time_zone() -> String {
    "UTC".into()
}

fn default_audio_idle_s() -> f32 {
    3.0
}

fn default_max_audio_s() -> f32 {
    30.0
}

fn default_turn_timeout_s() -> f32 {
    90.0
}

impl Default for ContextConfig {
    fn default() -> Self {
        ContextConfig {
            path: None,
            window_days: default_window_days(),
            prompt_messages: default_prompt_messages(),
            store: crate::context::StoreKind::default(),
            redis_url: None,
        }
    }
}

impl Default for AssistantConfig {
    fn default() -> Self {
        AssistantConfig {
            name: default_name(),
            language: default_language(),
            time_zone: default_time_zone(),
            instructions: None,
        }
    }
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            audio_idle_timeout_s: default_audio_idle_s(),
            max_audio_s: default_max_audio_s(),
            turn_timeout_s: default_turn_timeout_s(),
        }
    }
}

impl BridgeConfig {
    /// The models directory this configuration uses.
    pub fn models_dir(&self, env: &dyn Fn(&str) -> Option<String>) -> ModelsDir {
        match &self.models.dir {
            Some(dir) => ModelsDir::new(dir),
            None => ModelsDir::from_env(env),
        }
    }

    /// The sled folder for the conversation.
    pub fn context_path(&self) -> PathBuf {
        self.context.path.clone().unwrap_or_else(|| {
            dirs::data_dir()
                .unwrap_or_else(|| PathBuf::from("."))
                .join("hive")
                .join("context")
        })
    }

    /// Makes model paths that are relative absolute, inside `models`.
    pub(crate) fn resolve_model_paths(&mut self, models: &Path) {
        let resolve = |path: &mut PathBuf| {
            if path.is_relative() {
                *path = models.join(&*path);
            }
        };
        let SttConfig::Whisper(whisper) = &mut self.stt;
        resolve(&mut whisper.model);
        for llm in &mut self.llm {
            if let LlmConfig::Local(local) = llm {
                resolve(&mut local.model);
            }
        }
    }
}

impl Default for BridgeConfig {
    fn default() -> Self {
        BridgeConfig {
            mqtt: MqttConfig::default(),
            models: ModelsSection::default(),
            stt: default_stt(),
            vad: VadSection::default(),
            llm: Vec::new(),
            tts: default_tts(),
            context: ContextConfig::default(),
            assistant: AssistantConfig::default(),
            session: SessionConfig::default(),
            discovery: crate::discovery::DiscoveryConfig::default(),
            http: crate::http::HttpConfig::default(),
            external_skills: ExternalSkillsConfig::default(),
            skills: hive_skills::SkillsConfig::default(),
            limits: crate::limits::LimitsConfig::default(),
            cluster: crate::cluster::ClusterConfig::default(),
            satellites: crate::satellites::SatellitesConfig::default(),
        }
    }
}
