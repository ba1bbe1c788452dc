//! French and Dutch questions get French and Dutch answers, as text and as speech, typed and
//! spoken.
//!
//! Spoken questions are espeak-ng's French and Dutch voices, which Whisper's base model hears
//! as English gibberish ("Quelle heure est-il ?" → "Hello my dear") unless primed: the bridge
//! is configured as a French- and Dutch-speaking household would configure it, with the
//! short priming prompt the satellite's offline mode measured (`stt.initial_prompt`), and
//! detects the language among en, fr and nl itself.

use std::time::Duration;

use hive_skills::Lang;
use hive_tests::speech::{silence, synthesize_at};
use hive_tests::{Broker, RunningBridge, ScriptedSatellite};

const WAIT: Duration = Duration::from_secs(180);

/// The 24-hour times French and Dutch speakers write, allowing for the minute turning.
fn current_times(format: &str) -> Vec<String> {
    let now = chrono::Utc::now();
    [now - chrono::Duration::minutes(1), now]
        .iter()
        .map(|time| time.format(format).to_string())
        .collect()
}

async fn ask(question: &str, session: u32) -> hive_tests::Reply {
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let bridge = RunningBridge::start(&broker, data.path(), "").unwrap();
    let mut satellite = ScriptedSatellite::connect(&broker, "salon").await.unwrap();
    satellite.wait_bridge_online(WAIT).await.unwrap();
    satellite.type_text(session, question).await.unwrap();
    let reply = satellite.reply(session, WAIT).await.unwrap();
    bridge.stop().await.unwrap();
    reply
}

/// Asks by voice a bridge that hears English, French and Dutch with Whisper base.
async fn ask_spoken(question: &str, voice: &str, session: u32) -> hive_tests::Reply {
    hive_tests::init_logs();
    let prompt = hive_satellite::offline::default_prompt(&[Lang::En, Lang::Fr, Lang::Nl]);
    let stt = format!(
        "[stt]\ntype = \"whisper\"\nmodel = \"whisper/ggml-base.bin\"\nlanguage = \"auto\"\nlanguages = [\"en\", \"fr\", \"nl\"]\ninitial_prompt = {}\n",
        toml_string(&prompt)
    );
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let bridge = RunningBridge::start(&broker, data.path(), &stt).unwrap();
    let mut satellite = ScriptedSatellite::connect(&broker, "salon").await.unwrap();
    satellite.wait_bridge_online(WAIT).await.unwrap();
    let speech = [
        silence(0.5),
        synthesize_at(question, voice, 120).unwrap(),
        silence(1.5),
    ]
    .concat();
    satellite.speak(session, &speech).await.unwrap();
    let reply = satellite.reply(session, WAIT).await.unwrap();
    bridge.stop().await.unwrap();
    reply
}

fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn assert_spoken(reply: &hive_tests::Reply) {
    let rate = reply.sample_rate;
    assert!(
        rate > 0 && reply.audio.len() > rate as usize / 2,
        "the reply has no speech: {} samples at {rate} Hz",
        reply.audio.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_french_question_is_answered_in_french() {
    let reply = ask("Quelle heure est-il ?", 3301).await;
    let text = reply.text();
    let times = current_times("%-H h %M");
    assert!(
        text.starts_with("Il est")
            && times
                .iter()
                .any(|time| text.contains(time.trim_end_matches(" 00"))),
        "reply {text:?}, expected one of {times:?}"
    );
    assert_spoken(&reply);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dutch_question_is_answered_in_dutch() {
    let reply = ask("Hoe laat is het?", 3302).await;
    let text = reply.text();
    let times = current_times("%-H:%M");
    assert!(
        text.starts_with("Het is") && times.iter().any(|time| text.contains(time)),
        "reply {text:?}, expected one of {times:?}"
    );
    assert_spoken(&reply);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spoken_french_question_is_transcribed_and_answered_in_french() {
    let reply = ask_spoken("Quelle heure est-il ?", "fr", 3303).await;
    let text = reply.text();
    let times = current_times("%-H h %M");
    assert!(
        text.starts_with("Il est")
            && times
                .iter()
                .any(|time| text.contains(time.trim_end_matches(" 00"))),
        "reply {text:?} (timings {:?}), expected one of {times:?}",
        reply.timings
    );
    assert_spoken(&reply);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spoken_dutch_question_is_transcribed_and_answered_in_dutch() {
    let reply = ask_spoken("Hoe laat is het?", "nl", 3304).await;
    let text = reply.text();
    let times = current_times("%-H:%M");
    assert!(
        text.starts_with("Het is") && times.iter().any(|time| text.contains(time)),
        "reply {text:?} (timings {:?}), expected one of {times:?}",
        reply.timings
    );
    assert_spoken(&reply);
}
