//! The bridge's `[limits]` and `[session] max_audio_s`, each exceeded against a real bridge
//! on a real broker: the satellite gets an error report (or, for audio, is told to stop and
//! answered), the refusal is counted in `/metrics`, and the bridge goes on answering.

use std::time::Duration;

use hive_tests::cli::free_port;
use hive_tests::speech::{silence, synthesize};
use hive_tests::{Broker, QoS, RunningBridge, ScriptedSatellite};
use hive_topics::{AudioChunk, Control, ErrorReport, Inbound, TextInput};

const WAIT: Duration = Duration::from_secs(120);

const ENGLISH: &str =
    "[stt]\ntype = \"whisper\"\nmodel = \"whisper/ggml-tiny.en.bin\"\nlanguage = \"en\"\n";

/// A bridge with `limits` appended to its configuration and its `/metrics` address.
fn bridge(broker: &Broker, data: &std::path::Path, limits: &str) -> (RunningBridge, String) {
    let port = free_port().unwrap();
    let extra = format!("{ENGLISH}[http]\nlisten = \"127.0.0.1:{port}\"\n{limits}");
    let bridge = RunningBridge::start(broker, data, &extra).unwrap();
    (bridge, format!("http://127.0.0.1:{port}/metrics"))
}

/// The next error report the satellite receives.
async fn next_error(satellite: &mut ScriptedSatellite) -> ErrorReport {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let message = satellite
            .client
            .recv_timeout(left)
            .await
            .expect("no error report");
        if let Ok(Inbound::Error { error, .. }) =
            satellite.topics.parse(&message.topic, &message.payload)
        {
            return error;
        }
    }
}

