//! `hive-bench`'s library in its smallest configuration (one turn, two satellites, the real
//! satellite, no LLM): every figure of the table is measured and printed. Nothing here
//! asserts a speed: the benchmark reports, the targets live in tests/BENCHMARKS.md.

use hive_tests::bench::{BenchConfig, Outcome, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tiny_benchmark_measures_and_prints_every_figure() {
    let config = BenchConfig {
        runs: 1,
        ingest_steps: vec![2],
        llm: false,
        satellite: true,
        ..BenchConfig::default()
    };
    let report = run(&config).await.unwrap();
    let table = report.render();
    println!("{table}");

    for row in [
        "| 1a | Turn latency, local intent (median of 1) |",
        "| 1b | Turn latency, LLM answer | skipped: --no-llm |",
        "| 2a | Overhead ratio, local intent |",
        "| 3 | Ingest capacity",
        "|  | N = 2 |",
        "| 4a | Bridge RSS idle, beyond models |",
        "| 4b | Bridge RSS during a turn, beyond models |",
        "| 4c | Satellite RSS idle",
        "| 4d | Satellite RSS streaming, beyond models |",
        "| 5 | Bandwidth per streaming satellite",
    ] {
        assert!(table.contains(row), "no {row:?} in\n{table}");
    }

    // The local turn went through the clock skill and the engines reported their compute.
    let Outcome::Done(local) = &report.local else {
        panic!("local turn not measured: {:?}", report.local);
    };
    assert_eq!(local.intent.as_deref(), Some("clock.time"), "{local:?}");
    assert!(local.latency_ms > 0.0, "{local:?}");
    assert!(
        local.stt_compute_ms.is_some() && local.tts_compute_ms.is_some(),
        "{local:?}"
    );
    assert!(local.overhead.is_some_and(|ratio| ratio > 0.0), "{local:?}");

    // Both simulated satellites streamed into the bridge and were heard to the end.
    let Outcome::Done(steps) = &report.ingest else {
        panic!("ingest not measured: {:?}", report.ingest);
    };
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0].satellites, 2);
    assert_eq!(steps[0].endpoints, 2, "{:?}", steps[0]);
    assert!(steps[0].received > 0, "{:?}", steps[0]);

    let Outcome::Done(memory) = &report.bridge_memory else {
        panic!("bridge memory not measured: {:?}", report.bridge_memory);
    };
    assert!(memory.idle_bytes > 0 && memory.turn_bytes > 0, "{memory:?}");

    // The real satellite heard its wake word and streamed its question: raw PCM plus
    // headers, so more bytes on the wire than PCM.
    let Outcome::Done(satellite) = &report.satellite else {
        panic!("satellite not measured: {:?}", report.satellite);
    };
    assert!(
        satellite.chunks > 0 && satellite.idle_bytes > 0,
        "{satellite:?}"
    );
    assert!(
        satellite.stream_bytes > satellite.pcm_bytes,
        "{satellite:?}"
    );
}
