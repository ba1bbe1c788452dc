//! One voice turn: listen until the endpoint, transcribe, answer, speak.

use std::sync::Arc;
use std::time::Duration;

use hive_skills::Lang;
use hive_topics::{AudioChunk, AudioEnd, Control, ErrorReport, SatelliteId};
use tokio::sync::{Mutex, mpsc};
use tokio_util::sync::CancellationToken;

use super::chunks::{ChunkFate, ChunkTracker};
use super::respond::{Destination, ReplySink};
use super::shared::Shared;
use super::timings::TurnClock;
use super::understand::{Asker, answer, sorry};
use crate::vad::{EndpointEvent, StreamVad};

/// Audio of the turn, as the router hands it over.
#[derive(Debug)]
pub(crate) enum AudioIn {
    Start,
    Chunk(AudioChunk),
    End(AudioEnd),
}

/// Why listening ended without an utterance.
#[derive(Debug)]
enum Unheard {
    /// The stream went silent (the satellite vanished or its network failed).
    Stalled,
    /// Only silence or noise arrived.
    NoSpeech,
    /// The turn was replaced or the bridge is stopping.
    Cancelled,
    /// The VAD engine failed.
    Vad(String),
}

/// What listening produced.
struct Heard {
    pcm: Vec<i16>,
    speech: Option<std::ops::Range<u64>>,
    chunks: ChunkTracker,
}

/// Runs a voice turn to its end. Never fails: every outcome is told to the satellite.
pub(crate) async fn voice_turn(
    shared: Arc<Shared>,
    satellite: SatelliteId,
    session: u32,
    audio: mpsc::Receiver<AudioIn>,
    cancel: CancellationToken,
) {
    let clock = Arc::new(Mutex::new(TurnClock::start()));
    let default_lang = shared.config.assistant.language.clone();
    let heard = listen(&shared, audio, &cancel).await;
    let heard = match heard {
        Ok(heard) => heard,
        Err(Unheard::Cancelled) => return,
        Err(why) => {
            if let Unheard::Vad(detail) = &why {
                tracing::error!(error = %detail, code = "vad_failed", "Speech detection failed.");
            }
            let (code, message) = match why {
                Unheard::Stalled => (
                    "audio_timeout",
                    "The audio stream stopped before the end of speech.",
                ),
                Unheard::NoSpeech => ("no_speech", "No speech was heard."),
                Unheard::Vad(_) | Unheard::Cancelled => ("vad_failed", "Speech detection failed."),
            };
            tracing::warn!(code, "Turn ended without an utterance.");
            report(&shared, &satellite, session, code, message, true).await;
            return;
        }
    };
    // Tell the satellite to stop streaming: the bridge has what it needs.
    let stop = Control::EndOfSpeech { session };
    shared
        .publish(shared.topics.encode_control(&satellite, &stop))
        .await;
    clock.lock().await.endpoint();
    let chunks = &heard.chunks;
    shared
        .telemetry
        .chunks(chunks.received, chunks.lost, chunks.late);
    tracing::info!(
        chunks = heard.chunks.received,
        lost = heard.chunks.lost,
        late = heard.chunks.late,
        seconds = heard.pcm.len() as f32 / 16_000.0,
        "Utterance received."
    );
    let audio = trim(&heard.pcm, heard.speech);
    // Freed when the transcript is in (or the turn is dropped), not at the end of the turn.
    let slot = shared.engines.stt_queue.admit().await;
    let stt = shared.engines.stt.clone();
    // Timed inside the blocking thread: the engine's own compute, without queueing.
    // The engine's own lines belong to the turn too.
    let span = tracing::Span::current();
    let transcript = tokio::task::spawn_blocking(move || {
        let _turn = span.enter();
        let started = std::time::Instant::now();
        (stt.transcribe(&audio, None), started.elapsed())
    })
    .await;
    drop(slot);
    let transcript = match transcript {
        Ok((Ok(transcript), compute)) => {
            clock.lock().await.stt_compute = Some(compute);
            transcript
        }
        Ok((Err(error), _)) if super::unheard::is_unloaded(&error) => {
            super::unheard::reply_unloaded(&shared, &satellite, session, &error, clock).await;
            return;
        }
        Ok((Err(error), _)) => {
            tracing::error!(%error, code = "stt_failed", "Speech-to-text failed.");
            report(
                &shared,
                &satellite,
                session,
                "stt_failed",
                "Speech could not be transcribed.",
                true,
            )
            .await;
            return;
        }
        Err(_) => return,
    };
    {
        let mut clock = clock.lock().await;
        let mut mark = clock.stt;
        clock.mark(&mut mark);
        clock.stt = mark;
    }
    tracing::info!(text = %transcript.text, lang = %transcript.lang, "Transcribed.");
    if transcript.text.is_empty() {
        report(
            &shared,
            &satellite,
            session,
            "no_speech",
            "No words were recognised.",
            true,
        )
        .await;
        return;
    }
    let lang = if transcript.lang.is_empty() {
        default_lang
    } else {
        transcript.lang.clone()
    };
    let destination = Destination::Satellite {
        satellite: satellite.clone(),
        session,
    };
    let asker = Asker {
        satellite: Some(satellite.clone()),
        session: Some(session),
    };
    respond(
        &shared,
        destination,
        &asker,
        &transcript.text,
        &lang,
        clock,
        &cancel,
    )
    .await;
}

