//! Replays the `http_answers` fuzz target's corpus (`topics/fuzz/corpus/http_answers/`)
//! through [`answer`] as the target does: a selector byte (`'0'` Home Assistant's states,
//! `'1'` Open-Meteo's geocoding, `'2'` its forecast, `'3'` OpenWeatherMap's weather, `'4'`
//! its forecast), then the body. `valid-` seeds give the sentences and values named below,
//! `bad-` seeds are refused with the skill's error, and every answer is whole sentences,
//! chances at most 100 percent, only devices the skill can switch.

use std::path::Path;

use super::answers::{Answer, Api, answer};

/// Every seed's (name, bytes), by name.
fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../topics/fuzz/corpus/http_answers");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| {
            let path = entry.expect("corpus entry").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).expect("corpus file"))
        })
        .collect();
    files.sort();
    files
}

fn replay(data: &[u8]) -> Result<Answer, String> {
    let (&selector, body) = data.split_first().unwrap_or((&b'0', &[]));
    answer(Api::from_selector(selector), body)
}

/// Sentences some seeds must give (among others).
fn said(name: &str) -> &'static [&'static str] {
    match name {
        "valid-homeassistant-states" => &[
            "Okay, Kitchen light is on.",
            "Okay, Kitchen light is at 40 percent.",
            "D'accord, j'ai allumé Desk lamp.",
            "Coffee machine kan niet gedimd worden.",
            "Okay, Guest mode is on.",
            "Okay, fan.bedroom is on.",
        ],
        "valid-open-meteo-geocoding" => &[
            "In Gent it's 7 degrees with overcast skies.",
            "Today in Gent expect rain, between 3 and 9 degrees. The chance of rain is 80 percent.",
            "I have no forecast for that day.",
        ],
        "valid-open-meteo-geocoding-nothing-found" | "edge-open-meteo-geocoding-error-object" => {
            &["I don't know a place called Paris."]
        }
        "valid-open-meteo-forecast" => &[
            "In Paris it's 17 degrees with rain.",
            "Today in Paris expect rain, between 10 and 17 degrees. The chance of rain is 90 percent.",
            "No, rain is unlikely tomorrow in Paris: 10 percent chance.",
            "Après-demain à Paris, prévoyez de la neige, entre moins 4 et 0 degré.",
        ],
        "valid-openweathermap-weather" => &[
            "In Brussels it's 11 degrees with showers.",
            "À Brussels, il fait 11 degrés avec des averses.",
        ],
        "valid-openweathermap-forecast" => &[
            "In Paris it's 7 degrees with rain.",
            "Today in Paris expect rain, between 3 and 9 degrees. The chance of rain is 85 percent.",
            "Tomorrow in Paris expect clear skies, between minus 2 and 1 degree. The chance of rain is 0 percent.",
            "I have no forecast for that day.",
        ],
        "regression-openweathermap-timestamp-overflow"
        | "edge-openweathermap-forecast-empty-list" => &["I have no forecast for that day."],
        _ => &[],
    }
}

#[test]
fn the_http_answers_fuzz_corpus_speaks_as_named_or_is_refused() {
    let files = corpus();
    assert!(files.len() >= 20, "only {} http_answers seeds", files.len());
    for (name, data) in &files {
        let answered = replay(data);
        if name.starts_with("bad-") {
            let error = answered.expect_err(name);
            assert!(
                error.contains("sent an unexpected response"),
                "{name}: {error}"
            );
            continue;
        }
        let answer = match answered {
            Ok(answer) => answer,
            Err(error) if name.starts_with("valid-") => panic!("{name}: {error}"),
            Err(_) => continue,
        };
        for sentence in &answer.sentences {
            assert!(sentence.ends_with(['.', '?']), "{name}: {sentence}");
        }
        for day in answer.report.iter().flat_map(|report| &report.days) {
            assert!(day.precipitation_chance.is_none_or(|chance| chance <= 100));
        }
        for id in &answer.devices {
            let domain = id.split_once('.').map(|(domain, _)| domain);
            assert!(
                matches!(domain, Some("light" | "switch" | "fan" | "input_boolean")),
                "{name}: {id}"
            );
        }
        for sentence in said(name) {
            assert!(
                answer.sentences.iter().any(|said| said == sentence),
                "{name} did not say {sentence:?} but {:#?}",
                answer.sentences
            );
        }
    }
    let states = replay(
        &std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../topics/fuzz/corpus/http_answers/valid-homeassistant-states"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        states.devices,
        [
            "light.kitchen",
            "light.office",
            "switch.coffee",
            "input_boolean.guest_mode",
            "fan.bedroom"
        ]
    );
}
