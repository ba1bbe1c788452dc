//! Figures 1 and 2: turn latency with its stages, and latency over the engines' compute.
//!
//! A simulated satellite streams a spoken question at real time and stops at the bridge's
//! end of speech. Latency runs from the last chunk it published to the first TTS audio it
//! received. The stages come from the bridge's own timings (the final reply and the
//! retained `turn` summary); the engines' compute from the same timings (`stt_compute_ms`,
//! `tts_compute_ms`) and, for the LLM, from `hive-llm`'s log of that turn ("Prompt
//! evaluated" `prompt_ms`) plus the generation until the first sentence.

use std::time::Duration;

use hive_topics::{AudioPayload, Inbound, TextInput, Timings, TurnSummary};
use tokio::time::Instant;

use super::process::{BridgeProcess, bench_error, log_field};
use super::report::TurnFigures;
use super::stats::{median, median_of};
use super::stream::Streamer;
use crate::client::Message;
use crate::error::HarnessError;

/// Longest a turn may take before the benchmark gives up on it.
const TURN_TIMEOUT: Duration = Duration::from_secs(240);
/// The bridge's apology when no model answered (the local model may still be loading).
const APOLOGY: &str = "Sorry, I can't answer that right now.";

/// One measured turn.
#[derive(Debug, Clone)]
pub(crate) struct TurnSample {
    pub(crate) latency_ms: f64,
    pub(crate) timings: Timings,
    pub(crate) summary: TurnSummary,
    /// Σ `prompt_ms` that `hive-llm` logged during the turn; `None` when it logged none.
    pub(crate) llm_prompt_ms: Option<f64>,
    /// Σ prompt tokens `hive-llm` evaluated, and Σ it reused from its cache, in the turn.
    pub(crate) llm_prompt_tokens: Option<(f64, f64)>,
}

impl TurnSample {
    fn get(value: Option<u64>) -> Option<f64> {
        value.map(|value| value as f64)
    }

    /// The LLM's compute until the first sentence: prompt evaluation (from its log) and
    /// the streamed generation from the first token to the first sentence.
    fn llm_compute_ms(&self) -> Option<f64> {
        let prompt = self.llm_prompt_ms?;
        let generation = match (self.timings.first_token_ms, self.timings.first_sentence_ms) {
            (Some(token), Some(sentence)) => sentence.saturating_sub(token) as f64,
            _ => 0.0,
        };
        Some(prompt + generation)
    }

    fn overhead(&self, with_llm: bool) -> Option<f64> {
        let stt = Self::get(self.timings.stt_compute_ms)?;
        let tts = Self::get(self.timings.tts_compute_ms)?;
        let llm = if with_llm {
            self.llm_compute_ms()?
        } else {
            0.0
        };
        let compute = stt + llm + tts;
        (compute > 0.0).then(|| self.latency_ms / compute)
    }
}

/// Medians over `samples`.
pub(crate) fn figures(samples: &[TurnSample], with_llm: bool) -> TurnFigures {
    let stage = |pick: fn(&Timings) -> Option<u64>| {
        median_of(
            samples
                .iter()
                .map(|sample| TurnSample::get(pick(&sample.timings))),
        )
    };
    let last = samples.last();
    TurnFigures {
        runs: samples.len(),
        latency_ms: median(&samples.iter().map(|s| s.latency_ms).collect::<Vec<_>>())
            .unwrap_or(f64::NAN),
        endpoint_and_delivery_ms: median_of(samples.iter().map(|sample| {
            sample
                .timings
                .first_audio_ms
                .map(|audio| sample.latency_ms - audio as f64)
        })),
        stt_ms: stage(|t| t.stt_ms),
        first_token_ms: stage(|t| t.first_token_ms),
        first_sentence_ms: stage(|t| t.first_sentence_ms),
        first_audio_ms: stage(|t| t.first_audio_ms),
        stt_compute_ms: stage(|t| t.stt_compute_ms),
        llm_compute_ms: if with_llm {
            median_of(samples.iter().map(TurnSample::llm_compute_ms))
        } else {
            None
        },
        tts_compute_ms: stage(|t| t.tts_compute_ms),
        prompt_evaluated: median_of(
            samples
                .iter()
                .map(|sample| sample.llm_prompt_tokens.map(|(evaluated, _)| evaluated)),
        ),
        prompt_reused: median_of(
            samples
                .iter()
                .map(|sample| sample.llm_prompt_tokens.map(|(_, reused)| reused)),
        ),
        overhead: median_of(samples.iter().map(|sample| sample.overhead(with_llm))),
        transcript: last
            .map(|s| s.summary.transcript.clone())
            .unwrap_or_default(),
        intent: last.and_then(|s| s.summary.intent.clone()),
        reply: last.map(|s| s.summary.reply.clone()).unwrap_or_default(),
    }
}

