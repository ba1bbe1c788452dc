//! Reading, interpolating, parsing and validating a configuration file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::ConfigError;
use super::file::SatelliteConfig;
use super::validate::validate;
use hive_skills::interpolate;

/// Where `${VAR}` references and environment-dependent defaults are looked up: the process
/// environment in production, a closure over a fixed map in tests.
pub type Env = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Reads and parses `path`.
///
/// # Errors
/// The file cannot be read, or [`parse`] fails.
pub fn load(path: &Path, env: &Env) -> Result<SatelliteConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|reason| ConfigError::Read {
        path: path.to_owned(),
        reason,
    })?;
    parse(&text, path, env)
}

/// Parses the text of a configuration file (`path` names it in messages), fills the
/// defaults that depend on the environment, and validates every option.
///
/// # Errors
/// A `${…}` reference cannot be resolved, the TOML is malformed or has unknown options, or
/// an option's value cannot work.
pub fn parse(text: &str, path: &Path, env: &Env) -> Result<SatelliteConfig, ConfigError> {
    let text = interpolate(text, &|name| env(name)).map_err(|source| ConfigError::Interpolate {
        path: path.to_owned(),
        source,
    })?;
    let mut config: SatelliteConfig =
        toml::from_str(&text).map_err(|error| ConfigError::Syntax {
            path: path.to_owned(),
            detail: error.to_string(),
        })?;
    if config.degraded.stt_model.is_none() {
        config.degraded.stt_model = Some(models_dir(env).join("whisper/ggml-tiny.en.bin"));
    }
    validate(&config).map_err(|(option, reason)| ConfigError::Invalid {
        path: path.to_owned(),
        option,
        reason,
    })?;
    Ok(config)
}

/// `$HIVE_MODELS_DIR`, else `$HOME/.cache/hive/models` (where `hive-bridge models install`
/// puts them).
fn models_dir(env: &Env) -> PathBuf {
    if let Some(dir) = env("HIVE_MODELS_DIR").filter(|dir| !dir.is_empty()) {
        return PathBuf::from(dir);
    }
    let home = env("HOME").unwrap_or_else(|| "/root".into());
    PathBuf::from(home).join(".cache/hive/models")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{InputConfig, OutputConfig};

    fn env() -> Env {
        Arc::new(|name: &str| match name {
            "HIVE_MODELS_DIR" => Some("/models".into()),
            "SAT" => Some("kitchen".into()),
            _ => None,
        })
    }

    fn parse_text(text: &str) -> Result<SatelliteConfig, ConfigError> {
        parse(text, Path::new("satellite.toml"), &env())
    }

    #[test]
    fn an_empty_file_takes_every_default() {
        let config = parse_text("").unwrap();
        assert_eq!(config.satellite.id, "satellite");
        assert_eq!(config.listen.chunk_ms, 40);
        assert_eq!(config.turn.reply_timeout_s, 8.0);
        assert_eq!(config.heartbeat.interval_s, 30.0);
        assert!(matches!(config.audio.input, InputConfig::Microphone { .. }));
        assert!(matches!(config.audio.output, OutputConfig::Speaker { .. }));
        assert_eq!(
            config.degraded.stt_model.as_deref(),
            Some(Path::new("/models/whisper/ggml-tiny.en.bin"))
        );
    }

    #[test]
    fn references_and_sections_are_read() {
        let config = parse_text(
            r#"
[satellite]
id = "${SAT}"
language = "fr"
time_zone = "Europe/Brussels"
[audio.input]
type = "wav"
path = "/tmp/in.wav"
realtime = false
[audio.output]
type = "wav_dir"
dir = "/tmp/out"
[[sensors]]
name = "cpu"
type = "file"
path = "/sys/class/thermal/thermal_zone0/temp"
scale = 0.001
unit = "°C"
[[sensors]]
name = "uptime"
type = "command"
command = ["cat", "/proc/uptime"]
"#,
        )
        .unwrap();
        assert_eq!(config.satellite.id, "kitchen");
        assert_eq!(
            config.audio.input,
            InputConfig::Wav {
                path: "/tmp/in.wav".into(),
                realtime: false,
                after_end: crate::config::AfterEnd::Silence
            }
        );
        assert_eq!(config.sensors.len(), 2);
        assert_eq!(config.sensors[0].scale, 0.001);
    }

    #[test]
    fn mistakes_are_reported_readably() {
        let cases = [
            ("[satellite]\nid = \"Kitchen\"", "satellite.id"),
            ("[satellite]\nlanguage = \"de\"", "satellite.language"),
            (
                "[satellite]\ntime_zone = \"Mars/Olympus\"",
                "satellite.time_zone",
            ),
            ("[mqtt]\nurl = \"http://x\"", "mqtt.url"),
            ("[mqtt]\nurl = \"mqtts://x\"", "mqtt.tls.ca_file"),
            ("[mqtt]\nprefix = \"a/#\"", "mqtt.prefix"),
            ("[wake]\nthreshold = 1.5", "wake.threshold"),
            ("[listen]\nchunk_ms = 500", "listen.chunk_ms"),
            ("[turn]\nreply_timeout_s = 0", "turn.reply_timeout_s"),
            ("[degraded]\nlanguages = [\"xx\"]", "degraded.languages"),
            ("[degraded]\nstt_language = \"de\"", "degraded.stt_language"),
            (
                "[audio.output]\ntype = \"wav_dir\"\ndir = \"/x\"\nvolume = 2",
                "audio.output.volume",
            ),
            (
                "[[sensors]]\nname = \"Bad Name\"\ntype = \"file\"\npath = \"/x\"",
                "sensors[0].name",
            ),
            (
                "[[sensors]]\nname = \"a\"\ntype = \"command\"\ncommand = []",
                "sensors[0].command",
            ),
        ];
        for (text, option) in cases {
            match parse_text(text) {
                Err(ConfigError::Invalid {
                    option: found,
                    reason,
                    ..
                }) => {
                    assert_eq!(found, option, "{text}: {reason}");
                    assert!(!reason.is_empty());
                }
                other => panic!("{text}: expected an error on {option}, got {other:?}"),
            }
        }
    }

    #[test]
    fn unknown_options_and_unset_variables_are_errors() {
        let error = parse_text("[wake]\ntreshold = 0.5").unwrap_err();
        assert!(
            matches!(error, ConfigError::Syntax { .. }) && error.to_string().contains("treshold"),
            "{error}"
        );
        let error = parse_text("[satellite]\nid = \"${NOPE}\"").unwrap_err();
        assert!(error.to_string().contains("NOPE"), "{error}");
    }

    #[test]
    fn the_shipped_configuration_is_valid() {
        let text = include_str!("../../../config/satellite.toml");
        let config = parse(
            text,
            Path::new("config/satellite.toml"),
            &(Arc::new(|_: &str| None) as Env),
        )
        .unwrap();
        assert_eq!(config.heartbeat.interval_s, 30.0);
    }
}
