//! The bridge killed (SIGKILL) in the middle of a spoken turn, with a real `hive-bridge`
//! process, a real in-process `hive-satellite` and a real Mosquitto:
//!
//! - every satellite learns it from the bridge's last will (`bridge/status` `offline`,
//!   retained) and enters degraded mode within a bound; its eyes turn yellow;
//! - the interrupted turn is answered locally once the bridge's reply is overdue, never hangs;
//! - during the outage a spoken two-second timer rings on the satellite itself;
//! - the bridge restarted on the same sled store still has its conversation (a follow-up
//!   question only the earlier one answers) and its timer (how much time is left), the
//!   satellite's eyes are white again, and the timer the satellite rang alone is reported
//!   to the bridge, which publishes it on `timer/event`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use hive_satellite::playback::PlayKey;
use hive_satellite::state::DegradedReason;
use hive_satellite::{RunError, RunOptions, SatelliteEvent};
use hive_tests::speech::{silence, synthesize_at};
use hive_tests::stand_in::{Seen, StandIn};
use hive_tests::{Broker, Message, QoS, ScriptedSatellite, TestClient};
use hive_topics::{Inbound, TimerEvent, TimerEventKind, TimerInfo, Topics};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Generous: a debug bridge loading whisper, whisper on both sides, two loaded cores.
const WAIT: Duration = Duration::from_secs(180);
/// The bound on noticing the bridge is gone: the broker publishes the last will as soon as
/// the killed process's socket closes, and the satellite acts on it at once.
const DEGRADED_WITHIN: Duration = Duration::from_secs(15);

/// What the stand-in language model says to a statement.
const NOTED: &str = "I will remember that.";
/// What it says when the conversation holds the answer to the follow-up.
const RECALLED: &str = "Your favourite colour is teal.";
/// What it says when it does not.
const FORGOTTEN: &str = "I do not know your favourite colour.";
const STATEMENT: &str = "My favourite colour is teal.";
const FOLLOW_UP: &str = "What is my favourite colour?";

/// The models directory, as `hive-bridge models install` fills it.
fn models_dir() -> PathBuf {
    std::env::var("HIVE_MODELS_DIR")
        .ok()
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| "/root".into()))
                .join(".cache/hive/models")
        })
}

fn model(relative: &str) -> PathBuf {
    let path = models_dir().join(relative);
    assert!(
        path.is_file(),
        "{} is missing: run `cargo run -p hive-bridge -- models install --all` first",
        path.display()
    );
    path
}

/// A `hive-bridge run` process on `dir`'s config and sled store; killed on drop, so that
/// a failing test leaves no process behind. Its log is printed when the test fails.
struct BridgeProcess {
    child: Child,
    log: PathBuf,
}

impl BridgeProcess {
    /// Starts the bridge; `generation` names its log file.
    fn start(dir: &Path, broker: &Broker, llm: &str, generation: u32) -> Self {
        let config = dir.join("bridge.toml");
        let text = format!(
            "[mqtt]\nurl = \"{broker}\"\nclient_id = \"hive-bridge\"\n\
             [context]\npath = \"{data}\"\n\
             [stt]\ntype = \"whisper\"\nmodel = \"whisper/ggml-tiny.en.bin\"\nlanguage = \"en\"\n\
             [[tts]]\ntype = \"espeak\"\n\
             [[llm]]\ntype = \"openai\"\nurl = \"{llm}/v1\"\nmodel = \"stand-in\"\n\
             [http]\nenabled = false\n[discovery]\nenabled = false\n",
            broker = broker.url(),
            data = dir.join("context").display(),
        );
        std::fs::write(&config, text).unwrap();
        let log = dir.join(format!("bridge-{generation}.log"));
        let stderr = std::fs::File::create(&log).unwrap();
        let child = Command::new(hive_tests::cli::bridge_binary().unwrap())
            .arg("--config")
            .arg(&config)
            .arg("run")
            .env("RUST_LOG", "info,whisper_rs=warn")
            .env("HIVE_MODELS_DIR", models_dir())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap();
        BridgeProcess { child, log }
    }

