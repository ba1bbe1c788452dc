//! A satellite vanishes mid-stream: its connection drops after half a question, with no
//! `audio/end`. The bridge closes that session on its own (audio idle timeout), another
//! satellite's turn is answered meanwhile, and the vanished satellite, once back, starts a new
//! turn that is answered too: nothing of the lost session is left holding a slot.

use std::time::Duration;

use hive_tests::speech::{silence, synthesize};
use hive_tests::{Broker, QoS, RunningBridge, ScriptedSatellite, TestClient};

const WAIT: Duration = Duration::from_secs(90);

fn chunk(session: u32, seq: u32, pcm: &[i16]) -> Vec<u8> {
    let mut payload = Vec::with_capacity(8 + pcm.len() * 2);
    payload.extend_from_slice(&session.to_be_bytes());
    payload.extend_from_slice(&seq.to_be_bytes());
    for sample in pcm {
        payload.extend_from_slice(&sample.to_le_bytes());
    }
    payload
}

/// Waits for the bridge to end `session` on `satellite`'s topics: its last reply chunk or an
/// error report.
async fn session_closed(observer: &mut TestClient, satellite: &str, session: u32) -> String {
    let reply = format!("hive/satellite/{satellite}/reply");
    let error = format!("hive/satellite/{satellite}/error");
    let tag = format!("\"session\":{session}");
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let Some(message) = observer.recv_timeout(left).await else {
            panic!("the bridge never closed session {session} of {satellite}");
        };
        let text = message.text().unwrap_or_default().replace(' ', "");
        let ends =
            (message.topic == reply && text.contains("\"final\":true")) || message.topic == error;
        if ends && text.contains(&tag) {
            return message.topic;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_satellite_that_vanishes_mid_stream_costs_only_its_own_turn() {
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter("hive_bridge=debug")
        .try_init();
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let bridge = RunningBridge::start(
        &broker,
        data.path(),
        "[stt]\ntype = \"whisper\"\nmodel = \"whisper/ggml-tiny.en.bin\"\nlanguage = \"en\"\n[session]\naudio_idle_timeout_s = 1.5\n",
    )
    .unwrap();
    let mut observer = TestClient::connect(&broker, "observer", None)
        .await
        .unwrap();
    observer
        .subscribe("hive/satellite/hall/#", QoS::AtLeastOnce)
        .await
        .unwrap();
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();

    // The hall satellite wakes, starts streaming, and is gone after 0.6 s of speech.
    let question = [
        silence(0.3),
        synthesize("what time is it", "en-us").unwrap(),
    ]
    .concat();
    let mut hall = TestClient::connect(&broker, "hall", None).await.unwrap();
    hall.publish(
        "hive/satellite/hall/wake",
        r#"{"session":5,"wake_word":"hey_hive","score":0.9}"#,
        QoS::AtLeastOnce,
        false,
    )
    .await
    .unwrap();
    hall.publish(
        "hive/satellite/hall/audio/start",
        r#"{"session":5}"#,
        QoS::AtLeastOnce,
        false,
    )
    .await
    .unwrap();
    for (seq, pcm) in question.chunks(640).take(30).enumerate() {
        hall.publish(
            "hive/satellite/hall/audio/chunk",
            chunk(5, seq as u32, pcm),
            QoS::AtMostOnce,
            false,
        )
        .await
        .unwrap();
    }
    drop(hall);

    // Meanwhile the kitchen asks and is answered.
    let spoken = [
        silence(0.5),
        synthesize("what time is it", "en-us").unwrap(),
        silence(1.5),
    ]
    .concat();
    kitchen.speak(11, &spoken).await.unwrap();
    let answer = kitchen.reply(11, WAIT).await.unwrap();
    assert!(
        answer.errors.is_empty() && answer.text().starts_with("It"),
        "the kitchen's turn is unaffected: {answer:?}"
    );

    // The bridge ended the vanished session by itself.
    session_closed(&mut observer, "hall", 5).await;

    // Back again, the hall satellite gets a whole new turn.
    let mut hall = ScriptedSatellite::connect(&broker, "hall").await.unwrap();
    hall.type_text(6, "What time is it?").await.unwrap();
    let back = hall.reply(6, WAIT).await.unwrap();
    assert!(
        back.errors.is_empty() && back.text().starts_with("It"),
        "{back:?}"
    );
    bridge.stop().await.unwrap();
}
