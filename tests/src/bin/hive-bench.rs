//! `hive-bench`: measures Hive on this machine and prints one table (see
//! tests/BENCHMARKS.md). Run after `cargo run -p hive-bridge -- models install --all`:
//!
//! ```text
//! cargo run --release -p hive-tests --bin hive-bench
//! ```
//!
//! The programs measured are built in the profile this one runs in: `--release` measures
//! what users deploy; without it, Hive's own code runs unoptimised.

use std::process::ExitCode;

use clap::Parser;
use hive_tests::bench::{BenchConfig, run};

/// Measures turn latency, overhead, ingest capacity, memory and bandwidth with the
/// provisioned models, and prints one table.
#[derive(Debug, Parser)]
#[command(
    version,
    about,
    after_help = "Example:\n  cargo run --release -p hive-tests --bin hive-bench -- --runs 5"
)]
struct Args {
    /// Measured turns per kind (after one warm-up turn); the table shows medians.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Satellite counts tried for ingest capacity, in order; the first failing step ends
    /// the search.
    #[arg(long, value_delimiter = ',', default_value = "10,25,50,100,200,400")]
    ingest_steps: Vec<usize>,
    /// Skip the LLM turn.
    #[arg(long)]
    no_llm: bool,
    /// Skip the real satellite (its memory and bandwidth).
    #[arg(long)]
    no_satellite: bool,
    /// Measure this hive-bridge program instead of building one: copy an earlier build
    /// aside to compare two builds in the same hour.
    #[arg(long, value_name = "PROGRAM")]
    bridge: Option<std::path::PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let config = BenchConfig {
        runs: args.runs.max(1),
        ingest_steps: args.ingest_steps,
        llm: !args.no_llm,
        satellite: !args.no_satellite,
        bridge: args.bridge,
        ..BenchConfig::default()
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("hive-bench: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("hive-bench: measuring; this takes a few minutes.");
    match runtime.block_on(run(&config)) {
        Ok(report) => {
            println!("{}", report.render());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("hive-bench: {error}");
            ExitCode::FAILURE
        }
    }
}
