//! The weather skill in a whole voice turn: a satellite asks "what's the weather in Paris" over
//! a real Mosquitto, the real bridge recognises it with the real models, asks a local
//! Open-Meteo stand-in (real HTTP, the real API's JSON), and answers in text and speech with
//! the stand-in's temperature and conditions.

use std::time::Duration;

use hive_bridge::models::ModelsDir;
use hive_tests::speech::{silence, synthesize};
use hive_tests::stand_in::{Answer, Seen, StandIn};
use hive_tests::{Broker, RunningBridge, ScriptedSatellite};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(120);

fn models() -> ModelsDir {
    hive_tests::require_models(hive_tests::VOICE_TURN_MODELS)
}

/// Open-Meteo as it answers for Paris: 17.4 °C and rain (WMO code 63) now.
fn open_meteo(seen: &Seen) -> Answer {
    match seen.path() {
        "/v1/search" if seen.target.to_lowercase().contains("name=paris") => {
            let body = json!({
                "results": [{
                    "id": 2988507, "name": "Paris", "latitude": 48.85341, "longitude": 2.3488,
                    "elevation": 42.0, "feature_code": "PPLC", "country_code": "FR",
                    "timezone": "Europe/Paris", "country": "France"
                }],
                "generationtime_ms": 0.7
            });
            (200, "application/json", body.to_string())
        }
        "/v1/search" => (
            200,
            "application/json",
            "{\"generationtime_ms\":0.2}".into(),
        ),
        "/v1/forecast" => {
            let body = json!({
                "latitude": 48.86, "longitude": 2.34, "generationtime_ms": 0.05,
                "utc_offset_seconds": 3600, "timezone": "Europe/Paris",
                "current_units": {"time": "iso8601", "interval": "seconds", "temperature_2m": "°C", "weather_code": "wmo code"},
                "current": {"time": "2026-12-01T22:00", "interval": 900, "temperature_2m": 17.4, "weather_code": 63},
                "daily_units": {"time": "iso8601", "weather_code": "wmo code"},
                "daily": {
                    "time": ["2026-12-01", "2026-12-02", "2026-12-03"],
                    "weather_code": [63, 3, 0],
                    "temperature_2m_max": [18.0, 9.0, 7.0],
                    "temperature_2m_min": [12.0, 4.0, 1.0],
                    "precipitation_probability_max": [95, 20, 5]
                }
            });
            (200, "application/json", body.to_string())
        }
        _ => (
            404,
            "application/json",
            "{\"error\":true,\"reason\":\"Not Found\"}".into(),
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whats_the_weather_in_paris_is_answered_from_the_weather_service() {
    hive_tests::init_logs();
    let models = models();
    let service = StandIn::start(open_meteo);
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let config = format!(
        "[stt]\ntype = \"whisper\"\nmodel = \"whisper/ggml-tiny.en.bin\"\nlanguage = \"en\"\n\
         [skills.weather]\ngeocoding_url = \"{url}/v1\"\nforecast_url = \"{url}/v1\"\n",
        url = service.url
    );
    let bridge = RunningBridge::start(&broker, data.path(), &config).unwrap();
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();

    let question = [
        silence(0.5),
        synthesize("what's the weather in Paris", "en-us").unwrap(),
        silence(1.5),
    ]
    .concat();
    kitchen.speak(5151, &question).await.unwrap();
    let reply = kitchen.reply(5151, WAIT).await.unwrap();

    let text = reply.text();
    assert_eq!(
        text.trim(),
        "In Paris it's 17 degrees with rain.",
        "{text:?}"
    );
    let asked: Vec<String> = service
        .seen()
        .iter()
        .map(|seen| seen.path().to_owned())
        .collect();
    assert_eq!(
        asked,
        ["/v1/search", "/v1/forecast"],
        "{:?}",
        service.seen()
    );
    assert!(service.seen()[1].target.contains("latitude=48.85341"));

    // The speech says the same.
    let rate = reply.sample_rate;
    assert!(rate > 0 && reply.audio.len() > rate as usize / 2);
    // The place and the temperature; the text above carries the rain. Piper's "Paris" is
    // heard as "pairs" or "peris" in about one run in four, by tiny.en and base alike.
    let heard = hive_tests::Ear::new(&models).hears(&reply.audio, rate, |said| {
        (said.contains("17") || said.contains("seventeen"))
            && hive_tests::sounds_like(said, "Paris")
    });
    assert!(heard.is_ok(), "the reply audio says {heard:?}");
    bridge.stop().await.unwrap();
}

/// What the bridge says when a skill fails (`pipeline::understand::sorry`).
const APOLOGY: &str = "Sorry, I can't answer that right now.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_weather_service_that_fails_gets_an_apology_and_an_error_event() {
    hive_tests::init_logs();
    models();
    // The service is down: every request is answered 500, as a failing gateway does.
    let service = StandIn::start(|_: &Seen| {
        (
            500,
            "text/html",
            "<html><body>Internal Server Error</body></html>".into(),
        )
    });
    let broker = Broker::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let config = format!(
        "[stt]\ntype = \"whisper\"\nmodel = \"whisper/ggml-tiny.en.bin\"\nlanguage = \"en\"\n\
         [skills.weather]\ngeocoding_url = \"{url}/v1\"\nforecast_url = \"{url}/v1\"\n",
        url = service.url
    );
    let bridge = RunningBridge::start(&broker, data.path(), &config).unwrap();
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();

    kitchen
        .type_text(5252, "What's the weather in Paris?")
        .await
        .unwrap();
    let reply = kitchen.reply(5252, WAIT).await.unwrap();
    assert_eq!(reply.text(), APOLOGY);
    assert!(reply.audio_messages > 0, "the apology is spoken");
    let errors: Vec<(&str, Option<u32>, bool)> = reply
        .errors
        .iter()
        .map(|error| (error.code.as_str(), error.session, error.recoverable))
        .collect();
    assert_eq!(errors, [("skill_failed", Some(5252), true)]);
    // The message is the safe one, not the service's answer.
    assert_eq!(reply.errors[0].message, "The skill could not do it.");
    // The weather skill did ask the service: the apology is for its failure.
    assert!(
        service
            .seen()
            .iter()
            .any(|seen| seen.path() == "/v1/search"),
        "{:?}",
        service.seen()
    );
    bridge.stop().await.unwrap();
}
