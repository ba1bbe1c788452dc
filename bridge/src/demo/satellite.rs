//! A satellite without a microphone: it speaks the protocol over a real MQTT connection,
//! streams prepared audio after a wake word, and collects the reply text and audio.

use std::time::Duration;

use hive_topics::{
    AudioChunk, AudioFormat, AudioPayload, AudioStart, Availability, EyeColour, Inbound, Mode,
    Outbound, SatelliteId, Timings, Topics, Wake,
};
use rumqttc::{AsyncClient, Event, LastWill, MqttOptions, Packet};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::mqtt::qos_of;

/// Protocol chunks of 40 ms, as `hive-satellite` sends them.
const CHUNK_SAMPLES: usize = 640;

/// Why the demo satellite failed.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The broker URL is not usable.
    #[error("bad broker URL `{0}`")]
    Url(String),
    /// The connection failed or closed.
    #[error("MQTT: {0}")]
    Mqtt(String),
    /// Nothing came in time.
    #[error("{0}")]
    Timeout(String),
    /// The bridge reported an error for the turn.
    #[error("the bridge answered with error `{code}`: {message}")]
    Bridge {
        /// The error code.
        code: String,
        /// Its message.
        message: String,
    },
}

/// What the satellite received for one session.
#[derive(Debug, Clone, Default)]
pub struct HeardReply {
    /// The reply text, sentence by sentence.
    pub sentences: Vec<String>,
    /// The reply audio, as sent.
    pub audio: Vec<i16>,
    /// Its sample rate (0 when no audio came).
    pub sample_rate: u32,
    /// Timings from the final reply piece.
    pub timings: Option<Timings>,
}

impl HeardReply {
    /// The whole reply text.
    pub fn text(&self) -> String {
        self.sentences.join(" ")
    }
}

/// A virtual satellite connected to a broker.
pub struct VirtualSatellite {
    client: AsyncClient,
    topics: Topics,
    id: SatelliteId,
    inbound: mpsc::Receiver<Inbound>,
    task: JoinHandle<()>,
}

impl VirtualSatellite {
    /// Connects as satellite `id` to `url` (`mqtt://host:port`) and subscribes to its
    /// topics and the bridge's status.
    ///
    /// # Errors
    /// The URL is malformed or the id invalid.
    pub fn connect(url: &str, id: &str, topics: Topics) -> Result<Self, DemoError> {
        let id = SatelliteId::new(id).map_err(|error| DemoError::Mqtt(error.to_string()))?;
        let rest = url
            .strip_prefix("mqtt://")
            .ok_or_else(|| DemoError::Url(url.into()))?;
        let (host, port) = rest
            .trim_end_matches('/')
            .rsplit_once(':')
            .and_then(|(host, port)| Some((host, port.parse::<u16>().ok()?)))
            .ok_or_else(|| DemoError::Url(url.into()))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let mut options = MqttOptions::new(format!("hive-demo-{id}"), host, port);
        options.set_keep_alive(Duration::from_secs(15));
        options.set_max_packet_size(16 * 1024 * 1024, 16 * 1024 * 1024);
        let will = topics.satellite_last_will(&id);
        options.set_last_will(LastWill::new(
            will.topic,
            will.payload,
            qos_of(will.qos),
            will.retain,
        ));
        let (client, mut event_loop) = AsyncClient::new(options, 1024);
        // Generous: a reply is a few dozen messages; the demo reads them as they come.
        let (sender, inbound) = mpsc::channel(4096);
        let filters = topics.satellite_subscriptions(&id);
        let hello = [
            topics.encode_satellite_status(&id, Availability::Online),
            topics.encode_mode(&id, Mode::Idle),
            topics.encode_eyes(&id, EyeColour::White),
        ];
        let loop_topics = topics.clone();
        let loop_client = client.clone();
        let task = tokio::spawn(async move {
            loop {
                match event_loop.poll().await {
                    Ok(Event::Incoming(Packet::ConnAck(_))) => {
                        for filter in &filters {
                            let _ = loop_client
                                .try_subscribe(filter.clone(), rumqttc::QoS::AtLeastOnce);
                        }
                        for message in hello.clone() {
                            let _ = loop_client.try_publish(
                                message.topic,
                                qos_of(message.qos),
                                message.retain,
                                message.payload,
                            );
                        }
                    }
                    Ok(Event::Incoming(Packet::Publish(publish))) => {
                        if let Ok(message) = loop_topics.parse(&publish.topic, &publish.payload)
                            && sender.send(message).await.is_err()
                        {
                            break;
                        }
                    }
                    Ok(Event::Outgoing(rumqttc::Outgoing::Disconnect)) => break,
                    Ok(_) => {}
                    Err(error) => {
                        tracing::debug!(%error, "Demo satellite connection failed; retrying.");
                        tokio::time::sleep(Duration::from_millis(250)).await;
                    }
                }
            }
        });
        Ok(VirtualSatellite {
            client,
            topics,
            id,
            inbound,
            task,
        })
    }

