//! `hive-bench`: Hive's performance figures on this machine with the provisioned models,
//! printed as one table (tests/BENCHMARKS.md keeps the latest).
//!
//! Everything runs for real: a Mosquitto from the harness, the `hive-bridge` and
//! `hive-satellite` programs spawned as users run them (so that their memory can be read
//! from `/proc`), espeak-ng speech streamed at real time. The parts:
//!
//! - `config.rs`: what to measure ([`BenchConfig`]).
//! - `process.rs`: building and spawning the programs, their RSS, the bridge's `/metrics`.
//! - `stream.rs`: a simulated satellite streaming speech at real time until the bridge's
//!   end of speech.
//! - `latency.rs`: turn latency and the overhead ratio (figures 1 and 2).
//! - `ingest.rs`: how many satellites one bridge keeps up with (figure 3).
//! - `footprint.rs` and `proxy.rs`: memory and bytes on the wire (figures 4 and 5).
//! - `stats.rs`, `report.rs`: medians and the table.
//! - `run.rs`: the whole benchmark in order.

mod config;
mod footprint;
mod ingest;
mod latency;
mod process;
mod proxy;
mod report;
mod run;
mod stats;
mod stream;

pub use config::BenchConfig;
pub use report::{BridgeMemory, IngestStep, Outcome, Report, SatelliteFigures, TurnFigures};
pub use run::run;
