//! The status page in a real headless Chromium (Debian's `chromium`), driven through the
//! DevTools protocol: it shows a satellite the test made, and a question typed in its box
//! gets its answer on the page.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use hive_tests::cli::free_port;
use hive_tests::{Broker, QoS, RunningBridge, ScriptedSatellite};
use hive_topics::{Availability, EyeColour, Mode};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(120);

const ENGLISH: &str =
    "[stt]\ntype = \"whisper\"\nmodel = \"whisper/ggml-tiny.en.bin\"\nlanguage = \"en\"\n";

/// Headless Chromium, killed on drop.
struct Chromium {
    child: Child,
    /// The DevTools HTTP endpoint, `http://127.0.0.1:PORT`.
    devtools: String,
    _profile: tempfile::TempDir,
}

impl Chromium {
    fn open(url: &str) -> Chromium {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chromium (apt-get install chromium)");
        // Chromium prints the DevTools address it picked on standard error.
        let stderr = child.stderr.take().unwrap();
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("DevTools listening on ws://") {
                    let host = rest.split('/').next().unwrap_or_default().to_string();
                    let _ = sender.send(host);
                }
            }
        });
        let host = receiver
            .recv_timeout(Duration::from_secs(60))
            .expect("chromium prints its DevTools address");
        Chromium {
            child,
            devtools: format!("http://{host}"),
            _profile: profile,
        }
    }

    /// The page's DevTools WebSocket.
    async fn page(&self) -> Page {
        let targets: Value = reqwest::get(format!("{}/json/list", self.devtools))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let url = targets
            .as_array()
            .unwrap()
            .iter()
            .find(|target| target["type"] == "page")
            .and_then(|target| target["webSocketDebuggerUrl"].as_str())
            .expect("a page target")
            .to_string();
        let (socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        Page { socket, next: 0 }
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One page, spoken to in DevTools protocol commands.
struct Page {
    socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    next: u64,
}

impl Page {
    async fn call(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let command = json!({"id": id, "method": method, "params": params});
        self.socket
            .send(Message::text(command.to_string()))
            .await
            .unwrap();
        while let Some(message) = self.socket.next().await {
            let Ok(Message::Text(text)) = message else {
                continue;
            };
            let answer: Value = serde_json::from_str(&text).unwrap();
            if answer["id"] == id {
                assert!(answer.get("error").is_none(), "{method}: {answer}");
                return answer["result"].clone();
            }
        }
        panic!("DevTools closed during {method}");
    }

    /// Evaluates `expression` in the page and returns its value.
    async fn eval(&mut self, expression: &str) -> Value {
        let result = self
            .call(
                "Runtime.evaluate",
                json!({"expression": expression, "returnByValue": true}),
            )
            .await;
        result["result"]["value"].clone()
    }

    /// Polls `expression` until it gives a non-empty string, and returns it.
    async fn wait_for(&mut self, what: &str, expression: &str) -> String {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            if let Value::String(text) = self.eval(expression).await
                && !text.is_empty()
            {
                return text;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the page never showed {what}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

fn current_times() -> Vec<String> {
    let now = chrono::Utc::now();
    [now - chrono::Duration::minutes(1), now]
        .iter()
        .map(|time| time.format("%-I:%M").to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_shows_a_satellite_and_answers_a_typed_question() {
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let port = free_port().unwrap();
    let extra = format!("{ENGLISH}[http]\nlisten = \"127.0.0.1:{port}\"\n");
    let bridge = RunningBridge::start(&broker, data.path(), &extra).unwrap();
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();
    // The satellite announces itself as hive-satellite does: online, idle, blue eyes.
    for message in [
        kitchen
            .topics
            .encode_satellite_status(&kitchen.id, Availability::Online),
        kitchen.topics.encode_mode(&kitchen.id, Mode::Listening),
        kitchen.topics.encode_eyes(&kitchen.id, EyeColour::Blue),
    ] {
        kitchen
            .client
            .publish(&message.topic, message.payload, QoS::AtLeastOnce, true)
            .await
            .unwrap();
    }

    let chromium = Chromium::open(&format!("http://127.0.0.1:{port}/"));
    let mut page = chromium.page().await;
    let shown = page
        .wait_for(
            "the kitchen satellite with blue eyes",
            r#"(() => { const s = document.querySelector('[data-satellite="kitchen"]');
                 return s && s.textContent.includes('eyes blue') ? s.textContent : ''; })()"#,
        )
        .await;
    assert!(shown.contains("online"), "{shown}");
    assert!(shown.contains("listening"), "{shown}");
    let colour = page
        .eval(r#"getComputedStyle(document.querySelector('[data-satellite="kitchen"] .eyes')).backgroundColor"#)
        .await;
    assert_eq!(colour, "rgb(0, 80, 255)");

    // Type the question as a person would: focus the box, type, press the button.
    page.eval("document.getElementById('question').focus()")
        .await;
    page.call("Input.insertText", json!({"text": "what time is it"}))
        .await;
    page.eval("document.getElementById('send').click()").await;
    let answer = page
        .wait_for(
            "an answer",
            r#"(() => { const t = document.getElementById('answer').textContent;
                 return t === '…' ? '' : t; })()"#,
        )
        .await;
    assert!(
        current_times().iter().any(|time| answer.contains(time)),
        "the page answered {answer:?}, not the time {:?}",
        current_times()
    );
    // The turn is listed with its question and reply.
    let turn = page
        .wait_for(
            "the turn in the list",
            "document.querySelector('#turns .turn') ? document.querySelector('#turns .turn').textContent : ''",
        )
        .await;
    assert!(turn.contains("what time is it"), "{turn}");
    let reply = page
        .eval("document.querySelector('#turns .turn .reply').textContent")
        .await;
    assert_eq!(
        reply.as_str(),
        Some(answer.as_str()),
        "the turn lists {turn:?}"
    );

    // A timing bar with one segment per stage the bridge measured, each named; the same
    // numbers /api/status gives.
    let status: Value = reqwest::get(format!("http://127.0.0.1:{port}/api/status"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let timings = &status["turns"][0]["timings"];
    let measured: Vec<(&str, u64)> = [
        ("endpoint_ms", "listening"),
        ("stt_ms", "speech-to-text"),
        ("first_token_ms", "first LLM token"),
        ("first_sentence_ms", "first sentence"),
        ("first_audio_ms", "first audio"),
        ("total_ms", "whole turn"),
    ]
    .into_iter()
    .filter_map(|(key, label)| timings[key].as_u64().map(|ms| (label, ms)))
    .collect();
    assert!(measured.len() >= 2, "too few stages timed: {timings}");
    let segments = page
        .eval("[...document.querySelectorAll('#turns .turn:first-child .bar span')].map(s => s.title)")
        .await;
    let segments: Vec<&str> = segments
        .as_array()
        .unwrap()
        .iter()
        .map(|title| title.as_str().unwrap())
        .collect();
    let expected: Vec<String> = measured
        .iter()
        .map(|(label, ms)| format!("{label}: {ms} ms"))
        .collect();
    assert_eq!(segments, expected, "the bar's segments");

    // The engines the bridge loaded, each with its health.
    let engines = page
        .eval("[...document.querySelectorAll('#engines .engine')].map(e => e.textContent)")
        .await;
    let engines: Vec<&str> = engines
        .as_array()
        .unwrap()
        .iter()
        .map(|engine| engine.as_str().unwrap())
        .collect();
    for kind in ["stt: whisper", "vad: silero", "tts: piper"] {
        assert!(
            engines.iter().any(|engine| engine.starts_with(kind)
                && engine.ends_with("healthy")
                && !engine.ends_with("unhealthy")),
            "no healthy {kind} in {engines:?}"
        );
    }

    // A satellite that comes online while the page is open appears without a reload.
    let mut garage = ScriptedSatellite::connect(&broker, "garage").await.unwrap();
    for message in [
        garage
            .topics
            .encode_satellite_status(&garage.id, Availability::Online),
        garage.topics.encode_eyes(&garage.id, EyeColour::White),
    ] {
        garage
            .client
            .publish(&message.topic, message.payload, QoS::AtLeastOnce, true)
            .await
            .unwrap();
    }
    let shown = page
        .wait_for(
            "the garage satellite, live",
            r#"(() => { const s = document.querySelector('[data-satellite="garage"]');
                 return s && s.textContent.includes('eyes white') ? s.textContent : ''; })()"#,
        )
        .await;
    assert!(shown.contains("online"), "{shown}");
    drop(chromium);

    // What a script sends wrong to the same endpoint is refused with what to send instead.
    let client = reqwest::Client::new();
    for (body, says) in [
        ("what time is it", "expected JSON like"),
        (r#"{"text": "   "}"#, "1 to 4096 bytes"),
        (
            r#"{"text": "hi", "satellite": "Kitchen/#"}"#,
            "not a satellite id",
        ),
    ] {
        let response = client
            .post(format!("http://127.0.0.1:{port}/api/ask"))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{body}");
        let refusal: Value = response.json().await.unwrap();
        assert!(
            refusal["error"].as_str().unwrap().contains(says),
            "{body}: {refusal}"
        );
    }
    bridge.stop().await.unwrap();
}