    /// Waits until the bridge says `online`.
    ///
    /// # Errors
    /// It does not within `timeout`.
    pub async fn wait_bridge_online(&mut self, timeout: Duration) -> Result<(), DemoError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let next = tokio::time::timeout_at(deadline, self.inbound.recv()).await;
            match next {
                Ok(Some(Inbound::BridgeStatus(Availability::Online))) => return Ok(()),
                Ok(Some(_)) => {}
                Ok(None) => return Err(DemoError::Mqtt("connection task ended".into())),
                Err(_) => {
                    return Err(DemoError::Timeout(format!(
                        "the bridge did not come online within {} s",
                        timeout.as_secs()
                    )));
                }
            }
        }
    }

    async fn send(&self, message: Outbound) -> Result<(), DemoError> {
        self.client
            .publish(
                message.topic,
                qos_of(message.qos),
                message.retain,
                message.payload,
            )
            .await
            .map_err(|error| DemoError::Mqtt(error.to_string()))
    }

    /// Says `pcm` (16 kHz mono) as session `session`: wake word, stream start, 40 ms
    /// chunks, and no end, so that the bridge's endpointing decides, as with a person.
    ///
    /// # Errors
    /// The connection is gone.
    pub async fn speak(&self, session: u32, pcm: &[i16]) -> Result<(), DemoError> {
        let wake = Wake {
            session,
            wake_word: "hey_hive".into(),
            score: 1.0,
            energy: None,
        };
        self.send(self.topics.encode_wake(&self.id, &wake)).await?;
        self.send(self.topics.encode_mode(&self.id, Mode::Listening))
            .await?;
        self.send(self.topics.encode_eyes(&self.id, EyeColour::Blue))
            .await?;
        let start = AudioStart {
            session,
            format: AudioFormat::default(),
        };
        self.send(self.topics.encode_audio_start(&self.id, &start))
            .await?;
        for (seq, samples) in pcm.chunks(CHUNK_SAMPLES).enumerate() {
            let chunk = AudioChunk::from_samples(session, seq as u32, samples);
            self.send(self.topics.encode_audio_chunk(&self.id, &chunk))
                .await?;
        }
        Ok(())
    }

    /// Collects the reply of `session` until its final text and final audio arrived.
    ///
    /// # Errors
    /// The bridge reported an error that ends the turn, or the reply is incomplete after
    /// `timeout`.
    pub async fn reply(
        &mut self,
        session: u32,
        timeout: Duration,
    ) -> Result<HeardReply, DemoError> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut reply = HeardReply::default();
        let (mut text_done, mut audio_done) = (false, false);
        while !(text_done && audio_done) {
            let next = tokio::time::timeout_at(deadline, self.inbound.recv()).await;
            let message = match next {
                Ok(Some(message)) => message,
                Ok(None) => return Err(DemoError::Mqtt("connection task ended".into())),
                Err(_) => {
                    return Err(DemoError::Timeout(format!(
                        "no complete answer within {} s",
                        timeout.as_secs()
                    )));
                }
            };
            match message {
                Inbound::Reply { reply: chunk, .. } if chunk.session == session => {
                    if !chunk.text.is_empty() {
                        reply.sentences.push(chunk.text);
                    }
                    if chunk.is_final {
                        text_done = true;
                        reply.timings = chunk.timings;
                    }
                }
                Inbound::Tts { audio, .. } if audio.session == session => {
                    if let AudioPayload::Pcm(pcm) = &audio.audio
                        && !pcm.is_empty()
                    {
                        reply.audio.extend(
                            pcm.chunks_exact(2)
                                .map(|pair| i16::from_le_bytes([pair[0], pair[1]])),
                        );
                        reply.sample_rate = audio.sample_rate;
                    }
                    audio_done |= audio.is_final;
                }
                Inbound::Control { control, .. } => {
                    tracing::debug!(?control, "Bridge control message.");
                }
                Inbound::Error { error, .. } if error.session == Some(session) => {
                    if error.code == "tts_failed" {
                        // The text still comes; only the audio is missing.
                        audio_done = true;
                        continue;
                    }
                    return Err(DemoError::Bridge {
                        code: error.code,
                        message: error.message,
                    });
                }
                _ => {}
            }
        }
        let _ = self
            .send(self.topics.encode_eyes(&self.id, EyeColour::White))
            .await;
        let _ = self
            .send(self.topics.encode_mode(&self.id, Mode::Idle))
            .await;
        Ok(reply)
    }

    /// Says goodbye (`offline`) and disconnects.
    pub async fn disconnect(mut self) {
        let _ = self
            .send(
                self.topics
                    .encode_satellite_status(&self.id, Availability::Offline),
            )
            .await;
        let _ = self.client.disconnect().await;
        // The event loop ends once the disconnect is written; bounded, for a dead broker.
        if tokio::time::timeout(Duration::from_secs(2), &mut self.task)
            .await
            .is_err()
        {
            self.task.abort();
        }
    }
}
