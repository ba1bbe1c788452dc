//! Figure 3: how many satellites streaming speech at real time one bridge keeps up with.
//!
//! Each step starts a fresh bridge, connects N simulated satellites and has them all say
//! the same question at once (spread over one chunk period), each stopping at the bridge's
//! end of speech. A step passes when every satellite got its end of speech, the bridge
//! counted no lost or late chunk, and no end of speech came more than [`MAX_VAD_LAG`]
//! after the chunk where the same VAD, run alone on the same audio, decides it. Speech-to-
//! text may queue behind: the bridge is killed once the chunk counts are read, so queued
//! transcriptions never weigh on the next step. The bridge's admission limit
//! (`[limits] max_sessions`) is raised to N for the step: it is a policy, not a capacity.

use std::time::Duration;

use tokio::time::Instant;

use super::process::{BridgeProcess, bench_error, metric};
use super::report::IngestStep;
use super::stats::median;
use super::stream::{CHUNK_SAMPLES, Streamed, Streamer};
use crate::Broker;
use crate::error::HarnessError;

/// How far behind the audio the end of speech may come and the VAD still count as
/// keeping real time: a VAD that keeps up answers within a chunk or two; one that falls
/// behind lags more with every second of speech, and half a second is a dozen chunks.
pub(crate) const MAX_VAD_LAG: Duration = Duration::from_millis(500);
/// How long a satellite whose audio ran out waits for its end of speech: ten times the
/// lag allowed, so that a miss is a miss and not a slow answer.
const END_WAIT: Duration = Duration::from_secs(5);

/// The chunk after which the bridge's VAD (its default configuration, alone, unhurried)
/// declares the end of speech in `pcm` sent in 40 ms chunks.
///
/// # Errors
/// The VAD cannot be built, fails, or never ends the speech.
pub(crate) fn reference_endpoint(
    models: &std::path::Path,
    pcm: &[i16],
) -> Result<usize, HarnessError> {
    let env = |_: &str| None;
    let config = hive_bridge::config::parse("", std::path::Path::new("bench.toml"), &env)
        .map_err(|error| bench_error(error.to_string()))?;
    let vad = config
        .vad
        .build_or_fallback(models)
        .map_err(|error| bench_error(error.to_string()))?;
    let mut stream = vad.stream();
    for (index, chunk) in pcm.chunks(CHUNK_SAMPLES).enumerate() {
        let event = stream
            .push_pcm(chunk)
            .map_err(|error| bench_error(error.to_string()))?;
        if let Some(hive_bridge::vad::EndpointEvent::SpeechEnded { .. }) = event {
            return Ok(index);
        }
    }
    Err(bench_error("the VAD never ends the benchmark's utterance"))
}