/// Answers a question given as text (typed on a satellite, or `ask`).
pub(crate) async fn text_turn(
    shared: Arc<Shared>,
    destination: Destination,
    asker: Asker,
    text: String,
    lang: Option<String>,
    cancel: CancellationToken,
) {
    let clock = Arc::new(Mutex::new(TurnClock::start()));
    clock.lock().await.endpoint();
    let lang = lang.unwrap_or_else(|| shared.config.assistant.language.clone());
    respond(&shared, destination, &asker, &text, &lang, clock, &cancel).await;
}

async fn respond(
    shared: &Arc<Shared>,
    destination: Destination,
    asker: &Asker,
    text: &str,
    lang: &str,
    clock: Arc<Mutex<TurnClock>>,
    cancel: &CancellationToken,
) {
    let mut sink = ReplySink::new(shared.clone(), destination, lang, clock.clone());
    let limit = Duration::from_secs_f32(shared.config.session.turn_timeout_s);
    let answered = tokio::select! {
        () = cancel.cancelled() => return,
        answered = tokio::time::timeout(limit, answer(shared, asker, text, lang, &mut sink, &clock)) => answered,
    };
    let outcome = if answered.is_ok() {
        "answered"
    } else {
        shared.telemetry.error("turn_timeout");
        "turn_timeout"
    };
    let intent = match answered {
        Ok(intent) => intent,
        Err(_) => {
            tracing::error!(code = "turn_timeout", "Turn took too long; apologising.");
            sink.sentence(sorry(lang.parse::<Lang>().unwrap_or(Lang::En)))
                .await;
            None
        }
    };
    let reply = sink.finish(intent.clone()).await;
    // The reply's speech is all made: the model may now read the grown conversation ahead of
    // the next question without taking the CPU from this one.
    super::warm::rewarm(shared);
    let timings = clock.lock().await.report();
    let satellite = asker.satellite.as_ref();
    shared
        .telemetry
        .turn(satellite, text, &reply, outcome, Some(timings));
    // The satellite's last turn, retained for dashboards and Home Assistant discovery.
    if let Some(satellite) = &asker.satellite {
        let summary = hive_topics::TurnSummary {
            session: asker.session.unwrap_or(0),
            transcript: text.to_owned(),
            reply,
            intent,
            timings,
        };
        shared
            .publish(shared.topics.encode_turn_summary(satellite, &summary))
            .await;
    }
}