    /// SIGKILL: no goodbye, only the broker noticing the socket close.
    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for BridgeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            eprintln!("--- {} ---\n{log}", self.log.display());
        }
    }
}

/// An OpenAI-compatible stand-in that answers from the conversation it is given: the
/// follow-up is answered only when an earlier user message in the prompt holds the fact.
fn stand_in_llm() -> StandIn {
    StandIn::start(|seen: &Seen| {
        let body: serde_json::Value = serde_json::from_str(&seen.body).unwrap_or_default();
        let users: Vec<String> = body["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|message| message["role"] == "user")
            .filter_map(|message| message["content"].as_str().map(str::to_owned))
            .collect();
        let answer = match users.split_last() {
            Some((last, earlier)) if last.contains("favourite colour?") => {
                if earlier.iter().any(|text| text.contains(STATEMENT)) {
                    RECALLED
                } else {
                    FORGOTTEN
                }
            }
            _ => NOTED,
        };
        let piece = serde_json::json!({"choices": [{"index": 0, "delta": {"content": answer}}]});
        let done =
            serde_json::json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]});
        (
            200,
            "text/event-stream",
            format!("data: {piece}\n\ndata: {done}\n\ndata: [DONE]\n\n"),
        )
    })
}

/// Satellite `kitchen` on `broker`: audio from the test, sounds written to `dir/out`,
/// degraded mode with whisper tiny.en.
fn satellite_config(broker: &Broker, dir: &Path) -> hive_satellite::config::SatelliteConfig {
    let text = format!(
        "[satellite]\nid = \"kitchen\"\n\
         [mqtt]\nurl = \"{url}\"\nreconnect_min_ms = 50\nreconnect_max_ms = 500\n\
         [audio.input]\ntype = \"microphone\"\n\
         [audio.output]\ntype = \"wav_dir\"\ndir = \"{out}\"\nper_sentence = true\nrealtime = false\n\
         [storage]\npath = \"{state}\"\n[eyes]\noutputs = [\"log\"]\n\
         [degraded]\nstt_model = \"{stt}\"\nstt_language = \"en\"\n",
        url = broker.url(),
        out = dir.join("out").display(),
        state = dir.join("kitchen.json").display(),
        stt = model("whisper/ggml-tiny.en.bin").display(),
    );
    let env: hive_satellite::config::Env = Arc::new(|name: &str| match name {
        "HIVE_MODELS_DIR" => Some(models_dir().display().to_string()),
        _ => None,
    });
    hive_satellite::config::parse(&text, Path::new("kitchen.toml"), &env).unwrap()
}

/// The real satellite, run in the test's runtime; stopped on drop.
struct Satellite {
    events: broadcast::Receiver<SatelliteEvent>,
    /// Every event seen so far, for failure messages and events already passed.
    seen: Vec<SatelliteEvent>,
    shutdown: CancellationToken,
    task: Option<JoinHandle<Result<(), RunError>>>,
}

impl Satellite {
    fn start(
        config: hive_satellite::config::SatelliteConfig,
        input: hive_satellite::audio::QueueInput,
    ) -> Self {
        let (events_tx, events) = broadcast::channel(4096);
        let options = RunOptions {
            events: events_tx,
            input: Some(Box::new(input)),
            ..RunOptions::default()
        };
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(hive_satellite::run(config, options, shutdown.clone()));
        Satellite {
            events,
            seen: Vec::new(),
            shutdown,
            task: Some(task),
        }
    }