/// Says `question` (16 kHz, with trailing silence) as session `session` and measures the
/// turn.
pub(crate) async fn voice_turn(
    bridge: &BridgeProcess,
    satellite: &mut Streamer,
    session: u32,
    question: &[i16],
) -> Result<TurnSample, HarnessError> {
    let started = std::time::Instant::now();
    let mut streamed = satellite.stream(session, question).await?;
    satellite
        .await_end_of_speech(session, &mut streamed, Duration::from_secs(10))
        .await;
    let last = streamed
        .last_published()
        .ok_or_else(|| bench_error("no audio was published"))?;
    if streamed.end_of_speech.is_none() {
        return Err(bench_error(
            "the bridge never signalled the end of speech".to_string(),
        ));
    }
    let mut first_audio = None;
    let mut pending = std::mem::take(&mut streamed.other).into_iter();
    let deadline = Instant::now() + TURN_TIMEOUT;
    let summary = loop {
        let (at, message) = match pending.next() {
            Some(item) => item,
            None => {
                let message = satellite
                    .client
                    .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                    .await
                    .ok_or_else(|| bench_error(format!("no answer within {TURN_TIMEOUT:?}")))?;
                (Instant::now(), message)
            }
        };
        if let Some(summary) = examine(satellite, &message, session, at, &mut first_audio)? {
            break summary;
        }
    };
    let first_audio = first_audio
        .ok_or_else(|| bench_error(format!("no speech in the reply {:?}", summary.reply)))?;
    let evaluations: Vec<String> = bridge
        .program
        .log_since(started)
        .into_iter()
        .filter(|line| line.text.contains("Prompt evaluated"))
        .map(|line| line.text)
        .collect();
    let sum = |key: &str| -> Vec<f64> {
        evaluations
            .iter()
            .filter_map(|line| log_field(line, key))
            .collect()
    };
    let prompt_ms = sum("prompt_ms");
    let evaluated: f64 = sum("evaluated_tokens").iter().sum();
    let reused: f64 = sum("reused_tokens").iter().sum();
    Ok(TurnSample {
        latency_ms: first_audio.duration_since(last).as_secs_f64() * 1000.0,
        timings: summary.timings,
        llm_prompt_ms: (!prompt_ms.is_empty()).then(|| prompt_ms.iter().sum()),
        llm_prompt_tokens: (!prompt_ms.is_empty()).then_some((evaluated, reused)),
        summary,
    })
}

/// Looks at one message of the turn: notes the first TTS audio; returns the turn's
/// summary when it is this one; fails on an error that ends the turn.
fn examine(
    satellite: &Streamer,
    message: &Message,
    session: u32,
    at: Instant,
    first_audio: &mut Option<Instant>,
) -> Result<Option<TurnSummary>, HarnessError> {
    if message.topic.ends_with("/turn") {
        let summary = TurnSummary::decode(&message.payload)
            .map_err(|error| bench_error(format!("bad turn summary: {error}")))?;
        return Ok((summary.session == session).then_some(summary));
    }
    match satellite.topics.parse(&message.topic, &message.payload) {
        Ok(Inbound::Tts { audio, .. }) if audio.session == session => {
            if matches!(&audio.audio, AudioPayload::Pcm(pcm) if !pcm.is_empty()) {
                first_audio.get_or_insert(at);
            }
        }
        Ok(Inbound::Error { error, .. })
            if error.session == Some(session) && error.code != "tts_failed" =>
        {
            return Err(bench_error(format!(
                "the bridge ended the turn: {} ({})",
                error.code, error.message
            )));
        }
        _ => {}
    }
    Ok(None)
}

/// Types `text` until the LLM answers without the bridge's apology (the local model loads
/// in the background); the answer is not measured.
pub(crate) async fn wait_llm_ready(
    satellite: &mut Streamer,
    first_session: u32,
    text: &str,
) -> Result<TurnSummary, HarnessError> {
    let give_up = Instant::now() + TURN_TIMEOUT;
    for session in first_session.. {
        if Instant::now() > give_up {
            break;
        }
        let input = TextInput {
            text: text.into(),
            session: Some(session),
            lang: Some("en".into()),
        };
        let out = satellite.topics.encode_text(&satellite.id, &input);
        satellite
            .client
            .publish(&out.topic, out.payload, crate::QoS::AtLeastOnce, false)
            .await?;
        let summary = loop {
            let message = satellite
                .client
                .recv_timeout(give_up.saturating_duration_since(Instant::now()))
                .await
                .ok_or_else(|| bench_error("the language model never answered"))?;
            let mut ignored = None;
            if let Some(summary) =
                examine(satellite, &message, session, Instant::now(), &mut ignored)?
            {
                break summary;
            }
        };
        if summary.reply != APOLOGY {
            return Ok(summary);
        }
        // The supervisor reports the model server unreachable until it has loaded.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Err(bench_error("the language model never answered"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(latency_ms: f64, stt: u64, tts: u64, prompt: Option<f64>) -> TurnSample {
        TurnSample {
            latency_ms,
            timings: Timings {
                stt_ms: Some(stt + 5),
                first_token_ms: Some(stt + 400),
                first_sentence_ms: Some(stt + 500),
                first_audio_ms: Some(latency_ms as u64 - 50),
                stt_compute_ms: Some(stt),
                tts_compute_ms: Some(tts),
                ..Timings::default()
            },
            summary: TurnSummary::default(),
            llm_prompt_ms: prompt,
            llm_prompt_tokens: None,
        }
    }

    #[test]
    fn overhead_divides_latency_by_the_engines_compute() {
        let local = sample(600.0, 300, 200, None);
        assert_eq!(local.overhead(false), Some(1.2));
        assert_eq!(local.overhead(true), None, "no LLM log, no LLM figure");
        // Prompt 350 ms + generation from first token to first sentence 100 ms.
        let llm = sample(1050.0, 300, 200, Some(350.0));
        assert_eq!(llm.llm_compute_ms(), Some(450.0));
        assert_eq!(llm.overhead(true), Some(1050.0 / 950.0));
        let figures = figures(&[local, sample(800.0, 300, 100, None)], false);
        assert_eq!(figures.latency_ms, 700.0);
        assert_eq!(figures.endpoint_and_delivery_ms, Some(50.0));
        assert_eq!(figures.overhead, Some((1.2 + 2.0) / 2.0));
        assert_eq!(figures.llm_compute_ms, None);
    }
}
