//! [`Outbound`]: a message ready to publish, and the crate's own [`QoS`] so that no MQTT
//! client type leaks into the protocol.

use serde::Serialize;

/// MQTT delivery guarantee. Hive uses only these two levels; map them onto your client's
/// type (e.g. rumqttc's `QoS::AtMostOnce` / `QoS::AtLeastOnce`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QoS {
    /// QoS 0: fire and forget. Audio chunks, sensor readings, heartbeats: a lost one is
    /// replaced by the next.
    AtMostOnce,
    /// QoS 1: delivered at least once. Everything that changes state or ends a turn.
    AtLeastOnce,
}

impl QoS {
    /// The numeric MQTT level, 0 or 1.
    pub fn level(self) -> u8 {
        match self {
            Self::AtMostOnce => 0,
            Self::AtLeastOnce => 1,
        }
    }
}

/// A message to publish: built by one of the `Topics::encode_*` functions, which fix the
/// topic, QoS and retain flag the protocol prescribes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbound {
    /// Full topic, prefix included.
    pub topic: String,
    /// Payload bytes (JSON, plain text or binary, depending on the topic).
    pub payload: Vec<u8>,
    /// Delivery guarantee.
    pub qos: QoS,
    /// Whether the broker keeps it as the topic's current state.
    pub retain: bool,
}

impl Outbound {
    /// A message with the given parts.
    pub(crate) fn new(topic: String, payload: Vec<u8>, qos: QoS, retain: bool) -> Self {
        Self {
            topic,
            payload,
            qos,
            retain,
        }
    }

    /// A non-retained JSON message.
    pub(crate) fn json<T: Serialize>(topic: String, value: &T, qos: QoS) -> Self {
        Self::new(topic, crate::codec::encode_json(value), qos, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qos_levels_are_mqtt_numbers() {
        assert_eq!(QoS::AtMostOnce.level(), 0);
        assert_eq!(QoS::AtLeastOnce.level(), 1);
    }
}
