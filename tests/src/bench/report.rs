//! The benchmark's results and the one table they print as.

use std::fmt::Write as _;

/// A figure that was measured, skipped (with why) or failed (with the error).
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<T> {
    /// Measured.
    Done(T),
    /// Not measured, on purpose.
    Skipped(String),
    /// The measurement failed.
    Failed(String),
}

impl<T> Outcome<T> {
    fn note(&self) -> Option<String> {
        match self {
            Outcome::Done(_) => None,
            Outcome::Skipped(why) => Some(format!("skipped: {why}")),
            Outcome::Failed(why) => Some(format!("failed: {why}")),
        }
    }
}

/// Medians over the measured turns of one kind. Stage times are milliseconds after the
/// bridge's endpoint, as the bridge reports them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TurnFigures {
    /// Turns measured.
    pub runs: usize,
    /// Last audio chunk published → first TTS audio received, ms.
    pub latency_ms: f64,
    /// Last chunk → the bridge's endpoint, plus the first audio's trip to the satellite:
    /// latency minus the bridge's `first_audio_ms`.
    pub endpoint_and_delivery_ms: Option<f64>,
    /// STT done.
    pub stt_ms: Option<f64>,
    /// LLM first token.
    pub first_token_ms: Option<f64>,
    /// First sentence ready.
    pub first_sentence_ms: Option<f64>,
    /// First audio published.
    pub first_audio_ms: Option<f64>,
    /// Whisper's own compute.
    pub stt_compute_ms: Option<f64>,
    /// The LLM's compute until the first sentence (hive-llm's prompt evaluation, then
    /// generation until the first sentence).
    pub llm_compute_ms: Option<f64>,
    /// Piper's compute for the first sentence.
    pub tts_compute_ms: Option<f64>,
    /// Prompt tokens the LLM evaluated in a turn (every round of tool calls).
    pub prompt_evaluated: Option<f64>,
    /// Prompt tokens it reused from its cache.
    pub prompt_reused: Option<f64>,
    /// Latency ÷ the engines' compute, median of the per-turn ratios.
    pub overhead: Option<f64>,
    /// What was heard and answered in the last turn (to show the right path was taken).
    pub transcript: String,
    /// The intent that answered, if any.
    pub intent: Option<String>,
    /// The reply.
    pub reply: String,
}

/// One step of the ingest search.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IngestStep {
    /// Satellites streaming at once.
    pub satellites: usize,
    /// How many got the bridge's end of speech.
    pub endpoints: usize,
    /// Chunks the bridge counted as received, lost and late (`/metrics`).
    pub received: u64,
    /// Lost chunks (gaps).
    pub lost: u64,
    /// Late chunks.
    pub late: u64,
    /// Median and worst delay of the end of speech behind the chunk where the VAD,
    /// run alone on the same audio, decides it, ms.
    pub median_vad_lag_ms: f64,
    /// Worst of those.
    pub max_vad_lag_ms: f64,
    /// The simulator's own worst lag behind real time, ms.
    pub max_schedule_lag_ms: f64,
    /// Whether the step passed; else why not.
    pub failure: Option<String>,
}

/// Memory of the bridge.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BridgeMemory {
    /// RSS once online, before any turn.
    pub idle_bytes: u64,
    /// Highest RSS during the turns.
    pub turn_bytes: u64,
    /// Size of the model files it loaded (whisper, Piper, Silero).
    pub model_bytes: u64,
    /// The supervised `hive-llm`'s RSS and its model's size, when one ran.
    pub llm: Option<(u64, u64)>,
}

/// Memory and bandwidth of the real `hive-satellite`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SatelliteFigures {
    /// RSS while listening for the wake word.
    pub idle_bytes: u64,
    /// Highest RSS while streaming.
    pub streaming_bytes: u64,
    /// RSS in degraded mode, once the bridge was killed and the offline whisper loaded.
    pub degraded_bytes: u64,
    /// Bytes of the audio stream's PUBLISH packets.
    pub stream_bytes: u64,
    /// PCM bytes in them (÷ 32,000 = seconds of speech).
    pub pcm_bytes: u64,
    /// Chunks sent.
    pub chunks: u64,
    /// Size of degraded mode's whisper (tiny.en), in memory only in degraded mode.
    pub model_bytes: u64,
}

impl SatelliteFigures {
    /// Bytes on the wire per second of speech.
    pub fn bytes_per_second(&self) -> Option<f64> {
        (self.pcm_bytes > 0).then(|| self.stream_bytes as f64 / (self.pcm_bytes as f64 / RAW_PCM))
    }
}

/// Raw 16 kHz 16-bit mono PCM, bytes a second.
const RAW_PCM: f64 = 32_000.0;

/// Everything a benchmark run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The machine: CPU model, cores, memory.
    pub machine: String,
    /// When (UTC).
    pub date: String,
    /// Figure 1a/2a.
    pub local: Outcome<TurnFigures>,
    /// Figure 1b/2b.
    pub llm: Outcome<TurnFigures>,
    /// Figure 3: the steps tried.
    pub ingest: Outcome<Vec<IngestStep>>,
    /// Figure 4, bridge.
    pub bridge_memory: Outcome<BridgeMemory>,
    /// Figures 4 and 5, satellite.
    pub satellite: Outcome<SatelliteFigures>,
}

