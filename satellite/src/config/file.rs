//! The shape of `satellite.toml`: serde structs with every default in one place.
//! `config/satellite.toml` at the repository root documents each option for people.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

/// The whole file.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct SatelliteConfig {
    /// Who this satellite is and how it speaks.
    pub satellite: SatelliteSection,
    /// The broker.
    pub mqtt: MqttConfig,
    /// Microphone and speaker, or their headless stand-ins.
    pub audio: AudioConfig,
    /// The wake word.
    pub wake: WakeConfig,
    /// Streaming an utterance: chunk size and the local end-of-speech detector.
    pub listen: ListenConfig,
    /// How long the bridge may take.
    pub turn: TurnConfig,
    /// Answering offline.
    pub degraded: DegradedConfig,
    /// Where timers, the stopwatch and unsent events survive a restart.
    pub storage: StorageConfig,
    /// The heartbeat.
    pub heartbeat: HeartbeatConfig,
    /// Sensors to read and publish.
    pub sensors: Vec<SensorConfig>,
    /// Eye outputs.
    pub eyes: EyesConfig,
    /// Actions other than `show_emotion`.
    pub actions: ActionsConfig,
}

/// `[satellite]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SatelliteSection {
    /// The satellite id: 1–64 of `a-z 0-9 - _`.
    pub id: String,
    /// The language of local replies when the words do not tell (`en`, `fr`, `nl`).
    pub language: String,
    /// The IANA time zone local answers use, e.g. `Europe/Brussels`.
    pub time_zone: String,
}

impl Default for SatelliteSection {
    fn default() -> Self {
        SatelliteSection {
            id: "satellite".into(),
            language: "en".into(),
            time_zone: "UTC".into(),
        }
    }
}

/// `[mqtt]`.
#[derive(Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MqttConfig {
    /// `mqtt://host[:port]` or `mqtts://host[:port]`.
    pub url: String,
    /// Topic prefix shared with the bridge.
    pub prefix: String,
    /// The MQTT client id; empty means `hive-satellite-{id}`.
    pub client_id: String,
    /// User name, if the broker wants one (with the Hive broker it is the satellite id).
    pub username: Option<String>,
    /// Password; prefer `password_file` or `${ENV}`.
    pub password: Option<String>,
    /// A file whose first line is the password.
    pub password_file: Option<PathBuf>,
    /// Keep-alive in seconds: the broker publishes the last will after 1.5 times this.
    pub keep_alive_s: u64,
    /// Largest packet sent or accepted (one TTS sentence is the largest message).
    pub max_packet_bytes: usize,
    /// First reconnect delay in milliseconds; doubles up to `reconnect_max_ms`.
    pub reconnect_min_ms: u64,
    /// Longest reconnect delay in milliseconds.
    pub reconnect_max_ms: u64,
    /// TLS files for `mqtts://`.
    pub tls: TlsConfig,
}

/// By hand, so that the password never reaches a log line or an error message.
impl std::fmt::Debug for MqttConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MqttConfig")
            .field("url", &self.url)
            .field("prefix", &self.prefix)
            .field("client_id", &self.client_id)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("password_file", &self.password_file)
            .field("keep_alive_s", &self.keep_alive_s)
            .field("max_packet_bytes", &self.max_packet_bytes)
            .field("reconnect_min_ms", &self.reconnect_min_ms)
            .field("reconnect_max_ms", &self.reconnect_max_ms)
            .field("tls", &self.tls)
            .finish()
    }
}

impl Default for MqttConfig {
    fn default() -> Self {
        MqttConfig {
            url: "mqtt://127.0.0.1:1883".into(),
            prefix: hive_topics::DEFAULT_PREFIX.into(),
            client_id: String::new(),
            username: None,
            password: None,
            password_file: None,
            keep_alive_s: 15,
            max_packet_bytes: 8 * 1024 * 1024,
            reconnect_min_ms: 250,
            reconnect_max_ms: 15_000,
            tls: TlsConfig::default(),
        }
    }
}

/// `[mqtt.tls]`: PEM files.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TlsConfig {
    /// The CA that signed the broker's certificate (required for `mqtts://`).
    pub ca_file: Option<PathBuf>,
    /// A client certificate.
    pub cert_file: Option<PathBuf>,
    /// Its key.
    pub key_file: Option<PathBuf>,
}

