//! Sensor readings: a file's first line or a command's output, scaled, at each sensor's
//! interval.

use std::time::Duration;

use hive_topics::{Outbound, SatelliteId, SensorName, SensorReading, SensorValue, Topics};
use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;

use crate::config::{SensorConfig, SensorSource};

/// Reads `sensor` once.
///
/// # Errors
/// The file or command failed, or said nothing; the message says which.
pub async fn read_sensor(sensor: &SensorConfig) -> Result<SensorReading, String> {
    let text = match &sensor.source() {
        SensorSource::File { path } => tokio::fs::read_to_string(path)
            .await
            .map_err(|error| format!("{}: {error}", path.display()))?,
        SensorSource::Command { command, timeout_s } => {
            let (program, args) = command.split_first().ok_or("empty command")?;
            let output = tokio::process::Command::new(program)
                .args(args)
                .kill_on_drop(true)
                .output();
            let output = tokio::time::timeout(Duration::from_secs_f64(*timeout_s), output)
                .await
                .map_err(|_| format!("{program} took longer than {timeout_s} s"))?
                .map_err(|error| format!("{program}: {error}"))?;
            if !output.status.success() {
                return Err(format!("{program} exited with {}", output.status));
            }
            String::from_utf8_lossy(&output.stdout).into_owned()
        }
    };
    let line = text.lines().next().unwrap_or_default().trim();
    if line.is_empty() {
        return Err("no value".into());
    }
    let value = match line.parse::<f64>() {
        Ok(number) => SensorValue::Number(number * sensor.scale),
        Err(_) => match line {
            "true" | "on" => SensorValue::Bool(true),
            "false" | "off" => SensorValue::Bool(false),
            _ => SensorValue::Text(line.to_owned()),
        },
    };
    Ok(SensorReading {
        value,
        unit: sensor.unit.clone(),
        device_class: sensor.device_class.clone(),
    })
}

/// Reads every sensor at its interval and publishes through `send`, until `shutdown`.
/// One task per sensor, so a slow command never delays another sensor.
pub async fn run_sensors(
    topics: Topics,
    satellite: SatelliteId,
    sensors: Vec<SensorConfig>,
    send: impl Fn(Outbound) -> bool + Clone + Send + 'static,
    shutdown: CancellationToken,
) {
    let mut tasks = tokio::task::JoinSet::new();
    for sensor in sensors {
        let Ok(name) = SensorName::new(sensor.name.clone()) else {
            continue;
        };
        let (topics, satellite, send, shutdown) = (
            topics.clone(),
            satellite.clone(),
            send.clone(),
            shutdown.clone(),
        );
        tasks.spawn(async move {
            let mut ticker = tokio::time::interval(Duration::from_secs_f64(sensor.interval_s));
            ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    _ = ticker.tick() => {}
                }
                match read_sensor(&sensor).await {
                    Ok(reading) => {
                        send(topics.encode_sensor(&satellite, &name, &reading));
                    }
                    Err(error) => {
                        tracing::warn!(sensor = %name, error, "Sensor reading failed.");
                    }
                }
            }
        });
    }
    while tasks.join_next().await.is_some() {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sensor(source: SensorSource, scale: f64) -> SensorConfig {
        let (kind, path, command) = match source {
            SensorSource::File { path } => {
                (crate::config::SensorKind::File, Some(path), Vec::new())
            }
            SensorSource::Command { command, .. } => {
                (crate::config::SensorKind::Command, None, command)
            }
        };
        SensorConfig {
            name: "s".into(),
            kind,
            path,
            command,
            timeout_s: 5.0,
            interval_s: 1.0,
            scale,
            unit: Some("°C".into()),
            device_class: None,
        }
    }

    #[tokio::test]
    async fn files_and_commands_are_read_and_scaled() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("temp");
        std::fs::write(&path, "48312\n").unwrap();
        let reading = read_sensor(&sensor(SensorSource::File { path }, 0.001))
            .await
            .unwrap();
        assert_eq!(reading.value, SensorValue::Number(48.312));
        assert_eq!(reading.unit.as_deref(), Some("°C"));

        let command = |words: &[&str]| SensorSource::Command {
            command: words.iter().map(|word| word.to_string()).collect(),
            timeout_s: 5.0,
        };
        let cases = [
            (&["echo", "open"][..], Ok(SensorValue::Text("open".into()))),
            (&["echo", "on"][..], Ok(SensorValue::Bool(true))),
            (&["echo", "21.5"][..], Ok(SensorValue::Number(21.5))),
        ];
        for (words, expected) in cases {
            let reading = read_sensor(&sensor(command(words), 1.0))
                .await
                .map(|r| r.value);
            assert_eq!(reading, expected, "{words:?}");
        }
        for words in [&["false"][..], &["true"][..], &["/nonexistent/tool"][..]] {
            assert!(
                read_sensor(&sensor(command(words), 1.0)).await.is_err(),
                "{words:?}"
            );
        }
        let missing = SensorSource::File {
            path: "/nonexistent".into(),
        };
        assert!(read_sensor(&sensor(missing, 1.0)).await.is_err());
    }
}
