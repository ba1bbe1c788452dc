//! Publishing without ever waiting: every task holds a [`Publisher`]; a message the MQTT
//! client's queue cannot take is dropped and counted rather than stalling the satellite
//! (which must go on answering offline when the broker is gone).

use std::sync::Arc;

use hive_topics::{Outbound, QoS};
use rumqttc::AsyncClient;

use crate::counters::Counters;

/// rumqttc's QoS for the protocol's.
pub(crate) fn qos(qos: QoS) -> rumqttc::QoS {
    match qos {
        QoS::AtMostOnce => rumqttc::QoS::AtMostOnce,
        QoS::AtLeastOnce => rumqttc::QoS::AtLeastOnce,
    }
}

/// A handle to publish through the connection.
#[derive(Debug, Clone)]
pub struct Publisher {
    client: AsyncClient,
    counters: Arc<Counters>,
}

impl Publisher {
    pub(crate) fn new(client: AsyncClient, counters: Arc<Counters>) -> Publisher {
        Publisher { client, counters }
    }

    /// Queues `message`; false (and counted) when the client's queue is full or closed.
    pub fn send(&self, message: Outbound) -> bool {
        let topic = message.topic;
        match self.client.try_publish(
            topic.clone(),
            qos(message.qos),
            message.retain,
            message.payload,
        ) {
            Ok(()) => true,
            Err(error) => {
                Counters::bump(&self.counters.publish_dropped);
                tracing::debug!(%error, topic, "Message not queued.");
                false
            }
        }
    }

    /// Queues an audio chunk, counting it as sent or dropped.
    pub fn send_chunk(&self, message: Outbound) -> bool {
        let topic = message.topic;
        let queued = self
            .client
            .try_publish(topic, qos(message.qos), message.retain, message.payload)
            .is_ok();
        Counters::bump(if queued {
            &self.counters.chunks_sent
        } else {
            &self.counters.chunks_dropped
        });
        queued
    }

    pub(crate) fn client(&self) -> &AsyncClient {
        &self.client
    }
}
