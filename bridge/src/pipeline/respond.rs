//! Delivering a reply as it is produced: each sentence goes out as text at once and to a
//! text-to-speech worker, whose audio follows sentence by sentence. Speech synthesis of
//! sentence N overlaps the language model writing sentence N+1.

use std::sync::Arc;

use hive_topics::{AskReply, AudioPayload, ErrorReport, ReplyChunk, SatelliteId, TtsAudio};
use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinHandle;

use super::shared::Shared;
use super::timings::TurnClock;

/// Where a reply goes.
#[derive(Debug, Clone)]
pub(crate) enum Destination {
    /// Spoken on a satellite, in a session.
    Satellite {
        satellite: SatelliteId,
        session: u32,
    },
    /// Answered on `ask/reply`, and spoken on a satellite too if the question asked for it.
    Ask {
        id: Option<String>,
        speak_on: Option<(SatelliteId, u32)>,
    },
}

impl Destination {
    fn speaker(&self) -> Option<(&SatelliteId, u32)> {
        match self {
            Destination::Satellite { satellite, session } => Some((satellite, *session)),
            Destination::Ask { speak_on, .. } => speak_on
                .as_ref()
                .map(|(satellite, session)| (satellite, *session)),
        }
    }
}

/// Sentences waiting for speech; small, since each one is seconds of work.
const TTS_QUEUE: usize = 16;

/// The text-to-speech worker of one reply and the queue feeding it.
struct SpeechWorker {
    sentences: mpsc::Sender<(u32, String)>,
    task: JoinHandle<()>,
}

/// Collects a reply's sentences and publishes them.
pub(crate) struct ReplySink {
    shared: Arc<Shared>,
    destination: Destination,
    lang: String,
    index: u32,
    text: String,
    clock: Arc<Mutex<TurnClock>>,
    tts: Option<SpeechWorker>,
}

impl ReplySink {
    pub(crate) fn new(
        shared: Arc<Shared>,
        destination: Destination,
        lang: &str,
        clock: Arc<Mutex<TurnClock>>,
    ) -> Self {
        let tts = destination.speaker().map(|(satellite, session)| {
            let (sender, receiver) = mpsc::channel(TTS_QUEUE);
            // In the turn's span, so that the speech worker's lines carry its ids.
            let worker = tokio::spawn(tracing::Instrument::in_current_span(speak(
                shared.clone(),
                satellite.clone(),
                session,
                lang.to_string(),
                receiver,
                clock.clone(),
            )));
            SpeechWorker {
                sentences: sender,
                task: worker,
            }
        });
        ReplySink {
            shared,
            destination,
            lang: lang.to_string(),
            index: 0,
            text: String::new(),
            clock,
            tts,
        }
    }

    /// The reply so far.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// Sends one sentence on its way.
    pub(crate) async fn sentence(&mut self, sentence: &str) {
        let sentence = sentence.trim();
        if sentence.is_empty() {
            return;
        }
        {
            let mut clock = self.clock.lock().await;
            let mut mark = clock.first_sentence;
            clock.mark(&mut mark);
            clock.first_sentence = mark;
        }
        if !self.text.is_empty() {
            self.text.push(' ');
        }
        self.text.push_str(sentence);
        let index = self.index;
        self.index += 1;
        if let Some((satellite, session)) = self.destination.speaker() {
            let chunk = ReplyChunk {
                session,
                index,
                text: sentence.to_string(),
                is_final: false,
                lang: Some(self.lang.clone()),
                timings: None,
            };
            self.shared
                .publish(self.shared.topics.encode_reply(satellite, &chunk))
                .await;
        }
        if let Some(SpeechWorker {
            sentences: sender, ..
        }) = &self.tts
        {
            // The worker only stops when the sink drops its sender, so this cannot fail
            // except during shutdown, when losing the sentence is right.
            let _ = sender.send((index, sentence.to_string())).await;
        }
    }

