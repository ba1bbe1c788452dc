//! A scripted satellite: speaks the protocol like `hive-satellite` does, from a test.

use std::time::Duration;

use hive_topics::{
    Action, AudioChunk, AudioFormat, AudioPayload, AudioStart, ErrorReport, Inbound, SatelliteId,
    TextInput, Timings, Topics, Wake,
};

use crate::QoS;
use crate::broker::Broker;
use crate::client::TestClient;
use crate::error::HarnessError;

/// Everything a satellite received for one session.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    /// The text pieces, in order, without the empty final marker.
    pub chunks: Vec<String>,
    /// The TTS audio, concatenated.
    pub audio: Vec<i16>,
    /// The audio's sample rate (0 when none came).
    pub sample_rate: u32,
    /// The timings on the final piece.
    pub timings: Option<Timings>,
    /// Actions for this session.
    pub actions: Vec<Action>,
    /// Error reports for this session.
    pub errors: Vec<ErrorReport>,
    /// How many TTS messages (sentences) arrived.
    pub audio_messages: usize,
}

impl Reply {
    /// The whole reply text.
    pub fn text(&self) -> String {
        self.chunks.join(" ")
    }
}

/// A test satellite on the broker.
pub struct ScriptedSatellite {
    /// The MQTT client (subscribed to everything for this satellite).
    pub client: TestClient,
    /// The protocol.
    pub topics: Topics,
    /// Its id.
    pub id: SatelliteId,
}

impl ScriptedSatellite {
    /// Connects as satellite `id` and subscribes to its topics and the bridge's status.
    ///
    /// # Errors
    /// The broker refuses.
    pub async fn connect(broker: &Broker, id: &str) -> Result<Self, HarnessError> {
        Self::connect_with(TestClient::options(broker, id, None)).await
    }

    /// As [`connect`](Self::connect), with a persistent session: what the bridge sends
    /// while the satellite is cut off waits for it at the broker, as for `hive-satellite`.
    ///
    /// # Errors
    /// The broker refuses.
    pub async fn connect_persistent(broker: &Broker, id: &str) -> Result<Self, HarnessError> {
        let mut options = TestClient::options(broker, id, None);
        options.set_clean_session(false);
        Self::connect_with(options).await
    }

    async fn connect_with(options: rumqttc::MqttOptions) -> Result<Self, HarnessError> {
        let id = options.client_id();
        let mut client = TestClient::connect_with(options).await?;
        client
            .subscribe("hive/bridge/status", QoS::AtLeastOnce)
            .await?;
        client
            .subscribe(&format!("hive/satellite/{id}/#"), QoS::AtLeastOnce)
            .await?;
        let id = SatelliteId::new(&id).map_err(|error| HarnessError::Bridge(error.to_string()))?;
        Ok(ScriptedSatellite {
            client,
            topics: Topics::default(),
            id,
        })
    }

