//! Engines that fail, over a real Mosquitto with real models: the bridge starts without a
//! missing or corrupt speech model, tells the speaker and `/health` why, and picks the model
//! up once it is there — without a restart. A corrupt Piper voice falls back to espeak-ng; with
//! no voice at all the bridge answers in text until one is installed; a remote language model
//! that never answers gives way to the next one, or to an apology, and rests.

use std::time::Duration;

use hive_bridge::models::ModelsDir;
use hive_tests::cli::free_port;
use hive_tests::speech::{silence, synthesize};
use hive_tests::{Broker, QoS, RunningBridge, ScriptedSatellite, TestClient};
use hive_topics::ErrorReport;

const WAIT: Duration = Duration::from_secs(120);

fn models() -> ModelsDir {
    hive_tests::require_models(&[
        "whisper/ggml-tiny.en.bin",
        "tts/en_US-joe-medium.onnx",
        "tts/en_US-joe-medium.onnx.json",
        "vad/silero_vad.onnx",
    ])
}

/// The clock's current answer, allowing for the minute turning during the test.
fn says_the_time(text: &str) -> bool {
    let now = chrono::Utc::now();
    [now - chrono::Duration::minutes(1), now]
        .iter()
        .any(|time| text.contains(&time.format("%-I:%M").to_string()))
}

/// `len` bytes of noise (xorshift, fixed seed): a model file that was overwritten or damaged.
fn noise(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// Polls `url` until `done` holds for its (status, body), or panics after `WAIT`.
async fn until(url: &str, what: &str, done: impl Fn(u16, &serde_json::Value) -> bool) -> String {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Ok(response) = reqwest::get(url).await {
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            let json = serde_json::from_str(&body).unwrap_or(serde_json::Value::Null);
            if done(status, &json) {
                return body;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{url} never showed {what}: {status} {body}"
            );
        } else {
            assert!(
                tokio::time::Instant::now() < deadline,
                "{url} never answered"
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The `/health` entry of engine `kind`.
fn engine<'a>(health: &'a serde_json::Value, kind: &str) -> &'a serde_json::Value {
    health["engines"]
        .as_array()
        .and_then(|engines| engines.iter().find(|engine| engine["kind"] == kind))
        .unwrap_or(&serde_json::Value::Null)
}

/// The value of the sample `name` (with its labels, exactly as written), if present.
fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|value| value.trim().parse().ok())
}

fn what_time_is_it() -> Vec<i16> {
    [
        silence(0.5),
        synthesize("what time is it", "en-us").unwrap(),
        silence(1.5),
    ]
    .concat()
}