    /// The next event matching `wanted` within `timeout`.
    async fn expect(
        &mut self,
        what: &str,
        timeout: Duration,
        wanted: impl Fn(&SatelliteEvent) -> bool,
    ) -> SatelliteEvent {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let event = match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Ok(event)) => event,
                Ok(Err(broadcast::error::RecvError::Lagged(_))) => continue,
                Ok(Err(broadcast::error::RecvError::Closed)) => {
                    panic!(
                        "the satellite stopped waiting for {what}; saw {:#?}",
                        self.seen
                    )
                }
                Err(_) => panic!("no {what} within {timeout:?}; saw {:#?}", self.seen),
            };
            self.seen.push(event.clone());
            if wanted(&event) {
                return event;
            }
        }
    }

    /// An event matching `wanted` already seen, or the next one.
    async fn saw_or_expect(
        &mut self,
        what: &str,
        timeout: Duration,
        wanted: impl Fn(&SatelliteEvent) -> bool,
    ) -> SatelliteEvent {
        if let Some(event) = self.seen.iter().find(|event| wanted(event)) {
            return event.clone();
        }
        self.expect(what, timeout, wanted).await
    }

    async fn stop(mut self) {
        self.shutdown.cancel();
        if let Some(task) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(30), task)
                .await
                .expect("the satellite stops within 30 s")
                .unwrap()
                .unwrap();
        }
    }
}

impl Drop for Satellite {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// "hey hive", then `question`, then enough silence to end the utterance.
fn wake_and_ask(question: &str) -> Vec<i16> {
    [
        silence(0.5),
        synthesize_at("hey hive", "en-us", 160).unwrap(),
        silence(0.3),
        synthesize_at(question, "en-us", 150).unwrap(),
        silence(2.0),
    ]
    .concat()
}

/// A client subscribed to `filters`.
async fn watcher(broker: &Broker, id: &str, filters: &[&str]) -> TestClient {
    let mut client = TestClient::connect(broker, id, None).await.unwrap();
    for filter in filters {
        client.subscribe(filter, QoS::AtLeastOnce).await.unwrap();
    }
    client
}

/// The next message on `client` matching `wanted` within `timeout`, skipping others.
async fn next_matching(
    client: &mut TestClient,
    what: &str,
    timeout: Duration,
    wanted: impl Fn(&Message) -> bool,
) -> Message {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let message = client
            .recv_timeout(left)
            .await
            .unwrap_or_else(|| panic!("no {what} within {timeout:?}"));
        if wanted(&message) {
            return message;
        }
    }
}

/// The next `payload` on `topic`.
async fn next_text(client: &mut TestClient, topic: &str, payload: &str, timeout: Duration) {
    next_matching(
        client,
        &format!("{payload} on {topic}"),
        timeout,
        |message| message.topic == topic && message.text() == Some(payload),
    )
    .await;
}

