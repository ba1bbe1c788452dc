//! Helpers for the table tests of every message family.

use serde_json::Value;

use crate::*;

/// A satellite id known to be valid.
pub(crate) fn sat(id: &str) -> SatelliteId {
    SatelliteId::new(id).unwrap()
}

/// Encodes `message`, parses the result back and checks it is unchanged, under the default
/// prefix and under a two-level one.
pub(crate) fn assert_round_trip(message: &Inbound) {
    for topics in [Topics::default(), Topics::new("home/hive").unwrap()] {
        let out = topics.encode(message);
        match topics.parse(&out.topic, &out.payload) {
            Ok(parsed) => assert_eq!(&parsed, message, "{} on {}", message.kind(), out.topic),
            Err(error) => panic!(
                "{} on {} does not parse back: {error}\npayload: {:?}",
                message.kind(),
                out.topic,
                String::from_utf8_lossy(&out.payload)
            ),
        }
    }
}

/// Parses each `(case name, payload, expected error code)` on `topic` under the default
/// prefix and checks the error code.
pub(crate) fn assert_rejected(topic: &str, cases: &[(&str, &[u8], &str)]) {
    let topics = Topics::default();
    for (name, payload, code) in cases {
        match topics.parse(topic, payload) {
            Ok(parsed) => panic!("{topic}, {name}: accepted as {parsed:?}"),
            Err(error) => assert_eq!(error.code(), *code, "{topic}, {name}: {error}"),
        }
    }
}

/// One message of every kind (say twice: for all and for one), in the order of the topic
/// tree in the README. Satellite `kitchen` throughout, `hall` in the ask.
pub(crate) fn one_of_each() -> Vec<Inbound> {
    let kitchen = sat("kitchen");
    let Value::Object(args) = serde_json::json!({"emotion": "happy", "intensity": 0.8}) else {
        unreachable!()
    };
    let Value::Object(slots) = serde_json::json!({"area": "kitchen"}) else {
        unreachable!()
    };
    let timer = TimerInfo {
        timer_id: "t1".into(),
        name: Some("pasta".into()),
        satellite: Some(kitchen.clone()),
        duration_s: Some(600),
        ends_at: Some(1_700_000_600),
    };
    vec![
        Inbound::Wake {
            satellite: kitchen.clone(),
            wake: Wake {
                session: 42,
                wake_word: "hey_jarvis".into(),
                score: 0.91,
                energy: Some(0.2),
            },
        },
        Inbound::AudioStart {
            satellite: kitchen.clone(),
            start: AudioStart {
                session: 42,
                format: AudioFormat::V1,
            },
        },
        Inbound::AudioChunk {
            satellite: kitchen.clone(),
            chunk: AudioChunk::from_samples(42, 0, &[0, 512, -512, 1024]),
        },
        Inbound::AudioEnd {
            satellite: kitchen.clone(),
            end: AudioEnd {
                session: 42,
                reason: EndReason::SpeechEnded,
                last_seq: Some(0),
            },
        },
        Inbound::Sensor {
            satellite: kitchen.clone(),
            name: SensorName::new("temperature").unwrap(),
            reading: SensorReading {
                value: SensorValue::Number(21.5),
                unit: Some("°C".into()),
                device_class: Some("temperature".into()),
            },
        },
        Inbound::Heartbeat {
            satellite: kitchen.clone(),
            heartbeat: Heartbeat {
                uptime_s: 3600,
                mode: Mode::Idle,
                version: "0.1.0".into(),
                protocol: PROTOCOL_VERSION,
                counters: [("wakes".to_owned(), 3)].into(),
            },
        },
        Inbound::ActionAck {
            satellite: kitchen.clone(),
            ack: ActionAck {
                id: "a1".into(),
                ok: true,
                error: None,
            },
        },
        Inbound::Event {
            satellite: kitchen.clone(),
            event: LocalEvent::Stopwatch {
                elapsed_ms: 1500,
                running: true,
            },
        },
        Inbound::Text {
            satellite: kitchen.clone(),
            input: TextInput {
                text: "what time is it".into(),
                session: None,
                lang: None,
            },
        },
        Inbound::Reply {
            satellite: kitchen.clone(),
            reply: ReplyChunk {
                session: 42,
                index: 0,
                text: "It is four.".into(),
                is_final: true,
                lang: Some("en".into()),
                timings: None,
            },
        },
        Inbound::Tts {
            satellite: kitchen.clone(),
            audio: TtsAudio::from_samples(42, 0, true, 22_050, &[0, 100, -100]),
        },
        Inbound::Action {
            satellite: kitchen.clone(),
            action: Action {
                id: "a1".into(),
                session: Some(42),
                name: "show_emotion".into(),
                args,
            },
        },
        Inbound::Error {
            satellite: kitchen.clone(),
            error: ErrorReport {
                session: Some(42),
                code: "stt_failed".into(),
                message: "I did not catch that.".into(),
                recoverable: true,
            },
        },
        Inbound::Control {
            satellite: kitchen.clone(),
            control: Control::SetVolume { volume: 0.5 },
        },
        Inbound::BridgeStatus(Availability::Online),
        Inbound::SatelliteStatus {
            satellite: kitchen.clone(),
            availability: Availability::Online,
        },
        Inbound::Mode {
            satellite: kitchen.clone(),
            mode: Mode::Listening,
        },
        Inbound::Eyes {
            satellite: kitchen.clone(),
            colour: EyeColour::Blue,
        },
        Inbound::Say {
            target: Target::All,
            say: Say::new("Dinner is ready"),
        },
        Inbound::Say {
            target: Target::Satellite(kitchen.clone()),
            say: Say::new("The pasta is done"),
        },
        Inbound::Ask(Ask {
            id: Some("q1".into()),
            text: "is the door locked".into(),
            satellite: Some(sat("hall")),
            lang: None,
        }),
        Inbound::AskReply(AskReply {
            id: Some("q1".into()),
            text: "Yes.".into(),
            intent: Some("lock.state".into()),
            lang: None,
            timings: None,
        }),
        Inbound::Intent(IntentEvent {
            intent: IntentName::new("light.turn_on").unwrap(),
            slots,
            text: "turn on the kitchen light".into(),
            satellite: Some(kitchen.clone()),
            session: Some(42),
            lang: Some("en".into()),
            source: IntentSource::Local,
        }),
        Inbound::TimerSet(TimerSet {
            satellite: Some(kitchen.clone()),
            name: Some("pasta".into()),
            duration_s: 600,
        }),
        Inbound::TimerCancel(TimerCancel {
            timer_id: None,
            name: Some("pasta".into()),
            satellite: Some(kitchen),
        }),
        Inbound::TimerEvent(TimerEvent {
            kind: TimerEventKind::Fired,
            timer: timer.clone(),
        }),
        Inbound::TimerList(vec![timer]),
        Inbound::SkillManifest {
            skill: SkillName::new("dice").unwrap(),
            manifest: crate::skill::tests::manifest(),
        },
        Inbound::SkillRequest {
            skill: SkillName::new("dice").unwrap(),
            request: SkillRequest {
                id: "r1".into(),
                intent: IntentName::new("dice.roll").unwrap(),
                slots: serde_json::Map::new(),
                text: Some("roll a die".into()),
                lang: Some("en".into()),
                satellite: Some(sat("kitchen")),
                session: Some(42),
            },
        },
        Inbound::SkillResponse {
            skill: SkillName::new("dice").unwrap(),
            response: SkillResponse {
                id: "r1".into(),
                speech: Some("You rolled a 4.".into()),
                data: None,
                error: None,
            },
        },
    ]
}