/// The whole story of a speech model that is not usable at start-up: `corrupt` puts noise
/// where the model should be, otherwise the file is missing.
async fn speech_comes_back_once_the_model_is_there(corrupt: bool) {
    hive_tests::init_logs();
    let real_model = models().path("whisper/ggml-tiny.en.bin");
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let model_dir = tempfile::tempdir().unwrap();
    let model = model_dir.path().join("ggml-tiny.en.bin");
    if corrupt {
        let bytes = noise(1 << 20);
        assert_ne!(&bytes[..4], b"lmgg", "the noise must not look like a model");
        std::fs::write(&model, bytes).unwrap();
    }
    let mut home_assistant = TestClient::connect(&broker, "home-assistant", None)
        .await
        .unwrap();
    home_assistant
        .subscribe("homeassistant/device/hive_bridge/config", QoS::AtLeastOnce)
        .await
        .unwrap();
    let port = free_port().unwrap();
    let extra = format!(
        "[stt]\ntype = \"whisper\"\nmodel = \"{}\"\nlanguage = \"en\"\n[http]\nlisten = \"127.0.0.1:{port}\"\n",
        model.display()
    );
    let bridge = RunningBridge::start(&broker, data.path(), &extra).unwrap();
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();

    // It starts: online, announced to Home Assistant, answering typed questions.
    kitchen.wait_bridge_online(WAIT).await.unwrap();
    let discovery = home_assistant
        .expect("homeassistant/device/hive_bridge/config", WAIT)
        .await
        .unwrap();
    assert!(!discovery.payload.is_empty());
    kitchen.type_text(1, "What time is it?").await.unwrap();
    let typed = kitchen.reply(1, WAIT).await.unwrap();
    assert!(says_the_time(&typed.text()), "{typed:?}");

    // /health says which engine and why, with the path.
    let health_url = format!("http://127.0.0.1:{port}/health");
    let body = until(&health_url, "speech-to-text unhealthy", |_, health| {
        engine(health, "stt")["healthy"] == false
    })
    .await;
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    let stt = engine(&health, "stt");
    let detail = stt["detail"].as_str().unwrap();
    assert!(detail.contains(&model.display().to_string()), "{health}");
    let why = if corrupt { "not a whisper" } else { "missing" };
    assert!(detail.contains(why), "{health}");
    // Voice turns cannot be answered: down for a load balancer, but the rest works.
    assert_eq!(health["status"], "down", "{health}");
    assert_eq!(engine(&health, "vad")["healthy"], true, "{health}");

    // A spoken question gets told why, in words and in speech, then the error report.
    kitchen.speak(2, &what_time_is_it()).await.unwrap();
    let spoken = kitchen.reply(2, WAIT).await.unwrap();
    let told = if corrupt {
        "I can't understand speech right now: the speech model could not be loaded."
    } else {
        "I can't understand speech right now: the speech model is missing."
    };
    assert!(spoken.text().starts_with(told), "{spoken:?}");
    assert!(spoken.text().contains("type your question"), "{spoken:?}");
    assert!(!spoken.audio.is_empty(), "the reply is spoken too");
    let error_topic = "hive/satellite/kitchen/error";
    let messages = kitchen
        .client
        .collect_until(error_topic, WAIT)
        .await
        .unwrap();
    let report: ErrorReport = serde_json::from_slice(&messages.last().unwrap().payload).unwrap();
    assert_eq!(report.session, Some(2));
    assert_eq!(report.code, "stt_unavailable");
    assert!(report.recoverable);
    let (_, metrics) = {
        let response = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    };
    assert_eq!(
        sample(&metrics, "hive_errors_total{code=\"stt_unavailable\"}"),
        Some(1.0),
        "{metrics}"
    );
    let stt_load = "hive_model_load_seconds{engine=\"stt\"}";
    assert_eq!(
        sample(&metrics, stt_load),
        None,
        "not loaded yet: {metrics}"
    );

    // The model arrives (copied aside, then moved in, as an installer does): the bridge
    // loads it on its own and turns healthy.
    let incoming = model_dir.path().join("incoming.part");
    std::fs::copy(&real_model, &incoming).unwrap();
    std::fs::rename(&incoming, &model).unwrap();
    let body = until(&health_url, "speech-to-text healthy", |status, health| {
        status == 200 && engine(health, "stt")["healthy"] == true
    })
    .await;
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(health["status"], "ok", "{health}");
    // The late load is measured like one at start-up (a real model takes a moment).
    let metrics = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let loaded = sample(&metrics, stt_load);
    assert!(loaded.is_some_and(|seconds| seconds > 0.0), "{metrics}");

    // And a spoken question is understood and answered.
    kitchen.speak(3, &what_time_is_it()).await.unwrap();
    let answered = kitchen.reply(3, WAIT).await.unwrap();
    assert!(answered.errors.is_empty(), "{answered:?}");
    assert!(says_the_time(&answered.text()), "{answered:?}");
    assert!(!answered.audio.is_empty());
    bridge.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_speech_model_is_reported_then_loaded_without_a_restart() {
    speech_comes_back_once_the_model_is_there(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_speech_model_is_reported_then_replaced_without_a_restart() {
    speech_comes_back_once_the_model_is_there(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_piper_voice_falls_back_to_espeak_and_shows_on_health() {
    hive_tests::init_logs();
    let real_voice = models().path("tts/en_US-joe-medium.onnx");
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let voices = tempfile::tempdir().unwrap();
    // The voice's configuration is intact; the network itself is noise.
    let voice = voices.path().join("en_US-joe-medium.onnx");
    std::fs::write(&voice, noise(1 << 20)).unwrap();
    std::fs::copy(
        real_voice.with_extension("onnx.json"),
        voices.path().join("en_US-joe-medium.onnx.json"),
    )
    .unwrap();
    let port = free_port().unwrap();
    let extra = format!(
        "[stt]\ntype = \"whisper\"\nmodel = \"whisper/ggml-tiny.en.bin\"\nlanguage = \"en\"\n\
         [[tts]]\ntype = \"piper\"\nmodel = \"{}\"\n[[tts]]\ntype = \"espeak\"\n\
         [http]\nlisten = \"127.0.0.1:{port}\"\n",
        voice.display()
    );
    let bridge = RunningBridge::start(&broker, data.path(), &extra).unwrap();
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();

    // The answer is still spoken, by the next engine, and nothing is reported as failed.
    kitchen.type_text(1, "What time is it?").await.unwrap();
    let reply = kitchen.reply(1, WAIT).await.unwrap();
    assert!(says_the_time(&reply.text()), "{reply:?}");
    assert!(!reply.audio.is_empty(), "spoken by espeak-ng");
    assert!(reply.errors.is_empty(), "{reply:?}");

    // /health names the broken voice, and still answers 200: speech works.
    let health_url = format!("http://127.0.0.1:{port}/health");
    let body = until(&health_url, "the broken voice", |status, health| {
        status == 200 && health["status"] == "degraded"
    })
    .await;
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    let tts: Vec<&serde_json::Value> = health["engines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|engine| engine["kind"] == "tts")
        .collect();
    let piper = tts.iter().find(|engine| engine["name"] == "piper");
    let piper = piper.unwrap_or_else(|| panic!("piper missing: {health}"));
    assert_eq!(piper["healthy"], false, "{health}");
    assert!(
        piper["detail"].as_str().unwrap().contains("not loaded"),
        "{health}"
    );
    assert!(
        tts.iter()
            .any(|engine| engine["healthy"] == true && engine["name"] != "piper"),
        "espeak-ng healthy: {health}"
    );
    bridge.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_voice_the_bridge_answers_in_text_then_speaks_once_the_voice_is_installed() {
    hive_tests::init_logs();
    let real_voice = models().path("tts/en_US-joe-medium.onnx");
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let voices = tempfile::tempdir().unwrap();
    // The only engine configured is a Piper voice that is not installed yet.
    let voice = voices.path().join("en_US-joe-medium.onnx");
    let port = free_port().unwrap();
    let extra = format!(
        "[stt]\ntype = \"whisper\"\nmodel = \"whisper/ggml-tiny.en.bin\"\nlanguage = \"en\"\n\
         [[tts]]\ntype = \"piper\"\nmodel = \"{}\"\n[http]\nlisten = \"127.0.0.1:{port}\"\n",
        voice.display()
    );
    let bridge = RunningBridge::start(&broker, data.path(), &extra).unwrap();
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    // It starts anyway.
    kitchen.wait_bridge_online(WAIT).await.unwrap();

    // /health: speech is down, and says which voice is missing.
    let health_url = format!("http://127.0.0.1:{port}/health");
    let body = until(&health_url, "text-to-speech down", |status, health| {
        status == 503 && engine(health, "tts")["healthy"] == false
    })
    .await;
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    let piper = engine(&health, "tts");
    assert_eq!(piper["name"], "piper", "{health}");
    let detail = piper["detail"].as_str().unwrap();
    assert!(detail.contains("not loaded"), "{health}");
    assert!(
        detail.contains(&voice.display().to_string()),
        "names the voice: {health}"
    );
    assert_eq!(engine(&health, "stt")["healthy"], true, "{health}");

    // A question is answered in text, with an error telling the satellite speech is down.
    kitchen.type_text(1, "What time is it?").await.unwrap();
    let reply = kitchen.reply(1, WAIT).await.unwrap();
    assert!(says_the_time(&reply.text()), "{reply:?}");
    assert!(reply.audio.is_empty(), "no voice to speak with: {reply:?}");
    let report = reply
        .errors
        .iter()
        .find(|error| error.code == "tts_failed")
        .unwrap_or_else(|| panic!("no error told the user: {reply:?}"));
    assert!(report.message.contains("as text"), "{report:?}");
    assert!(report.recoverable);

    // The voice is installed (its configuration, then the network moved into place as an
    // installer does): the bridge picks it up on its own.
    std::fs::copy(
        real_voice.with_extension("onnx.json"),
        voices.path().join("en_US-joe-medium.onnx.json"),
    )
    .unwrap();
    let incoming = voices.path().join("incoming.part");
    std::fs::copy(&real_voice, &incoming).unwrap();
    std::fs::rename(&incoming, &voice).unwrap();
    let body = until(&health_url, "text-to-speech healthy", |status, health| {
        status == 200 && engine(health, "tts")["healthy"] == true
    })
    .await;
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(health["status"], "ok", "{health}");

    // And the next answer is spoken, without a restart.
    kitchen.type_text(2, "What time is it?").await.unwrap();
    let spoken = kitchen.reply(2, WAIT).await.unwrap();
    assert!(says_the_time(&spoken.text()), "{spoken:?}");
    assert!(!spoken.audio.is_empty(), "spoken by the new voice");
    assert!(spoken.errors.is_empty(), "{spoken:?}");
    bridge.stop().await.unwrap();
}

/// `/health` on `port` once it shows a language model unhealthy: the whole document, and
/// its language models in chain order.
async fn until_an_llm_fails(port: u16) -> (serde_json::Value, Vec<serde_json::Value>) {
    let url = format!("http://127.0.0.1:{port}/health");
    let body = until(&url, "a language model unhealthy", |_, health| {
        health["engines"].as_array().is_some_and(|engines| {
            engines
                .iter()
                .any(|engine| engine["kind"] == "llm" && engine["healthy"] == false)
        })
    })
    .await;
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    let llms = health["engines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|engine| engine["kind"] == "llm")
        .cloned()
        .collect();
    (health, llms)
}

/// A model server that accepts connections and never answers: the fault a hung remote
/// server produces, which no real server here can be made to do on demand. Returns its
/// address and how many connections it took.
async fn silent_server() -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    stand_in(|socket, count| async move {
        count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let _held = socket;
        std::future::pending::<()>().await;
    })
    .await
}

/// A stand-in model server on a free loopback port: `serve` runs for each connection, with
/// the counter it bumps. Returns the address and the counter; ends with the test's runtime.
async fn stand_in<F, Serve>(
    serve: F,
) -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
)
where
    F: Fn(tokio::net::TcpStream, std::sync::Arc<std::sync::atomic::AtomicUsize>) -> Serve
        + Send
        + 'static,
    Serve: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = count.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(serve(socket, counter.clone()));
        }
    });
    (address, count)
}

/// A remote model at `address` given two seconds to answer, then passed over for
/// `retry_after_ms` (so that a test's later turns all fall within that rest).
fn silent_llm(address: std::net::SocketAddr, retry_after_ms: u64) -> String {
    format!(
        "[[llm]]\ntype = \"openai\"\nurl = \"http://{address}/v1\"\nmodel = \"hung\"\n\
         first_byte_timeout_ms = 2000\nretry_after_ms = {retry_after_ms}\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remote_model_that_never_answers_gets_an_apology_not_silence() {
    hive_tests::init_logs();
    let (address, accepted) = silent_server().await;
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let extra = format!(
        "[stt]\ntype = \"whisper\"\nmodel = \"whisper/ggml-tiny.en.bin\"\nlanguage = \"en\"\n{}",
        silent_llm(address, 5_000)
    );
    let bridge = RunningBridge::start(&broker, data.path(), &extra).unwrap();
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();
    kitchen
        .type_text(1, "What is the capital of France?")
        .await
        .unwrap();
    let reply = kitchen.reply(1, WAIT).await.unwrap();
    assert_eq!(reply.text(), "Sorry, I can't answer that right now.");
    assert!(!reply.audio.is_empty(), "the apology is spoken");
    assert!(
        accepted.load(std::sync::atomic::Ordering::SeqCst) >= 1,
        "the request reached the silent server and timed out there"
    );
    bridge.stop().await.unwrap();
}

/// The whole chain story: a hung remote first in the chain, the local model second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_remote_model_gives_way_to_the_next_and_is_passed_over_while_it_rests() {
    hive_tests::init_logs();
    let local = models().path("llm/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf");
    assert!(local.is_file(), "{} is missing", local.display());
    let (address, accepted) = silent_server().await;
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let port = free_port().unwrap();
    let extra = format!(
        "{}[[llm]]\ntype = \"local\"\nmodel = \"llm/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf\"\nmax_tokens = 80\ncontext = 4096\n\
         [http]\nlisten = \"127.0.0.1:{port}\"\n",
        silent_llm(address, 600_000)
    );
    let bridge = RunningBridge::start(&broker, data.path(), &extra).unwrap();
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();
    // The local server may still be loading: ask until it answers rather than apologises.
    let mut answer = None;
    for session in 1..=20 {
        kitchen
            .type_text(
                session,
                "What is the capital of France? Answer in one word.",
            )
            .await
            .unwrap();
        let reply = kitchen
            .reply(session, Duration::from_secs(180))
            .await
            .unwrap();
        if reply.text() != "Sorry, I can't answer that right now." {
            answer = Some(reply);
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let answer = answer.expect("the local model never answered");
    assert!(answer.text().contains("Paris"), "{answer:?}");
    let asked = |accepted: &std::sync::atomic::AtomicUsize| {
        accepted.load(std::sync::atomic::Ordering::SeqCst)
    };
    assert_eq!(
        asked(&accepted),
        1,
        "the hung server was asked once, then rested"
    );

    // The next turns go straight to the local model: the hung server is not asked again, so
    // no turn waits out its timeout.
    for (session, (question, expected)) in [
        ("What is the capital of Italy? Answer in one word.", "Rome"),
        (
            "What is the capital of Spain? Answer in one word.",
            "Madrid",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let session = 100 + session as u32;
        kitchen.type_text(session, question).await.unwrap();
        let reply = kitchen.reply(session, WAIT).await.unwrap();
        assert!(reply.text().contains(expected), "{reply:?}");
        assert_eq!(asked(&accepted), 1, "the resting server was asked again");
    }

    // /health shows the remote unhealthy, why, and when it is tried again; the local model
    // that answered is healthy.
    let (health, llms) = until_an_llm_fails(port).await;
    let llms: Vec<&serde_json::Value> = llms.iter().collect();
    assert_eq!(llms.len(), 2, "{health}");
    let remote = llms[0];
    assert!(
        remote["name"]
            .as_str()
            .unwrap()
            .contains(&address.to_string()),
        "{health}"
    );
    assert_eq!(remote["healthy"], false, "{health}");
    let detail = remote["detail"].as_str().unwrap();
    assert!(detail.contains("no answer within 2s"), "{health}");
    assert!(detail.contains("retrying in"), "{health}");
    assert!(
        remote["last_error"]
            .as_str()
            .unwrap()
            .contains("no answer within 2s"),
        "{health}"
    );
    assert_eq!(llms[1]["healthy"], true, "{health}");
    assert!(
        llms[1]["name"].as_str().unwrap().starts_with("hive-llm"),
        "{health}"
    );
    // A remote model is a fallback, not a requirement: the bridge still serves.
    assert_ne!(health["status"], "down", "{health}");
    // The local model's load, in its own process after start-up, is measured.
    let metrics = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let loaded = sample(&metrics, "hive_model_load_seconds{engine=\"llm\"}");
    assert!(loaded.is_some_and(|seconds| seconds > 0.0), "{metrics}");
    bridge.stop().await.unwrap();
}

/// How a [`cutting_server`] fails after its first sentence.
#[derive(Clone, Copy)]
enum Cut {
    /// The `{"error": …}` object OpenAI's API sends in place of the next chunk.
    ErrorObject,
    /// Nothing more, the connection held open: a server that hung mid-answer.
    Stall,
}

/// A model server that begins every answer and then fails in the middle of it (`cut`): a
/// fault no real server here produces on demand. Returns its address and how many requests
/// it took.
async fn cutting_server(
    cut: Cut,
) -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    stand_in(move |mut socket, count| async move {
                // The whole request first (headers, then Content-Length bytes of body): an
                // answer sent over an unread body is reset by the kernel, a different fault.
                let mut request = Vec::new();
                let mut buffer = [0u8; 8192];
                loop {
                    let Ok(read) = socket.read(&mut buffer).await else {
                        return;
                    };
                    if read == 0 {
                        return;
                    }
                    request.extend_from_slice(&buffer[..read]);
                    let text = String::from_utf8_lossy(&request);
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .lines()
                            .find_map(|line| {
                                let (name, value) = line.split_once(':')?;
                                name.eq_ignore_ascii_case("content-length")
                                    .then(|| value.trim().parse::<usize>().ok())?
                            })
                            .unwrap_or(0);
                        if request.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let begun = concat!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n",
                    "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Paris is the capital\"}}]}\n\n",
                    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" of France. It has\"}}]}\n\n",
                );
                let _ = socket.write_all(begun.as_bytes()).await;
                match cut {
                    Cut::ErrorObject => {
                        let error = "data: {\"error\":{\"message\":\"The server had an error while processing your request.\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n";
                        let _ = socket.write_all(error.as_bytes()).await;
                        let _ = socket.shutdown().await;
                    }
                    // Held until the client gives up and closes.
                    Cut::Stall => {
                        while socket.read(&mut buffer).await.is_ok_and(|read| read > 0) {}
                    }
                }
    })
    .await
}

/// A bridge with `extra` whose first answer, to a question typed at `kitchen`, a
/// [`cutting_server`] cuts: the speaker hears the whole first sentence, then that it was cut.
async fn asked_and_cut(
    broker: &Broker,
    data: &std::path::Path,
    extra: &str,
) -> (RunningBridge, ScriptedSatellite) {
    let bridge = RunningBridge::start(broker, data, extra).unwrap();
    let mut kitchen = ScriptedSatellite::connect(broker, "kitchen").await.unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();
    kitchen
        .type_text(1, "What is the capital of France?")
        .await
        .unwrap();
    let cut = kitchen.reply(1, WAIT).await.unwrap();
    assert_eq!(
        cut.chunks,
        ["Paris is the capital of France.", "Sorry, I was cut off."],
        "{cut:?}"
    );
    assert!(!cut.audio.is_empty(), "the cut answer is spoken");
    (bridge, kitchen)
}

/// A remote model that fails mid-answer: the speaker hears the whole sentences that came (not
/// the half one) and that the answer was cut,
/// `/health` shows the server's own words, and the next turn goes to the next model while
/// the failed one rests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remote_model_failing_mid_answer_is_heard_as_cut_and_rests() {
    hive_tests::init_logs();
    let local = models().path("llm/SmolLM2-135M-Instruct.Q4_1.gguf");
    assert!(local.is_file(), "{} is missing", local.display());
    let (address, requests) = cutting_server(Cut::ErrorObject).await;
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let port = free_port().unwrap();
    let extra = format!(
        "[[llm]]\ntype = \"openai\"\nurl = \"http://{address}/v1\"\nmodel = \"cut\"\nretry_after_ms = 600000\n\
         [[llm]]\ntype = \"local\"\nmodel = \"llm/SmolLM2-135M-Instruct.Q4_1.gguf\"\nmax_tokens = 40\ncontext = 2048\n\
         [http]\nlisten = \"127.0.0.1:{port}\"\n"
    );
    let (bridge, mut kitchen) = asked_and_cut(&broker, data.path(), &extra).await;
    let asked = || requests.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(asked(), 1);

    // /health names the server's error; the local model has not failed.
    let (health, llms) = until_an_llm_fails(port).await;
    assert_eq!(llms.len(), 2, "{health}");
    assert!(
        llms[0]["name"]
            .as_str()
            .unwrap()
            .contains(&address.to_string()),
        "{health}"
    );
    assert_eq!(llms[0]["healthy"], false, "{health}");
    assert!(
        llms[0]["last_error"]
            .as_str()
            .unwrap()
            .contains("The server had an error while processing your request."),
        "{health}"
    );
    assert_eq!(llms[1]["healthy"], true, "{health}");

    // The next turn is the local model's (once it has loaded); the resting server is not
    // asked again, so the answer is not cut the same way.
    let mut answer = None;
    for session in 2..=30 {
        kitchen
            .type_text(session, "What is the capital of France?")
            .await
            .unwrap();
        let reply = kitchen
            .reply(session, Duration::from_secs(180))
            .await
            .unwrap();
        assert_eq!(asked(), 1, "the resting server was asked again: {reply:?}");
        if reply.text() != "Sorry, I can't answer that right now." {
            answer = Some(reply);
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let answer = answer.expect("the local model never answered");
    assert!(!answer.text().contains("cut off"), "{answer:?}");
    assert!(!answer.audio.is_empty(), "{answer:?}");
    bridge.stop().await.unwrap();
}

/// A remote model that hangs after its first sentence: after `idle_timeout_ms` the speaker
/// hears that the answer was cut, and the hung server rests (with one engine, the next turn
/// gets the apology at once instead of waiting on it again).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remote_model_stalling_mid_answer_is_heard_as_cut_and_rests() {
    hive_tests::init_logs();
    models();
    let (address, requests) = cutting_server(Cut::Stall).await;
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let port = free_port().unwrap();
    let extra = format!(
        "[[llm]]\ntype = \"openai\"\nurl = \"http://{address}/v1\"\nmodel = \"stall\"\nidle_timeout_ms = 1500\nretry_after_ms = 600000\n\
         [http]\nlisten = \"127.0.0.1:{port}\"\n"
    );
    let (bridge, mut kitchen) = asked_and_cut(&broker, data.path(), &extra).await;
    let (health, llms) = until_an_llm_fails(port).await;
    assert!(
        llms[0]["last_error"].as_str().unwrap().contains("stalled"),
        "{health}"
    );

    kitchen
        .type_text(2, "What is the capital of France?")
        .await
        .unwrap();
    let resting = kitchen.reply(2, WAIT).await.unwrap();
    assert_eq!(resting.text(), "Sorry, I can't answer that right now.");
    assert_eq!(requests.load(std::sync::atomic::Ordering::SeqCst), 1);
    bridge.stop().await.unwrap();
}
