//! The broker restarts in the middle of a spoken turn (Mosquitto with persistence, stopped
//! the moment the bridge has heard the end of speech, so the answer is made while the
//! broker is down). Nothing acknowledged is lost: the answer reaches the satellite once the
//! broker is back, and a `say` published before the bridge has reconnected is spoken. A
//! real `hive-satellite` shows yellow eyes while cut off and white ones after, and the
//! bridge and the satellite publish their state and the discovery configs again (seen live
//! by Home Assistant). An action and a timer's messages sent during an outage are delivered
//! once the broker is back.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hive_satellite::SatelliteEvent;
use hive_satellite::state::DegradedReason;
use hive_tests::speech::synthesize;
use hive_tests::{Broker, QoS, RunningBridge, ScriptedSatellite, TestClient};
use hive_topics::{EyeColour, Inbound, TimerEvent, TimerEventKind, TimerInfo, Topics};

const WAIT: Duration = Duration::from_secs(120);

/// One broker restart at a time: each test times its outage against a real turn. Seen in CI
/// with both running at once on two cores: the `say` after the restart never came (the test
/// passes alone; the cause under load is not found yet).
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const ENGLISH: &str =
    "[stt]\ntype = \"whisper\"\nmodel = \"whisper/ggml-tiny.en.bin\"\nlanguage = \"en\"\n";

fn silence(seconds: f32) -> Vec<i16> {
    vec![0; (16_000.0 * seconds) as usize]
}

/// A real satellite "kitchen": silent microphone, no speaker, no offline mode (what is
/// tested is its connection, not its local answers).
fn start_satellite(
    broker: &Broker,
    dir: &Path,
) -> (
    tokio::sync::broadcast::Receiver<SatelliteEvent>,
    tokio_util::sync::CancellationToken,
    tokio::task::JoinHandle<Result<(), hive_satellite::RunError>>,
) {
    let toml = format!(
        "[satellite]\nid = \"kitchen\"\n[mqtt]\nurl = \"{}\"\n\
         [audio.input]\ntype = \"microphone\"\n[audio.output]\ntype = \"none\"\n\
         [storage]\npath = \"{}\"\n[eyes]\noutputs = [\"log\"]\n[degraded]\nenabled = false\n",
        broker.url(),
        dir.join("kitchen.json").display(),
    );
    let env: hive_satellite::config::Env = Arc::new(|_: &str| None);
    let config = hive_satellite::config::parse(&toml, Path::new("kitchen.toml"), &env).unwrap();
    let (input, _microphone) = hive_satellite::audio::QueueInput::new();
    let options = hive_satellite::RunOptions {
        input: Some(Box::new(input)),
        ..hive_satellite::RunOptions::default()
    };
    let events = options.events.subscribe();
    let shutdown = tokio_util::sync::CancellationToken::new();
    let task = tokio::spawn(hive_satellite::run(config, options, shutdown.clone()));
    (events, shutdown, task)
}

