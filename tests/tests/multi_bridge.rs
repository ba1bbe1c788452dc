//! Several bridges behind one Mosquitto, sharing the work through MQTT shared subscriptions
//! and one Redis: twenty satellites ask; every turn is answered exactly once, by one
//! instance; one instance is killed and the rest of the turns are still answered; and the
//! conversation one instance wrote is what the other one gives its language model; and the
//! timers are one book: a timer rings once whichever bridges are up, and a timer set through
//! a bridge that is killed is known to, and rung by, the one left.
//!
//! The bridges are real `hive-bridge` processes, so that "killed" means SIGKILL: no
//! goodbye, only the broker noticing the socket close.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use hive_bridge::cluster::{ClusterConfig, subscriptions};
use hive_tests::stand_in::StandIn;
use hive_tests::{Broker, QoS, RedisServer, ScriptedSatellite, TestClient};
use hive_topics::{Inbound, TimerEvent, TimerEventKind, Topics};

const WAIT: Duration = Duration::from_secs(120);
const SATELLITES: usize = 20;
const GROUP: &str = "hive";
/// What the stand-in language model always says.
const LLM_ANSWER: &str = "You asked me the time, many times.";

/// A `hive-bridge run` process of the group; killed on drop.
struct BridgeProcess {
    instance: &'static str,
    child: Child,
    log: PathBuf,
}

impl BridgeProcess {
    fn start(
        dir: &Path,
        instance: &'static str,
        broker: &Broker,
        redis: &RedisServer,
        llm: &str,
    ) -> Self {
        let config = dir.join(format!("bridge-{instance}.toml"));
        let text = format!(
            "[mqtt]\nurl = \"{broker}\"\nclient_id = \"bridge\"\n\
             [context]\npath = \"{data}\"\nstore = \"redis\"\nredis_url = \"{redis}\"\n\
             prompt_messages = 100\n\
             [cluster]\ngroup = \"{GROUP}\"\ninstance = \"{instance}\"\n\
             [stt]\ntype = \"whisper\"\nmodel = \"whisper/ggml-tiny.en.bin\"\nlanguage = \"en\"\n\
             [[tts]]\ntype = \"espeak\"\n\
             [[llm]]\ntype = \"openai\"\nurl = \"{llm}/v1\"\nmodel = \"stand-in\"\n\
             [limits]\nmax_sessions = 64\nturns_per_minute = 60\n\
             [http]\nenabled = false\n[discovery]\nenabled = false\n",
            broker = broker.url(),
            data = dir.join(format!("data-{instance}")).display(),
            redis = redis.url(),
        );
        std::fs::write(&config, text).unwrap();
        let log = dir.join(format!("bridge-{instance}.log"));
        let stderr = std::fs::File::create(&log).unwrap();
        let child = Command::new(hive_tests::cli::bridge_binary().unwrap())
            .args(["--log-format", "json", "--config"])
            .arg(&config)
            .arg("run")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap();
        BridgeProcess {
            instance,
            child,
            log,
        }
    }

    fn client_id(&self) -> String {
        format!("bridge-{}", self.instance)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The sessions this instance answered, from its own log: the span of every
    /// "Turn answered." line carries the session.
    fn answered(&self) -> Vec<u32> {
        self.log()
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|line| line["fields"]["message"] == "Turn answered.")
            .filter_map(|line| line["span"]["session"].as_u64())
            .map(|session| session as u32)
            .collect()
    }
}

impl Drop for BridgeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An OpenAI-compatible stand-in that always streams [`LLM_ANSWER`].
fn stand_in_llm() -> StandIn {
    StandIn::start(|_| {
        let piece =
            serde_json::json!({"choices": [{"index": 0, "delta": {"content": LLM_ANSWER}}]});
        let done =
            serde_json::json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]});
        (
            200,
            "text/event-stream",
            format!("data: {piece}\n\ndata: {done}\n\ndata: [DONE]\n\n"),
        )
    })
}

