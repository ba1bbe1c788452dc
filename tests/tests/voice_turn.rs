//! Whole turns over a real Mosquitto with real models: speech in, the clock skill's answer
//! out as text and speech; the automation surface (`ask`, `say`) from mosquitto_pub; a dead
//! text-to-speech engine.

use std::process::Command;
use std::time::Duration;

use hive_bridge::models::ModelsDir;
use hive_tests::speech::{silence, synthesize};
use hive_tests::{Broker, QoS, RunningBridge, ScriptedSatellite, TestClient};
use hive_topics::{AskReply, Inbound, Topics};

const WAIT: Duration = Duration::from_secs(120);

/// English speech-to-text with the fast model, as a one-language household would run it.
const ENGLISH: &str =
    "[stt]\ntype = \"whisper\"\nmodel = \"whisper/ggml-tiny.en.bin\"\nlanguage = \"en\"\n";

fn models() -> ModelsDir {
    hive_tests::require_models(hive_tests::VOICE_TURN_MODELS)
}

/// The clock's current answer, allowing for the minute turning during the test.
fn current_times() -> Vec<String> {
    let now = chrono::Utc::now();
    [now - chrono::Duration::minutes(1), now]
        .iter()
        .map(|time| time.format("%-I:%M").to_string())
        .collect()
}

fn says_the_time(text: &str) -> bool {
    current_times().iter().any(|time| text.contains(time))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_time_is_it_is_answered_with_the_time_in_text_and_speech() {
    hive_tests::init_logs();
    let models = models();
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let bridge = RunningBridge::start(&broker, data.path(), ENGLISH).unwrap();
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();

    let question = [
        silence(0.5),
        synthesize("what time is it", "en-us").unwrap(),
        silence(1.5),
    ]
    .concat();
    kitchen.speak(4242, &question).await.unwrap();
    let reply = kitchen.reply(4242, WAIT).await.unwrap();

    // The clock skill answers in the assistant's time zone (UTC by default).
    let text = reply.text();
    assert!(
        says_the_time(&text),
        "reply {text:?} lacks the time {:?}",
        current_times()
    );
    let timings = reply.timings.expect("the final reply carries timings");
    assert!(
        timings.stt_ms.is_some() && timings.first_audio_ms.is_some(),
        "{timings:?}"
    );

    // What the satellite would play says the same thing.
    let rate = reply.sample_rate;
    assert!(
        rate > 0 && reply.audio.len() > rate as usize / 2,
        "{} samples at {rate} Hz",
        reply.audio.len()
    );
    let now = chrono::Utc::now();
    let hour = now.format("%-I").to_string();
    let words = [
        "twelve", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven",
    ];
    let hour_word = words[hour.parse::<usize>().unwrap() % 12];
    let heard = hive_tests::Ear::new(&models).hears(&reply.audio, rate, |said| {
        said.contains(&hour) || said.contains(hour_word)
    });
    assert!(
        heard.is_ok(),
        "the reply audio says {heard:?}, not {text:?}"
    );
    bridge.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunks_that_overtake_their_start_still_make_the_question() {
    hive_tests::init_logs();
    let _models = models();
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let bridge = RunningBridge::start(&broker, data.path(), ENGLISH).unwrap();
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();

    // The question starts at once: the first 0.8 s ("what time"), delivered before the wake
    // and the start, carry the words that make it a question about the time.
    let question = [
        synthesize("what time is it", "en-us").unwrap(),
        silence(1.5),
    ]
    .concat();
    kitchen.speak_overtaken(77, &question, 20).await.unwrap();
    let reply = kitchen.reply(77, WAIT).await.unwrap();
    let text = reply.text();
    assert!(
        says_the_time(&text),
        "reply {text:?} lacks the time {:?}: the early chunks were lost",
        current_times()
    );
    bridge.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_and_say_work_from_mosquitto_pub() {
    hive_tests::init_logs();
    models();
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let bridge = RunningBridge::start(&broker, data.path(), ENGLISH).unwrap();
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();
    let mut automation = TestClient::connect(&broker, "automation", None)
        .await
        .unwrap();
    automation
        .subscribe("hive/ask/reply", QoS::AtLeastOnce)
        .await
        .unwrap();

    // As topics/README.md documents it.
    let port = broker.port().to_string();
    let publish = |topic: &str, message: &str| {
        let status = Command::new("mosquitto_pub")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-q",
                "1",
                "-t",
                topic,
                "-m",
                message,
            ])
            .status()
            .expect("mosquitto_pub (apt-get install mosquitto-clients)");
        assert!(status.success());
    };
    publish("hive/ask", r#"{"id":"q1","text":"what time is it"}"#);
    let message = automation.expect("hive/ask/reply", WAIT).await.unwrap();
    let Ok(Inbound::AskReply(AskReply {
        id, text, intent, ..
    })) = Topics::default().parse(&message.topic, &message.payload)
    else {
        panic!("not an ask reply: {message:?}");
    };
    assert_eq!(id.as_deref(), Some("q1"));
    assert!(says_the_time(&text), "{text:?}");
    assert_eq!(intent.as_deref(), Some("clock.time"));

    publish(
        "hive/satellite/kitchen/say",
        "Dinner is ready. Come to the table!",
    );
    let reply = kitchen.next_reply(WAIT).await.unwrap();
    assert_eq!(reply.chunks, ["Dinner is ready.", "Come to the table!"]);
    assert_eq!(reply.audio_messages, 2, "one audio message per sentence");
    bridge.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_speech_engine_still_gives_the_text_reply() {
    hive_tests::init_logs();
    models();
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    // A TTS server that is not there: every synthesis fails.
    let dead = format!(
        "{ENGLISH}[[tts]]\ntype = \"http\"\nurl = \"http://127.0.0.1:9/\"\nlanguages = [\"en\"]\n"
    );
    let bridge = RunningBridge::start(&broker, data.path(), &dead).unwrap();
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();
    kitchen.type_text(77, "What time is it?").await.unwrap();
    let reply = kitchen.reply(77, WAIT).await.unwrap();
    assert!(says_the_time(&reply.text()), "{reply:?}");
    assert!(reply.audio.is_empty());
    assert_eq!(
        reply
            .errors
            .iter()
            .map(|error| error.code.as_str())
            .collect::<Vec<_>>(),
        ["tts_failed"]
    );
    bridge.stop().await.unwrap();
}
