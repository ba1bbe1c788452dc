//! Configuration of the espeak-ng engine.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::tts::error::TtsError;
use crate::tts::lang::canonical;

/// The voices used when the configuration names none for a language.
const DEFAULT_VOICES: [(&str, &str); 3] = [("en", "en-us"), ("fr", "fr-fr"), ("nl", "nl")];
/// The speaking rates espeak-ng accepts, in words per minute.
const RATES: std::ops::RangeInclusive<u32> = 80..=450;

/// `type = "espeak"`: the espeak-ng program. Robotic but small, fast and speaks about a
/// hundred languages: the fallback for everything the other engines cannot say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EspeakConfig {
    /// Voice per language (`fr = "fr-be"`), on top of the defaults `en` → `en-us`,
    /// `fr` → `fr-fr`, `nl` → `nl`. Other languages use the espeak-ng voice of the same name
    /// when there is one.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub voices: BTreeMap<String, String>,
    /// Speaking rate in words per minute (80 to 450; espeak-ng's default is 175).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<u32>,
}

impl EspeakConfig {
    /// The voice for each language: the defaults overridden by the configured voices, keys
    /// in canonical form (`en-us`).
    pub fn voice_map(&self) -> BTreeMap<String, String> {
        let mut voices: BTreeMap<String, String> = DEFAULT_VOICES
            .iter()
            .map(|(lang, voice)| ((*lang).to_owned(), (*voice).to_owned()))
            .collect();
        voices.extend(
            self.voices
                .iter()
                .map(|(lang, voice)| (canonical(lang), voice.trim().to_owned())),
        );
        voices
    }

    /// Checks the values.
    ///
    /// # Errors
    ///
    /// [`TtsError::Config`] for a rate out of range or a malformed language or voice name.
    pub fn validate(&self) -> Result<(), TtsError> {
        if let Some(rate) = self.rate
            && !RATES.contains(&rate)
        {
            return Err(TtsError::Config {
                field: "tts.rate",
                reason: format!(
                    "espeak-ng speaks {} to {} words per minute (found {rate})",
                    RATES.start(),
                    RATES.end()
                ),
            });
        }
        for (lang, voice) in &self.voices {
            if !is_name(lang) {
                return Err(TtsError::Config {
                    field: "tts.voices",
                    reason: format!("`{lang}` is not a language tag (e.g. `fr` or `en-gb`)"),
                });
            }
            if !is_name(voice) {
                return Err(TtsError::Config {
                    field: "tts.voices",
                    reason: format!(
                        "voice `{voice}` for `{lang}` is not an espeak-ng voice name (see `espeak-ng --voices`)"
                    ),
                });
            }
        }
        Ok(())
    }
}

/// Language tags and voice names: letters, digits, `-`, `_`, `+` (variants) and `/`
/// (`gmw/en-US`).
fn is_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '/'))
}
