//! The JSON answers the skills read over HTTP: Home Assistant's `/api/states`, Open-Meteo's
//! geocoding and forecast, OpenWeatherMap's weather and forecast, each decoded by the
//! skills' `decode` (`skills/src/http/client.rs`) and run through what turns it into speech
//! (the devices resolved by name and switched, the report folded into days and spoken in
//! every language). hive-skills exposes that path as the hidden `http_answers` entry.
//!
//! Input: a selector byte (`'0'` to `'4'`, any byte counted modulo 5: states, geocoding,
//! forecast, weather, forecast), then the body. Beyond "never panics" (NaN-free but huge,
//! signed-zero or missing temperatures, empty lists, timestamps at the end of time):
//! - a refused body is refused with the skill's error naming the service;
//! - every sentence is whole (it ends with `.` or `?`), and there are as many as the skill's
//!   intents ask for: per language the weather now and, per day, a forecast and a rain
//!   answer or "no forecast"; one or two per device (switched and dimmed, ambiguous, not
//!   found) when each is asked for by its own name;
//! - a chance of rain is at most 100 percent;
//! - only devices the skill can switch come out.
#![no_main]

use hive_skills::http_answers::{Api, answer};
use libfuzzer_sys::fuzz_target;

const CONTROLLABLE: [&str; 4] = ["light", "switch", "fan", "input_boolean"];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let answer = match answer(Api::from_selector(selector), body) {
        Ok(answer) => answer,
        Err(error) => {
            assert!(error.contains("sent an unexpected response: "), "{error}");
            return;
        }
    };
    for sentence in &answer.sentences {
        assert!(sentence.ends_with(['.', '?']), "{sentence}");
    }
    for id in &answer.devices {
        let domain = id.split_once('.').map(|(domain, _)| domain);
        assert!(
            domain.is_some_and(|domain| CONTROLLABLE.contains(&domain)),
            "{id}"
        );
    }
    let said = answer.sentences.len();
    match (&answer.report, answer.devices.len()) {
        (Some(report), _) => {
            for day in &report.days {
                assert!(day.precipitation_chance.is_none_or(|chance| chance <= 100));
            }
            let per_lang = 1
                + (0..3)
                    .map(|day| if day < report.days.len() { 2 } else { 1 })
                    .sum::<usize>();
            assert_eq!(said, 3 * per_lang);
        }
        // Home Assistant without a device to switch, or a place the service does not know.
        (None, 0) => assert!(said == 0 || said == 3, "{:?}", answer.sentences),
        (None, devices) => assert!((3 * devices..=6 * devices).contains(&said)),
    }
});
