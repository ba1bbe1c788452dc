//! Home Assistant control in a whole voice turn: a satellite says "turn on the kitchen light"
//! over a real Mosquitto; the real bridge, which read the devices and areas from a local Home
//! Assistant stand-in (real HTTP, the real REST API's shapes), calls
//! `POST /api/services/light/turn_on` for `light.kitchen` and confirms in text and speech.

use std::time::Duration;

use hive_bridge::models::ModelsDir;
use hive_tests::speech::{silence, synthesize};
use hive_tests::stand_in::{Answer, Seen, StandIn};
use hive_tests::{Broker, RunningBridge, ScriptedSatellite};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(120);
const TOKEN: &str = "test-long-lived-token";

fn models() -> ModelsDir {
    hive_tests::require_models(hive_tests::VOICE_TURN_MODELS)
}

/// Home Assistant's REST API for a house with a kitchen light, a living-room lamp and a sensor.
fn home_assistant(seen: &Seen) -> Answer {
    if seen.authorization.as_deref() != Some(&format!("Bearer {TOKEN}")) {
        return (401, "text/plain", "401: Unauthorized".into());
    }
    let state = |id: &str, name: &str, value: &str| {
        json!({
            "entity_id": id, "state": value,
            "attributes": {"friendly_name": name, "supported_color_modes": ["brightness"], "color_mode": null},
            "last_changed": "2026-12-01T20:00:00.000000+00:00",
            "last_reported": "2026-12-01T20:00:00.000000+00:00",
            "last_updated": "2026-12-01T20:00:00.000000+00:00",
            "context": {"id": "01JDX", "parent_id": null, "user_id": null}
        })
    };
    match (seen.method.as_str(), seen.path()) {
        ("GET", "/api/states") => {
            let states = json!([
                state("light.kitchen", "Kitchen light", "off"),
                state("light.living_room_lamp", "Reading lamp", "on"),
                state("sensor.kitchen_temperature", "Kitchen temperature", "21.5"),
            ]);
            (200, "application/json", states.to_string())
        }
        ("POST", "/api/template") => (
            200,
            "text/plain; charset=utf-8",
            "light.kitchen|Kitchen\nlight.living_room_lamp|Living room\nsensor.kitchen_temperature|Kitchen\n".into(),
        ),
        ("POST", "/api/services/light/turn_on") => {
            let changed = json!([state("light.kitchen", "Kitchen light", "on")]);
            (200, "application/json", changed.to_string())
        }
        _ => (404, "text/plain", "404: Not Found".into()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn turn_on_the_kitchen_light_calls_home_assistant_and_confirms() {
    hive_tests::init_logs();
    let models = models();
    let home = StandIn::start(home_assistant);
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let config = format!(
        "[stt]\ntype = \"whisper\"\nmodel = \"whisper/ggml-tiny.en.bin\"\nlanguage = \"en\"\n\
         [skills.homeassistant]\nurl = \"{}\"\ntoken = \"{TOKEN}\"\n",
        home.url
    );
    let bridge = RunningBridge::start(&broker, data.path(), &config).unwrap();
    let mut hall = ScriptedSatellite::connect(&broker, "hall").await.unwrap();
    hall.wait_bridge_online(WAIT).await.unwrap();

    let command = [
        silence(0.5),
        synthesize("turn on the kitchen light", "en-us").unwrap(),
        silence(1.5),
    ]
    .concat();
    hall.speak(6262, &command).await.unwrap();
    let reply = hall.reply(6262, WAIT).await.unwrap();

    let text = reply.text();
    assert_eq!(text.trim(), "Okay, Kitchen light is on.", "{text:?}");
    let calls: Vec<(String, Value)> = home
        .seen()
        .into_iter()
        .filter(|seen| seen.path().starts_with("/api/services/"))
        .map(|seen| {
            (
                seen.path().to_owned(),
                serde_json::from_str(&seen.body).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        calls,
        [(
            "/api/services/light/turn_on".to_owned(),
            json!({"entity_id": "light.kitchen"})
        )]
    );

    let rate = reply.sample_rate;
    assert!(rate > 0 && reply.audio.len() > rate as usize / 2);
    let heard = hive_tests::Ear::new(&models).hears(&reply.audio, rate, |said| {
        said.contains("kitchen") && said.contains(" on")
    });
    assert!(heard.is_ok(), "the reply audio says {heard:?}");
    bridge.stop().await.unwrap();
}
