//! Home Assistant MQTT discovery against a real Mosquitto running the project's
//! configuration (its users and ACL): every config the bridge's discovery publishes follows
//! Home Assistant's rules, after start, after a broker restart and after Home Assistant's
//! birth message; a satellite removed from the configuration is removed; and what Home
//! Assistant publishes for each entity reaches the satellite.
//!
//! The discovery task is started with [`hive_bridge::discovery::spawn`], exactly as
//! `hive_bridge::run` starts it, from a configuration parsed by the bridge's own loader;
//! the speech models the full bridge loads first play no part in discovery.

mod ha;

use std::collections::BTreeMap;
use std::time::Duration;

use hive_bridge::config;
use hive_tests::{Broker, Message, QoS, TestClient};
use hive_topics::{Control, Inbound, Target, Topics};
use serde_json::Value;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

const WAIT: Duration = Duration::from_secs(20);
const BRIDGE: (&str, &str) = ("hive-bridge", "bridge-secret");
const HA: (&str, &str) = ("homeassistant", "ha-secret");
const KITCHEN: (&str, &str) = ("kitchen", "kitchen-secret");

fn broker() -> Broker {
    Broker::builder()
        .project_config()
        .persistence(true)
        .user(BRIDGE.0, BRIDGE.1)
        .user(HA.0, HA.1)
        .user(KITCHEN.0, KITCHEN.1)
        .start()
        .unwrap()
}

/// The bridge's discovery, configured as `bridge.toml` would configure it.
struct Discovery {
    shutdown: CancellationToken,
    task: JoinHandle<()>,
}

impl Discovery {
    fn start(broker: &Broker, discovery_toml: &str) -> Self {
        let text = format!(
            "[mqtt]\nurl = \"{}\"\nclient_id = \"bridge-{}\"\nusername = \"{}\"\npassword = \"{}\"\n[discovery]\n{discovery_toml}\n",
            broker.url(),
            broker.port(),
            BRIDGE.0,
            BRIDGE.1
        );
        let no_env = |_: &str| None;
        let config = config::parse(&text, std::path::Path::new("test.toml"), &no_env).unwrap();
        let topics = Topics::new(config.mqtt.prefix.clone()).unwrap();
        let shutdown = CancellationToken::new();
        let task = hive_bridge::discovery::spawn(&config, topics, shutdown.clone())
            .unwrap()
            .expect("discovery is enabled");
        Discovery { shutdown, task }
    }

    async fn stop(self) {
        self.shutdown.cancel();
        tokio::time::timeout(WAIT, self.task)
            .await
            .unwrap()
            .unwrap();
    }
}

async fn client(broker: &Broker, id: &str, user: (&str, &str)) -> TestClient {
    TestClient::connect(broker, id, Some(user)).await.unwrap()
}

/// Messages until `done` says the collection is complete; the latest payload per topic.
async fn collect(
    ha: &mut TestClient,
    what: &str,
    mut done: impl FnMut(&BTreeMap<String, Message>, &Message) -> bool,
) -> BTreeMap<String, Message> {
    let mut latest = BTreeMap::new();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let Some(message) = ha.recv_timeout(left).await else {
            panic!(
                "timed out waiting for {what}; got {:?}",
                latest.keys().collect::<Vec<_>>()
            );
        };
        latest.insert(message.topic.clone(), message.clone());
        if done(&latest, &message) {
            return latest;
        }
    }
}

fn json(message: &Message) -> Value {
    serde_json::from_slice(&message.payload).unwrap()
}

/// Every discovery config in `messages` follows Home Assistant's rules; unique ids are
/// unique across all of them. Returns the number of entities.
fn check_all(messages: &BTreeMap<String, Message>) -> usize {
    let topics = Topics::default();
    let mut checked = Vec::new();
    let mut problems = Vec::new();
    for message in messages.values() {
        if !message.topic.ends_with("/config") || message.payload.is_empty() {
            continue;
        }
        match ha::check(&topics, "homeassistant", &message.topic, &message.payload) {
            Ok(entities) => checked.push(entities),
            Err(found) => problems.extend(found),
        }
    }
    assert!(
        problems.is_empty(),
        "Home Assistant would refuse:\n{}",
        problems.join("\n")
    );
    ha::unique_ids(&checked).unwrap()
}

