//! A whole voice turn over a real Mosquitto with real models: a satellite says "what time is
//! it", the bridge endpoints, transcribes, answers from the clock skill, and speaks.

use std::time::Duration;

use hive_bridge::models::ModelsDir;
use hive_bridge::stt::{Stt, WhisperConfig, WhisperStt};
use hive_tests::speech::{silence, synthesize, to_16k};
use hive_tests::{Broker, QoS, RunningBridge, TestClient};
use hive_topics::{
    AudioChunk, AudioFormat, AudioPayload, AudioStart, Inbound, SatelliteId, Topics, Wake,
};

const WAIT: Duration = Duration::from_secs(120);

/// English speech-to-text with the fast model, as a one-language household would run it.
const ENGLISH: &str =
    "[stt]\ntype = \"whisper\"\nmodel = \"whisper/ggml-tiny.en.bin\"\nlanguage = \"en\"\n";

fn models() -> ModelsDir {
    let dir = ModelsDir::from_env(|name| std::env::var(name).ok());
    for needed in [
        "whisper/ggml-base.bin",
        "whisper/ggml-tiny.en.bin",
        "tts/en_US-joe-medium.onnx",
        "vad/silero_vad.onnx",
    ] {
        assert!(
            dir.path(needed).is_file(),
            "{} is missing: run `cargo run -p hive-bridge -- models install --all` first",
            dir.path(needed).display()
        );
    }
    dir
}

/// Waits for the bridge's retained `online`.
async fn bridge_online(client: &mut TestClient) {
    client
        .subscribe("hive/bridge/status", QoS::AtLeastOnce)
        .await
        .unwrap();
    loop {
        let message = client
            .recv_timeout(WAIT)
            .await
            .expect("the bridge never came online");
        if message.topic == "hive/bridge/status" && message.payload == b"online" {
            return;
        }
    }
}

/// Streams `pcm` as a satellite would: wake, start, 40 ms chunks. No end: the bridge's
/// endpointing must decide.
async fn speak(
    client: &mut TestClient,
    topics: &Topics,
    satellite: &SatelliteId,
    session: u32,
    pcm: &[i16],
) {
    let wake = Wake {
        session,
        wake_word: "hey_hive".into(),
        score: 0.9,
        energy: None,
    };
    let out = topics.encode_wake(satellite, &wake);
    client
        .publish(&out.topic, out.payload, QoS::AtLeastOnce, false)
        .await
        .unwrap();
    let start = AudioStart {
        session,
        format: AudioFormat::default(),
    };
    let out = topics.encode_audio_start(satellite, &start);
    client
        .publish(&out.topic, out.payload, QoS::AtLeastOnce, false)
        .await
        .unwrap();
    for (seq, samples) in pcm.chunks(640).enumerate() {
        let chunk = AudioChunk::from_samples(session, seq as u32, samples);
        let out = topics.encode_audio_chunk(satellite, &chunk);
        client
            .publish(&out.topic, out.payload, QoS::AtMostOnce, false)
            .await
            .unwrap();
    }
}

/// Collects the reply of `session` until both the final text and the final audio arrived.
async fn reply(
    client: &mut TestClient,
    topics: &Topics,
    session: u32,
) -> (String, Vec<i16>, u32, Option<hive_topics::Timings>) {
    let (mut text, mut audio, mut rate, mut timings) = (Vec::new(), Vec::new(), 0, None);
    let (mut text_done, mut audio_done) = (false, false);
    while !(text_done && audio_done) {
        let message = client
            .recv_timeout(WAIT)
            .await
            .expect("the reply did not complete");
        match topics.parse(&message.topic, &message.payload) {
            Ok(Inbound::Reply { reply, .. }) if reply.session == session => {
                if !reply.text.is_empty() {
                    text.push(reply.text);
                }
                if reply.is_final {
                    text_done = true;
                    timings = reply.timings;
                }
            }
            Ok(Inbound::Tts { audio: tts, .. }) if tts.session == session => {
                if let AudioPayload::Pcm(pcm) = &tts.audio {
                    audio.extend(
                        pcm.chunks_exact(2)
                            .map(|pair| i16::from_le_bytes([pair[0], pair[1]])),
                    );
                }
                if !tts.audio_is_empty() {
                    rate = tts.sample_rate;
                }
                audio_done |= tts.is_final;
            }
            Ok(Inbound::Error { error, .. }) => panic!("the bridge reported an error: {error:?}"),
            _ => {}
        }
    }
    (text.join(" "), audio, rate, timings)
}

trait Empty {
    fn audio_is_empty(&self) -> bool;
}

impl Empty for hive_topics::TtsAudio {
    fn audio_is_empty(&self) -> bool {
        match &self.audio {
            AudioPayload::Pcm(pcm) | AudioPayload::Wav(pcm) => pcm.is_empty(),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_time_is_it_is_answered_with_the_time_in_text_and_speech() {
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter("info")
        .try_init();
    let models = models();
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let bridge = RunningBridge::start(&broker, data.path(), ENGLISH).unwrap();
    let topics = Topics::default();
    let kitchen = SatelliteId::new("kitchen").unwrap();
    let mut satellite = TestClient::connect(&broker, "kitchen", None).await.unwrap();
    bridge_online(&mut satellite).await;
    satellite
        .subscribe("hive/satellite/kitchen/#", QoS::AtLeastOnce)
        .await
        .unwrap();

    let question = [
        silence(0.5),
        synthesize("what time is it", "en-us").unwrap(),
        silence(1.5),
    ]
    .concat();
    speak(&mut satellite, &topics, &kitchen, 4242, &question).await;
    let (text, audio, rate, timings) = reply(&mut satellite, &topics, 4242).await;

    // The clock skill answers in the assistant's time zone (UTC by default).
    let now = chrono::Utc::now();
    let acceptable: Vec<String> = [now - chrono::Duration::minutes(1), now]
        .iter()
        .map(|time| time.format("%-I:%M").to_string())
        .collect();
    assert!(
        acceptable.iter().any(|time| text.contains(time)),
        "reply {text:?} lacks the time {acceptable:?}"
    );
    let timings = timings.expect("the final reply carries timings");
    assert!(
        timings.stt_ms.is_some() && timings.first_audio_ms.is_some(),
        "{timings:?}"
    );

    // What the satellite would play says the same thing.
    assert!(
        rate > 0 && audio.len() > rate as usize / 2,
        "{} samples at {rate} Hz",
        audio.len()
    );
    let heard = to_16k(&audio, rate).unwrap();
    let heard: Vec<f32> = heard
        .iter()
        .map(|&sample| f32::from(sample) / 32_768.0)
        .collect();
    let whisper =
        WhisperStt::load(WhisperConfig::new(models.path("whisper/ggml-tiny.en.bin"))).unwrap();
    let transcript = whisper
        .transcribe(&heard, Some("en"))
        .unwrap()
        .text
        .to_lowercase();
    let hour = now.format("%-I").to_string();
    let hour_word = [
        "twelve", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven",
    ][now.format("%-I").to_string().parse::<usize>().unwrap() % 12];
    assert!(
        transcript.contains("it") && (transcript.contains(&hour) || transcript.contains(hour_word)),
        "the reply audio says {transcript:?}, not {text:?}"
    );
    bridge.stop().await.unwrap();
}
