//! A flood of bad input while a real turn runs: thousands of malformed, oversized,
//! truncated, wrong-type and unknown-topic messages on every topic the bridge and a real
//! `hive-satellite` subscribe to. Nothing may panic, the turn must be answered, and every
//! refusal must be counted (the bridge's `/metrics`, the satellite's heartbeat counters).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hive_tests::cli::free_port;
use hive_tests::speech::{silence, synthesize};
use hive_tests::{Broker, QoS, RunningBridge, ScriptedSatellite, TestClient};
use hive_topics::{Inbound, Topics};

const WAIT: Duration = Duration::from_secs(120);

const ENGLISH: &str =
    "[stt]\ntype = \"whisper\"\nmodel = \"whisper/ggml-tiny.en.bin\"\nlanguage = \"en\"\n";

/// Panics anywhere in the process: tokio catches a task's panic, the hook still sees it.
static PANICS: AtomicUsize = AtomicUsize::new(0);

fn count_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        default(info);
    }));
}

/// Payloads no topic accepts. Plain text is valid on `say`, `ask`, `text` and sensors, so
/// every payload here is broken as JSON, as UTF-8 or as binary, or is too large.
fn bad_payloads() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("truncated", br#"{"session":42,"wake_word":"hey"#.to_vec()),
        (
            "wrong types",
            br#"{"session":"42","text":7,"wake_word":[],"score":"high","command":1}"#.to_vec(),
        ),
        ("not utf-8", vec![0xff, 0xfe, 0xfd, 0x00, 0x80]),
        ("json array", b"[1,2,3]".to_vec()),
        ("nested", [vec![b'['; 300], vec![b']'; 300]].concat()),
        ("oversized", vec![b'{'; 70_000]),
        ("short binary", vec![0, 0, 0]),
        (
            "bad magic",
            b"XTS1\0\0\0\x2a\0\0\0\0\0\0\x3e\x80\x01".to_vec(),
        ),
        (
            "session zero",
            br#"{"session":0,"wake_word":"x","score":0.5}"#.to_vec(),
        ),
        ("null", b"null".to_vec()),
    ]
}

/// Topics the bridge subscribes to (`Topics::bridge_subscriptions`, with other satellites'
/// ids in the `+` levels), plus topics that match its wildcards but are not in the tree.
fn bridge_topics() -> Vec<String> {
    let mut topics = Vec::new();
    for id in ["flood-a", "flood-b"] {
        for suffix in [
            "wake",
            "audio/start",
            "audio/chunk",
            "audio/end",
            "sensor/lux",
            "heartbeat",
            "action/ack",
            "event",
            "text",
            "status",
            "say",
            "mode",
            "eyes",
        ] {
            topics.push(format!("hive/satellite/{id}/{suffix}"));
        }
    }
    for topic in [
        "hive/say",
        "hive/ask",
        "hive/timer/set",
        "hive/timer/cancel",
        "hive/skill/dice/manifest",
        "hive/skill/dice/response",
        // Delivered through the wildcards, refused by the parser.
        "hive/satellite/Not-An-Id/wake",
        "hive/satellite/flood-a/audio/middle",
        "hive/satellite/flood-a/sensor/Bad Name",
        "hive/skill/Dice/manifest",
    ] {
        topics.push(topic.to_owned());
    }
    topics
}

/// What the bridge's Home Assistant discovery connection subscribes to: Home Assistant's
/// birth message, its own retained configs, and satellites' turns and status. Its refusals
/// are not counted as MQTT rejections: it reads what it needs and ignores the rest.
fn discovery_topics() -> Vec<String> {
    [
        "homeassistant/status",
        "homeassistant/device/hive_satellite_flood_a/config",
        "homeassistant/sensor/flood/junk/config",
        "hive/satellite/flood-a/turn",
        "hive/satellite/flood-b/status",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Everything satellite `hall` subscribes to (`Topics::satellite_subscriptions`).
fn satellite_topics() -> Vec<String> {
    let topics = Topics::default();
    let hall = hive_topics::SatelliteId::new("hall").unwrap();
    topics.satellite_subscriptions(&hall)
}

/// The value of the sample `name` (labels included, exactly as written), if present.
fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|value| value.trim().parse().ok())
}

async fn metrics(url: &str) -> String {
    reqwest::get(url).await.unwrap().text().await.unwrap()
}

