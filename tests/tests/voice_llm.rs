//! Turns that need the language model, over a real Mosquitto with the real `hive-llm`
//! (Qwen2.5-Coder 0.5B): streamed replies, tool calls, failover, a killed model server, and
//! the shared conversation across a restart.

use std::time::Duration;

use hive_bridge::models::ModelsDir;
use hive_tests::{Broker, RunningBridge, ScriptedSatellite};

const WAIT: Duration = Duration::from_secs(180);

/// One model server at a time: four llama.cpp processes on two cores would make every
/// test a test of the machine's patience rather than of the bridge.
static ONE_MODEL_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn local_llm() -> String {
    let models = ModelsDir::from_env(|name| std::env::var(name).ok());
    let model = models.path("llm/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf");
    assert!(
        model.is_file(),
        "{} is missing: run `cargo run -p hive-bridge -- models install --all` first",
        model.display()
    );
    "[[llm]]\ntype = \"local\"\nmodel = \"llm/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf\"\nmax_tokens = 80\ncontext = 4096\n"
        .to_string()
}

/// The bridge's own apology when no model could answer (the model's text may apologise too,
/// in other words).
fn apologised(text: &str) -> bool {
    text == "Sorry, I can't answer that right now."
}

/// Asks until the model answers without apologising (the local server may still be
/// loading); returns the reply.
async fn ask(
    satellite: &mut ScriptedSatellite,
    first_session: u32,
    text: &str,
) -> hive_tests::Reply {
    for attempt in 0..20 {
        let session = first_session + attempt;
        satellite.type_text(session, text).await.unwrap();
        let reply = satellite.reply(session, WAIT).await.unwrap();
        if !apologised(&reply.text()) {
            return reply;
        }
        // The model server is starting: the supervisor reports it as unreachable at once,
        // so wait for it rather than spinning.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("the language model never answered {text:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_answer_streams_sentence_by_sentence_and_speech_starts_before_it_ends() {
    hive_tests::init_logs();
    let _serial = ONE_MODEL_AT_A_TIME.lock().await;
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let bridge = RunningBridge::start(&broker, data.path(), &local_llm()).unwrap();
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();
    let reply = ask(&mut kitchen, 100, "Tell me three short facts about cats.").await;
    assert!(
        reply.chunks.len() >= 2,
        "one chunk per sentence: {:?}",
        reply.chunks
    );
    assert!(
        reply.audio_messages >= 2,
        "one audio message per sentence, got {}",
        reply.audio_messages
    );
    let timings = reply.timings.expect("timings");
    let (first_audio, llm_done) = (
        timings.first_audio_ms.unwrap(),
        timings.llm_done_ms.unwrap(),
    );
    assert!(
        first_audio < llm_done,
        "speech began at {first_audio} ms, the model finished at {llm_done} ms"
    );
    bridge.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_show_emotion_tool_call_reaches_the_satellite_as_an_action() {
    hive_tests::init_logs();
    let _serial = ONE_MODEL_AT_A_TIME.lock().await;
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let bridge = RunningBridge::start(&broker, data.path(), &local_llm()).unwrap();
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();
    let mut intents = hive_tests::TestClient::connect(&broker, "intents", None)
        .await
        .unwrap();
    intents
        .subscribe("hive/intent/#", hive_tests::QoS::AtLeastOnce)
        .await
        .unwrap();
    let reply = ask(&mut kitchen, 200, "I passed my exam! Show me a happy face.").await;
    let action = reply
        .actions
        .first()
        .unwrap_or_else(|| panic!("no action in {reply:?}"));
    assert_eq!(action.name, "show_emotion");
    assert_eq!(
        action.args.get("emotion").and_then(|value| value.as_str()),
        Some("happy"),
        "{action:?}"
    );
    let event = intents
        .expect("hive/intent/emotion.show", WAIT)
        .await
        .unwrap();
    assert!(
        event
            .text()
            .unwrap_or_default()
            .contains("\"source\":\"llm\""),
        "{event:?}"
    );
    bridge.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_model_server_falls_back_to_the_next() {
    hive_tests::init_logs();
    let _serial = ONE_MODEL_AT_A_TIME.lock().await;
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    // Nothing listens on the discard port: the first engine fails at once.
    let chain = format!(
        "[[llm]]\ntype = \"openai\"\nurl = \"http://127.0.0.1:9/v1\"\nmodel = \"gone\"\n{}",
        local_llm()
    );
    let bridge = RunningBridge::start(&broker, data.path(), &chain).unwrap();
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();
    let reply = ask(
        &mut kitchen,
        300,
        "What is the capital of France? Answer in one word.",
    )
    .await;
    assert!(reply.text().contains("Paris"), "{reply:?}");
    bridge.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_conversation_is_shared_by_satellites_and_survives_a_restart() {
    hive_tests::init_logs();
    let _serial = ONE_MODEL_AT_A_TIME.lock().await;
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let bridge = RunningBridge::start(&broker, data.path(), &local_llm()).unwrap();
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();
    ask(
        &mut kitchen,
        600,
        "Please remember this: my cat is called Whiskers.",
    )
    .await;
    bridge.stop().await.unwrap();

    let bridge = RunningBridge::start(&broker, data.path(), &local_llm()).unwrap();
    let mut bedroom = ScriptedSatellite::connect(&broker, "bedroom")
        .await
        .unwrap();
    bedroom.wait_bridge_online(WAIT).await.unwrap();
    let reply = ask(&mut bedroom, 700, "What is my cat called?").await;
    assert!(reply.text().contains("Whiskers"), "{reply:?}");
    bridge.stop().await.unwrap();
}
