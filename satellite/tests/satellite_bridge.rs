//! The real bridge and the satellite together, headless: the satellite hears "hey hive,
//! what time is it", streams it, the bridge answers, and the satellite writes the spoken
//! answer to a WAV file that says the time.

mod common;

use common::*;
use hive_satellite::SatelliteEvent;
use hive_satellite::audio::{QueueInput, read_wav};
use hive_satellite::playback::PlayKey;
use hive_tests::{Broker, QoS, RunningBridge, TestClient};

const ENGLISH: &str =
    "[stt]\ntype = \"whisper\"\nmodel = \"whisper/ggml-tiny.en.bin\"\nlanguage = \"en\"\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_satellite_asks_the_real_bridge_and_plays_its_answer() {
    init_logs();
    for needed in [
        "whisper/ggml-tiny.en.bin",
        "tts/en_US-joe-medium.onnx",
        "vad/silero_vad.onnx",
    ] {
        model(needed);
    }
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut home = TestClient::connect(&broker, "home-assistant", None)
        .await
        .unwrap();
    home.subscribe("hive/satellite/kitchen/eyes", QoS::AtLeastOnce)
        .await
        .unwrap();
    let bridge = RunningBridge::start(&broker, dir.path(), ENGLISH).unwrap();
    let (input, clips) = QueueInput::new();
    let mut config = config(
        &broker,
        dir.path(),
        "type = \"microphone\"",
        false,
        "enabled = false",
    );
    // What is tested is the bridge's answer, not its speed: a loaded machine must not turn
    // this into a degraded-mode test.
    config.turn.reply_timeout_s = 120.0;
    let mut satellite = Running::start(config, Some(Box::new(input)));
    // White eyes: connected and the bridge online.
    loop {
        let eyes = home
            .expect("hive/satellite/kitchen/eyes", WAIT)
            .await
            .unwrap();
        if eyes.text() == Some("white") {
            break;
        }
    }

    clips.say(wake_and_ask("what time is it?", "en-us", 160));
    let SatelliteEvent::Wake {
        session, to_bridge, ..
    } = satellite
        .expect("the wake word", WAIT, |event| {
            matches!(event, SatelliteEvent::Wake { .. })
        })
        .await
    else {
        unreachable!()
    };
    assert!(to_bridge);
    let SatelliteEvent::Played {
        interrupted, path, ..
    } = satellite
        .expect("the answer played", WAIT, |event| {
            matches!(event, SatelliteEvent::Played { key: PlayKey::Reply(s), .. } if *s == session)
        })
        .await
    else {
        unreachable!()
    };
    assert!(!interrupted);
    let text: String = satellite
        .seen
        .iter()
        .filter_map(|event| match event {
            SatelliteEvent::Reply {
                session: s, text, ..
            } if *s == session => Some(text.clone()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(" ");
    let now = chrono::Utc::now();
    let times: Vec<String> = [now - chrono::Duration::minutes(1), now]
        .iter()
        .map(|time| time.format("%-I:%M").to_string())
        .collect();
    assert!(
        times.iter().any(|time| text.contains(time)),
        "reply {text:?} lacks {times:?}"
    );

    let answer = read_wav(&path.expect("a WAV file")).unwrap();
    assert!(
        answer.samples.len() > 16_000,
        "{} samples",
        answer.samples.len()
    );
    let hour = now.format("%-I").to_string();
    let words = [
        "twelve", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven",
    ];
    let hour_word = words[hour.parse::<usize>().unwrap() % 12];
    let heard = hears(&answer.samples, |said| {
        said.contains(&hour) || said.contains(hour_word)
    });
    assert!(
        heard.is_ok(),
        "the answer's audio says {heard:?}, the text {text:?}"
    );
    // Back to white and idle once played; no degraded turn.
    assert!(
        !satellite
            .seen
            .iter()
            .any(|event| matches!(event, SatelliteEvent::LocalReply { .. })),
        "{:#?}",
        satellite.seen
    );
    satellite.stop().await;
    bridge.stop().await.unwrap();
}