/// A real satellite, `hall`: a silent microphone, no speaker, no local answers, a heartbeat
/// every half second so that its counters can be read.
fn start_hall(
    broker: &Broker,
    dir: &Path,
) -> (
    tokio::task::JoinHandle<Result<(), hive_satellite::RunError>>,
    tokio_util::sync::CancellationToken,
    hive_satellite::audio::ClipSender,
) {
    let text = format!(
        "[satellite]\nid = \"hall\"\n[mqtt]\nurl = \"{}\"\n[audio.input]\ntype = \"microphone\"\n\
         [audio.output]\ntype = \"none\"\n[storage]\npath = \"{}\"\n[eyes]\noutputs = [\"log\"]\n\
         [degraded]\nenabled = false\n[heartbeat]\ninterval_s = 0.5\n",
        broker.url(),
        dir.join("hall.json").display()
    );
    let env: hive_satellite::config::Env = Arc::new(|_: &str| None);
    let config = hive_satellite::config::parse(&text, Path::new("hall.toml"), &env).unwrap();
    let (input, clips) = hive_satellite::audio::QueueInput::new();
    let options = hive_satellite::RunOptions {
        input: Some(Box::new(input)),
        ..hive_satellite::RunOptions::default()
    };
    let shutdown = tokio_util::sync::CancellationToken::new();
    let task = tokio::spawn(hive_satellite::run(config, options, shutdown.clone()));
    (task, shutdown, clips)
}

