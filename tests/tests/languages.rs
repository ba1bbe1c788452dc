//! French and Dutch questions get French and Dutch answers, as text and as speech.
//!
//! The questions are typed: espeak-ng's French and Dutch voices are not intelligible to
//! Whisper's base model (forced to French, "Quelle heure est-il ?" comes out as "Hello my
//! dear"), so spoken French and Dutch wait for a better test voice.

use std::time::Duration;

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