/// The next timer event of `kind` for which `wanted` holds.
async fn next_timer_event(
    client: &mut TestClient,
    kind: TimerEventKind,
    wanted: impl Fn(&TimerInfo) -> bool,
) -> TimerInfo {
    let topics = Topics::default();
    let message = next_matching(client, &format!("{kind:?} timer event"), WAIT, |message| {
        matches!(
            topics.parse(&message.topic, &message.payload),
            Ok(Inbound::TimerEvent(TimerEvent { kind: got, ref timer })) if got == kind && wanted(timer)
        )
    })
    .await;
    let Ok(Inbound::TimerEvent(event)) = topics.parse(&message.topic, &message.payload) else {
        unreachable!()
    };
    event.timer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bridge_killed_mid_turn_leaves_satellites_degraded_and_comes_back_with_its_state() {
    hive_tests::init_logs();
    model("whisper/ggml-tiny.en.bin");
    let broker = Broker::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let llm = stand_in_llm();
    let topics = Topics::default();

    // Home Assistant's view: the bridge's availability, the kitchen's eyes, the timers and
    // what satellites report to the bridge; and a spy on the kitchen's audio stream.
    let mut status = watcher(&broker, "ha-status", &["hive/bridge/status"]).await;
    let mut eyes = watcher(&broker, "ha-eyes", &["hive/satellite/kitchen/eyes"]).await;
    let mut timers = watcher(
        &broker,
        "ha-timers",
        &["hive/timer/event", "hive/timer/list"],
    )
    .await;
    let mut spy = watcher(&broker, "spy", &["hive/satellite/kitchen/audio/start"]).await;

    // 1. The bridge and a real satellite; white eyes once the bridge is online.
    let mut bridge = BridgeProcess::start(dir.path(), &broker, &llm.url, 1);
    next_text(&mut status, "hive/bridge/status", "online", WAIT).await;
    let (input, clips) = hive_satellite::audio::QueueInput::new();
    let mut kitchen = Satellite::start(satellite_config(&broker, dir.path()), input);
    next_text(&mut eyes, "hive/satellite/kitchen/eyes", "white", WAIT).await;

    // 2. State in the bridge, typed on another satellite: a fact in the conversation, and a
    // timer far longer than the outage.
    let mut office = ScriptedSatellite::connect(&broker, "office").await.unwrap();
    office.wait_bridge_online(WAIT).await.unwrap();
    office.type_text(100, STATEMENT).await.unwrap();
    let noted = office.reply(100, WAIT).await.unwrap();
    assert_eq!(noted.text(), NOTED);
    office
        .type_text(101, "Set a tea timer for 10 minutes.")
        .await
        .unwrap();
    let confirmation = office.reply(101, WAIT).await.unwrap();
    assert_eq!(confirmation.text(), "Tea timer set for 10 minutes.");
    let tea = next_timer_event(&mut timers, TimerEventKind::Set, |timer| {
        timer.name.as_deref() == Some("tea")
    })
    .await;

    // 3. The kitchen hears a question; once its audio stream has started on the broker, and
    // before any reply, the bridge is killed.
    clips.say(wake_and_ask("what time is it?"));
    let SatelliteEvent::Wake {
        session, to_bridge, ..
    } = kitchen
        .expect("the wake word", WAIT, |event| {
            matches!(event, SatelliteEvent::Wake { .. })
        })
        .await
    else {
        unreachable!()
    };
    assert!(to_bridge, "the bridge is online: it is asked");
    next_matching(&mut spy, "the audio stream's start", WAIT, |message| {
        matches!(
            topics.parse(&message.topic, &message.payload),
            Ok(Inbound::AudioStart { start, .. }) if start.session == session
        )
    })
    .await;
    bridge.kill();

    // 4. The last will, retained; degraded within the bound; the interrupted turn answered
    // locally; yellow eyes.
    next_text(
        &mut status,
        "hive/bridge/status",
        "offline",
        DEGRADED_WITHIN,
    )
    .await;
    let mut late = watcher(&broker, "late-dashboard", &["hive/bridge/status"]).await;
    let retained = late.expect("hive/bridge/status", WAIT).await.unwrap();
    assert_eq!((retained.text(), retained.retain), (Some("offline"), true));
    late.disconnect().await.unwrap();
    kitchen
        .expect("degraded mode", DEGRADED_WITHIN, |event| {
            matches!(
                event,
                SatelliteEvent::Degraded(Some(DegradedReason::BridgeOffline))
            )
        })
        .await;
    let SatelliteEvent::LocalReply { text, intent, .. } = kitchen
        .saw_or_expect("the interrupted turn's local answer", WAIT, |event| {
            matches!(event, SatelliteEvent::LocalReply { session: Some(s), .. } if *s == session)
        })
        .await
    else {
        unreachable!()
    };
    assert_eq!(intent.as_deref(), Some("clock.time"), "{text}");
    kitchen
        .saw_or_expect("the local answer played", WAIT, |event| {
            matches!(
                event,
                SatelliteEvent::Played {
                    key: PlayKey::Local(_),
                    interrupted: false,
                    ..
                }
            )
        })
        .await;
    assert!(
        !kitchen.seen.iter().any(
            |event| matches!(event, SatelliteEvent::Reply { session: s, .. } if *s == session)
        ),
        "the bridge answered before it was killed: not a mid-turn kill; saw {:#?}",
        kitchen.seen
    );
    next_text(&mut eyes, "hive/satellite/kitchen/eyes", "yellow", WAIT).await;

    // 5. During the outage, a spoken two-second timer is set and rings on the satellite.
    clips.say(wake_and_ask("set a timer for two seconds"));
    let SatelliteEvent::Wake {
        session, to_bridge, ..
    } = kitchen
        .expect("the second wake word", WAIT, |event| {
            matches!(event, SatelliteEvent::Wake { .. })
        })
        .await
    else {
        unreachable!()
    };
    assert!(!to_bridge, "degraded: answered locally");
    let SatelliteEvent::LocalReply { text, intent, .. } = kitchen
        .expect("the timer's confirmation", WAIT, |event| {
            matches!(event, SatelliteEvent::LocalReply { session: Some(s), .. } if *s == session)
        })
        .await
    else {
        unreachable!()
    };
    assert_eq!(intent.as_deref(), Some("timer.set"), "{text}");
    let SatelliteEvent::TimerFired(rung) = kitchen
        .saw_or_expect("the local timer", WAIT, |event| {
            matches!(event, SatelliteEvent::TimerFired(_))
        })
        .await
    else {
        unreachable!()
    };
    assert_eq!(rung.duration_s, 2);
    kitchen
        .saw_or_expect("the alarm", WAIT, |event| {
            matches!(
                event,
                SatelliteEvent::Played {
                    key: PlayKey::Alarm(_),
                    ..
                }
            )
        })
        .await;

    // 6. The bridge restarts on the same store: online, white eyes, the satellite's timer
    // reported and published by the bridge, its own timer and conversation still there.
    let _bridge = BridgeProcess::start(dir.path(), &broker, &llm.url, 2);
    next_text(&mut status, "hive/bridge/status", "online", WAIT).await;
    kitchen
        .expect("normal mode", WAIT, |event| {
            matches!(event, SatelliteEvent::Degraded(None))
        })
        .await;
    next_text(&mut eyes, "hive/satellite/kitchen/eyes", "white", WAIT).await;

    let reported = next_timer_event(&mut timers, TimerEventKind::Set, |timer| {
        timer.timer_id == rung.id
    })
    .await;
    assert_eq!(
        (
            reported.satellite.as_ref().map(|id| id.as_str()),
            reported.duration_s
        ),
        (Some("kitchen"), Some(2))
    );
    next_timer_event(&mut timers, TimerEventKind::Fired, |timer| {
        timer.timer_id == rung.id
    })
    .await;
    // The list the restarted bridge publishes once the satellite's timer is over: its own
    // tea timer, from the store, and nothing else.
    let list = next_matching(&mut timers, "the timer list", WAIT, |message| {
        matches!(
            topics.parse(&message.topic, &message.payload),
            Ok(Inbound::TimerList(_))
        )
    })
    .await;
    let Ok(Inbound::TimerList(list)) = topics.parse(&list.topic, &list.payload) else {
        unreachable!()
    };
    assert_eq!(
        list.iter()
            .map(|timer| timer.timer_id.as_str())
            .collect::<Vec<_>>(),
        [tea.timer_id.as_str()],
        "{list:?}"
    );

    office.wait_bridge_online(WAIT).await.unwrap();
    office
        .type_text(102, "How much time is left on the tea timer?")
        .await
        .unwrap();
    let left = office.reply(102, WAIT).await.unwrap().text();
    assert!(
        left.ends_with("left on the tea timer.") && left.contains("minute"),
        "{left:?}"
    );
    office.type_text(103, FOLLOW_UP).await.unwrap();
    let recalled = office.reply(103, WAIT).await.unwrap();
    assert_eq!(recalled.text(), RECALLED);
    // What the restarted bridge gave its language model: the conversation from before the
    // kill, the statement and the answer to it.
    let request = llm
        .seen()
        .into_iter()
        .rev()
        .find(|seen| seen.path().ends_with("/chat/completions"))
        .expect("the language model was asked");
    let body: serde_json::Value = serde_json::from_str(&request.body).unwrap();
    let said = |role: &str, text: &str| {
        body["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|message| message["role"] == role && message["content"] == text)
    };
    assert!(
        said("user", STATEMENT) && said("assistant", NOTED),
        "{body}"
    );

    kitchen.stop().await;
}
