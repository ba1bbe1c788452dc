//! The bridge's metrics and their Prometheus text rendering.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use hive_topics::Timings;

use super::histogram::{Histogram, LATENCY_BUCKETS};

/// A stage of a turn, as the latency histogram labels it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Listening, from the first audio to the endpoint.
    Endpoint,
    /// Speech-to-text, from the endpoint.
    Stt,
    /// The language model's first token, from the endpoint.
    FirstToken,
    /// The reply's first sentence, from the endpoint.
    FirstSentence,
    /// The reply's first audio, from the endpoint.
    FirstAudio,
    /// The whole turn after the endpoint.
    Turn,
}

impl Stage {
    /// Every stage, in the order of a turn.
    pub const ALL: [Stage; 6] = [
        Stage::Endpoint,
        Stage::Stt,
        Stage::FirstToken,
        Stage::FirstSentence,
        Stage::FirstAudio,
        Stage::Turn,
    ];

    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Endpoint => "endpoint",
            Stage::Stt => "stt",
            Stage::FirstToken => "first_token",
            Stage::FirstSentence => "first_sentence",
            Stage::FirstAudio => "first_audio",
            Stage::Turn => "turn",
        }
    }

    /// This stage's value in a turn's timings, in milliseconds.
    pub fn of(self, timings: &Timings) -> Option<u64> {
        match self {
            Stage::Endpoint => timings.endpoint_ms,
            Stage::Stt => timings.stt_ms,
            Stage::FirstToken => timings.first_token_ms,
            Stage::FirstSentence => timings.first_sentence_ms,
            Stage::FirstAudio => timings.first_audio_ms,
            Stage::Turn => timings.total_ms,
        }
    }
}

/// Values read at scrape time from their owners rather than counted here.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Gauges {
    pub(crate) broker_connected: bool,
    pub(crate) satellites_online: usize,
    pub(crate) inbound_queue: usize,
    /// Utterances waiting for speech-to-text.
    pub(crate) stt_queue: usize,
    pub(crate) mqtt_accepted: u64,
    pub(crate) mqtt_rejected: u64,
    pub(crate) mqtt_dropped: u64,
    /// Messages the parser refused, by code: shown in `hive_errors_total`.
    pub(crate) parse_errors: [(&'static str, u64); 8],
}

/// Counters and histograms the pipeline feeds.
#[derive(Debug)]
pub(crate) struct Metrics {
    stages: Vec<Histogram>,
    turns: Mutex<BTreeMap<String, u64>>,
    errors: Mutex<BTreeMap<String, u64>>,
    /// Messages dropped on purpose, by reason (`satellite_not_allowed`).
    refused: Mutex<BTreeMap<String, u64>>,
    chunks_received: AtomicU64,
    chunks_lost: AtomicU64,
    chunks_late: AtomicU64,
    load_seconds: Mutex<BTreeMap<String, f64>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            stages: Stage::ALL
                .iter()
                .map(|_| Histogram::new(LATENCY_BUCKETS))
                .collect(),
            turns: Mutex::default(),
            errors: Mutex::default(),
            refused: Mutex::default(),
            chunks_received: AtomicU64::new(0),
            chunks_lost: AtomicU64::new(0),
            chunks_late: AtomicU64::new(0),
            load_seconds: Mutex::default(),
        }
    }
}

fn bump(map: &Mutex<BTreeMap<String, u64>>, key: &str) {
    let mut map = map.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    *map.entry(key.to_string()).or_default() += 1;
}

impl Metrics {
    /// A turn ended with `outcome`, its stages timed by `timings`. Both are recorded under
    /// the turns' lock, which [`Metrics::render`] holds across the two families: a scrape
    /// never counts a turn whose stages it does not show.
    pub(crate) fn turn(&self, outcome: &str, timings: Option<&Timings>) {
        let mut turns = self
            .turns
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for (stage, histogram) in Stage::ALL.iter().zip(&self.stages) {
            if let Some(ms) = timings.and_then(|timings| stage.of(timings)) {
                histogram.observe(ms as f64 / 1000.0);
            }
        }
        *turns.entry(outcome.to_string()).or_default() += 1;
    }

    pub(crate) fn error(&self, code: &str) {
        bump(&self.errors, code);
    }

    pub(crate) fn refused(&self, reason: &str) {
        bump(&self.refused, reason);
    }

    pub(crate) fn chunks(&self, received: u64, lost: u64, late: u64) {
        self.chunks_received.fetch_add(received, Ordering::Relaxed);
        self.chunks_lost.fetch_add(lost, Ordering::Relaxed);
        self.chunks_late.fetch_add(late, Ordering::Relaxed);
    }

    pub(crate) fn loaded(&self, engine: &str, seconds: f64) {
        let mut map = self
            .load_seconds
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        map.insert(engine.to_string(), seconds);
    }