const BRIDGE_CONFIG: &str = "homeassistant/device/hive_bridge/config";
const KITCHEN_CONFIG: &str = "homeassistant/device/hive_satellite_kitchen/config";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_follows_home_assistant_rules_after_start_reconnect_and_birth() {
    let mut broker = broker();
    let mut ha = client(&broker, "home-assistant", HA).await;
    ha.subscribe("homeassistant/#", QoS::AtLeastOnce)
        .await
        .unwrap();
    ha.subscribe("hive/bridge/stats", QoS::AtLeastOnce)
        .await
        .unwrap();
    let mut kitchen = client(&broker, "kitchen", KITCHEN).await;
    kitchen
        .publish(
            "hive/satellite/kitchen/status",
            "online",
            QoS::AtLeastOnce,
            true,
        )
        .await
        .unwrap();

    let discovery = Discovery::start(&broker, "");
    let first = collect(&mut ha, "the first announcement", |seen, _| {
        seen.contains_key(BRIDGE_CONFIG) && seen.contains_key(KITCHEN_CONFIG)
    })
    .await;
    assert!(check_all(&first) > 20);

    // New sensors add entities with Home Assistant's device classes and units.
    kitchen
        .publish(
            "hive/satellite/kitchen/sensor/temperature",
            r#"{"value":21.5,"unit":"°C"}"#,
            QoS::AtMostOnce,
            false,
        )
        .await
        .unwrap();
    kitchen
        .publish(
            "hive/satellite/kitchen/sensor/motion",
            "true",
            QoS::AtMostOnce,
            false,
        )
        .await
        .unwrap();
    let with_sensors = collect(&mut ha, "the sensors", |_, message| {
        message.topic == KITCHEN_CONFIG && json(message)["cmps"].get("sensor_motion").is_some()
    })
    .await;
    let config = json(&with_sensors[KITCHEN_CONFIG]);
    let temperature = &config["cmps"]["sensor_temperature"];
    assert_eq!(temperature["dev_cla"], "temperature");
    assert_eq!(temperature["unit_of_meas"], "°C");
    assert_eq!(config["cmps"]["sensor_motion"]["p"], "binary_sensor");
    assert_eq!(config["cmps"]["sensor_motion"]["dev_cla"], "motion");
    // Availability: both retained status topics, all of them required.
    assert_eq!(config["avty_mode"], "all");
    let availability: Vec<&str> = config["avty"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["t"].as_str().unwrap())
        .collect();
    assert_eq!(
        availability,
        ["hive/bridge/status", "hive/satellite/kitchen/status"]
    );
    let mut all = first.clone();
    all.extend(with_sensors);
    check_all(&all);

    // A broker restart: the discovery connection comes back and announces again (a live
    // message, not the broker's retained copy).
    broker.restart().unwrap();
    ha.wait_reconnected(WAIT).await.unwrap();
    let again = collect(
        &mut ha,
        "the announcement after the restart",
        |_, message| message.topic == "hive/bridge/stats" && !message.retain,
    )
    .await;
    for topic in [BRIDGE_CONFIG, KITCHEN_CONFIG] {
        assert!(
            !again[topic].retain,
            "{topic} was not sent again after the restart"
        );
    }
    assert!(
        json(&again[KITCHEN_CONFIG])["cmps"]
            .get("sensor_temperature")
            .is_some()
    );
    check_all(&again);

    // Home Assistant's birth message: everything again, shortly after.
    ha.publish("homeassistant/status", "online", QoS::AtLeastOnce, false)
        .await
        .unwrap();
    let after_birth = collect(
        &mut ha,
        "the announcement after the birth message",
        |_, message| message.topic == "hive/bridge/stats",
    )
    .await;
    assert!(after_birth.contains_key(BRIDGE_CONFIG) && after_birth.contains_key(KITCHEN_CONFIG));
    check_all(&after_birth);

    discovery.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_satellite_removed_from_the_configuration_is_removed_from_home_assistant() {
    let broker = broker();
    let mut ha = client(&broker, "home-assistant", HA).await;
    ha.subscribe("homeassistant/device/+/config", QoS::AtLeastOnce)
        .await
        .unwrap();

    let discovery = Discovery::start(&broker, "satellites = [\"kitchen\", \"hall\"]");
    collect(&mut ha, "both satellites", |seen, _| {
        seen.contains_key(KITCHEN_CONFIG)
            && seen.contains_key("homeassistant/device/hive_satellite_hall/config")
    })
    .await;
    discovery.stop().await;

    let discovery = Discovery::start(&broker, "satellites = [\"hall\"]");
    let removed = collect(&mut ha, "the kitchen's removal", |_, message| {
        message.topic == KITCHEN_CONFIG && message.payload.is_empty()
    })
    .await;
    assert!(removed[KITCHEN_CONFIG].payload.is_empty());

    // The broker forgot it: a new subscriber gets the hall and the bridge, not the kitchen.
    let mut late = client(&broker, "home-assistant-late", HA).await;
    late.subscribe("homeassistant/#", QoS::AtLeastOnce)
        .await
        .unwrap();
    late.publish("homeassistant/sentinel", "x", QoS::AtLeastOnce, false)
        .await
        .unwrap();
    let retained: Vec<String> = late
        .collect_until("homeassistant/sentinel", WAIT)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.retain)
        .map(|m| m.topic)
        .collect();
    assert!(
        retained.contains(&"homeassistant/device/hive_satellite_hall/config".to_owned()),
        "{retained:?}"
    );
    assert!(retained.contains(&BRIDGE_CONFIG.to_owned()));
    assert!(
        !retained.contains(&KITCHEN_CONFIG.to_owned()),
        "{retained:?}"
    );
    discovery.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_entity_mode_follows_the_rules_and_replaces_device_configs() {
    let broker = broker();
    let mut ha = client(&broker, "home-assistant", HA).await;
    ha.subscribe("homeassistant/#", QoS::AtLeastOnce)
        .await
        .unwrap();
    let discovery = Discovery::start(&broker, "satellites = [\"kitchen\"]");
    collect(&mut ha, "device configs", |seen, _| {
        seen.contains_key(KITCHEN_CONFIG)
    })
    .await;
    discovery.stop().await;

    let discovery = Discovery::start(&broker, "satellites = [\"kitchen\"]\nper_entity = true");
    let seen = collect(
        &mut ha,
        "per-entity configs and the device config's removal",
        |seen, _| {
            seen.get(KITCHEN_CONFIG)
                .is_some_and(|m| m.payload.is_empty())
                && seen.contains_key("homeassistant/number/hive_satellite_kitchen/volume/config")
                && seen.contains_key("homeassistant/sensor/hive_bridge/turns/config")
        },
    )
    .await;
    let entities = check_all(&seen);
    assert!(entities > 20, "{entities}");
    discovery.stop().await;
}

/// The first component of `platform` under `key` in the kitchen's device config.
fn component<'a>(config: &'a Value, key: &str) -> &'a serde_json::Map<String, Value> {
    config["cmps"][key]
        .as_object()
        .unwrap_or_else(|| panic!("no {key}"))
}