fn mb(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1e6)
}

fn ms(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), |value| format!("{value:.0}"))
}

fn met(ok: bool) -> &'static str {
    if ok { "yes" } else { "**no**" }
}

impl Report {
    /// The table, in Markdown.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Machine: {}; {}", self.machine, self.date);
        let _ = writeln!(out);
        let _ = writeln!(out, "| # | Figure | Measured | Target | Met |");
        let _ = writeln!(out, "|---|---|---|---|---|");
        let mut row = |id: &str, figure: &str, measured: String, target: &str, ok: &str| {
            let _ = writeln!(out, "| {id} | {figure} | {measured} | {target} | {ok} |");
        };
        for (id, name, target_ms, outcome) in [
            ("1a", "Turn latency, local intent", 800.0, &self.local),
            ("1b", "Turn latency, LLM answer", 1500.0, &self.llm),
        ] {
            match outcome {
                Outcome::Done(turn) => {
                    row(
                        id,
                        &format!("{name} (median of {})", turn.runs),
                        format!("{:.2} s", turn.latency_ms / 1000.0),
                        &format!("≤ {:.1} s", target_ms / 1000.0),
                        met(turn.latency_ms <= target_ms),
                    );
                    row(
                        "",
                        "stages, ms",
                        format!(
                            "endpoint+delivery {} · STT done {} · LLM first token {}{} · first sentence {} · first audio {} (after the endpoint); heard {:?} → {} {:?}",
                            ms(turn.endpoint_and_delivery_ms),
                            ms(turn.stt_ms),
                            ms(turn.first_token_ms),
                            match (turn.prompt_evaluated, turn.prompt_reused) {
                                (Some(evaluated), Some(reused)) => format!(
                                    " (prompt: {evaluated:.0} tokens evaluated, {reused:.0} reused from the cache)"
                                ),
                                _ => String::new(),
                            },
                            ms(turn.first_sentence_ms),
                            ms(turn.first_audio_ms),
                            turn.transcript,
                            turn.intent
                                .as_deref()
                                .map_or("LLM".to_string(), |intent| format!("intent {intent}")),
                            turn.reply,
                        ),
                        "",
                        "",
                    );
                }
                other => row(
                    id,
                    name,
                    other.note().unwrap_or_default(),
                    &format!("≤ {:.1} s", target_ms / 1000.0),
                    "–",
                ),
            }
        }
        for (id, name, outcome) in [
            ("2a", "Overhead ratio, local intent", &self.local),
            ("2b", "Overhead ratio, LLM answer", &self.llm),
        ] {
            match outcome {
                Outcome::Done(turn) => {
                    let measured = match turn.overhead {
                        Some(ratio) => format!(
                            "{ratio:.2} (engines: STT {} + LLM {} + TTS {} ms)",
                            ms(turn.stt_compute_ms),
                            ms(turn.llm_compute_ms),
                            ms(turn.tts_compute_ms)
                        ),
                        None => "engine compute times not reported".to_string(),
                    };
                    let ok = turn.overhead.map_or("–", |ratio| met(ratio <= 1.05));
                    row(id, name, measured, "≤ 1.05", ok);
                }
                other => row(id, name, other.note().unwrap_or_default(), "≤ 1.05", "–"),
            }
        }
        match &self.ingest {
            Outcome::Done(steps) => {
                let capacity = steps
                    .iter()
                    .take_while(|step| step.failure.is_none())
                    .map(|step| step.satellites)
                    .last()
                    .unwrap_or(0);
                let all_passed = steps.iter().all(|step| step.failure.is_none());
                let measured = if all_passed {
                    format!("≥ {capacity} satellites (every step passed)")
                } else {
                    format!("{capacity} satellites")
                };
                row(
                    "3",
                    "Ingest capacity (zero lost chunks, VAD in real time)",
                    measured,
                    "≥ 200",
                    met(capacity >= 200),
                );
                for step in steps {
                    row(
                        "",
                        &format!("N = {}", step.satellites),
                        format!(
                            "{} · endpoints {}/{} · chunks received {} lost {} late {} · VAD lag median {:.0} ms, max {:.0} ms · simulator lag max {:.0} ms",
                            step.failure
                                .as_deref()
                                .map_or("passed".to_string(), |why| format!("failed: {why}")),
                            step.endpoints,
                            step.satellites,
                            step.received,
                            step.lost,
                            step.late,
                            step.median_vad_lag_ms,
                            step.max_vad_lag_ms,
                            step.max_schedule_lag_ms,
                        ),
                        "",
                        "",
                    );
                }
            }
            other => row(
                "3",
                "Ingest capacity",
                other.note().unwrap_or_default(),
                "≥ 200",
                "–",
            ),
        }
        match &self.bridge_memory {
            Outcome::Done(memory) => {
                let beyond = |rss: u64| rss as f64 - memory.model_bytes as f64;
                row(
                    "4a",
                    "Bridge RSS idle, beyond models",
                    format!(
                        "{} (RSS {} − models {})",
                        mb(beyond(memory.idle_bytes)),
                        mb(memory.idle_bytes as f64),
                        mb(memory.model_bytes as f64)
                    ),
                    "≤ 30 MB",
                    met(beyond(memory.idle_bytes) <= 30e6),
                );
                row(
                    "4b",
                    "Bridge RSS during a turn, beyond models",
                    format!(
                        "{} (peak RSS {})",
                        mb(beyond(memory.turn_bytes)),
                        mb(memory.turn_bytes as f64)
                    ),
                    "≤ 30 MB",
                    met(beyond(memory.turn_bytes) <= 30e6),
                );
                if let Some((rss, model)) = memory.llm {
                    row(
                        "",
                        "hive-llm (own process), for reference",
                        format!("RSS {} with a {} model", mb(rss as f64), mb(model as f64)),
                        "",
                        "",
                    );
                }
            }
            other => row(
                "4a",
                "Bridge RSS",
                other.note().unwrap_or_default(),
                "≤ 30 MB",
                "–",
            ),
        }
        match &self.satellite {
            Outcome::Done(satellite) => {
                // While the bridge answers, degraded mode's whisper is not in memory: the
                // RSS is all beyond models. In degraded mode it is, and is subtracted.
                let idle = satellite.idle_bytes as f64;
                let streaming = satellite.streaming_bytes as f64;
                let degraded = satellite.degraded_bytes as f64 - satellite.model_bytes as f64;
                row(
                    "4c",
                    "Satellite RSS idle (listening for the wake word), beyond models",
                    format!("{} (no model in memory while the bridge answers)", mb(idle)),
                    "≤ 20 MB",
                    met(idle <= 20e6),
                );
                row(
                    "4d",
                    "Satellite RSS streaming, beyond models",
                    format!("{} (peak RSS)", mb(streaming)),
                    "≤ 20 MB",
                    met(streaming <= 20e6),
                );
                row(
                    "4e",
                    "Satellite RSS in degraded mode (bridge killed), beyond models",
                    format!(
                        "{} (RSS {} − its whisper {})",
                        mb(degraded),
                        mb(satellite.degraded_bytes as f64),
                        mb(satellite.model_bytes as f64)
                    ),
                    "≤ 20 MB",
                    met(degraded <= 20e6),
                );
                let measured = satellite.bytes_per_second().map_or_else(
                    || "no audio streamed".to_string(),
                    |rate| {
                        format!(
                            "{:.1} kB/s = {:.3} × raw PCM ({} chunks, {:.1} s of speech)",
                            rate / 1000.0,
                            rate / RAW_PCM,
                            satellite.chunks,
                            satellite.pcm_bytes as f64 / RAW_PCM
                        )
                    },
                );
                row(
                    "5",
                    "Bandwidth per streaming satellite (MQTT PUBLISH bytes per second of speech)",
                    measured,
                    "vs 32.0 kB/s raw PCM",
                    "–",
                );
            }
            other => {
                let note = other.note().unwrap_or_default();
                row(
                    "4c",
                    "Satellite RSS idle / streaming",
                    note.clone(),
                    "≤ 20 MB",
                    "–",
                );
                row(
                    "5",
                    "Bandwidth per streaming satellite",
                    note,
                    "vs 32.0 kB/s raw PCM",
                    "–",
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_figure_has_a_row_whatever_happened() {
        let report = Report {
            machine: "AMD EPYC, 2 cores, 24 GB".into(),
            date: "2026-12-02".into(),
            local: Outcome::Done(TurnFigures {
                runs: 3,
                latency_ms: 620.0,
                overhead: Some(1.2),
                stt_compute_ms: Some(300.0),
                tts_compute_ms: Some(200.0),
                ..TurnFigures::default()
            }),
            llm: Outcome::Skipped("no model".into()),
            ingest: Outcome::Done(vec![
                IngestStep {
                    satellites: 10,
                    ..IngestStep::default()
                },
                IngestStep {
                    satellites: 25,
                    failure: Some("lost 3 chunks".into()),
                    ..IngestStep::default()
                },
            ]),
            bridge_memory: Outcome::Failed("no /proc".into()),
            satellite: Outcome::Done(SatelliteFigures {
                pcm_bytes: 64_000,
                stream_bytes: 66_000,
                ..SatelliteFigures::default()
            }),
        };
        let table = report.render();
        for id in [
            "| 1a |", "| 1b |", "| 2a |", "| 2b |", "| 3 |", "| 4a |", "| 4c |", "| 5 |",
        ] {
            assert!(table.contains(id), "{id} missing:\n{table}");
        }
        assert!(table.contains("| 0.62 s | ≤ 0.8 s | yes |"), "{table}");
        assert!(table.contains("skipped: no model"), "{table}");
        assert!(
            table.contains("| 10 satellites | ≥ 200 | **no** |"),
            "{table}"
        );
        assert!(table.contains("33.0 kB/s = 1.031 × raw PCM"), "{table}");
    }
}
