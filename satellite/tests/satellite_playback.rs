//! Playing the bridge's reply: a scripted bridge stand-in sends reply text and speech; the
//! satellite writes it out in order, `stop` cuts it at once, and the wake word during
//! playback cuts it too (barge-in).

mod common;

use std::time::Duration;

use common::*;
use hive_satellite::SatelliteEvent;
use hive_satellite::audio::{QueueInput, read_wav};
use hive_satellite::playback::PlayKey;
use hive_tests::{Broker, QoS, TestClient};
use hive_topics::{Control, ReplyChunk, SatelliteId, Topics, TtsAudio};

struct Bridge {
    client: TestClient,
    topics: Topics,
    kitchen: SatelliteId,
}

impl Bridge {
    /// Says `online`, and waits until the satellite is online (and so subscribed).
    async fn start(broker: &Broker) -> Bridge {
        let mut client = TestClient::connect(broker, "bridge", None).await.unwrap();
        client
            .publish("hive/bridge/status", "online", QoS::AtLeastOnce, true)
            .await
            .unwrap();
        client
            .subscribe("hive/satellite/kitchen/#", QoS::AtLeastOnce)
            .await
            .unwrap();
        Bridge {
            client,
            topics: Topics::default(),
            kitchen: SatelliteId::new("kitchen").unwrap(),
        }
    }

    async fn wait_for(&mut self, topic: &str, payload: &str) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let message = self
                .client
                .recv_timeout(left)
                .await
                .unwrap_or_else(|| panic!("no {payload} on {topic}"));
            if message.topic == topic && message.text() == Some(payload) {
                return;
            }
        }
    }

    async fn send(&mut self, out: hive_topics::Outbound) {
        self.client
            .publish(&out.topic, out.payload, QoS::AtLeastOnce, out.retain)
            .await
            .unwrap();
    }

    async fn reply(&mut self, session: u32, index: u32, text: &str, last: bool) {
        let chunk = ReplyChunk {
            session,
            index,
            text: text.into(),
            is_final: last,
            lang: Some("en".into()),
            timings: None,
        };
        let out = self.topics.encode_reply(&self.kitchen, &chunk);
        self.send(out).await;
    }

    async fn tts(&mut self, session: u32, index: u16, samples: &[i16], rate: u32, last: bool) {
        let audio = TtsAudio::from_samples(session, index, last, rate, samples);
        let out = self.topics.encode_tts(&self.kitchen, &audio);
        self.send(out).await;
    }

    async fn control(&mut self, control: Control) {
        let out = self.topics.encode_control(&self.kitchen, &control);
        self.send(out).await;
    }
}