/// Waits for the satellite's eyes to turn `colour`.
async fn eyes(events: &mut tokio::sync::broadcast::Receiver<SatelliteEvent>, colour: EyeColour) {
    tokio::time::timeout(WAIT, async {
        loop {
            match events.recv().await {
                Ok(SatelliteEvent::Eyes(view)) if view.colour == colour => return,
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(error) => panic!("satellite events ended: {error}"),
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the eyes never turned {colour:?}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_restart_mid_turn_loses_nothing_and_state_comes_back() {
    let _alone = ONE_AT_A_TIME.lock().await;
    hive_tests::init_logs();
    let mut broker = Broker::builder().persistence(true).start().unwrap();
    let dir = tempfile::tempdir().unwrap();

    // Home Assistant, with a persistent session, watches the live state.
    let mut options = TestClient::options(&broker, "home-assistant", None);
    options.set_clean_session(false);
    let mut ha = TestClient::connect_with(options).await.unwrap();
    for filter in [
        "hive/bridge/status",
        "hive/satellite/kitchen/status",
        "hive/satellite/kitchen/eyes",
        "homeassistant/#",
    ] {
        ha.subscribe(filter, QoS::AtLeastOnce).await.unwrap();
    }
    let bridge = RunningBridge::start(&broker, dir.path(), ENGLISH).unwrap();
    let (mut kitchen, kitchen_stop, kitchen_task) = start_satellite(&broker, dir.path());
    eyes(&mut kitchen, EyeColour::White).await;
    let mut office = ScriptedSatellite::connect_persistent(&broker, "office")
        .await
        .unwrap();
    office.wait_bridge_online(WAIT).await.unwrap();

    // A spoken question; the broker stops the moment the bridge has heard its end.
    let question = [
        silence(0.5),
        synthesize("what time is it", "en-us").unwrap(),
        silence(1.5),
    ]
    .concat();
    office.speak(7001, &question).await.unwrap();
    loop {
        let message = office
            .client
            .recv_timeout(WAIT)
            .await
            .expect("the end of speech");
        if message.topic == "hive/satellite/office/control"
            && message
                .text()
                .is_some_and(|text| text.contains("end_of_speech"))
        {
            break;
        }
    }
    broker.stop().unwrap();
    // What Home Assistant saw so far is from before the restart.
    while ha.recv_timeout(Duration::from_millis(200)).await.is_some() {}

    // Cut off: the real satellite says so with its eyes (the broker may first deliver the
    // bridge's last will as it shuts down: yellow either way).
    let mut yellow = false;
    let mut unreachable = false;
    tokio::time::timeout(WAIT, async {
        while !(yellow && unreachable) {
            match kitchen.recv().await {
                Ok(SatelliteEvent::Eyes(view)) => yellow |= view.colour == EyeColour::Yellow,
                Ok(SatelliteEvent::Degraded(Some(DegradedReason::BrokerUnreachable))) => {
                    unreachable = true;
                }
                _ => {}
            }
        }
    })
    .await
    .expect("the satellite never showed it was cut off");
    // The bridge answers meanwhile (speech-to-text and speech take their time).
    tokio::time::sleep(Duration::from_secs(3)).await;
    broker.restart().unwrap();

    // Home Assistant comes back first and has every satellite say something, perhaps before
    // the bridge has reconnected: its persistent session keeps the request for it.
    ha.wait_reconnected(WAIT).await.unwrap();
    ha.publish(
        "hive/say",
        b"The broker is back".to_vec(),
        QoS::AtLeastOnce,
        false,
    )
    .await
    .unwrap();

    // The answer made while the broker was down arrives whole.
    let reply = office.reply(7001, WAIT).await.unwrap();
    let text = reply.text();
    let now = chrono::Utc::now();
    let times: Vec<String> = [now - chrono::Duration::minutes(1), now]
        .iter()
        .map(|time| time.format("%-I:%M").to_string())
        .collect();
    assert!(
        times.iter().any(|time| text.contains(time)),
        "reply {text:?} lacks {times:?}"
    );
    assert!(
        reply.audio.len() > reply.sample_rate as usize / 2,
        "the reply has no speech"
    );
    let said = office.next_reply(WAIT).await.unwrap();
    assert_eq!(said.text(), "The broker is back");

    // The real satellite is back to white, and both it and the bridge have published their
    // state again since the restart.
    eyes(&mut kitchen, EyeColour::White).await;
    // Any order: collect until all have been seen.
    let mut seen_bridge = false;
    let mut seen_status = false;
    let mut seen_white = false;
    let mut seen_discovery = false;
    tokio::time::timeout(WAIT, async {
        while !(seen_bridge && seen_status && seen_white && seen_discovery) {
            let message = ha.recv_timeout(WAIT).await.expect("a message");
            if message.retain {
                continue;
            }
            match (message.topic.as_str(), message.text()) {
                ("hive/bridge/status", Some("online")) => seen_bridge = true,
                ("hive/satellite/kitchen/status", Some("online")) => seen_status = true,
                ("hive/satellite/kitchen/eyes", Some("white")) => seen_white = true,
                (topic, Some(config))
                    if topic.starts_with("homeassistant/")
                        && topic.ends_with("/config")
                        && !config.is_empty() =>
                {
                    seen_discovery = true;
                }
                _ => {}
            }
        }
    })
    .await
    .unwrap_or_else(|_| {
        panic!(
            "not published again: bridge status {seen_bridge}, satellite status \
             {seen_status}, eyes {seen_white}, discovery {seen_discovery}"
        )
    });

    kitchen_stop.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(20), kitchen_task).await;
    bridge.stop().await.unwrap();
}

/// The next `hive/timer/event` of `kind` (for `timer_id`, when given) that `client` receives.
async fn timer_event(
    client: &mut TestClient,
    kind: TimerEventKind,
    timer_id: Option<&str>,
) -> TimerInfo {
    let topics = Topics::default();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let message = client
            .recv_timeout(left)
            .await
            .unwrap_or_else(|| panic!("no {kind:?} timer event for {timer_id:?}"));
        if let Ok(Inbound::TimerEvent(TimerEvent { kind: got, timer })) =
            topics.parse(&message.topic, &message.payload)
            && got == kind
            && timer_id.is_none_or(|id| id == timer.timer_id)
        {
            return timer;
        }
    }
}

/// Waits until `satellite` sees the bridge's end of speech for its turn.
async fn end_of_speech(satellite: &mut ScriptedSatellite, id: &str) {
    let control = format!("hive/satellite/{id}/control");
    loop {
        let message = satellite
            .client
            .recv_timeout(WAIT)
            .await
            .expect("the end of speech");
        if message.topic == control
            && message
                .text()
                .is_some_and(|text| text.contains("end_of_speech"))
        {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_action_and_timer_messages_published_while_the_broker_is_down_are_delivered_after() {
    let _alone = ONE_AT_A_TIME.lock().await;
    hive_tests::init_logs();
    let mut broker = Broker::builder().persistence(true).start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // An automation watching the timers, with a persistent session.
    let mut options = TestClient::options(&broker, "automation", None);
    options.set_clean_session(false);
    let mut automation = TestClient::connect_with(options).await.unwrap();
    automation
        .subscribe("hive/timer/event", QoS::AtLeastOnce)
        .await
        .unwrap();
    let bridge = RunningBridge::start(&broker, dir.path(), ENGLISH).unwrap();
    let mut kitchen = ScriptedSatellite::connect_persistent(&broker, "kitchen")
        .await
        .unwrap();
    let mut office = ScriptedSatellite::connect_persistent(&broker, "office")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();
    office.wait_bridge_online(WAIT).await.unwrap();

    // A timer set before the outage, due during it.
    kitchen
        .type_text(8001, "Set a tea timer for 20 seconds.")
        .await
        .unwrap();
    let confirmation = kitchen.reply(8001, WAIT).await.unwrap();
    assert_eq!(confirmation.text(), "Tea timer set for 20 seconds.");
    let set = timer_event(&mut automation, TimerEventKind::Set, None).await;
    let ends_at = set.ends_at.expect("a set timer says when it rings");

    // A spoken request for a face (answered by the emotion skill, no language model); the
    // broker stops the moment the bridge has heard its end, so the action is sent while
    // the broker is down.
    let question = [
        silence(0.5),
        synthesize("show me a happy face", "en-us").unwrap(),
        silence(1.5),
    ]
    .concat();
    office.speak(8002, &question).await.unwrap();
    end_of_speech(&mut office, "office").await;
    broker.stop().unwrap();
    let now = chrono::Utc::now().timestamp() as u64;
    assert!(
        now < ends_at,
        "the timer must ring during the outage, not before it"
    );
    // The broker stays down until the timer has rung: the scenario under test.
    tokio::time::sleep(Duration::from_secs(ends_at - now + 2)).await;
    broker.restart().unwrap();

    // The action made while the broker was down reaches the satellite that asked.
    let reply = office.reply(8002, WAIT).await.unwrap();
    let action = reply
        .actions
        .iter()
        .find(|action| action.name == "show_emotion")
        .unwrap_or_else(|| {
            panic!(
                "no show_emotion action: {:?} {:?}",
                reply.text(),
                reply.actions
            )
        });
    assert_eq!(action.args["emotion"], "happy", "{action:?}");
    // The timer that rang meanwhile is announced on its satellite and reported fired.
    let announcement = kitchen.next_reply(WAIT).await.unwrap();
    assert_eq!(announcement.text(), "Your tea timer is done.");
    automation.wait_reconnected(WAIT).await.unwrap();
    let fired = timer_event(
        &mut automation,
        TimerEventKind::Fired,
        Some(set.timer_id.as_str()),
    )
    .await;
    assert_eq!(fired.timer_id, set.timer_id);
    bridge.stop().await.unwrap();
}
