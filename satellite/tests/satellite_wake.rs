//! The wake word over a real broker: a WAV with "hey hive" and a question makes the
//! satellite publish a wake event and the question's audio; other speech, music and noise
//! publish nothing.

mod common;

use common::*;
use hive_tests::{Broker, QoS, TestClient};
use hive_topics::{AudioChunk, EndReason, Inbound, Topics};

async fn bridge_stand_in(broker: &Broker) -> TestClient {
    let mut bridge = TestClient::connect(broker, "bridge", None).await.unwrap();
    bridge
        .publish("hive/bridge/status", "online", QoS::AtLeastOnce, true)
        .await
        .unwrap();
    bridge
        .subscribe("hive/satellite/kitchen/#", QoS::AtLeastOnce)
        .await
        .unwrap();
    bridge
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wake_phrase_then_a_question_streams_the_question_to_the_bridge() {
    init_logs();
    model("whisper/ggml-tiny.en.bin");
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut bridge = bridge_stand_in(&broker).await;
    let input = wav(
        dir.path(),
        "question.wav",
        &[
            silence(1.0),
            speak("hey hive, what time is it?", "en-us", 160),
            silence(3.0),
        ]
        .concat(),
    );
    let config = config(
        &broker,
        dir.path(),
        &format!("type = \"wav\"\npath = \"{}\"", input.display()),
        false,
        "enabled = false",
    );
    let mut satellite = Running::start(config, None);

    let received = bridge
        .collect_until("hive/satellite/kitchen/audio/end", WAIT)
        .await
        .unwrap();
    let topics = Topics::default();
    let parsed: Vec<Inbound> = received
        .iter()
        .filter_map(|message| topics.parse(&message.topic, &message.payload).ok())
        .collect();
    let wake = parsed
        .iter()
        .find_map(|message| match message {
            Inbound::Wake { wake, .. } => Some(wake.clone()),
            _ => None,
        })
        .expect("a wake message");
    assert_eq!(wake.wake_word, "hey_hive");
    assert!(wake.score >= 0.62, "{wake:?}");
    assert!(wake.energy.is_some_and(|energy| energy > 0.0), "{wake:?}");
    assert!(
        parsed.iter().any(
            |m| matches!(m, Inbound::AudioStart { start, .. } if start.session == wake.session)
        )
    );
    let chunks: Vec<&AudioChunk> = parsed
        .iter()
        .filter_map(|message| match message {
            Inbound::AudioChunk { chunk, .. } => Some(chunk),
            _ => None,
        })
        .collect();
    assert!(
        chunks
            .iter()
            .all(|chunk| chunk.session == wake.session && chunk.duration_ms() == 40)
    );
    let seqs: Vec<u32> = chunks.iter().map(|chunk| chunk.seq).collect();
    assert_eq!(
        seqs,
        (0..seqs.len() as u32).collect::<Vec<_>>(),
        "no chunk lost or reordered"
    );
    let Some(Inbound::AudioEnd { end, .. }) = parsed.last() else {
        panic!("ends with audio/end");
    };
    assert_eq!(
        (end.session, end.reason),
        (wake.session, EndReason::SpeechEnded)
    );
    assert_eq!(end.last_seq, seqs.last().copied());
    // Listening shows on the retained mode and eyes.
    let words: Vec<(&str, &str)> = received
        .iter()
        .map(|message| (message.topic.as_str(), message.text().unwrap_or("")))
        .collect();
    assert!(
        words.contains(&("hive/satellite/kitchen/eyes", "blue")),
        "{words:?}"
    );
    assert!(
        words.contains(&("hive/satellite/kitchen/mode", "listening")),
        "{words:?}"
    );

    // What was streamed is the question (and not much of the wake word).
    let audio: Vec<i16> = chunks.iter().flat_map(|chunk| chunk.to_samples()).collect();
    let heard = hears(&audio, |said| said.contains("what time is it"));
    assert!(heard.is_ok(), "streamed audio says {heard:?}");
    assert!(audio.len() < 16_000 * 5, "{} samples streamed", audio.len());

    // Violet while the bridge works.
    let eyes = bridge
        .expect("hive/satellite/kitchen/#", WAIT)
        .await
        .unwrap();
    assert!(
        [
            ("hive/satellite/kitchen/eyes", "violet"),
            ("hive/satellite/kitchen/mode", "processing")
        ]
        .contains(&(eyes.topic.as_str(), eyes.text().unwrap_or(""))),
        "{eyes:?}"
    );
    satellite
        .expect("the wake event", WAIT, |event| {
            matches!(
                event,
                hive_satellite::SatelliteEvent::Wake {
                    to_bridge: true,
                    ..
                }
            )
        })
        .await;
    satellite.stop().await;
}

/// Two seconds of a melody: notes with harmonics, like a simple instrument.
fn melody() -> Vec<i16> {
    let notes = [261.6_f32, 329.6, 392.0, 523.3, 392.0, 329.6, 293.7, 261.6];
    notes
        .iter()
        .flat_map(|&hz| {
            (0..4000).map(move |n| {
                let t = n as f32 / 16_000.0;
                let envelope = (1.0 - n as f32 / 4000.0).max(0.0);
                let value = (1..=4)
                    .map(|h| (2.0 * std::f32::consts::PI * hz * h as f32 * t).sin() / h as f32)
                    .sum::<f32>();
                (value * envelope * 8000.0) as i16
            })
        })
        .collect()
}

/// White noise from a fixed seed.
fn noise(seconds: f32, level: f32) -> Vec<i16> {
    let mut state = 0x2545_f491_u32;
    (0..(seconds * 16_000.0) as usize)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            ((state as f32 / u32::MAX as f32 - 0.5) * 2.0 * level * 32_767.0) as i16
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_speech_music_and_noise_publish_nothing() {
    init_logs();
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut bridge = bridge_stand_in(&broker).await;
    let audio = [
        silence(0.5),
        speak("the weather is nice today, have a good time", "en-us", 160),
        silence(0.5),
        speak("hey siri, what time is it?", "en-gb", 160),
        silence(0.5),
        speak("hi there, how are you?", "en+f3", 170),
        silence(0.5),
        speak("quelle heure est-il ?", "fr", 150),
        silence(0.5),
        melody(),
        tone(440.0, 1.0, 16_000),
        noise(2.0, 0.3),
        noise(2.0, 0.05),
        silence(1.0),
    ]
    .concat();
    let input = wav(dir.path(), "other.wav", &audio);
    let config = config(
        &broker,
        dir.path(),
        &format!(
            "type = \"wav\"\npath = \"{}\"\nrealtime = false\nafter_end = \"stop\"",
            input.display()
        ),
        false,
        "enabled = false",
    );
    let mut satellite = Running::start(config, None);
    satellite
        .expect("the end of the input", WAIT, |event| {
            matches!(event, hive_satellite::SatelliteEvent::InputEnded)
        })
        .await;
    assert!(
        !satellite
            .seen
            .iter()
            .any(|event| matches!(event, hive_satellite::SatelliteEvent::Wake { .. })),
        "{:#?}",
        satellite.seen
    );
    // A sentinel through the satellite's own connection: MQTT keeps one client's messages
    // in order, so any wake or audio would have arrived before the ack.
    bridge
        .publish(
            "hive/satellite/kitchen/action",
            r#"{"id":"sentinel","name":"dance"}"#,
            QoS::AtLeastOnce,
            false,
        )
        .await
        .unwrap();
    let received = bridge
        .collect_until("hive/satellite/kitchen/action/ack", WAIT)
        .await
        .unwrap();
    let streamed: Vec<&str> = received
        .iter()
        .map(|message| message.topic.as_str())
        .filter(|topic| topic.contains("/wake") || topic.contains("/audio/"))
        .collect();
    assert!(streamed.is_empty(), "published {streamed:?}");
    let ack = received.last().unwrap();
    assert_eq!(
        ack.text(),
        Some(r#"{"id":"sentinel","ok":false,"error":"unknown_action"}"#)
    );
    satellite.stop().await;
}
