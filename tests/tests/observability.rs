//! `/metrics` and `/health` of a real bridge: the figures match the turns a test made, and
//! health follows the broker going away and coming back.

use std::time::Duration;

use hive_tests::cli::free_port;
use hive_tests::speech::{silence, synthesize};
use hive_tests::{Broker, RunningBridge, ScriptedSatellite};

const WAIT: Duration = Duration::from_secs(120);

const ENGLISH: &str =
    "[stt]\ntype = \"whisper\"\nmodel = \"whisper/ggml-tiny.en.bin\"\nlanguage = \"en\"\n";

/// The value of the sample `name` (with its labels, exactly as written), if present.
fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|value| value.trim().parse().ok())
}

async fn get(url: &str) -> (u16, String) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// Polls `url` until `done` holds for its (status, body), or panics after `WAIT`.
async fn until(url: &str, what: &str, done: impl Fn(u16, &str) -> bool) -> String {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Ok(response) = reqwest::get(url).await {
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            if done(status, &body) {
                return body;
            }
            if tokio::time::Instant::now() > deadline {
                panic!("{url} never showed {what}: {status} {body}");
            }
        } else if tokio::time::Instant::now() > deadline {
            panic!("{url} never answered");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_the_turns_that_were_made() {
    hive_tests::init_logs();
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let port = free_port().unwrap();
    let extra = format!("{ENGLISH}[http]\nlisten = \"127.0.0.1:{port}\"\n");
    let bridge = RunningBridge::start(&broker, data.path(), &extra).unwrap();
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();
    let metrics = format!("http://127.0.0.1:{port}/metrics");

    // Turn 1: spoken.
    let question = [
        silence(0.5),
        synthesize("what time is it", "en-us").unwrap(),
        silence(1.5),
    ]
    .concat();
    let sent_chunks = question.chunks(640).count() as f64;
    kitchen.speak(11, &question).await.unwrap();
    let spoken = kitchen.reply(11, WAIT).await.unwrap();
    assert!(spoken.errors.is_empty(), "{spoken:?}");
    // Turn 2: typed.
    kitchen.type_text(12, "What time is it?").await.unwrap();
    let typed = kitchen.reply(12, WAIT).await.unwrap();
    assert!(typed.errors.is_empty(), "{typed:?}");

    // The board records a turn just after its last message leaves: wait for both.
    let text = until(&metrics, "two answered turns", |status, body| {
        status == 200 && sample(body, "hive_turns_total{outcome=\"answered\"}") == Some(2.0)
    })
    .await;
    let count = |stage: &str| {
        sample(
            &text,
            &format!("hive_stage_seconds_count{{stage=\"{stage}\"}}"),
        )
    };
    // Both turns have an endpoint, sentences, audio and a total; only the spoken one went
    // through speech-to-text; the clock skill needs no language model.
    assert_eq!(count("turn"), Some(2.0), "{text}");
    assert_eq!(count("endpoint"), Some(2.0), "{text}");
    assert_eq!(count("first_sentence"), Some(2.0), "{text}");
    assert_eq!(count("first_audio"), Some(2.0), "{text}");
    assert_eq!(count("stt"), Some(1.0), "{text}");
    assert_eq!(count("first_token"), Some(0.0), "{text}");
    assert_eq!(
        sample(
            &text,
            "hive_stage_seconds_bucket{stage=\"turn\",le=\"+Inf\"}"
        ),
        Some(2.0)
    );
    // Only the spoken turn streamed audio; the bridge stops reading at the endpoint.
    let received = sample(&text, "hive_audio_chunks_total{fate=\"received\"}").unwrap();
    assert!(
        received > 0.0 && received <= sent_chunks,
        "{received} of {sent_chunks}"
    );
    assert_eq!(
        sample(&text, "hive_audio_chunks_total{fate=\"lost\"}"),
        Some(0.0)
    );
    assert_eq!(
        sample(&text, "hive_audio_chunks_total{fate=\"late\"}"),
        Some(0.0)
    );
    assert_eq!(sample(&text, "hive_satellites_online"), Some(1.0), "{text}");
    // The queues are measured, and both turns left nothing waiting for speech-to-text.
    assert!(
        text.contains("# TYPE hive_queue_depth gauge"),
        "queue depth is a gauge: {text}"
    );
    let inbound = sample(&text, "hive_queue_depth{queue=\"inbound\"}");
    assert!(inbound.is_some_and(|depth| depth >= 0.0), "{text}");
    assert_eq!(
        sample(&text, "hive_queue_depth{queue=\"stt\"}"),
        Some(0.0),
        "{text}"
    );
    assert_eq!(sample(&text, "hive_broker_connected"), Some(1.0));
    assert!(
        !text
            .lines()
            .any(|line| line.starts_with("hive_errors_total{")),
        "no error happened: {text}"
    );
    assert!(
        !text
            .lines()
            .any(|line| line.starts_with("hive_turns_total{") && !line.contains("answered")),
        "{text}"
    );
    for engine in ["stt", "vad", "tts"] {
        let loaded = sample(
            &text,
            &format!("hive_model_load_seconds{{engine=\"{engine}\"}}"),
        );
        assert!(
            loaded.is_some_and(|seconds| seconds >= 0.0),
            "{engine}: {text}"
        );
    }
    bridge.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_follows_the_broker_going_away_and_coming_back() {
    hive_tests::init_logs();
    let mut broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let port = free_port().unwrap();
    let extra = format!("{ENGLISH}[http]\nlisten = \"127.0.0.1:{port}\"\n");
    let bridge = RunningBridge::start(&broker, data.path(), &extra).unwrap();
    let health = format!("http://127.0.0.1:{port}/health");

    let body = until(&health, "a healthy bridge", |status, _| status == 200).await;
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["broker"]["connected"], true, "{json}");
    assert_eq!(json["status"], "ok", "{json}");
    let kinds: Vec<&str> = json["engines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|engine| engine["kind"].as_str().unwrap())
        .collect();
    for kind in ["stt", "vad", "tts", "store"] {
        assert!(kinds.contains(&kind), "{kind} missing: {json}");
    }

    broker.stop().unwrap();
    let body = until(&health, "the broker gone", |status, _| status == 503).await;
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["broker"]["connected"], false, "{json}");
    assert_eq!(json["status"], "down", "{json}");
    let (status, metrics) = get(&format!("http://127.0.0.1:{port}/metrics")).await;
    assert_eq!(status, 200);
    assert_eq!(sample(&metrics, "hive_broker_connected"), Some(0.0));

    broker.restart().unwrap();
    let body = until(&health, "the broker back", |status, _| status == 200).await;
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["broker"]["connected"], true, "{json}");
    assert!(
        json["broker"]["connections"].as_u64().unwrap() >= 2,
        "{json}"
    );
    bridge.stop().await.unwrap();
}
