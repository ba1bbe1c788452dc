//! External skills over a real Mosquitto with the real bridge: the Python skill shipped in
//! topics/README.md registers and answers a spoken question (synthesised speech streamed on
//! the satellite's audio topics, heard by the bridge's real speech-to-text) in text and speech;
//! a registered skill that never answers, and one that answers garbage, each get the user an
//! apology and an error event.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use hive_tests::speech::{silence, synthesize};
use hive_tests::{Broker, QoS, RunningBridge, ScriptedSatellite, TestClient};

const WAIT: Duration = Duration::from_secs(120);

/// English speech-to-text with the fast model; a short skill timeout so that the failures
/// come quickly.
const CONFIG: &str = "[stt]\ntype = \"whisper\"\nmodel = \"whisper/ggml-tiny.en.bin\"\nlanguage = \"en\"\n[external_skills]\ntimeout_s = 2.0\n";

/// What the bridge says when a skill fails (`pipeline::understand::sorry`).
const APOLOGY: &str = "Sorry, I can't answer that right now.";

fn models() -> hive_bridge::models::ModelsDir {
    hive_tests::require_models(hive_tests::VOICE_TURN_MODELS)
}

/// A skill program in its own process group, stopped (SIGTERM to the group, so that its
/// mosquitto_sub goes too) on drop.
struct SkillProcess(Child);

impl SkillProcess {
    /// Starts `command` and waits until it prints `ready` (it has subscribed and published
    /// its manifest).
    async fn start(mut command: Command) -> SkillProcess {
        command.stdout(Stdio::piped()).process_group(0);
        let mut child = command.spawn().expect("python3 and mosquitto-clients");
        let stdout = child.stdout.take().unwrap();
        let ready = tokio::task::spawn_blocking(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .any(|line| line.trim() == "ready")
        });
        let process = SkillProcess(child);
        let ready = tokio::time::timeout(WAIT, ready).await;
        assert!(
            matches!(ready, Ok(Ok(true))),
            "the skill never said it was ready"
        );
        process
    }
}

impl Drop for SkillProcess {
    fn drop(&mut self) {
        // The program first, so that it can unregister; then whatever it left in its group.
        let pid = self.0.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let _ = self.0.wait();
        let group = format!("-{pid}");
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
    }
}

fn manifest(name: &str, trigger: &str) -> String {
    format!(
        r#"{{"name":"{name}","version":"1.0.0","description":"A test skill.","intents":[{{"name":"{name}.act","description":"Does it.","triggers":{{"en":["{trigger}"]}}}}]}}"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn external_skills_answer_and_broken_ones_get_an_apology_and_an_error_event() {
    hive_tests::init_logs();
    let models = models();
    let broker = Broker::start().unwrap();
    let port = broker.port().to_string();
    let data = tempfile::tempdir().unwrap();
    let bridge = RunningBridge::start(&broker, data.path(), CONFIG).unwrap();
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();
    let mut automation = TestClient::connect(&broker, "automation", None)
        .await
        .unwrap();
    automation
        .subscribe("hive/skill/+/response", QoS::AtLeastOnce)
        .await
        .unwrap();

    // The dice skill exactly as topics/README.md ships it.
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../topics/examples/dice_skill.py"
    );
    let mut dice = Command::new("python3");
    dice.args([script, "--host", "127.0.0.1", "--port", &port]);
    let dice = SkillProcess::start(dice).await;
    let question = [
        silence(0.5),
        synthesize("roll the dice", "en-us").unwrap(),
        silence(1.5),
    ]
    .concat();
    // The speech says the roll too, as a person hears it. Piper samples its voice afresh
    // each time and now and then says a number that both whisper models mishear ("two" as
    // "tube"): up to three rolls, each answered and spoken, one of them heard.
    let ear = hive_tests::Ear::new(&models);
    let mut misheard = Vec::new();
    for session in 501..=503 {
        kitchen.speak(session, &question).await.unwrap();
        let reply = kitchen.reply(session, WAIT).await.unwrap();
        let text = reply.text();
        let roll: u32 = text
            .strip_prefix("You rolled a ")
            .and_then(|rest| rest.strip_suffix('.'))
            .and_then(|number| number.parse().ok())
            .unwrap_or_else(|| panic!("not a roll: {text:?}"));
        assert!((1..=6).contains(&roll), "{text}");
        assert!(reply.audio_messages > 0, "the answer is spoken");
        assert!(reply.errors.is_empty(), "{:?}", reply.errors);
        let number = ["", "one", "two", "three", "four", "five", "six"][roll as usize];
        let heard = ear.hears(&reply.audio, reply.sample_rate, |said| {
            said.contains(&roll.to_string()) || said.contains(number)
        });
        match heard {
            Ok(_) => break,
            Err(transcripts) => misheard.push((text, transcripts)),
        }
    }
    assert!(misheard.len() < 3, "no roll heard: {misheard:?}");

    // A skill that registers and then never answers.
    automation
        .publish(
            "hive/skill/sloth/manifest",
            manifest("sloth", "wake the sloth"),
            QoS::AtLeastOnce,
            true,
        )
        .await
        .unwrap();
    kitchen.type_text(502, "Wake the sloth.").await.unwrap();
    let reply = kitchen.reply(502, WAIT).await.unwrap();
    assert_eq!(reply.text(), APOLOGY);
    let codes: Vec<&str> = reply.errors.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, ["skill_timeout"]);

    // A skill that answers garbage: a shell loop around mosquitto_sub and mosquitto_pub.
    let broken = format!(
        r#"stdbuf -oL mosquitto_sub -h 127.0.0.1 -p {port} -q 1 -d -t hive/skill/broken/request | while read -r line; do
  case "$line" in
    Subscribed*) mosquitto_pub -h 127.0.0.1 -p {port} -q 1 -r -t hive/skill/broken/manifest -m '{manifest}' && echo ready ;;
    '{{'*) mosquitto_pub -h 127.0.0.1 -p {port} -q 1 -t hive/skill/broken/response -m 'this is not json' ;;
  esac
done"#,
        manifest = manifest("broken", "break the vase"),
    );
    let mut shell = Command::new("sh");
    shell.args(["-c", &broken]);
    let broken = SkillProcess::start(shell).await;
    kitchen.type_text(503, "Break the vase.").await.unwrap();
    let reply = kitchen.reply(503, WAIT).await.unwrap();
    assert_eq!(reply.text(), APOLOGY);
    let codes: Vec<&str> = reply.errors.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, ["skill_timeout"]);
    // It did answer, with garbage: the apology is not just the silence of a skill never asked.
    let garbage = automation
        .collect_until("hive/skill/broken/response", WAIT)
        .await
        .unwrap();
    assert_eq!(garbage.last().unwrap().payload, b"this is not json");

    // Unregistered (an empty retained manifest), the phrase is not the skill's any more.
    drop(dice);
    kitchen.type_text(504, "Roll a die, please.").await.unwrap();
    let reply = kitchen.reply(504, WAIT).await.unwrap();
    assert!(!reply.text().contains("rolled"), "{:?}", reply.text());
    drop(broken);
    bridge.stop().await.unwrap();
}