/// Waits (bounded, polling the broker's log) until `bridge` has every subscription acked,
/// so that the broker counts it in the group before the first question.
async fn wait_subscribed(broker: &Broker, bridge: &BridgeProcess) {
    let cluster = ClusterConfig {
        group: Some(GROUP.into()),
        instance: None,
    };
    let expected = subscriptions(&Topics::default(), &cluster).len();
    let needle = format!("Sending SUBACK to {}", bridge.client_id());
    let deadline = tokio::time::Instant::now() + WAIT;
    while broker.log().matches(&needle).count() < expected {
        assert!(
            tokio::time::Instant::now() < deadline,
            "bridge {} never subscribed; its log:\n{}",
            bridge.instance,
            bridge.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// After an instance was killed: its last will says `offline`, and a living instance puts
/// `online` back.
async fn wait_offline_then_online(watcher: &mut ScriptedSatellite) {
    let mut saw_offline = false;
    loop {
        let message = watcher
            .client
            .recv_timeout(WAIT)
            .await
            .expect("bridge/status after the kill");
        if message.topic != "hive/bridge/status" {
            continue;
        }
        match message.payload.as_slice() {
            b"offline" => saw_offline = true,
            b"online" if saw_offline => break,
            _ => {}
        }
    }
}

fn says_the_time(text: &str) -> bool {
    let now = chrono::Utc::now();
    [now - chrono::Duration::minutes(1), now]
        .iter()
        .any(|time| text.contains(&time.format("%-I:%M").to_string()))
}

/// Every satellite types "what time is it" with session `base + index`; returns the replies.
async fn ask_the_time(satellites: &mut [ScriptedSatellite], base: u32) -> Vec<String> {
    for (index, satellite) in satellites.iter_mut().enumerate() {
        satellite
            .type_text(base + index as u32, "what time is it")
            .await
            .unwrap();
    }
    let mut replies = Vec::new();
    for (index, satellite) in satellites.iter_mut().enumerate() {
        let session = base + index as u32;
        let reply = satellite.reply(session, WAIT).await.unwrap();
        assert!(
            reply.errors.is_empty(),
            "{}: {:?}",
            satellite.id,
            reply.errors
        );
        replies.push(reply.text());
    }
    replies
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_bridges_share_the_turns_and_survive_one_being_killed() {
    let broker = Broker::start().unwrap();
    let redis = RedisServer::start().unwrap();
    let llm = stand_in_llm();
    let dir = tempfile::tempdir().unwrap();
    let mut first = BridgeProcess::start(dir.path(), "a", &broker, &redis, &llm.url);
    let second = BridgeProcess::start(dir.path(), "b", &broker, &redis, &llm.url);
    wait_subscribed(&broker, &first).await;
    wait_subscribed(&broker, &second).await;

    let mut satellites = Vec::new();
    for index in 0..SATELLITES {
        let mut satellite = ScriptedSatellite::connect(&broker, &format!("sat-{index:02}"))
            .await
            .unwrap();
        satellite.wait_bridge_online(WAIT).await.unwrap();
        satellites.push(satellite);
    }

    // Round one: both instances are up.
    for (index, text) in ask_the_time(&mut satellites, 1_000)
        .await
        .iter()
        .enumerate()
    {
        assert!(says_the_time(text), "sat-{index:02} heard {text:?}");
    }
    let by_first = first.answered();
    let by_second = second.answered();
    let round_one: BTreeSet<u32> = (1_000..1_000 + SATELLITES as u32).collect();
    let mut counted: BTreeMap<u32, usize> = BTreeMap::new();
    for session in by_first.iter().chain(&by_second) {
        *counted.entry(*session).or_default() += 1;
    }
    assert_eq!(
        counted.keys().copied().collect::<BTreeSet<_>>(),
        round_one,
        "every turn answered by an instance"
    );
    assert!(
        counted.values().all(|&times| times == 1),
        "a turn answered twice: {counted:?}"
    );
    assert!(
        !by_first.is_empty() && !by_second.is_empty(),
        "the broker gave all the work to one instance: a {by_first:?}, b {by_second:?}"
    );

    // Kill the first instance: no goodbye, the broker sees its socket close.
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    wait_offline_then_online(&mut satellites[0]).await;

    // Round two: only the second instance is left, and every turn is still answered.
    for (index, text) in ask_the_time(&mut satellites, 2_000)
        .await
        .iter()
        .enumerate()
    {
        assert!(
            says_the_time(text),
            "sat-{index:02} heard {text:?} after the kill"
        );
    }
    let round_two: Vec<u32> = second
        .answered()
        .into_iter()
        .filter(|session| *session >= 2_000)
        .collect();
    assert_eq!(
        round_two.iter().copied().collect::<BTreeSet<_>>(),
        (2_000..2_000 + SATELLITES as u32).collect::<BTreeSet<_>>()
    );
    assert_eq!(round_two.len(), SATELLITES, "a turn answered twice");

    // The conversation is shared: the survivor's language model is given the turns the
    // killed instance answered too (all forty questions, from one Redis).
    let asker = &mut satellites[1];
    asker
        .type_text(3_000, "summarise our conversation please")
        .await
        .unwrap();
    let reply = asker.reply(3_000, WAIT).await.unwrap();
    assert_eq!(reply.text(), LLM_ANSWER);
    let request = llm
        .seen()
        .into_iter()
        .rev()
        .find(|seen| seen.path().ends_with("/chat/completions"))
        .expect("the language model was asked");
    let body: serde_json::Value = serde_json::from_str(&request.body).unwrap();
    let questions = body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|message| message["role"] == "user" && message["content"] == "what time is it")
        .count();
    assert_eq!(questions, 2 * SATELLITES, "the prompt: {body}");

    // Exactly once, as a satellite sees it: after a sentinel on each satellite's own
    // topics, nothing more arrived for the sessions already answered.
    let topics = Topics::default();
    for satellite in &mut satellites {
        let sentinel = format!("hive/satellite/{}/test-sentinel", satellite.id);
        satellite
            .client
            .publish(&sentinel, b"end".to_vec(), QoS::AtLeastOnce, false)
            .await
            .unwrap();
        let late = satellite
            .client
            .collect_until(&sentinel, WAIT)
            .await
            .unwrap();
        for message in late {
            if let Ok(Inbound::Reply { reply, .. }) = topics.parse(&message.topic, &message.payload)
            {
                panic!(
                    "{}: a second reply for session {}",
                    satellite.id, reply.session
                );
            }
        }
    }
    drop(second);
}

/// The `fired` events for `timer_id` an automation saw until now: a sentinel published
/// after everything else marks the end of what was delivered.
async fn fired_events(automation: &mut TestClient, timer_id: &str) -> usize {
    let topics = Topics::default();
    automation
        .publish("test/sentinel", b"end".to_vec(), QoS::AtLeastOnce, false)
        .await
        .unwrap();
    automation
        .collect_until("test/sentinel", WAIT)
        .await
        .unwrap()
        .iter()
        .filter(|message| {
            matches!(
                topics.parse(&message.topic, &message.payload),
                Ok(Inbound::TimerEvent(TimerEvent { kind: TimerEventKind::Fired, timer }))
                    if timer.timer_id == timer_id
            )
        })
        .count()
}

/// The id of the timer the next `set` event announces.
async fn next_set_timer(automation: &mut TestClient) -> String {
    let topics = Topics::default();
    loop {
        let message = automation
            .recv_timeout(WAIT)
            .await
            .expect("a timer set event");
        if let Ok(Inbound::TimerEvent(TimerEvent {
            kind: TimerEventKind::Set,
            timer,
        })) = topics.parse(&message.topic, &message.payload)
        {
            return timer.timer_id;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bridges_share_one_timer_book_and_a_timer_rings_once() {
    let broker = Broker::start().unwrap();
    let redis = RedisServer::start().unwrap();
    let llm = stand_in_llm();
    let dir = tempfile::tempdir().unwrap();
    let first = BridgeProcess::start(dir.path(), "a", &broker, &redis, &llm.url);
    let second = BridgeProcess::start(dir.path(), "b", &broker, &redis, &llm.url);
    wait_subscribed(&broker, &first).await;
    wait_subscribed(&broker, &second).await;
    let mut bridges = [first, second];
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();
    let mut automation = TestClient::connect(&broker, "automation", None)
        .await
        .unwrap();
    for filter in ["hive/timer/event", "test/sentinel"] {
        automation
            .subscribe(filter, QoS::AtLeastOnce)
            .await
            .unwrap();
    }

    let mut lists = TestClient::connect(&broker, "lists", None).await.unwrap();
    lists
        .subscribe("hive/timer/list", QoS::AtLeastOnce)
        .await
        .unwrap();

    // Both bridges up: each holds the timer (one set it, the other read the shared book),
    // both reach its end, and it rings once.
    kitchen
        .type_text(9_001, "Set a tea timer for 3 seconds.")
        .await
        .unwrap();
    let confirmation = kitchen.reply(9_001, WAIT).await.unwrap();
    assert_eq!(confirmation.text(), "Tea timer set for 3 seconds.");
    // Both say the list with it: the one that set it at once, the other when it reads the
    // shared book (within a second). So the retained list is the newest whichever of the
    // two publishes reaches the broker last, and even if the setter dies before its own.
    let deadline = tokio::time::Instant::now() + Duration::from_millis(2_500);
    let mut with_tea = 0;
    while let Some(message) = lists
        .recv_timeout(deadline.saturating_duration_since(tokio::time::Instant::now()))
        .await
    {
        if message.text().is_some_and(|text| text.contains("\"tea\"")) {
            with_tea += 1;
        }
    }
    assert!(with_tea >= 2, "the tea list said {with_tea} times");
    let tea = next_set_timer(&mut automation).await;
    let announcement = kitchen.next_reply(WAIT).await.unwrap();
    assert_eq!(announcement.text(), "Your tea timer is done.");
    // Two refreshes of the book later, a second ring would have come.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(fired_events(&mut automation, &tea).await, 1, "tea fired");

    // A timer set through one bridge, which is then killed: the other one knows it and
    // rings it.
    kitchen
        .type_text(9_002, "Set a pasta timer for 15 seconds.")
        .await
        .unwrap();
    let confirmation = kitchen.reply(9_002, WAIT).await.unwrap();
    assert_eq!(confirmation.text(), "Pasta timer set for 15 seconds.");
    let pasta = next_set_timer(&mut automation).await;
    let setter = bridges
        .iter()
        .position(|bridge| bridge.answered().contains(&9_002))
        .expect("an instance answered the timer");
    let survivor = 1 - setter;
    bridges[setter].child.kill().unwrap();
    bridges[setter].child.wait().unwrap();
    wait_offline_then_online(&mut kitchen).await;

    kitchen
        .type_text(9_003, "How much time is left on the pasta timer?")
        .await
        .unwrap();
    let left = kitchen.reply(9_003, WAIT).await.unwrap().text();
    assert!(bridges[survivor].answered().contains(&9_003));
    assert!(
        left.ends_with("seconds left on the pasta timer."),
        "the survivor answered {left:?}"
    );
    let announcement = kitchen.next_reply(WAIT).await.unwrap();
    assert_eq!(announcement.text(), "Your pasta timer is done.");
    assert!(
        announcement.audio_messages > 0,
        "the announcement is spoken"
    );
    assert_eq!(
        fired_events(&mut automation, &pasta).await,
        1,
        "pasta fired"
    );
}
