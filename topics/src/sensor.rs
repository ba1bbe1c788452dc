//! `{p}/satellite/{id}/sensor/{name}`: a reading from a sensor on the satellite
//! (temperature, light, presence…), relayed by the bridge to home automation.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::codec;
use crate::error::ParseError;
use crate::id::{SatelliteId, SensorName};
use crate::outbound::{Outbound, QoS};
use crate::tree::Topics;

/// Message kind of [`SensorReading`].
pub(crate) const KIND: &str = "sensor";

/// A sensor's value: a number, a boolean or a string (JSON untagged).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SensorValue {
    /// `true` / `false`, e.g. presence.
    Bool(bool),
    /// Any number, e.g. `21.5`.
    Number(f64),
    /// Anything else, e.g. `"open"`.
    Text(String),
}

impl From<f64> for SensorValue {
    fn from(value: f64) -> Self {
        Self::Number(value)
    }
}

impl From<bool> for SensorValue {
    fn from(value: bool) -> Self {
        Self::Bool(value)
    }
}

impl From<String> for SensorValue {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

impl From<&str> for SensorValue {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

/// One reading. On the wire a JSON object; for scripting, a bare `21.5`, `true`, `"open"`
/// or `open` payload is accepted too and read as the value alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensorReading {
    /// The value.
    pub value: SensorValue,
    /// Unit of a number, e.g. `°C`, `lx`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Home Assistant device class, e.g. `temperature`, `illuminance`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_class: Option<String>,
}

impl SensorReading {
    /// A reading with only a value.
    pub fn new(value: impl Into<SensorValue>) -> Self {
        Self {
            value: value.into(),
            unit: None,
            device_class: None,
        }
    }
}

impl Topics {
    /// Builds `{p}/satellite/{id}/sensor/{name}`: JSON object, QoS 0, not retained.
    pub fn encode_sensor(
        &self,
        satellite: &SatelliteId,
        name: &SensorName,
        reading: &SensorReading,
    ) -> Outbound {
        Outbound::json(self.sensor(satellite, name), reading, QoS::AtMostOnce)
    }
}

impl SensorReading {
    pub(crate) fn decode(payload: &[u8]) -> Result<Self, ParseError> {
        let text = codec::utf8(KIND, payload)?.trim();
        if text.starts_with('{') {
            return codec::decode_json(KIND, text.as_bytes());
        }
        if text.is_empty() {
            return Err(codec::invalid(KIND, "value", "must not be empty"));
        }
        let value = match serde_json::from_str::<Value>(text) {
            Ok(Value::Bool(value)) => SensorValue::Bool(value),
            Ok(Value::Number(number)) => match number.as_f64() {
                Some(value) => SensorValue::Number(value),
                None => return Err(codec::invalid(KIND, "value", "number out of range")),
            },
            Ok(Value::String(value)) => SensorValue::Text(value),
            Ok(Value::Null | Value::Array(_) | Value::Object(_)) => {
                return Err(codec::invalid(
                    KIND,
                    "value",
                    "must be a number, a boolean or a string",
                ));
            }
            // Not JSON at all: a bare word such as `open`, as `mosquitto_pub -m open` sends it.
            Err(_) => SensorValue::Text(text.to_owned()),
        };
        Ok(Self::new(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Inbound;
    use crate::test_support::{assert_rejected, assert_round_trip, sat};

    fn lux() -> SensorName {
        SensorName::new("lux").unwrap()
    }

    #[test]
    fn sensor_readings_round_trip() {
        let readings = [
            SensorReading {
                value: 21.5.into(),
                unit: Some("°C".into()),
                device_class: Some("temperature".into()),
            },
            SensorReading::new(true),
            SensorReading::new("open"),
            SensorReading::new(-3.0),
        ];
        for reading in readings {
            assert_round_trip(&Inbound::Sensor {
                satellite: sat("kitchen"),
                name: lux(),
                reading,
            });
        }
    }

    #[test]
    fn bare_payloads_are_read_as_the_value() {
        let cases: [(&[u8], SensorValue); 6] = [
            (b"21.5", SensorValue::Number(21.5)),
            (b" 42\n", SensorValue::Number(42.0)),
            (b"true", SensorValue::Bool(true)),
            (br#""open""#, SensorValue::Text("open".into())),
            (b"open", SensorValue::Text("open".into())),
            (b"nan", SensorValue::Text("nan".into())),
        ];
        for (payload, value) in cases {
            let parsed = Topics::default()
                .parse("hive/satellite/kitchen/sensor/lux", payload)
                .unwrap();
            let expected = Inbound::Sensor {
                satellite: sat("kitchen"),
                name: lux(),
                reading: SensorReading::new(value),
            };
            assert_eq!(parsed, expected, "{:?}", String::from_utf8_lossy(payload));
        }
    }

    #[test]
    fn malformed_sensor_readings_are_rejected() {
        assert_rejected(
            "hive/satellite/kitchen/sensor/lux",
            &[
                ("empty", b"", "invalid_field"),
                ("blank", b"  ", "invalid_field"),
                ("null", b"null", "invalid_field"),
                ("array", b"[1,2]", "invalid_field"),
                (
                    "object without value",
                    br#"{"unit":"lx"}"#,
                    "malformed_json",
                ),
                (
                    "object with null value",
                    br#"{"value":null}"#,
                    "malformed_json",
                ),
                ("broken object", br#"{"value":"#, "malformed_json"),
                ("not utf-8", b"\xff\xfe", "bad_utf8"),
            ],
        );
        let bad_name = Topics::default()
            .parse("hive/satellite/kitchen/sensor/Lux", b"1")
            .unwrap_err();
        assert_eq!(bad_name.code(), "bad_name");
    }
}