fn played(event: &SatelliteEvent, wanted: PlayKey) -> bool {
    matches!(event, SatelliteEvent::Played { key, .. } if *key == wanted)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reply_sentences_are_written_in_order_whatever_order_they_arrive_in() {
    init_logs();
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut bridge = Bridge::start(&broker).await;
    let (input, _clips) = QueueInput::new();
    let config = config(
        &broker,
        dir.path(),
        "type = \"microphone\"",
        false,
        "enabled = false",
    );
    let mut satellite = Running::start(config, Some(Box::new(input)));
    bridge
        .wait_for("hive/satellite/kitchen/eyes", "white")
        .await;

    let sentences = [
        tone(300.0, 0.5, 16_000),
        tone(600.0, 0.7, 16_000),
        tone(900.0, 0.3, 16_000),
    ];
    bridge.reply(42, 0, "The first.", false).await;
    bridge.reply(42, 1, "The second.", false).await;
    bridge.reply(42, 2, "The third.", true).await;
    // Out of order: 1, 0, 2.
    bridge.tts(42, 1, &sentences[1], 16_000, false).await;
    bridge.tts(42, 0, &sentences[0], 16_000, false).await;
    bridge.tts(42, 2, &sentences[2], 16_000, true).await;

    let SatelliteEvent::Played {
        interrupted, path, ..
    } = satellite
        .expect("the reply played", WAIT, |event| {
            played(event, PlayKey::Reply(42))
        })
        .await
    else {
        unreachable!()
    };
    assert!(!interrupted);
    let path = path.expect("a WAV file");
    assert_eq!(
        read_wav(&path).unwrap().samples,
        sentences.concat(),
        "in order, no gaps"
    );
    for (index, sentence) in sentences.iter().enumerate() {
        let file = path.with_file_name(format!(
            "{}-{index}.wav",
            path.file_stem().unwrap().to_string_lossy()
        ));
        assert_eq!(
            &read_wav(&file).unwrap().samples,
            sentence,
            "sentence {index}"
        );
    }
    let texts: Vec<String> = satellite
        .seen
        .iter()
        .filter_map(|event| match event {
            SatelliteEvent::Reply { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(texts, ["The first.", "The second.", "The third."]);
    // Responding while it played, idle after.
    bridge.wait_for("hive/satellite/kitchen/mode", "idle").await;

    // A reply at another rate (Piper's 22 050 Hz) is resampled, not garbled.
    bridge
        .tts(43, 0, &tone(500.0, 1.0, 22_050), 22_050, true)
        .await;
    let SatelliteEvent::Played { path, .. } = satellite
        .expect("the second reply", WAIT, |event| {
            played(event, PlayKey::Reply(43))
        })
        .await
    else {
        unreachable!()
    };
    let written = read_wav(&path.unwrap()).unwrap();
    assert_eq!(
        (written.sample_rate, written.samples.len()),
        (16_000, 16_000)
    );
    satellite.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_interrupts_playback_at_once_and_so_does_the_wake_word() {
    init_logs();
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut bridge = Bridge::start(&broker).await;
    let (input, clips) = QueueInput::new();
    // Output at a speaker's pace, so that ten seconds of speech take ten seconds.
    let config = config(
        &broker,
        dir.path(),
        "type = \"microphone\"",
        true,
        "enabled = false",
    );
    let mut satellite = Running::start(config, Some(Box::new(input)));
    bridge
        .wait_for("hive/satellite/kitchen/eyes", "white")
        .await;

    let long = tone(440.0, 10.0, 16_000);
    bridge.reply(77, 0, "A very long story.", true).await;
    bridge.tts(77, 0, &long, 16_000, true).await;
    bridge
        .wait_for("hive/satellite/kitchen/mode", "responding")
        .await;
    let stopped_at = tokio::time::Instant::now();
    bridge.control(Control::Stop { session: Some(77) }).await;
    let SatelliteEvent::Played {
        interrupted, path, ..
    } = satellite
        .expect("the reply cut", Duration::from_secs(5), |event| {
            played(event, PlayKey::Reply(77))
        })
        .await
    else {
        unreachable!()
    };
    assert!(interrupted);
    assert!(
        stopped_at.elapsed() < Duration::from_secs(2),
        "stopped at once"
    );
    let written = read_wav(&path.unwrap()).unwrap().samples.len();
    assert!(
        written < 16_000 * 3,
        "{written} samples of 160 000 were played"
    );
    bridge.wait_for("hive/satellite/kitchen/mode", "idle").await;

    // Barge-in: the wake word during a reply cuts it and opens a new turn.
    bridge.reply(78, 0, "Another long story.", true).await;
    bridge.tts(78, 0, &long, 16_000, true).await;
    bridge
        .wait_for("hive/satellite/kitchen/mode", "responding")
        .await;
    clips.say(wake_and_ask("what time is it", "en-us", 160));
    let SatelliteEvent::Played { interrupted, .. } = satellite
        .expect("the reply cut by the wake word", WAIT, |event| {
            played(event, PlayKey::Reply(78))
        })
        .await
    else {
        unreachable!()
    };
    assert!(interrupted);
    // The wake event comes first: the turn opens, then the player reports the cut.
    satellite
        .saw_or_expect("a new turn", WAIT, |event| {
            matches!(event, SatelliteEvent::Wake { .. })
        })
        .await;
    bridge
        .wait_for("hive/satellite/kitchen/mode", "listening")
        .await;
    satellite.stop().await;
}