/// `[audio]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct AudioConfig {
    /// Where sound comes from.
    pub input: InputConfig,
    /// Where sound goes.
    pub output: OutputConfig,
}

/// What the satellite does when a WAV file or stdin runs out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AfterEnd {
    /// Go on hearing silence, as a quiet room would sound (the default).
    #[default]
    Silence,
    /// Stop listening; the satellite keeps running (replies, timers, MQTT).
    Stop,
}

/// `[audio.input]`, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum InputConfig {
    /// A sound card through cpal (cargo feature `audio`).
    Microphone {
        /// Device name as cpal lists it; absent means the default input.
        #[serde(default)]
        device: Option<String>,
        /// How much audio the callback's ring buffer holds before it drops, in ms.
        #[serde(default = "default_ring_ms")]
        buffer_ms: u32,
    },
    /// A WAV file (any rate, mono or stereo, 16-bit or float).
    Wav {
        /// The file.
        path: PathBuf,
        /// Feed it at the pace of a real microphone (default) or as fast as possible.
        #[serde(default = "default_true")]
        realtime: bool,
        /// What to hear after the end.
        #[serde(default)]
        after_end: AfterEnd,
    },
    /// Raw signed 16-bit little-endian PCM on standard input (`arecord -f S16_LE | …`).
    Stdin {
        /// Its rate in Hz.
        #[serde(default = "default_rate")]
        sample_rate: u32,
        /// Its channel count (mixed down to mono).
        #[serde(default = "default_channels")]
        channels: u16,
        /// What to hear after the end.
        #[serde(default)]
        after_end: AfterEnd,
    },
}

impl Default for InputConfig {
    fn default() -> Self {
        InputConfig::Microphone {
            device: None,
            buffer_ms: default_ring_ms(),
        }
    }
}

/// `[audio.output]`, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum OutputConfig {
    /// A sound card through rodio (cargo feature `audio`).
    Speaker {
        /// Device name as cpal lists it; absent means the default output.
        #[serde(default)]
        device: Option<String>,
        /// Starting volume, 0–1 (`control` `set_volume` changes it).
        #[serde(default = "default_volume")]
        volume: f32,
    },
    /// WAV files in a directory: `reply-{n}-{session}.wav` per reply, optionally one per
    /// sentence too, and `alarm-…`/`local-…` files for what the satellite says by itself.
    WavDir {
        /// The directory (created if missing).
        dir: PathBuf,
        /// The rate the files are written at.
        #[serde(default = "default_rate")]
        sample_rate: u32,
        /// Also write each sentence to its own file.
        #[serde(default)]
        per_sentence: bool,
        /// Take as long as a speaker would (default), so `stop` and barge-in cut a reply
        /// where a listener would hear it cut; false writes at once.
        #[serde(default = "default_true")]
        realtime: bool,
        /// Starting volume, 0–1.
        #[serde(default = "default_volume")]
        volume: f32,
    },
    /// Discard every sound.
    None,
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig::Speaker {
            device: None,
            volume: default_volume(),
        }
    }
}

/// `[wake]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WakeConfig {
    /// A rustpotter `.rpw` model; absent means the built-in "hey hive".
    pub model: Option<PathBuf>,
    /// The name reported in `wake` messages.
    pub name: String,
    /// Score from 0 to 1 a detection needs; higher means fewer false wakes and more misses.
    pub threshold: f32,
    /// Score against the averaged template a frame needs before the full comparison.
    pub avg_threshold: f32,
    /// Frames in a row above the threshold a detection needs.
    pub min_scores: usize,
    /// Audio kept from before the estimated end of the wake word, in ms, so the first
    /// syllable of a question said in one breath is not lost.
    pub pre_roll_ms: u32,
}

impl Default for WakeConfig {
    fn default() -> Self {
        WakeConfig {
            model: None,
            name: "hey_hive".into(),
            threshold: 0.62,
            avg_threshold: 0.2,
            min_scores: 5,
            pre_roll_ms: 300,
        }
    }
}