/// The counter `name` of the next heartbeat of `hall` for which `done` holds.
async fn hall_counter(observer: &mut TestClient, name: &str, done: impl Fn(u64) -> bool) -> u64 {
    let topics = Topics::default();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let message = observer
            .recv_timeout(left)
            .await
            .unwrap_or_else(|| panic!("no heartbeat of hall with the wanted {name}"));
        if let Ok(Inbound::Heartbeat { heartbeat, .. }) =
            topics.parse(&message.topic, &message.payload)
        {
            let value = heartbeat.counters.get(name).copied().unwrap_or(0);
            if done(value) {
                return value;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_bad_input_during_a_turn_is_refused_counted_and_the_turn_answered() {
    hive_tests::init_logs();
    count_panics();
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let port = free_port().unwrap();
    let extra = format!("{ENGLISH}[http]\nlisten = \"127.0.0.1:{port}\"\n");
    let bridge = RunningBridge::start(&broker, data.path(), &extra).unwrap();
    let metrics_url = format!("http://127.0.0.1:{port}/metrics");
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();
    let mut observer = TestClient::connect(&broker, "observer", None)
        .await
        .unwrap();
    observer
        .subscribe("hive/satellite/hall/heartbeat", QoS::AtMostOnce)
        .await
        .unwrap();
    // What Home Assistant is told: the retained configs first, up to the bridge's own.
    let mut home_assistant = TestClient::connect(&broker, "home-assistant", None)
        .await
        .unwrap();
    home_assistant
        .subscribe("homeassistant/device/+/config", QoS::AtLeastOnce)
        .await
        .unwrap();
    let mut told = home_assistant
        .collect_until("homeassistant/device/hive_bridge/config", WAIT)
        .await
        .unwrap();
    let (hall, hall_shutdown, _microphone) = start_hall(&broker, data.path());
    let rejected_before = hall_counter(&mut observer, "inbound_rejected", |_| true).await;

    // The flood, from its own connection, at QoS 1 so that every message is delivered.
    // hive/bridge/status reaches the kitchen too: a few rounds there stay within its queue.
    let mut flooder = TestClient::connect(&broker, "flooder", None).await.unwrap();
    let payloads = bad_payloads();
    let bridge_topics = bridge_topics();
    let satellite_topics = satellite_topics();
    let discovery_topics = discovery_topics();
    // Only what the parser refuses is sent, as the protocol crate itself predicts: plain
    // text is a valid `say`, `ask` or `text`, and junk that parses is not bad input.
    let flood = tokio::spawn(async move {
        let protocol = Topics::default();
        let refused = |topic: &str, payload: &[u8]| protocol.parse(topic, payload).is_err();
        let (mut to_bridge, mut to_satellite) = (0_u64, 0_u64);
        for round in 0..8 {
            for (_, payload) in &payloads {
                for topic in bridge_topics.iter().filter(|topic| refused(topic, payload)) {
                    flooder
                        .publish(topic, payload.clone(), QoS::AtLeastOnce, false)
                        .await
                        .unwrap();
                    to_bridge += 1;
                }
                for topic in &satellite_topics {
                    if (topic == "hive/bridge/status" && round >= 2) || !refused(topic, payload) {
                        continue;
                    }
                    flooder
                        .publish(topic, payload.clone(), QoS::AtLeastOnce, false)
                        .await
                        .unwrap();
                    to_satellite += 1;
                }
                for topic in &discovery_topics {
                    flooder
                        .publish(topic, payload.clone(), QoS::AtLeastOnce, false)
                        .await
                        .unwrap();
                }
                // Topics in no one's subscriptions: the broker drops them.
                flooder
                    .publish(
                        "hive/nonsense/topic",
                        payload.clone(),
                        QoS::AtLeastOnce,
                        false,
                    )
                    .await
                    .unwrap();
            }
        }
        (to_bridge, to_satellite)
    });

    // Meanwhile, a real spoken turn.
    let question = [
        silence(0.5),
        synthesize("what time is it", "en-us").unwrap(),
        silence(1.5),
    ]
    .concat();
    kitchen.speak(21, &question).await.unwrap();
    let spoken = kitchen.reply(21, WAIT).await.unwrap();
    assert!(spoken.errors.is_empty(), "{spoken:?}");
    assert!(
        spoken.text().to_lowercase().contains("it is")
            || spoken.text().chars().any(|c| c.is_ascii_digit()),
        "{spoken:?}"
    );
    assert!(!spoken.audio.is_empty());

    let (to_bridge, to_satellite) = flood.await.unwrap();
    assert!(
        to_bridge >= 2_000 && to_satellite >= 400,
        "{to_bridge} + {to_satellite}"
    );

    // Every refusal is counted by code. QoS 1 delivery means each reached the bridge; the
    // scrape may come before the last were read, hence the polling.
    let deadline = tokio::time::Instant::now() + WAIT;
    let text = loop {
        let text = metrics(&metrics_url).await;
        let rejected = sample(&text, "hive_mqtt_messages_total{fate=\"rejected\"}").unwrap_or(0.0);
        if rejected >= to_bridge as f64 {
            break text;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{rejected} of {to_bridge} refusals counted:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    for code in [
        "unknown_topic",
        "bad_satellite_id",
        "bad_name",
        "payload_too_large",
        "malformed_json",
        "malformed_binary",
        "bad_utf8",
        "invalid_field",
    ] {
        let counted = sample(&text, &format!("hive_errors_total{{code=\"{code}\"}}"));
        assert!(counted.is_some_and(|n| n >= 8.0), "{code}: {text}");
    }
    let by_code: f64 = text
        .lines()
        .filter(|line| line.starts_with("hive_errors_total{"))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum();
    assert!(by_code >= to_bridge as f64, "{by_code} < {to_bridge}");
    // None was lost for want of room: the router kept up.
    assert_eq!(
        sample(&text, "hive_mqtt_messages_total{fate=\"dropped\"}"),
        Some(0.0)
    );
    assert!(
        sample(&text, "hive_turns_total{outcome=\"answered\"}") == Some(1.0),
        "only the kitchen's turn: {text}"
    );

    // Discovery still works: Home Assistant restarting is answered with the bridge's
    // config again, and no junk made a device (flood-a and flood-b never came online).
    observer
        .publish(
            "homeassistant/status",
            b"online".to_vec(),
            QoS::AtLeastOnce,
            false,
        )
        .await
        .unwrap();
    told.extend(
        home_assistant
            .collect_until("homeassistant/device/hive_bridge/config", WAIT)
            .await
            .unwrap(),
    );
    // The flood's own junk on config topics comes back too; a device is a config the
    // bridge wrote (a JSON object naming its device).
    let devices: Vec<&str> = told
        .iter()
        .filter(|message| {
            serde_json::from_slice::<serde_json::Value>(&message.payload)
                .is_ok_and(|config| config.get("dev").is_some())
        })
        .map(|message| message.topic.as_str())
        .collect();
    assert!(
        devices.contains(&"homeassistant/device/hive_bridge/config"),
        "{devices:?}"
    );
    assert!(
        devices.iter().all(|topic| !topic.contains("flood")),
        "junk announced a device: {devices:?}"
    );

    // The satellite counted its share and is still running.
    let rejected = hall_counter(&mut observer, "inbound_rejected", |n| {
        n >= rejected_before + to_satellite
    })
    .await;
    assert!(rejected >= rejected_before + to_satellite);
    assert!(!hall.is_finished(), "the satellite stopped");

    // The bridge still answers, and both stop cleanly: neither task panicked.
    kitchen.type_text(22, "What time is it?").await.unwrap();
    let typed = kitchen.reply(22, WAIT).await.unwrap();
    assert!(typed.errors.is_empty(), "{typed:?}");
    assert_eq!(PANICS.load(Ordering::SeqCst), 0, "something panicked");
    hall_shutdown.cancel();
    hall.await.unwrap().unwrap();
    bridge.stop().await.unwrap();
}