    pub(crate) fn render(&self, gauges: Gauges) -> String {
        let mut out = String::with_capacity(8 * 1024);
        let header = |out: &mut String, name: &str, kind: &str, help: &str| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
        };
        header(
            &mut out,
            "hive_stage_seconds",
            "histogram",
            "Latency of each stage of a turn; every stage but endpoint counts from the endpoint.",
        );
        let turns = self
            .turns
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for (stage, histogram) in Stage::ALL.iter().zip(&self.stages) {
            histogram.render(
                "hive_stage_seconds",
                &format!("stage=\"{}\"", stage.as_str()),
                &mut out,
            );
        }
        let counters = |out: &mut String,
                        name: &str,
                        label: &str,
                        help: &str,
                        map: &Mutex<BTreeMap<String, u64>>| {
            header(out, name, "counter", help);
            let map = map.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            for (key, value) in map.iter() {
                let _ = writeln!(out, "{name}{{{label}=\"{}\"}} {value}", escape(key));
            }
        };
        let turns = Mutex::new(turns.clone());
        counters(
            &mut out,
            "hive_turns_total",
            "outcome",
            "Turns by how they ended.",
            &turns,
        );
        // The pipeline's errors and the parser's refusals, under one family.
        let errors = {
            let mut errors = self
                .errors
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .clone();
            for (code, count) in gauges.parse_errors {
                if count > 0 {
                    *errors.entry(code.to_string()).or_default() += count;
                }
            }
            Mutex::new(errors)
        };
        counters(
            &mut out,
            "hive_errors_total",
            "code",
            "Errors by code, refused MQTT messages included.",
            &errors,
        );
        counters(
            &mut out,
            "hive_refused_total",
            "reason",
            "Messages dropped on purpose, by reason (satellite_not_allowed: [satellites] allow).",
            &self.refused,
        );
        header(
            &mut out,
            "hive_audio_chunks_total",
            "counter",
            "Audio chunks of finished listening: received, lost (gaps) and late (dropped).",
        );
        for (fate, counter) in [
            ("received", &self.chunks_received),
            ("lost", &self.chunks_lost),
            ("late", &self.chunks_late),
        ] {
            let _ = writeln!(
                out,
                "hive_audio_chunks_total{{fate=\"{fate}\"}} {}",
                counter.load(Ordering::Relaxed)
            );
        }
        header(
            &mut out,
            "hive_mqtt_messages_total",
            "counter",
            "Inbound MQTT messages: accepted, rejected by the parser, dropped when the router was behind.",
        );
        for (fate, value) in [
            ("accepted", gauges.mqtt_accepted),
            ("rejected", gauges.mqtt_rejected),
            ("dropped", gauges.mqtt_dropped),
        ] {
            let _ = writeln!(out, "hive_mqtt_messages_total{{fate=\"{fate}\"}} {value}");
        }
        header(
            &mut out,
            "hive_satellites_online",
            "gauge",
            "Satellites online now.",
        );
        let _ = writeln!(out, "hive_satellites_online {}", gauges.satellites_online);
        header(
            &mut out,
            "hive_queue_depth",
            "gauge",
            "Messages waiting in a queue.",
        );
        let _ = writeln!(
            out,
            "hive_queue_depth{{queue=\"inbound\"}} {}",
            gauges.inbound_queue
        );
        let _ = writeln!(
            out,
            "hive_queue_depth{{queue=\"stt\"}} {}",
            gauges.stt_queue
        );
        header(
            &mut out,
            "hive_broker_connected",
            "gauge",
            "1 when connected to the MQTT broker.",
        );
        let _ = writeln!(
            out,
            "hive_broker_connected {}",
            u8::from(gauges.broker_connected)
        );
        header(
            &mut out,
            "hive_model_load_seconds",
            "gauge",
            "How long each engine took to load.",
        );
        let loads = self
            .load_seconds
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for (engine, seconds) in loads.iter() {
            let _ = writeln!(
                out,
                "hive_model_load_seconds{{engine=\"{}\"}} {seconds}",
                escape(engine)
            );
        }
        out
    }
}

/// Escapes a label value for the text format.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_turn_shows_in_every_family() {
        let metrics = Metrics::default();
        let timings = Timings {
            endpoint_ms: Some(900),
            stt_ms: Some(300),
            first_token_ms: None,
            first_sentence_ms: Some(320),
            first_audio_ms: Some(600),
            llm_done_ms: None,
            total_ms: Some(700),
            ..Timings::default()
        };
        metrics.turn("answered", Some(&timings));
        metrics.error("tts_failed");
        metrics.error("tts_\"odd\"");
        metrics.chunks(10, 2, 1);
        metrics.loaded("stt", 1.5);
        let text = metrics.render(Gauges {
            broker_connected: true,
            satellites_online: 2,
            ..Gauges::default()
        });
        for line in [
            "hive_stage_seconds_count{stage=\"stt\"} 1",
            "hive_stage_seconds_count{stage=\"first_token\"} 0",
            "hive_stage_seconds_bucket{stage=\"endpoint\",le=\"1\"} 1",
            "hive_turns_total{outcome=\"answered\"} 1",
            "hive_errors_total{code=\"tts_failed\"} 1",
            "hive_errors_total{code=\"tts_\\\"odd\\\"\"} 1",
            "hive_audio_chunks_total{fate=\"lost\"} 2",
            "hive_satellites_online 2",
            "hive_broker_connected 1",
            "hive_model_load_seconds{engine=\"stt\"} 1.5",
        ] {
            assert!(
                text.lines().any(|got| got == line),
                "{line} missing from\n{text}"
            );
        }
    }
}