/// `[listen]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ListenConfig {
    /// Milliseconds of audio per chunk (the protocol wants 20–100).
    pub chunk_ms: u32,
    /// Loudness, in dBFS, above which a chunk counts as speech.
    pub speech_threshold_db: f32,
    /// Silence after speech that ends the utterance, in ms.
    pub end_silence_ms: u32,
    /// How long to wait for speech to begin after the wake word, in ms.
    pub no_speech_ms: u32,
    /// The longest utterance, in ms.
    pub max_utterance_ms: u32,
}

impl Default for ListenConfig {
    fn default() -> Self {
        ListenConfig {
            chunk_ms: 40,
            speech_threshold_db: -45.0,
            end_silence_ms: 800,
            no_speech_ms: 4000,
            max_utterance_ms: 12_000,
        }
    }
}

/// `[turn]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TurnConfig {
    /// Seconds the bridge has, after the end of speech, to start answering before the
    /// satellite answers by itself and turns degraded.
    pub reply_timeout_s: f64,
    /// Seconds a turn timeout keeps the satellite degraded before it tries the bridge again
    /// (the bridge coming back `online`, or answering, ends it sooner).
    pub retry_bridge_after_s: f64,
}

impl Default for TurnConfig {
    fn default() -> Self {
        TurnConfig {
            reply_timeout_s: 8.0,
            retry_bridge_after_s: 60.0,
        }
    }
}

/// `[degraded]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DegradedConfig {
    /// Answer locally at all (false: degraded turns are only logged).
    pub enabled: bool,
    /// The whisper ggml model; absent means `$HIVE_MODELS_DIR/whisper/ggml-tiny.en.bin`.
    /// For French or Dutch use a multilingual model such as `ggml-base.bin`.
    pub stt_model: Option<PathBuf>,
    /// `auto` to let whisper pick among `languages`, or one language code.
    pub stt_language: String,
    /// The languages spoken here.
    pub languages: Vec<String>,
    /// Text that primes whisper towards the offline commands; absent means a built-in
    /// prompt in the configured languages, empty means none.
    pub stt_prompt: Option<String>,
    /// Threads for whisper; 0 means every core.
    pub stt_threads: usize,
    /// The espeak-ng executable.
    pub tts_command: String,
    /// espeak-ng voice per language.
    pub voices: BTreeMap<String, String>,
    /// espeak-ng speed, words per minute.
    pub tts_speed: u32,
    /// The alarm tone's pitch in Hz.
    pub alarm_hz: f32,
    /// Beeps per alarm.
    pub alarm_beeps: u32,
}

impl Default for DegradedConfig {
    fn default() -> Self {
        DegradedConfig {
            enabled: true,
            stt_model: None,
            stt_language: "auto".into(),
            languages: vec!["en".into(), "fr".into(), "nl".into()],
            stt_prompt: None,
            stt_threads: 0,
            tts_command: "espeak-ng".into(),
            voices: [("en", "en-us"), ("fr", "fr"), ("nl", "nl")]
                .into_iter()
                .map(|(lang, voice)| (lang.to_owned(), voice.to_owned()))
                .collect(),
            tts_speed: 160,
            alarm_hz: 880.0,
            alarm_beeps: 4,
        }
    }
}

/// `[storage]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// The JSON file holding timers, the stopwatch and events not yet reported; written
    /// atomically (temporary file, then rename).
    pub path: PathBuf,
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            path: PathBuf::from("/var/lib/hive-satellite/state.json"),
        }
    }
}

/// `[heartbeat]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HeartbeatConfig {
    /// Seconds between heartbeats; the protocol says 30.
    pub interval_s: f64,
}

impl Default for HeartbeatConfig {
    fn default() -> Self {
        HeartbeatConfig { interval_s: 30.0 }
    }
}

