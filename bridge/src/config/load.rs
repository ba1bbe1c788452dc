//! Reading, interpolating, parsing and validating a configuration file.

use std::path::{Path, PathBuf};

use super::file::BridgeConfig;
use crate::stt::SttConfig;
use hive_skills::{InterpolateError, interpolate};

/// Why a configuration cannot be used; the message says where and what to change.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// An `${ENV}` reference cannot be resolved.
    #[error("{path}: {source}")]
    Interpolate {
        /// The file.
        path: PathBuf,
        /// Which reference.
        source: InterpolateError,
    },
    /// The TOML is malformed or has unknown or mistyped keys.
    #[error("{path}: {detail}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message, with line and column.
        detail: String,
    },
    /// A value is out of range or inconsistent.
    #[error("{path}: {detail}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
}

/// Loads `path`, resolving `${ENV}` from `env`.
///
/// # Errors
/// See [`ConfigError`].
pub fn load(
    path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<BridgeConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.into(),
        source,
    })?;
    parse(&text, path, env)
}

/// Parses configuration text; `origin` names it in errors.
///
/// # Errors
/// See [`ConfigError`].
pub fn parse(
    text: &str,
    origin: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<BridgeConfig, ConfigError> {
    let text = interpolate(text, env).map_err(|source| ConfigError::Interpolate {
        path: origin.into(),
        source,
    })?;
    let mut config: BridgeConfig = toml::from_str(&text).map_err(|error| ConfigError::Parse {
        path: origin.into(),
        detail: error.to_string(),
    })?;
    let invalid = |detail: String| ConfigError::Invalid {
        path: origin.into(),
        detail,
    };
    config
        .mqtt
        .resolve_broker()
        .map_err(|error| invalid(error.to_string()))?;
    config
        .mqtt
        .validate()
        .map_err(|error| invalid(error.to_string()))?;
    let SttConfig::Whisper(whisper) = &config.stt;
    whisper
        .validate()
        .map_err(|error| invalid(error.to_string()))?;
    config
        .vad
        .validate()
        .map_err(|error| invalid(error.to_string()))?;
    for tts in &config.tts {
        tts.validate().map_err(|error| invalid(error.to_string()))?;
    }
    config.discovery.validate().map_err(invalid)?;
    config.limits.validate().map_err(invalid)?;
    config.satellites.validate().map_err(invalid)?;
    config
        .skills
        .validate()
        .map_err(|error| invalid(error.to_string()))?;
    if config.context.window_days == 0 {
        return Err(invalid("context.window_days must be at least 1".into()));
    }
    config
        .cluster
        .validate()
        .map_err(|error| invalid(error.to_string()))?;
    if config.context.store == crate::context::StoreKind::Redis
        && config
            .context
            .redis_url
            .as_deref()
            .is_none_or(|url| url.trim().is_empty())
    {
        return Err(invalid(
            "context.redis_url is required with store = \"redis\" (like redis://127.0.0.1:6379/0)"
                .into(),
        ));
    }
    if config.assistant.time_zone.parse::<chrono_tz::Tz>().is_err() {
        return Err(invalid(format!(
            "assistant.time_zone `{}` is not an IANA time zone (like Europe/Paris)",
            config.assistant.time_zone
        )));
    }
    let session = &config.session;
    for (name, value) in [
        ("audio_idle_timeout_s", session.audio_idle_timeout_s),
        ("max_audio_s", session.max_audio_s),
        ("turn_timeout_s", session.turn_timeout_s),
    ] {
        if !(value.is_finite() && value > 0.0) {
            return Err(invalid(format!(
                "session.{name} must be a positive number of seconds"
            )));
        }
    }
    let timeout = config.external_skills.timeout_s;
    if !(timeout.is_finite() && timeout > 0.0 && timeout <= 300.0) {
        return Err(invalid(
            "external_skills.timeout_s must be a number of seconds above 0 and at most 300".into(),
        ));
    }
    let models = config.models_dir(env);
    config.resolve_model_paths(models.root());
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        (name == "BROKER").then(|| "mqtt://broker.lan:1884".to_string())
    }

    fn parse_text(text: &str) -> Result<BridgeConfig, ConfigError> {
        parse(text, Path::new("bridge.toml"), &env)
    }

    #[test]
    fn an_empty_file_gives_the_defaults() {
        let config = parse_text("[models]\ndir = \"/m\"\n").unwrap();
        let SttConfig::Whisper(whisper) = &config.stt;
        assert_eq!(whisper.model, Path::new("/m/whisper/ggml-base.bin"));
        assert_eq!(config.mqtt.url, "mqtt://127.0.0.1:1883");
        assert_eq!(config.tts.len(), 2);
    }

    #[test]
    fn environment_references_are_resolved() {
        let config =
            parse_text("[mqtt]\nurl = \"${BROKER}\"\nusername = \"${USER_X:-hive}\"\n").unwrap();
        assert_eq!(config.mqtt.url, "mqtt://broker.lan:1884");
        assert_eq!(config.mqtt.username.as_deref(), Some("hive"));
    }

    #[test]
    fn the_shipped_configuration_is_valid_and_matches_the_defaults() {
        let path = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../config/bridge.toml"
        ));
        let no_env = |_: &str| None;
        let shipped = load(path, &no_env).unwrap();
        let defaults = parse("", path, &no_env).unwrap();
        assert_eq!(
            shipped, defaults,
            "config/bridge.toml must document the defaults"
        );
    }

    #[test]
    fn mistakes_are_named() {
        let cases = [
            ("[mqtt]\nurl = \"${NOPE}\"", "NOPE"),
            ("[mqtt]\nurll = \"x\"", "unknown field `urll`"),
            ("[mqtt]\nurl = \"http://x\"", "mqtt.url"),
            ("[assistant]\ntime_zone = \"Mars/Base\"", "Mars/Base"),
            ("[session]\nmax_audio_s = -1", "session.max_audio_s"),
            (
                "[stt]\ntype = \"whisper\"\nmodel = \"m.bin\"\nlanguage = \"xx\"",
                "`xx`",
            ),
            ("[[llm]]\ntype = \"telepathy\"", "telepathy"),
            ("[context]\nwindow_days = 0", "window_days"),
            ("[context]\nstore = \"redis\"", "context.redis_url"),
            ("[context]\nstore = \"mongo\"", "mongo"),
        ];
        for (text, expected) in cases {
            let error = parse_text(text).unwrap_err().to_string();
            assert!(error.contains(expected), "{text:?} gave {error}");
            assert!(error.starts_with("bridge.toml"), "{error}");
        }
    }
}
