//! Checks every option's value before anything connects; errors name the option and say
//! what is accepted.

use std::collections::BTreeSet;
use std::str::FromStr;

use hive_skills::Lang;
use hive_topics::{SatelliteId, SensorName, Topics};

use super::file::{InputConfig, OutputConfig, SatelliteConfig, SensorSource};

/// (option, reason).
type Invalid = (String, String);

fn bad(option: &str, reason: impl Into<String>) -> Invalid {
    (option.to_owned(), reason.into())
}

fn range<T: PartialOrd + std::fmt::Display + Copy>(
    option: &str,
    value: T,
    min: T,
    max: T,
    unit: &str,
) -> Result<(), Invalid> {
    if value >= min && value <= max {
        Ok(())
    } else {
        Err(bad(
            option,
            format!("must be between {min} and {max}{unit}, got {value}"),
        ))
    }
}

fn language(option: &str, code: &str) -> Result<Lang, Invalid> {
    Lang::from_str(code).map_err(|error| bad(option, error.to_string()))
}

/// Validates `config`.
///
/// # Errors
/// The first option that cannot work, with why.
pub(crate) fn validate(config: &SatelliteConfig) -> Result<(), Invalid> {
    let section = &config.satellite;
    SatelliteId::new(section.id.clone()).map_err(|error| {
        bad(
            "satellite.id",
            format!("{error} (1–64 of a-z, 0-9, - and _, starting with a letter or digit)"),
        )
    })?;
    language("satellite.language", &section.language)?;
    chrono_tz::Tz::from_str(&section.time_zone).map_err(|_| {
        bad(
            "satellite.time_zone",
            format!(
                "`{}` is not an IANA time zone such as Europe/Brussels",
                section.time_zone
            ),
        )
    })?;

    let mqtt = &config.mqtt;
    let endpoint =
        crate::mqtt::Endpoint::parse(&mqtt.url).map_err(|reason| bad("mqtt.url", reason))?;
    if endpoint.tls && mqtt.tls.ca_file.is_none() {
        return Err(bad(
            "mqtt.tls.ca_file",
            "is required for mqtts:// (the CA that signed the broker's certificate)",
        ));
    }
    Topics::new(mqtt.prefix.clone()).map_err(|error| bad("mqtt.prefix", error.to_string()))?;
    range("mqtt.keep_alive_s", mqtt.keep_alive_s, 5, 3600, " s")?;
    range(
        "mqtt.max_packet_bytes",
        mqtt.max_packet_bytes,
        64 * 1024,
        256 * 1024 * 1024,
        " bytes",
    )?;
    range(
        "mqtt.reconnect_min_ms",
        mqtt.reconnect_min_ms,
        10,
        60_000,
        " ms",
    )?;
    range(
        "mqtt.reconnect_max_ms",
        mqtt.reconnect_max_ms,
        mqtt.reconnect_min_ms,
        600_000,
        " ms",
    )?;

    match &config.audio.input {
        InputConfig::Microphone { buffer_ms, .. } => {
            range("audio.input.buffer_ms", *buffer_ms, 100, 60_000, " ms")?;
        }
        InputConfig::Wav { path, .. } => {
            if path.as_os_str().is_empty() {
                return Err(bad("audio.input.path", "must name a WAV file"));
            }
        }
        InputConfig::Stdin {
            sample_rate,
            channels,
            ..
        } => {
            range(
                "audio.input.sample_rate",
                *sample_rate,
                4000,
                192_000,
                " Hz",
            )?;
            range("audio.input.channels", *channels, 1, 8, "")?;
        }
    }
    match &config.audio.output {
        OutputConfig::Speaker { volume, .. } => {
            range("audio.output.volume", *volume, 0.0, 1.0, "")?;
        }
        OutputConfig::WavDir {
            dir,
            sample_rate,
            volume,
            ..
        } => {
            if dir.as_os_str().is_empty() {
                return Err(bad("audio.output.dir", "must name a directory"));
            }
            range(
                "audio.output.sample_rate",
                *sample_rate,
                8000,
                48_000,
                " Hz",
            )?;
            range("audio.output.volume", *volume, 0.0, 1.0, "")?;
        }
        OutputConfig::None => {}
    }

    let wake = &config.wake;
    if wake.name.trim().is_empty() {
        return Err(bad("wake.name", "must not be empty"));
    }
    if !(wake.threshold > 0.0 && wake.threshold <= 1.0) {
        return Err(bad(
            "wake.threshold",
            format!("must be above 0 and at most 1, got {}", wake.threshold),
        ));
    }
    range("wake.avg_threshold", wake.avg_threshold, 0.0, 1.0, "")?;
    range("wake.min_scores", wake.min_scores, 1, 100, "")?;
    range("wake.pre_roll_ms", wake.pre_roll_ms, 0, 2000, " ms")?;

    let listen = &config.listen;
    range("listen.chunk_ms", listen.chunk_ms, 20, 100, " ms")?;
    range(
        "listen.speech_threshold_db",
        listen.speech_threshold_db,
        -100.0,
        0.0,
        " dBFS",
    )?;
    range(
        "listen.end_silence_ms",
        listen.end_silence_ms,
        100,
        10_000,
        " ms",
    )?;
    range(
        "listen.no_speech_ms",
        listen.no_speech_ms,
        500,
        60_000,
        " ms",
    )?;
    range(
        "listen.max_utterance_ms",
        listen.max_utterance_ms,
        1000,
        120_000,
        " ms",
    )?;

    let turn = &config.turn;
    if !(turn.reply_timeout_s > 0.0 && turn.reply_timeout_s <= 600.0) {
        return Err(bad(
            "turn.reply_timeout_s",
            format!(
                "must be above 0 and at most 600 s, got {}",
                turn.reply_timeout_s
            ),
        ));
    }
    range(
        "turn.retry_bridge_after_s",
        turn.retry_bridge_after_s,
        0.0,
        86_400.0,
        " s",
    )?;

    let degraded = &config.degraded;
    if degraded.languages.is_empty() {
        return Err(bad(
            "degraded.languages",
            "must list at least one of en, fr, nl",
        ));
    }
    for code in &degraded.languages {
        language("degraded.languages", code)?;
    }
    if degraded.stt_language != "auto" {
        language("degraded.stt_language", &degraded.stt_language)
            .map_err(|(option, reason)| (option, format!("{reason}, or auto")))?;
    }
    for code in degraded.voices.keys() {
        language("degraded.voices", code)?;
    }
    if degraded.tts_command.trim().is_empty() {
        return Err(bad(
            "degraded.tts_command",
            "must name the espeak-ng executable",
        ));
    }
    range(
        "degraded.tts_speed",
        degraded.tts_speed,
        80,
        450,
        " words per minute",
    )?;
    range("degraded.alarm_hz", degraded.alarm_hz, 100.0, 4000.0, " Hz")?;
    range("degraded.alarm_beeps", degraded.alarm_beeps, 1, 20, "")?;

    if config.storage.path.as_os_str().is_empty() {
        return Err(bad("storage.path", "must name a file"));
    }
    if !(config.heartbeat.interval_s >= 0.1 && config.heartbeat.interval_s <= 3600.0) {
        return Err(bad(
            "heartbeat.interval_s",
            format!(
                "must be between 0.1 and 3600 s, got {}",
                config.heartbeat.interval_s
            ),
        ));
    }

    let mut names = BTreeSet::new();
    for (index, sensor) in config.sensors.iter().enumerate() {
        let option = |field: &str| format!("sensors[{index}].{field}");
        SensorName::new(sensor.name.clone())
            .map_err(|error| bad(&option("name"), format!("{error} (a-z, 0-9, - and _)")))?;
        if !names.insert(sensor.name.as_str()) {
            return Err(bad(
                &option("name"),
                format!("`{}` is used twice", sensor.name),
            ));
        }
        range(
            &option("interval_s"),
            sensor.interval_s,
            0.1,
            86_400.0,
            " s",
        )?;
        if !sensor.scale.is_finite() || sensor.scale == 0.0 {
            return Err(bad(&option("scale"), "must be a finite, non-zero number"));
        }
        match sensor.source() {
            SensorSource::File { path } if path.as_os_str().is_empty() => {
                return Err(bad(&option("path"), "must name a file for type = \"file\""));
            }
            SensorSource::Command { command, .. } if command.is_empty() => {
                return Err(bad(
                    &option("command"),
                    "must hold the program and its arguments for type = \"command\"",
                ));
            }
            SensorSource::Command { timeout_s, .. } => {
                range(&option("timeout_s"), timeout_s, 0.1, 600.0, " s")?;
            }
            SensorSource::File { .. } => {}
        }
    }

    range("eyes.error_ms", config.eyes.error_ms, 0, 60_000, " ms")?;
    range(
        "eyes.emotion_half_life_s",
        config.eyes.emotion_half_life_s,
        0.0,
        3600.0,
        " s",
    )?;
    range(
        "actions.timeout_s",
        config.actions.timeout_s,
        0.1,
        600.0,
        " s",
    )?;
    Ok(())
}