/// One step: `satellites` streaming `pcm` into a fresh bridge.
pub(crate) async fn step(
    bridge_binary: &std::path::Path,
    broker: &Broker,
    models: &std::path::Path,
    satellites: usize,
    pcm: &[i16],
    reference: usize,
) -> Result<IngestStep, HarnessError> {
    // The default admission limit (`[limits] max_sessions`, 8 turns at once) is a policy
    // for small machines; what is measured here is what the ingest path carries.
    let limits = format!("[limits]\nmax_sessions = {satellites}\n");
    let broker_drops_before = broker_drops(broker);
    let mut bridge = BridgeProcess::start(bridge_binary, &broker.url(), models, &limits)?;
    super::run::wait_online(broker, &mut bridge).await?;
    let mut streamers = Vec::with_capacity(satellites);
    for index in 0..satellites {
        streamers.push(
            Streamer::connect(broker, &format!("ingest-{index}"), &["control", "error"]).await?,
        );
    }
    let start = Instant::now() + Duration::from_millis(200);
    let period = super::stream::CHUNK_PERIOD;
    let mut tasks = tokio::task::JoinSet::new();
    for (index, mut streamer) in streamers.into_iter().enumerate() {
        let pcm = pcm.to_vec();
        let offset = period * index as u32 / satellites as u32;
        tasks.spawn(async move {
            tokio::time::sleep_until(start + offset).await;
            let session = 1000 + index as u32;
            let mut streamed = streamer.stream(session, &pcm).await?;
            streamer
                .await_end_of_speech(session, &mut streamed, END_WAIT)
                .await;
            Ok::<(Streamed, Streamer), HarnessError>((streamed, streamer))
        });
    }
    let mut results = Vec::with_capacity(satellites);
    while let Some(joined) = tasks.join_next().await {
        results.push(joined.map_err(|error| bench_error(error.to_string()))??);
    }
    let (received, lost, late) = settled_counts(&bridge).await?;
    let bridge_drops = bridge
        .metrics()
        .ok()
        .and_then(|text| metric(&text, "hive_mqtt_messages_total{fate=\"dropped\"}"))
        .unwrap_or(0.0) as u64;
    let broker_drops = broker_drops(broker).saturating_sub(broker_drops_before);
    bridge.program.kill();

    let mut lags = Vec::new();
    let mut endpoints = 0;
    let mut errors = std::collections::BTreeMap::<String, usize>::new();
    let mut schedule_lag = Duration::ZERO;
    for (streamed, _) in &results {
        schedule_lag = schedule_lag.max(streamed.max_schedule_lag);
        let Some(end) = streamed.end_of_speech else {
            for (_, message) in &streamed.other {
                if let Ok(hive_topics::Inbound::Error { error, .. }) =
                    hive_topics::Topics::default().parse(&message.topic, &message.payload)
                {
                    *errors.entry(error.code).or_default() += 1;
                }
            }
            continue;
        };
        endpoints += 1;
        // Stopped before the reference chunk: the end of speech came even earlier.
        let decided = streamed.published.get(reference).copied().unwrap_or(end);
        lags.push(end.saturating_duration_since(decided).as_secs_f64() * 1000.0);
    }
    let max_lag = lags.iter().copied().fold(0.0, f64::max);
    let failure = if endpoints < satellites {
        let errors = if errors.is_empty() {
            "no error reported".to_string()
        } else {
            errors
                .iter()
                .map(|(code, count)| format!("{code} ×{count}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        Some(format!(
            "{} satellites got no end of speech within {} s of their audio's end ({errors})",
            satellites - endpoints,
            END_WAIT.as_secs()
        ))
    } else if lost + late > 0 {
        // Where they went: the broker's queue for the bridge, or the bridge's own router.
        Some(format!(
            "{lost} chunks lost, {late} late (the bridge's MQTT loop dropped {bridge_drops} \
             messages; the broker reported dropping outgoing messages {broker_drops} times)"
        ))
    } else if max_lag > MAX_VAD_LAG.as_secs_f64() * 1000.0 {
        Some(format!(
            "end of speech up to {max_lag:.0} ms behind the audio (limit {} ms)",
            MAX_VAD_LAG.as_millis()
        ))
    } else {
        None
    };
    Ok(IngestStep {
        satellites,
        endpoints,
        received,
        lost,
        late,
        median_vad_lag_ms: median(&lags).unwrap_or(f64::NAN),
        max_vad_lag_ms: max_lag,
        max_schedule_lag_ms: schedule_lag.as_secs_f64() * 1000.0,
        failure,
    })
}

/// How many times Mosquitto has logged that it drops messages queued for a client that
/// reads too slowly (its `max_queued_messages`, 1000 by default).
fn broker_drops(broker: &Broker) -> usize {
    broker
        .log()
        .matches("Outgoing messages are being dropped")
        .count()
}

/// The bridge's chunk counters once they stop moving (every listening that ended has
/// reported; the bridge counts a turn's chunks right after its end of speech).
async fn settled_counts(bridge: &BridgeProcess) -> Result<(u64, u64, u64), HarnessError> {
    let read = || -> Result<(u64, u64, u64), HarnessError> {
        let text = bridge.metrics()?;
        let get = |fate: &str| {
            metric(
                &text,
                &format!("hive_audio_chunks_total{{fate=\"{fate}\"}}"),
            )
            .unwrap_or(0.0) as u64
        };
        Ok((get("received"), get("lost"), get("late")))
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut last = read()?;
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = read()?;
        if now == last || Instant::now() > deadline {
            return Ok(now);
        }
        last = now;
    }
}
