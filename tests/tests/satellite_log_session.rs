//! The satellite's log lines of a turn carry its session id, as the bridge's do: a real
//! `hive-satellite` logging JSON lines is taken through a turn (the bridge `listen`s, ends
//! the speech, replies in text and sound), and every line it writes from "Listening." to
//! "Played." names the satellite and the session, its own fields or a span's.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hive_satellite::SatelliteEvent;
use hive_tests::{Broker, QoS, TestClient};
use hive_topics::{AudioPayload, Availability, Control, ReplyChunk, SatelliteId, Topics, TtsAudio};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(30);
const SESSION: u64 = 4077;

/// Log output kept in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The ids of the turn a line belongs to: its own fields, else the innermost span that
/// has them (the same reading as `log_format.rs` for the bridge).
fn ids(line: &Value) -> (Option<String>, Option<u64>) {
    let mut satellite = line["fields"]["satellite"].as_str().map(str::to_owned);
    let mut session = line["fields"]["session"].as_u64();
    let spans = line["spans"].as_array().cloned().unwrap_or_default();
    for span in spans.iter().rev().chain([&line["span"]]) {
        satellite = satellite.or_else(|| span["satellite"].as_str().map(str::to_owned));
        session = session.or_else(|| span["session"].as_u64());
    }
    (satellite, session)
}

async fn send(client: &mut TestClient, out: hive_topics::Outbound) {
    let qos = match out.qos {
        hive_topics::QoS::AtMostOnce => QoS::AtMostOnce,
        hive_topics::QoS::AtLeastOnce => QoS::AtLeastOnce,
    };
    client
        .publish(&out.topic, out.payload, qos, out.retain)
        .await
        .unwrap();
}

/// The next message on `topic`, skipping others (mode, eyes, heartbeats).
async fn next_on(client: &mut TestClient, topic: &str) -> hive_tests::Message {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let message = client
            .recv_timeout(left)
            .await
            .unwrap_or_else(|| panic!("nothing on {topic}"));
        if message.topic == topic {
            return message;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_log_line_of_a_satellite_turn_carries_its_session() {
    // The satellite's lines as the program writes them with `--log-format json`.
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .json()
        .with_env_filter("info,hive_satellite=debug")
        .with_writer(move || writer.clone())
        .init();

    let broker = Broker::start().unwrap();
    let topics = Topics::default();
    let kitchen = SatelliteId::new("kitchen").unwrap();
    // The bridge, scripted: online, and listening to what the kitchen sends.
    let mut bridge = TestClient::connect(&broker, "bridge", None).await.unwrap();
    bridge
        .subscribe("hive/satellite/kitchen/#", QoS::AtLeastOnce)
        .await
        .unwrap();
    send(
        &mut bridge,
        topics.encode_bridge_status(Availability::Online),
    )
    .await;

    let data = tempfile::tempdir().unwrap();
    let text = format!(
        "[satellite]\nid = \"kitchen\"\n[mqtt]\nurl = \"{}\"\n[audio.input]\ntype = \"microphone\"\n\
         [audio.output]\ntype = \"none\"\n[storage]\npath = \"{}\"\n[eyes]\noutputs = [\"log\"]\n\
         [degraded]\nenabled = false\n",
        broker.url(),
        data.path().join("kitchen.json").display()
    );
    let env: hive_satellite::config::Env = Arc::new(|_: &str| None);
    let config = hive_satellite::config::parse(&text, Path::new("kitchen.toml"), &env).unwrap();
    let (input, _microphone) = hive_satellite::audio::QueueInput::new();
    let options = hive_satellite::RunOptions {
        input: Some(Box::new(input)),
        ..hive_satellite::RunOptions::default()
    };
    let mut events = options.events.subscribe();
    let shutdown = tokio_util::sync::CancellationToken::new();
    let satellite = tokio::spawn(hive_satellite::run(config, options, shutdown.clone()));
    let online = next_on(&mut bridge, "hive/satellite/kitchen/status").await;
    assert_eq!(online.payload, b"online");

    // Ready once it knows both the broker and the bridge: a `listen` before would be
    // answered locally.
    tokio::time::timeout(WAIT, async {
        loop {
            match events.recv().await {
                Ok(SatelliteEvent::Degraded(None)) => return,
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(error) => panic!("satellite events ended: {error}"),
            }
        }
    })
    .await
    .expect("the satellite never saw the bridge online");

    // The turn: listen, the audio starts, the bridge ends the speech and replies.
    let session = SESSION as u32;
    send(
        &mut bridge,
        topics.encode_control(
            &kitchen,
            &Control::Listen {
                session: Some(session),
            },
        ),
    )
    .await;
    next_on(&mut bridge, "hive/satellite/kitchen/wake").await;
    send(
        &mut bridge,
        topics.encode_control(&kitchen, &Control::EndOfSpeech { session }),
    )
    .await;
    let reply = ReplyChunk {
        session,
        index: 0,
        text: "It is noon.".into(),
        is_final: true,
        lang: Some("en".into()),
        timings: None,
    };
    send(&mut bridge, topics.encode_reply(&kitchen, &reply)).await;
    let tone: Vec<u8> = (0..3200)
        .flat_map(|n: i32| (((n % 40) - 20) as i16 * 500).to_le_bytes())
        .collect();
    let audio = TtsAudio {
        session,
        index: 0,
        is_final: true,
        sample_rate: 16_000,
        audio: AudioPayload::Pcm(tone),
    };
    send(&mut bridge, topics.encode_tts(&kitchen, &audio)).await;
    tokio::time::timeout(WAIT, async {
        loop {
            match events.recv().await {
                Ok(SatelliteEvent::Played { .. }) => return,
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(error) => panic!("satellite events ended: {error}"),
            }
        }
    })
    .await
    .expect("the reply was never played");
    shutdown.cancel();
    satellite.await.unwrap().unwrap();

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .filter(|line: &Value| {
            line["target"]
                .as_str()
                .is_some_and(|target| target.starts_with("hive_satellite"))
        })
        .collect();
    let message = |line: &Value| line["fields"]["message"].as_str().unwrap_or("").to_owned();
    let start = lines
        .iter()
        .position(|line| message(line) == "Listening." && ids(line).1 == Some(SESSION))
        .unwrap_or_else(|| panic!("no Listening. line:\n{text}"));
    let end = lines
        .iter()
        .rposition(|line| message(line) == "Played.")
        .unwrap_or_else(|| panic!("no Played. line:\n{text}"));
    let turn = &lines[start..=end];
    // The turn is more than its first and last line: the capture's end, the reply, the
    // eyes changing colour.
    for expected in ["Capture ended.", "Reply.", "Eyes changed."] {
        assert!(
            turn.iter().any(|line| message(line) == expected),
            "no {expected:?} line in the turn:\n{turn:#?}"
        );
    }
    for line in turn {
        assert_eq!(
            ids(line),
            (Some("kitchen".to_owned()), Some(SESSION)),
            "a line of the turn without its ids: {line}"
        );
    }
}
