//! The handle other tasks use to publish; cheap to clone.

use hive_topics::{Outbound, QoS};
use rumqttc::AsyncClient;

/// Why a message could not be queued for the broker.
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot publish to {topic}: the MQTT connection task has stopped")]
pub struct PublishError {
    /// The topic.
    pub topic: String,
}

/// Publishes [`Outbound`] messages through the connection task.
#[derive(Clone)]
pub struct Publisher {
    client: AsyncClient,
}

impl std::fmt::Debug for Publisher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Publisher")
    }
}

pub(crate) fn qos(qos: QoS) -> rumqttc::QoS {
    match qos {
        QoS::AtMostOnce => rumqttc::QoS::AtMostOnce,
        QoS::AtLeastOnce => rumqttc::QoS::AtLeastOnce,
    }
}

impl Publisher {
    pub(crate) fn new(client: AsyncClient) -> Self {
        Publisher { client }
    }

    /// Queues `message`. Waits only while the request queue to the connection task is full;
    /// QoS 1 messages are retransmitted by the client across reconnects.
    ///
    /// # Errors
    /// The connection task has stopped (the bridge is shutting down).
    pub async fn publish(&self, message: Outbound) -> Result<(), PublishError> {
        let Outbound {
            topic,
            payload,
            qos: level,
            retain,
        } = message;
        self.client
            .publish(topic.clone(), qos(level), retain, payload)
            .await
            .map_err(|_| PublishError { topic })
    }
}