    /// Waits until the bridge says `online`.
    ///
    /// # Errors
    /// It does not within `timeout`.
    pub async fn wait_bridge_online(&mut self, timeout: Duration) -> Result<(), HarnessError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let message = self
                .client
                .recv_timeout(left)
                .await
                .ok_or(HarnessError::Bridge("never came online".into()))?;
            if message.topic == "hive/bridge/status" && message.payload == b"online" {
                return Ok(());
            }
        }
    }

    async fn send(&mut self, out: hive_topics::Outbound) -> Result<(), HarnessError> {
        let qos = match out.qos {
            hive_topics::QoS::AtMostOnce => QoS::AtMostOnce,
            hive_topics::QoS::AtLeastOnce => QoS::AtLeastOnce,
        };
        self.client
            .publish(&out.topic, out.payload, qos, out.retain)
            .await
    }

    /// Publishes the wake word and the audio stream's start of `session`.
    async fn wake_and_start(&mut self, session: u32) -> Result<(), HarnessError> {
        let wake = Wake {
            session,
            wake_word: "hey_hive".into(),
            score: 0.9,
            energy: None,
        };
        self.send(self.topics.encode_wake(&self.id, &wake)).await?;
        let start = AudioStart {
            session,
            format: AudioFormat::default(),
        };
        self.send(self.topics.encode_audio_start(&self.id, &start))
            .await
    }

    /// Says `pcm` (16 kHz) after a wake word: wake, start, 40 ms chunks, and no end, so
    /// that the bridge's endpointing must decide.
    ///
    /// # Errors
    /// The broker connection failed.
    pub async fn speak(&mut self, session: u32, pcm: &[i16]) -> Result<(), HarnessError> {
        self.wake_and_start(session).await?;
        for (seq, samples) in pcm.chunks(640).enumerate() {
            let chunk = AudioChunk::from_samples(session, seq as u32, samples);
            self.send(self.topics.encode_audio_chunk(&self.id, &chunk))
                .await?;
        }
        Ok(())
    }

    /// Says `pcm` as [`ScriptedSatellite::speak`] does, but the broker delivers the first
    /// `early` chunks before the wake and the start sent ahead of them (as Mosquitto does
    /// when its in-flight window to the bridge is full of QoS 1 messages).
    ///
    /// # Errors
    /// The broker connection failed.
    pub async fn speak_overtaken(
        &mut self,
        session: u32,
        pcm: &[i16],
        early: usize,
    ) -> Result<(), HarnessError> {
        let chunks: Vec<AudioChunk> = pcm
            .chunks(640)
            .enumerate()
            .map(|(seq, samples)| AudioChunk::from_samples(session, seq as u32, samples))
            .collect();
        let (ahead, rest) = chunks.split_at(early.min(chunks.len()));
        for chunk in ahead {
            self.send(self.topics.encode_audio_chunk(&self.id, chunk))
                .await?;
        }
        self.wake_and_start(session).await?;
        for chunk in rest {
            self.send(self.topics.encode_audio_chunk(&self.id, chunk))
                .await?;
        }
        Ok(())
    }

    /// Types a question.
    ///
    /// # Errors
    /// The broker connection failed.
    pub async fn type_text(&mut self, session: u32, text: &str) -> Result<(), HarnessError> {
        let input = TextInput {
            text: text.into(),
            session: Some(session),
            lang: Some("en".into()),
        };
        self.send(self.topics.encode_text(&self.id, &input)).await
    }

    /// Collects the next reply whatever its session (an announcement, a reply to `ask`).
    ///
    /// # Errors
    /// None starts within `timeout`.
    pub async fn next_reply(&mut self, timeout: Duration) -> Result<Reply, HarnessError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let Some(message) = self.client.recv_timeout(left).await else {
                return Err(HarnessError::Bridge(format!("no reply within {timeout:?}")));
            };
            if let Ok(Inbound::Reply { reply: chunk, .. }) =
                self.topics.parse(&message.topic, &message.payload)
            {
                let mut reply = self.reply(chunk.session, left).await?;
                if !chunk.text.is_empty() {
                    reply.chunks.insert(0, chunk.text);
                }
                return Ok(reply);
            }
        }
    }

    /// Collects the reply of `session` until its final text and final audio arrived.
    ///
    /// # Errors
    /// It does not complete within `timeout`.
    pub async fn reply(&mut self, session: u32, timeout: Duration) -> Result<Reply, HarnessError> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut reply = Reply::default();
        let (mut text_done, mut audio_done) = (false, false);
        while !(text_done && audio_done) {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let Some(message) = self.client.recv_timeout(left).await else {
                return Err(HarnessError::Bridge(format!(
                    "reply incomplete after {timeout:?}: {reply:?}"
                )));
            };
            match self.topics.parse(&message.topic, &message.payload) {
                Ok(Inbound::Reply { reply: chunk, .. }) if chunk.session == session => {
                    if !chunk.text.is_empty() {
                        reply.chunks.push(chunk.text);
                    }
                    if chunk.is_final {
                        text_done = true;
                        reply.timings = chunk.timings;
                    }
                }
                Ok(Inbound::Tts { audio, .. }) if audio.session == session => {
                    if let AudioPayload::Pcm(pcm) = &audio.audio
                        && !pcm.is_empty()
                    {
                        reply.audio.extend(
                            pcm.chunks_exact(2)
                                .map(|pair| i16::from_le_bytes([pair[0], pair[1]])),
                        );
                        reply.sample_rate = audio.sample_rate;
                        reply.audio_messages += 1;
                    }
                    audio_done |= audio.is_final;
                }
                Ok(Inbound::Action { action, .. }) if action.session == Some(session) => {
                    reply.actions.push(action)
                }
                Ok(Inbound::Error { error, .. }) if error.session == Some(session) => {
                    let fatal = !error.recoverable
                        || error.code == "no_speech"
                        || error.code == "stt_failed";
                    reply.errors.push(error);
                    if fatal {
                        return Ok(reply);
                    }
                }
                _ => {}
            }
        }
        Ok(reply)
    }
}