/// `hive_errors_total{code}` once it reaches `at_least`.
async fn errors_counted(metrics: &str, code: &str, at_least: f64) -> f64 {
    let name = format!("hive_errors_total{{code=\"{code}\"}} ");
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        // The status page starts after the MQTT connection: it may not listen yet.
        let text = match reqwest::get(metrics).await {
            Ok(response) => response.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        let value = text
            .lines()
            .find_map(|line| line.strip_prefix(&name))
            .and_then(|value| value.trim().parse::<f64>().ok())
            .unwrap_or(0.0);
        if value >= at_least {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{code} counted {value} times, expected {at_least}:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn ask(satellite: &mut ScriptedSatellite, session: u32) -> hive_tests::Reply {
    satellite
        .type_text(session, "What time is it?")
        .await
        .unwrap();
    satellite.reply(session, WAIT).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payloads_over_their_limit_are_refused_with_an_error_report() {
    hive_tests::init_logs();
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let limits = "[limits.payload]\nmax_json = 1024\nmax_audio_chunk = 2048\n";
    let (bridge, metrics) = bridge(&broker, data.path(), limits);
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();

    // A typed question in a 2 KiB JSON payload (its text alone is within max_text).
    let padded = TextInput {
        text: format!("What time is it?{}", " ".repeat(1500)),
        session: Some(5),
        lang: Some("en".into()),
    };
    let out = kitchen.topics.encode_text(&kitchen.id, &padded);
    assert!(out.payload.len() > 1024);
    kitchen
        .client
        .publish(&out.topic, out.payload, QoS::AtLeastOnce, false)
        .await
        .unwrap();
    let report = next_error(&mut kitchen).await;
    assert_eq!(report.code, "payload_too_large");
    assert!(report.recoverable);
    assert!(report.message.contains("1024"), "{report:?}");
    errors_counted(&metrics, "payload_too_large", 1.0).await;

    // An audio chunk of 0.1 s is over 2 KiB; one report a second at most, so a second
    // later the next one is reported too.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let chunk = AudioChunk::from_samples(6, 0, &[0; 1600]);
    let out = kitchen.topics.encode_audio_chunk(&kitchen.id, &chunk);
    kitchen
        .client
        .publish(&out.topic, out.payload, QoS::AtMostOnce, false)
        .await
        .unwrap();
    let report = next_error(&mut kitchen).await;
    assert_eq!(report.code, "payload_too_large");
    assert!(report.message.contains("audio_chunk"), "{report:?}");
    errors_counted(&metrics, "payload_too_large", 2.0).await;

    // Within the limit, the same question is answered.
    let answered = ask(&mut kitchen, 7).await;
    assert!(answered.errors.is_empty(), "{answered:?}");
    assert!(!answered.text().is_empty());
    bridge.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn turns_over_the_rate_of_a_satellite_are_refused_and_others_still_answered() {
    hive_tests::init_logs();
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let (bridge, metrics) = bridge(&broker, data.path(), "[limits]\nturns_per_minute = 2\n");
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    let mut hall = ScriptedSatellite::connect(&broker, "hall").await.unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();

    for session in [1, 2] {
        let answered = ask(&mut kitchen, session).await;
        assert!(answered.errors.is_empty(), "{answered:?}");
    }
    kitchen.type_text(3, "What time is it?").await.unwrap();
    let report = next_error(&mut kitchen).await;
    assert_eq!(
        (report.session, report.code.as_str(), report.recoverable),
        (Some(3), "rate_limited", true)
    );
    errors_counted(&metrics, "rate_limited", 1.0).await;

    // The budget is per satellite.
    let answered = ask(&mut hall, 4).await;
    assert!(answered.errors.is_empty(), "{answered:?}");
    bridge.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_over_the_concurrent_limit_is_refused_until_one_ends() {
    hive_tests::init_logs();
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let (bridge, metrics) = bridge(
        &broker,
        data.path(),
        "[session]\naudio_idle_timeout_s = 3.0\n[limits]\nmax_sessions = 1\n",
    );
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    let mut hall = ScriptedSatellite::connect(&broker, "hall").await.unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();

    // The kitchen opens a session and streams a little silence: its turn is listening.
    kitchen.speak(10, &silence(0.2)).await.unwrap();
    // The hall's spoken question is refused while the kitchen's session lasts. (The
    // kitchen's wake was acknowledged by the broker before the hall's was sent, so the
    // bridge routes it first.)
    let question = [
        synthesize("what time is it", "en-us").unwrap(),
        silence(1.0),
    ]
    .concat();
    hall.speak(20, &question).await.unwrap();
    let report = next_error(&mut hall).await;
    assert_eq!(
        (report.session, report.code.as_str()),
        (Some(20), "too_many_sessions"),
        "{report:?}"
    );
    errors_counted(&metrics, "too_many_sessions", 1.0).await;

    // The kitchen's stream stalls: its turn ends with an error, which frees the session.
    let ended = next_error(&mut kitchen).await;
    assert_eq!(ended.session, Some(10), "{ended:?}");
    // The turn's task ends just after its last message leaves; a refusal in that instant
    // is retried, as a satellite would.
    let mut answered = None;
    for session in 30..40 {
        hall.type_text(session, "What time is it?").await.unwrap();
        let refused = next_error_or_reply(&mut hall, session).await;
        match refused {
            Ok(reply) => {
                answered = Some(reply);
                break;
            }
            Err(report) => assert_eq!(report.code, "too_many_sessions"),
        }
    }
    let answered = answered.expect("the hall was never answered after the kitchen's turn");
    assert!(!answered.is_empty());
    bridge.stop().await.unwrap();
}

/// The reply text of `session`, or the error report that refused it.
async fn next_error_or_reply(
    satellite: &mut ScriptedSatellite,
    session: u32,
) -> Result<String, ErrorReport> {
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut text = String::new();
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let message = satellite
            .client
            .recv_timeout(left)
            .await
            .expect("neither a reply nor an error");
        match satellite.topics.parse(&message.topic, &message.payload) {
            Ok(Inbound::Error { error, .. }) if error.session == Some(session) => {
                return Err(error);
            }
            Ok(Inbound::Reply { reply, .. }) if reply.session == session => {
                text.push_str(&reply.text);
                if reply.is_final {
                    return Ok(text);
                }
            }
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audio_over_the_turn_limit_is_cut_with_end_of_speech_and_answered() {
    hive_tests::init_logs();
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let (bridge, metrics) = bridge(&broker, data.path(), "[session]\nmax_audio_s = 2.0\n");
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();

    // About six seconds of speech without a pause the endpointer would take as the end.
    let long = synthesize(
        "what time is it now in the kitchen and in the living room and in the garden and \
         in the garage and in the attic and in the cellar please",
        "en-us",
    )
    .unwrap();
    assert!(long.len() > 4 * 16_000, "{} samples", long.len());
    kitchen.speak(40, &long).await.unwrap();

    // The bridge tells the satellite to stop streaming, then ends the turn: a reply to
    // what fitted in two seconds, or a report; never silence.
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut told_to_stop = false;
    let outcome = loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let message = kitchen
            .client
            .recv_timeout(left)
            .await
            .expect("the long turn never ended");
        match kitchen.topics.parse(&message.topic, &message.payload) {
            Ok(Inbound::Control {
                control: Control::EndOfSpeech { session: 40 },
                ..
            }) => told_to_stop = true,
            Ok(Inbound::Reply { reply, .. }) if reply.session == 40 && reply.is_final => {
                break format!("reply {:?}", reply.text);
            }
            Ok(Inbound::Error { error, .. }) if error.session == Some(40) => {
                break format!("error {}", error.code);
            }
            _ => {}
        }
    };
    assert!(told_to_stop, "no end_of_speech before {outcome}");
    errors_counted(&metrics, "audio_too_long", 1.0).await;
    // The bridge read no more than the limit (40 ms chunks) and ignored the rest.
    let text = reqwest::get(&metrics).await.unwrap().text().await.unwrap();
    let received: f64 = text
        .lines()
        .find_map(|line| line.strip_prefix("hive_audio_chunks_total{fate=\"received\"} "))
        .and_then(|value| value.trim().parse().ok())
        .unwrap();
    assert!(received <= 51.0, "{received} chunks read for a 2 s limit");
    bridge.stop().await.unwrap();
}
