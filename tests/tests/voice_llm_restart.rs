//! A `hive-llm` killed mid-service is restarted by the bridge's supervisor. Alone in its test
//! binary, so that the only model servers this process started are this test's.

use std::time::Duration;

use hive_bridge::models::ModelsDir;
use hive_tests::{Broker, RunningBridge, ScriptedSatellite};

const WAIT: Duration = Duration::from_secs(180);

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

/// The `hive-llm` processes this test process started.
fn model_servers() -> Vec<u32> {
    let me = std::process::id().to_string();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let parent = stat
            .rsplit(')')
            .next()
            .and_then(|rest| rest.split_whitespace().nth(1));
        let cmdline = std::fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        if parent == Some(me.as_str()) && cmdline.contains("hive-llm") {
            found.push(pid);
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_model_server_is_restarted_and_the_next_turn_is_answered() {
    hive_tests::init_logs();
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let bridge = RunningBridge::start(&broker, data.path(), &local_llm()).unwrap();
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();
    let first = ask(
        &mut kitchen,
        400,
        "What is the capital of France? Answer in one word.",
    )
    .await;
    assert!(first.text().contains("Paris"), "{first:?}");
    let servers = model_servers();
    assert_eq!(servers.len(), 1, "{servers:?}");
    let status = std::process::Command::new("kill")
        .args(["-9", &servers[0].to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let second = ask(
        &mut kitchen,
        500,
        "What is the capital of Italy? Answer in one word.",
    )
    .await;
    assert!(second.text().contains("Rome"), "{second:?}");
    let restarted = model_servers();
    assert!(
        restarted.len() == 1 && restarted[0] != servers[0],
        "{servers:?} then {restarted:?}"
    );
    bridge.stop().await.unwrap();
}
