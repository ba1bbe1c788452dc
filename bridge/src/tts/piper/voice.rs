//! A Piper voice's JSON configuration (`<voice>.onnx.json`): sample rate, espeak-ng voice,
//! inference scales, and the table from phonemes to model input ids.

use std::collections::HashMap;

use serde::Deserialize;

/// The id-table entries every Piper voice has: padding after each phoneme, beginning and end
/// of an utterance.
pub(crate) const PAD: char = '_';
pub(crate) const BOS: char = '^';
pub(crate) const EOS: char = '$';

/// How text becomes phonemes for this voice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PhonemeType {
    /// espeak-ng IPA with this voice (`en-us`).
    Espeak(String),
    /// The text's own characters.
    Text,
}

/// The parts of a voice configuration the engine uses.
#[derive(Debug, Clone)]
pub(crate) struct Voice {
    pub(crate) sample_rate: u32,
    pub(crate) phonemes: PhonemeType,
    pub(crate) noise_scale: f32,
    pub(crate) length_scale: f32,
    pub(crate) noise_w: f32,
    pub(crate) num_speakers: u32,
    /// Phoneme replacements applied before the id lookup.
    pub(crate) phoneme_map: HashMap<char, Vec<char>>,
    pub(crate) ids: HashMap<char, Vec<i64>>,
    /// The primary language of the voice (`en` for `en_US`), if the file says.
    pub(crate) language: Option<String>,
}

#[derive(Deserialize)]
struct File {
    audio: Audio,
    #[serde(default)]
    espeak: Option<Espeak>,
    #[serde(default)]
    inference: Inference,
    #[serde(default)]
    phoneme_type: Option<String>,
    #[serde(default)]
    phoneme_map: HashMap<String, Vec<String>>,
    phoneme_id_map: HashMap<String, Vec<i64>>,
    #[serde(default = "one")]
    num_speakers: u32,
    #[serde(default)]
    language: Option<Language>,
}

#[derive(Deserialize)]
struct Audio {
    sample_rate: u32,
}

#[derive(Deserialize)]
struct Espeak {
    voice: String,
}

#[derive(Deserialize)]
#[serde(default)]
struct Inference {
    noise_scale: f32,
    length_scale: f32,
    noise_w: f32,
}

impl Default for Inference {
    /// Piper's defaults.
    fn default() -> Self {
        Inference {
            noise_scale: 0.667,
            length_scale: 1.0,
            noise_w: 0.8,
        }
    }
}

#[derive(Deserialize)]
struct Language {
    code: String,
}

fn one() -> u32 {
    1
}

/// The single character of a table key, if it is one.
fn single_char(key: &str) -> Option<char> {
    let mut chars = key.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

impl Voice {
    /// Parses a voice configuration.
    pub(crate) fn parse(json: &str) -> Result<Voice, String> {
        let file: File = serde_json::from_str(json)
            .map_err(|error| format!("not a Piper voice configuration: {error}"))?;
        if file.audio.sample_rate == 0 {
            return Err("audio.sample_rate is 0".to_owned());
        }
        let phonemes = match file.phoneme_type.as_deref().unwrap_or("espeak") {
            "espeak" => PhonemeType::Espeak(
                file.espeak
                    .map(|e| e.voice)
                    .ok_or("no espeak.voice for an espeak voice")?,
            ),
            "text" => PhonemeType::Text,
            other => {
                return Err(format!(
                    "phoneme_type `{other}` is not supported (only espeak and text)"
                ));
            }
        };
        // Keys are single code points; longer keys cannot come out of the phonemiser.
        let ids: HashMap<char, Vec<i64>> = file
            .phoneme_id_map
            .into_iter()
            .filter_map(|(key, ids)| single_char(&key).map(|c| (c, ids)))
            .collect();
        for required in [PAD, BOS, EOS] {
            if ids.get(&required).is_none_or(Vec::is_empty) {
                return Err(format!("phoneme_id_map has no id for `{required}`"));
            }
        }
        let phoneme_map = file
            .phoneme_map
            .into_iter()
            .filter_map(|(key, to)| {
                Some((
                    single_char(&key)?,
                    to.iter().flat_map(|s| s.chars()).collect(),
                ))
            })
            .collect();
        let inference = file.inference;
        Ok(Voice {
            sample_rate: file.audio.sample_rate,
            phonemes,
            noise_scale: inference.noise_scale,
            length_scale: inference.length_scale,
            noise_w: inference.noise_w,
            num_speakers: file.num_speakers,
            phoneme_map,
            ids,
            language: file
                .language
                .map(|l| crate::tts::lang::primary_language(&l.code))
                .filter(|l| !l.is_empty()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{
        "audio": {"sample_rate": 22050},
        "espeak": {"voice": "en-us"},
        "phoneme_id_map": {"_": [0], "^": [1], "$": [2], "a": [14], "ab": [99]},
        "language": {"code": "en_US"}
    }"#;

    #[test]
    fn parses_a_voice_with_piper_defaults() {
        let voice = Voice::parse(MINIMAL).unwrap();
        assert_eq!(voice.sample_rate, 22_050);
        assert_eq!(voice.phonemes, PhonemeType::Espeak("en-us".into()));
        assert_eq!(
            (voice.noise_scale, voice.length_scale, voice.noise_w),
            (0.667, 1.0, 0.8)
        );
        assert_eq!(voice.num_speakers, 1);
        assert_eq!(voice.ids.len(), 4, "multi-character keys are dropped");
        assert_eq!(voice.language.as_deref(), Some("en"));
    }

    #[test]
    fn rejects_what_piper_could_not_run() {
        let cases = [
            ("{}", "not a Piper voice configuration"),
            (
                r#"{"audio": {"sample_rate": 0}, "phoneme_id_map": {}}"#,
                "audio.sample_rate is 0",
            ),
            (
                r#"{"audio": {"sample_rate": 1}, "phoneme_id_map": {}}"#,
                "no espeak.voice",
            ),
            (
                r#"{"audio": {"sample_rate": 1}, "phoneme_type": "pinyin", "phoneme_id_map": {}}"#,
                "phoneme_type `pinyin`",
            ),
            (
                r#"{"audio": {"sample_rate": 1}, "phoneme_type": "text", "phoneme_id_map": {"_": [0]}}"#,
                "no id for `^`",
            ),
        ];
        for (json, message) in cases {
            let error = Voice::parse(json).unwrap_err();
            assert!(error.contains(message), "{json}: {error}");
        }
    }
}