/// One `[[sensors]]` entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensorConfig {
    /// The sensor name in the topic: `a-z 0-9 - _`.
    pub name: String,
    /// Where the value comes from: `file` or `command`.
    #[serde(rename = "type")]
    pub kind: SensorKind,
    /// `file`: the file whose first line is the value.
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// `command`: program and arguments, run without a shell; the first line of its
    /// output is the value.
    #[serde(default)]
    pub command: Vec<String>,
    /// `command`: seconds before it is killed.
    #[serde(default = "default_command_timeout")]
    pub timeout_s: f64,
    /// Seconds between readings.
    #[serde(default = "default_sensor_interval")]
    pub interval_s: f64,
    /// Multiplies a numeric reading (0.001 turns millidegrees into degrees).
    #[serde(default = "default_scale")]
    pub scale: f64,
    /// Unit of a number, e.g. `°C`.
    #[serde(default)]
    pub unit: Option<String>,
    /// Home Assistant device class, e.g. `temperature`.
    #[serde(default)]
    pub device_class: Option<String>,
}

/// The kind of a sensor's source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SensorKind {
    /// A file.
    File,
    /// A command.
    Command,
}

/// Where a sensor reads, resolved from a [`SensorConfig`].
#[derive(Debug, Clone, PartialEq)]
pub enum SensorSource {
    /// A file's first line, such as `/sys/class/thermal/thermal_zone0/temp`.
    File {
        /// The file.
        path: PathBuf,
    },
    /// A command's standard output (first line).
    Command {
        /// Program and arguments.
        command: Vec<String>,
        /// Seconds before the command is killed.
        timeout_s: f64,
    },
}

impl SensorConfig {
    /// The source this entry describes.
    pub fn source(&self) -> SensorSource {
        match self.kind {
            SensorKind::File => SensorSource::File {
                path: self.path.clone().unwrap_or_default(),
            },
            SensorKind::Command => SensorSource::Command {
                command: self.command.clone(),
                timeout_s: self.timeout_s,
            },
        }
    }
}

/// Which eye outputs run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EyesOutputKind {
    /// A log line per change.
    Log,
    /// A coloured block on the terminal, when standard error is one.
    Terminal,
}

/// `[eyes]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EyesConfig {
    /// Built-in outputs; the retained MQTT `eyes` topic is always published.
    pub outputs: Vec<EyesOutputKind>,
    /// A command run on every colour change (LEDs, GPIO), with `{colour}`, `{mode}`,
    /// `{r}`, `{g}`, `{b}` replaced.
    pub command: Vec<String>,
    /// A command run for `show_emotion`, with `{emotion}` and `{intensity}` replaced.
    pub emotion_command: Vec<String>,
    /// How long red shows after an error, in ms.
    pub error_ms: u64,
    /// Seconds in which a shown emotion halves in intensity; below a tenth it is gone and
    /// the eyes are neutral again (a full emotion shows for about 3.3 half-lives).
    pub emotion_half_life_s: f64,
}

impl Default for EyesConfig {
    fn default() -> Self {
        EyesConfig {
            outputs: vec![EyesOutputKind::Log, EyesOutputKind::Terminal],
            command: Vec::new(),
            emotion_command: Vec::new(),
            error_ms: 3000,
            emotion_half_life_s: 30.0,
        }
    }
}

/// `[actions]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ActionsConfig {
    /// A command for every action other than `show_emotion`, with `{name}`, `{id}` and
    /// `{args}` (JSON) replaced; exit status 0 acks `ok`. Empty: such actions are refused.
    pub command: Vec<String>,
    /// Seconds before the command is killed and the action acked as failed.
    pub timeout_s: f64,
}

impl Default for ActionsConfig {
    fn default() -> Self {
        ActionsConfig {
            command: Vec::new(),
            timeout_s: 10.0,
        }
    }
}

fn default_true() -> bool {
    true
}

fn default_rate() -> u32 {
    16_000
}

fn default_channels() -> u16 {
    1
}

fn default_ring_ms() -> u32 {
    2000
}

fn default_volume() -> f32 {
    1.0
}

fn default_sensor_interval() -> f64 {
    60.0
}

fn default_scale() -> f64 {
    1.0
}

fn default_command_timeout() -> f64 {
    5.0
}

#[cfg(test)]
mod debug_tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_password() {
        let config = MqttConfig {
            password: Some("sat-debug-canary".into()),
            ..MqttConfig::default()
        };
        let shown = format!("{config:?} {config:#?}");
        assert!(!shown.contains("sat-debug-canary"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
}