async fn report(
    shared: &Shared,
    satellite: &SatelliteId,
    session: u32,
    code: &str,
    message: &str,
    recoverable: bool,
) {
    // Every report ends its turn.
    shared.telemetry.error(code);
    shared.telemetry.turn(Some(satellite), "", "", code, None);
    let report = ErrorReport {
        session: Some(session),
        code: code.into(),
        message: message.into(),
        recoverable,
    };
    shared
        .publish(shared.topics.encode_error(satellite, &report))
        .await;
}

/// Collects audio until the endpoint: the satellite's `end`, the VAD's end of speech, the
/// audio cap, or a stall.
async fn listen(
    shared: &Shared,
    mut audio: mpsc::Receiver<AudioIn>,
    cancel: &CancellationToken,
) -> Result<Heard, Unheard> {
    let session = &shared.config.session;
    let idle = Duration::from_secs_f32(session.audio_idle_timeout_s);
    let max_samples = (session.max_audio_s * 16_000.0) as usize;
    let mut vad: Option<StreamVad> = Some(shared.engines.vad.stream());
    let mut heard = Heard {
        pcm: Vec::with_capacity(16_000 * 5),
        speech: None,
        chunks: ChunkTracker::default(),
    };
    let mut started = false;
    loop {
        let next = tokio::select! {
            () = cancel.cancelled() => return Err(Unheard::Cancelled),
            next = tokio::time::timeout(idle, audio.recv()) => next,
        };
        let message = match next {
            Err(_) => {
                return if started {
                    Ok(heard)
                } else {
                    Err(Unheard::Stalled)
                };
            }
            Ok(None) => return Err(Unheard::Cancelled),
            Ok(Some(message)) => message,
        };
        let chunk = match message {
            AudioIn::Start => continue,
            AudioIn::End(end) => {
                tracing::debug!(reason = ?end.reason, "Satellite ended the stream.");
                return finish(heard);
            }
            AudioIn::Chunk(chunk) => chunk,
        };
        if heard.chunks.accept(chunk.seq) == ChunkFate::Late {
            continue;
        }
        let samples = chunk.to_samples();
        heard.pcm.extend_from_slice(&samples);
        // Silero costs ~0.1 ms a frame: cheap, but still kept off the runtime's workers.
        let Some(mut detector) = vad.take() else {
            continue;
        };
        let (detector, event) = tokio::task::spawn_blocking(move || {
            let event = detector.push_pcm(&samples);
            (detector, event)
        })
        .await
        .map_err(|error| Unheard::Vad(error.to_string()))?;
        heard.speech = detector.speech_range();
        vad = Some(detector);
        match event.map_err(|error| Unheard::Vad(error.to_string()))? {
            Some(EndpointEvent::SpeechStarted { .. }) => started = true,
            Some(EndpointEvent::SpeechEnded { .. }) => return Ok(heard),
            Some(EndpointEvent::NoSpeech { .. }) => return Err(Unheard::NoSpeech),
            None => {}
        }
        if heard.pcm.len() >= max_samples {
            // Over `[session] max_audio_s`: the satellite is told to stop (the caller's
            // `end_of_speech`) and what fits is answered, rather than the question lost.
            tracing::warn!(
                code = "audio_too_long",
                max_audio_s = session.max_audio_s,
                "Turn reached its longest audio; answering what was heard."
            );
            shared.telemetry.error("audio_too_long");
            return finish(heard);
        }
    }
}

/// A satellite that ends the stream knows best (push-to-talk, its own VAD): transcribe
/// whatever came, unless it was nothing at all.
fn finish(heard: Heard) -> Result<Heard, Unheard> {
    if heard.pcm.is_empty() {
        return Err(Unheard::NoSpeech);
    }
    Ok(heard)
}

/// The detected speech with its padding, as f32; everything when no range is known.
fn trim(pcm: &[i16], speech: Option<std::ops::Range<u64>>) -> Vec<f32> {
    let range = speech
        .map(|range| (range.start as usize).min(pcm.len())..(range.end as usize).min(pcm.len()))
        .filter(|range| range.len() >= 1_600)
        .unwrap_or(0..pcm.len());
    pcm[range]
        .iter()
        .map(|&sample| f32::from(sample) / 32_768.0)
        .collect()
}
