//! A simulated satellite streaming an utterance at real time, as a microphone delivers it,
//! until the bridge says the speech ended (`control` `end_of_speech`), like
//! `hive-satellite` does.

use std::time::Duration;

use hive_topics::{
    AudioChunk, AudioFormat, AudioStart, Control, Inbound, SatelliteId, Topics, Wake,
};
use tokio::time::Instant;

use crate::client::{Message, TestClient};
use crate::error::HarnessError;
use crate::{Broker, QoS};

/// Samples per chunk: 40 ms at 16 kHz, the satellite's default.
pub(crate) const CHUNK_SAMPLES: usize = 640;
/// The chunk period.
pub(crate) const CHUNK_PERIOD: Duration = Duration::from_millis(40);

/// A simulated satellite.
pub(crate) struct Streamer {
    pub(crate) client: TestClient,
    pub(crate) topics: Topics,
    pub(crate) id: SatelliteId,
}

/// What happened while streaming.
#[derive(Debug, Clone)]
pub(crate) struct Streamed {
    /// When each chunk went out, by sequence number.
    pub(crate) published: Vec<Instant>,
    /// When the bridge's end of speech arrived (`None`: the audio ran out first).
    pub(crate) end_of_speech: Option<Instant>,
    /// How late the latest chunk went out against its real-time schedule: the simulator's
    /// own lag, not the bridge's.
    pub(crate) max_schedule_lag: Duration,
    /// Messages for this satellite that arrived meanwhile, with when.
    pub(crate) other: Vec<(Instant, Message)>,
}

impl Streamed {
    /// When the last chunk went out.
    pub(crate) fn last_published(&self) -> Option<Instant> {
        self.published.last().copied()
    }
}

impl Streamer {
    /// Connects as satellite `id` and subscribes to `suffixes` of its topics (e.g.
    /// `control`, `tts`).
    pub(crate) async fn connect(
        broker: &Broker,
        id: &str,
        suffixes: &[&str],
    ) -> Result<Self, HarnessError> {
        let mut client = TestClient::connect(broker, id, None).await?;
        for suffix in suffixes {
            client
                .subscribe(&format!("hive/satellite/{id}/{suffix}"), QoS::AtLeastOnce)
                .await?;
        }
        let id = SatelliteId::new(id).map_err(|error| HarnessError::Bridge(error.to_string()))?;
        Ok(Streamer {
            client,
            topics: Topics::default(),
            id,
        })
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

    /// Wake, start, then `pcm` in 40 ms chunks at real time, stopping at the bridge's end
    /// of speech or when the audio runs out.
    pub(crate) async fn stream(
        &mut self,
        session: u32,
        pcm: &[i16],
    ) -> Result<Streamed, HarnessError> {
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
            .await?;
        let mut streamed = Streamed {
            published: Vec::new(),
            end_of_speech: None,
            max_schedule_lag: Duration::ZERO,
            other: Vec::new(),
        };
        let origin = Instant::now();
        for (seq, samples) in pcm.chunks(CHUNK_SAMPLES).enumerate() {
            let due = origin + CHUNK_PERIOD * seq as u32;
            // Until this chunk is due, watch for the end of speech.
            loop {
                let Ok(message) = tokio::time::timeout_at(due, self.next_message()).await else {
                    break;
                };
                let Some(message) = message else { break };
                let at = Instant::now();
                if self.is_end_of_speech(&message, session) {
                    streamed.end_of_speech = Some(at);
                    return Ok(streamed);
                }
                streamed.other.push((at, message));
            }
            let lag = Instant::now().saturating_duration_since(due);
            streamed.max_schedule_lag = streamed.max_schedule_lag.max(lag);
            let chunk = AudioChunk::from_samples(session, seq as u32, samples);
            self.send(self.topics.encode_audio_chunk(&self.id, &chunk))
                .await?;
            streamed.published.push(Instant::now());
        }
        Ok(streamed)
    }

    /// Waits up to `timeout` for the end of speech after the audio ran out (the bridge may
    /// be behind); records it in `streamed`.
    pub(crate) async fn await_end_of_speech(
        &mut self,
        session: u32,
        streamed: &mut Streamed,
        timeout: Duration,
    ) {
        let deadline = Instant::now() + timeout;
        while streamed.end_of_speech.is_none() {
            let Ok(Some(message)) = tokio::time::timeout_at(deadline, self.next_message()).await
            else {
                return;
            };
            let at = Instant::now();
            if self.is_end_of_speech(&message, session) {
                streamed.end_of_speech = Some(at);
            } else {
                streamed.other.push((at, message));
            }
        }
    }

    async fn next_message(&mut self) -> Option<Message> {
        self.client.recv_timeout(Duration::from_secs(3600)).await
    }

    fn is_end_of_speech(&self, message: &Message, session: u32) -> bool {
        matches!(
            self.topics.parse(&message.topic, &message.payload),
            Ok(Inbound::Control { control: Control::EndOfSpeech { session: s }, .. }) if s == session
        )
    }
}
