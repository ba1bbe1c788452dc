//! The conversation store cannot write: the disk under it is full, or its folder is on a
//! read-only file system. The bridge keeps answering, and says what is wrong: a full disk is
//! counted under a clear code in `/metrics` and named in `/health`; a store that cannot be
//! opened is shown unhealthy in `/health` with its path.
//!
//! Both are real here: a small tmpfs mounted for the test, filled to the last byte or mounted
//! read-only. Mounting needs root (CI runs as root); elsewhere the tests say so and do nothing.

use std::time::Duration;

use hive_tests::cli::free_port;
use hive_tests::disk::SmallDisk;
use hive_tests::{Broker, RunningBridge, ScriptedSatellite};

const WAIT: Duration = Duration::from_secs(60);

fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|value| value.trim().parse().ok())
}

async fn get(url: &str) -> String {
    reqwest::get(url).await.unwrap().text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_costs_the_memory_of_a_turn_not_its_answer() {
    let data = tempfile::tempdir().unwrap();
    let Some(disk) = SmallDisk::mount(&data.path().join("disk"), "size=4m") else {
        eprintln!("skipped: mounting a tmpfs needs root");
        return;
    };
    let broker = Broker::start().unwrap();
    let port = free_port().unwrap();
    // The store lives on the small disk (the harness puts it under `data_dir/context`).
    let extra = format!("[http]\nlisten = \"127.0.0.1:{port}\"\n");
    let bridge = RunningBridge::start(&broker, disk.dir(), &extra).unwrap();
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();
    let metrics = format!("http://127.0.0.1:{port}/metrics");

    kitchen.type_text(1, "What time is it?").await.unwrap();
    let first = kitchen.reply(1, WAIT).await.unwrap();
    assert!(!first.text().is_empty(), "{first:?}");
    let failures = |text: &str| sample(text, "hive_errors_total{code=\"store_write_failed\"}");
    assert_eq!(failures(&get(&metrics).await), None, "the disk had room");

    disk.fill();
    // Writes into a page the store's log already holds still succeed on a full disk; the
    // next page it needs does not. Every turn is answered all the same.
    let mut session = 2;
    loop {
        kitchen
            .type_text(session, "What time is it?")
            .await
            .unwrap();
        let reply = kitchen.reply(session, WAIT).await.unwrap();
        assert!(
            !reply.text().is_empty() && reply.errors.is_empty(),
            "turn {session} is answered as usual: {reply:?}"
        );
        let text = get(&metrics).await;
        if failures(&text).is_some_and(|count| count >= 1.0) {
            break;
        }
        assert!(
            session < 60,
            "no store_write_failed after {session} turns:\n{text}"
        );
        session += 1;
    }
    let health = get(&format!("http://127.0.0.1:{port}/health")).await;
    assert!(
        health.contains("store_write_failed"),
        "/health names the last error: {health}"
    );
    bridge.stop().await.unwrap();
    drop(disk);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_store_folder_is_named_in_health_and_turns_are_answered() {
    let data = tempfile::tempdir().unwrap();
    let Some(disk) = SmallDisk::mount(&data.path().join("disk"), "size=1m,ro") else {
        eprintln!("skipped: mounting a tmpfs needs root");
        return;
    };
    let broker = Broker::start().unwrap();
    let port = free_port().unwrap();
    let extra = format!("[http]\nlisten = \"127.0.0.1:{port}\"\n");
    // The store would be `disk/context`, which cannot even be created.
    let bridge = RunningBridge::start(&broker, disk.dir(), &extra).unwrap();
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();

    for session in 1..=2 {
        kitchen
            .type_text(session, "What time is it?")
            .await
            .unwrap();
        let reply = kitchen.reply(session, WAIT).await.unwrap();
        assert!(
            !reply.text().is_empty() && reply.errors.is_empty(),
            "answered without memory: {reply:?}"
        );
    }
    let health: serde_json::Value = reqwest::get(format!("http://127.0.0.1:{port}/health"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let store = health["engines"]
        .as_array()
        .and_then(|engines| engines.iter().find(|engine| engine["kind"] == "store"))
        .unwrap_or_else(|| panic!("no store in /health: {health}"));
    assert_eq!(store["healthy"], false, "{health}");
    let detail = store["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains(&disk.dir().join("context").display().to_string()),
        "/health names the folder: {health}"
    );
    bridge.stop().await.unwrap();
    drop(disk);
}