/// What Home Assistant publishes when the entity is used: the payload option or the
/// command template rendered with the value.
fn command(
    entity: &serde_json::Map<String, Value>,
    payload_key: &str,
    value: &str,
) -> (String, String) {
    let topic = entity["cmd_t"].as_str().unwrap().to_owned();
    let payload = match entity.get(payload_key).and_then(Value::as_str) {
        Some(payload) => payload.to_owned(),
        None => ha::render(entity["cmd_tpl"].as_str().unwrap(), value),
    };
    (topic, payload)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_from_the_entities_reach_the_satellite() {
    let broker = broker();
    let topics = Topics::default();
    let mut ha = client(&broker, "home-assistant", HA).await;
    ha.subscribe(KITCHEN_CONFIG, QoS::AtLeastOnce)
        .await
        .unwrap();
    let mut kitchen = client(&broker, "kitchen", KITCHEN).await;
    kitchen
        .subscribe("hive/satellite/kitchen/#", QoS::AtLeastOnce)
        .await
        .unwrap();
    // Timers live in the bridge: watch what it would receive.
    let mut bridge = client(&broker, "bridge-observer", BRIDGE).await;
    bridge
        .subscribe("hive/timer/cancel", QoS::AtLeastOnce)
        .await
        .unwrap();

    let discovery = Discovery::start(&broker, "satellites = [\"kitchen\"]");
    let message = ha.expect(KITCHEN_CONFIG, WAIT).await.unwrap();
    let config = json(&message);

    let control = |message: &Message| match topics.parse(&message.topic, &message.payload).unwrap()
    {
        Inbound::Control { satellite, control } => {
            assert_eq!(satellite.as_str(), "kitchen");
            control
        }
        other => panic!("expected control, got {}", other.kind()),
    };
    let cases: [(&str, &str, &str, Control); 5] = [
        ("listen", "pl_prs", "", Control::Listen { session: None }),
        ("stop", "pl_prs", "", Control::Stop { session: None }),
        ("mute", "pl_on", "", Control::SetMute { muted: true }),
        ("mute", "pl_off", "", Control::SetMute { muted: false }),
        ("volume", "", "40", Control::SetVolume { volume: 0.4 }),
    ];
    for (key, payload_key, value, expected) in cases {
        let (topic, payload) = command(component(&config, key), payload_key, value);
        ha.publish(&topic, payload, QoS::AtLeastOnce, false)
            .await
            .unwrap();
        let received = kitchen
            .expect("hive/satellite/kitchen/control", WAIT)
            .await
            .unwrap();
        assert_eq!(control(&received), expected, "{key} {payload_key}");
    }

    let (topic, payload) = command(component(&config, "say"), "", "Dinner is \"ready\"");
    ha.publish(&topic, payload, QoS::AtLeastOnce, false)
        .await
        .unwrap();
    let said = kitchen
        .expect("hive/satellite/kitchen/say", WAIT)
        .await
        .unwrap();
    match topics.parse(&said.topic, &said.payload).unwrap() {
        Inbound::Say {
            target: Target::Satellite(id),
            say,
        } => {
            assert_eq!(
                (id.as_str(), say.text.as_str()),
                ("kitchen", "Dinner is \"ready\"")
            );
        }
        other => panic!("expected say, got {}", other.kind()),
    }

    let (topic, payload) = command(component(&config, "cancel_timer"), "", "pasta");
    ha.publish(&topic, payload, QoS::AtLeastOnce, false)
        .await
        .unwrap();
    let cancel = bridge.expect("hive/timer/cancel", WAIT).await.unwrap();
    match topics.parse(&cancel.topic, &cancel.payload).unwrap() {
        Inbound::TimerCancel(cancel) => {
            assert_eq!(cancel.name.as_deref(), Some("pasta"));
            assert_eq!(
                cancel.satellite.map(|s| s.to_string()).as_deref(),
                Some("kitchen")
            );
        }
        other => panic!("expected timer/cancel, got {}", other.kind()),
    }
    discovery.stop().await;
}

#[test]
fn state_templates_show_what_the_satellite_reports() {
    let topics = Topics::default();
    let kitchen = hive_topics::SatelliteId::new("kitchen").unwrap();
    let mut sensors = BTreeMap::new();
    sensors.insert(
        hive_topics::SensorName::new("temperature").unwrap(),
        hive_bridge::discovery::SensorMeta::default(),
    );
    let components = hive_bridge::discovery::satellite_components(&topics, &kitchen, &sensors);
    let option = |key: &str, option: &str| -> String {
        components.iter().find(|c| c.key == key).unwrap().options[option]
            .as_str()
            .unwrap()
            .to_owned()
    };
    // Sensor readings: JSON objects and bare values.
    let reading = option("sensor_temperature", "val_tpl");
    assert_eq!(
        ha::render(&reading, r#"{"value":21.5,"unit":"°C"}"#),
        "21.5"
    );
    assert_eq!(ha::render(&reading, "19"), "19");
    // Timers: only this satellite's count, all of them as attributes.
    let timers = r#"[{"timer_id":"t1","name":"pasta","satellite":"kitchen"},{"timer_id":"t2","satellite":"hall"},{"timer_id":"t3"}]"#;
    assert_eq!(ha::render(&option("timers", "val_tpl"), timers), "1");
    let attributes: Value =
        serde_json::from_str(&ha::render(&option("timers", "json_attr_tpl"), timers)).unwrap();
    assert_eq!(attributes["timers"][0]["name"], "pasta");
    // Intents: this satellite's become events, others' render nothing (ignored by HA).
    let intent = option("intent", "val_tpl");
    let here = r#"{"intent":"light.turn_on","slots":{"area":"kitchen"},"text":"lights on","satellite":"kitchen","source":"local"}"#;
    let event: Value = serde_json::from_str(&ha::render(&intent, here)).unwrap();
    assert_eq!(
        (event["event_type"].as_str(), event["intent"].as_str()),
        (Some("recognised"), Some("light.turn_on"))
    );
    assert_eq!(
        ha::render(
            &intent,
            &here.replace("\"satellite\":\"kitchen\"", "\"satellite\":\"hall\"")
        ),
        ""
    );
    // Wake word and the last turn.
    let wake: Value = serde_json::from_str(&ha::render(
        &option("wake", "val_tpl"),
        r#"{"session":4,"wake_word":"hey_jarvis","score":0.9}"#,
    ))
    .unwrap();
    assert_eq!(wake["wake_word"], "hey_jarvis");
    let turn = r#"{"session":4,"transcript":"what time is it","reply":"It is four.","timings":{}}"#;
    assert_eq!(
        ha::render(&option("transcript", "val_tpl"), turn),
        "what time is it"
    );
    assert_eq!(ha::render(&option("reply", "val_tpl"), turn), "It is four.");
}

#[test]
fn the_rule_checker_refuses_what_home_assistant_would_refuse() {
    let topics = Topics::default();
    let device =
        r#""dev":{"ids":["hive_satellite_kitchen"],"name":"Hive kitchen"},"o":{"name":"Hive"}"#;
    let cases = [
        (
            r#""cmps":{"a":{"p":"sensor","name":"A","uniq_id":"a"}}"#,
            "sensor needs stat_t",
        ),
        (
            r#""cmps":{"a":{"p":"sensor","name":"A","uniq_id":"a","stat_t":"hive/satellite/kitchen/mode","stat_topic_x":"y"}}"#,
            "unknown option",
        ),
        (
            r#""cmps":{"a":{"p":"sensor","name":"A","uniq_id":"a","stat_t":"hive/satellite/kitchen/nonsense"}}"#,
            "not a Hive topic",
        ),
        (
            r#""cmps":{"a":{"p":"sensor","name":"A","uniq_id":"a","stat_t":"hive/satellite/kitchen/mode","dev_cla":"enum"}}"#,
            "needs options",
        ),
        (
            r#""cmps":{"a":{"p":"button","name":"A","uniq_id":"a"}}"#,
            "button needs cmd_t",
        ),
        (
            r#""cmps":{"a":{"p":"light","name":"A","uniq_id":"a"}}"#,
            "unknown platform",
        ),
        (
            r#""cmps":{"a":{"p":"number","name":"A","uniq_id":"a","cmd_t":"hive/satellite/kitchen/control","min":5,"max":1}}"#,
            "min < max",
        ),
    ];
    for (cmps, expected) in cases {
        let payload = format!("{{{device},{cmps}}}");
        let problems =
            ha::check(&topics, "homeassistant", KITCHEN_CONFIG, payload.as_bytes()).unwrap_err();
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "{expected}: {problems:?}"
        );
    }
    let no_origin = r#"{"dev":{"ids":["x"]},"cmps":{"a":{"p":"sensor","name":"A","uniq_id":"a","stat_t":"hive/satellite/kitchen/mode"}}}"#;
    assert!(
        ha::check(
            &topics,
            "homeassistant",
            KITCHEN_CONFIG,
            no_origin.as_bytes()
        )
        .is_err()
    );
}