    /// Closes the reply: the final text marker (with the timings), the end of the audio, and
    /// the answer on `ask/reply`. Returns the whole reply text.
    pub(crate) async fn finish(mut self, intent: Option<String>) -> String {
        if let Some(SpeechWorker { sentences, task }) = self.tts.take() {
            drop(sentences);
            let _ = task.await;
        }
        let timings = self.clock.lock().await.report();
        tracing::info!(
            stt_ms = timings.stt_ms,
            first_token_ms = timings.first_token_ms,
            first_sentence_ms = timings.first_sentence_ms,
            first_audio_ms = timings.first_audio_ms,
            total_ms = timings.total_ms,
            "Turn answered."
        );
        if let Some((satellite, session)) = self.destination.speaker() {
            let chunk = ReplyChunk {
                session,
                index: self.index,
                text: String::new(),
                is_final: true,
                lang: Some(self.lang.clone()),
                timings: Some(timings),
            };
            self.shared
                .publish(self.shared.topics.encode_reply(satellite, &chunk))
                .await;
        }
        if let Destination::Ask { id, .. } = &self.destination {
            let reply = AskReply {
                id: id.clone(),
                text: self.text.clone(),
                intent,
                lang: Some(self.lang.clone()),
                timings: Some(timings),
            };
            self.shared.telemetry.ask_replied(&reply);
            self.shared
                .publish(self.shared.topics.encode_ask_reply(&reply))
                .await;
        }
        self.text
    }
}

/// The speech worker of one reply: synthesises sentences in order and publishes their
/// audio; the last audio carries the final flag (an empty final marker when the reply's
/// end was not yet known as its last sentence was spoken).
async fn speak(
    shared: Arc<Shared>,
    satellite: SatelliteId,
    session: u32,
    lang: String,
    mut sentences: mpsc::Receiver<(u32, String)>,
    clock: Arc<Mutex<TurnClock>>,
) {
    let mut next_index = 0;
    let mut final_sent = false;
    let mut reported = false;
    while let Some((index, sentence)) = sentences.recv().await {
        next_index = index + 1;
        let engines = shared.clone();
        let language = lang.clone();
        // Timed inside the blocking thread: the engine's own compute, without queueing.
        let span = tracing::Span::current();
        let spoken = tokio::task::spawn_blocking(move || {
            let _turn = span.enter();
            let started = std::time::Instant::now();
            let spoken = engines.engines.tts.speak(&sentence, &language);
            (spoken, started.elapsed())
        })
        .await;
        let speech = match spoken {
            Ok((Ok(spoken), compute)) => {
                let mut clock = clock.lock().await;
                if clock.tts_compute.is_none() {
                    clock.tts_compute = Some(compute);
                }
                spoken.speech
            }
            Ok((Err(error), _)) => {
                tracing::error!(%error, code = "tts_failed", "Text-to-speech failed; the reply goes out as text.");
                shared.telemetry.error("tts_failed");
                if !reported {
                    reported = true;
                    let report = ErrorReport {
                        session: Some(session),
                        code: "tts_failed".into(),
                        message: "Speech could not be synthesised; the reply is available as text."
                            .into(),
                        recoverable: true,
                    };
                    shared
                        .publish(shared.topics.encode_error(&satellite, &report))
                        .await;
                }
                continue;
            }
            Err(_) => continue,
        };
        // Final when nothing more can come: the sink has finished and the queue is empty.
        let is_final = sentences.is_closed() && sentences.is_empty();
        let audio = TtsAudio {
            session,
            index: index as u16,
            is_final,
            sample_rate: speech.sample_rate,
            audio: AudioPayload::Pcm(
                speech
                    .samples
                    .iter()
                    .flat_map(|sample| sample.to_le_bytes())
                    .collect(),
            ),
        };
        {
            let mut clock = clock.lock().await;
            let mut mark = clock.first_audio;
            clock.mark(&mut mark);
            clock.first_audio = mark;
        }
        shared
            .publish(shared.topics.encode_tts(&satellite, &audio))
            .await;
        final_sent = is_final;
    }
    if !final_sent {
        let marker = TtsAudio {
            session,
            index: next_index as u16,
            is_final: true,
            sample_rate: 16_000,
            audio: AudioPayload::Pcm(Vec::new()),
        };
        shared
            .publish(shared.topics.encode_tts(&satellite, &marker))
            .await;
    }
}
