//! The espeak-ng engine: runs the program and reads the WAV it writes.

use std::collections::{BTreeMap, BTreeSet};

use super::config::EspeakConfig;
use super::program::EspeakProgram;
use crate::tts::config::BuildContext;
use crate::tts::engine::{Speech, Tts, check_speaks};
use crate::tts::error::TtsError;
use crate::tts::lang::{canonical, primary_language};
use crate::tts::wav::decode_wav;

const NAME: &str = "espeak";
/// The rate espeak-ng's own voices speak at (MBROLA voices differ; their WAV says so).
const SAMPLE_RATE: u32 = 22_050;

/// Speaks with the espeak-ng program, in any language it has a voice for.
#[derive(Debug)]
pub struct EspeakTts {
    program: EspeakProgram,
    /// Configured voice per canonical language tag.
    voices: BTreeMap<String, String>,
    /// Every language tag espeak-ng has a voice for, canonical.
    installed: BTreeSet<String>,
    rate: Option<u32>,
}

impl EspeakTts {
    /// Checks that the program runs and lists the voices it has.
    ///
    /// # Errors
    ///
    /// [`TtsError::Config`] for invalid values or a configured voice espeak-ng does not have;
    /// [`TtsError::EngineUnavailable`] if the program cannot be run.
    pub fn new(config: &EspeakConfig, ctx: &BuildContext) -> Result<Self, TtsError> {
        config.validate()?;
        let program = EspeakProgram::new(&ctx.espeak);
        let listed = program
            .voices()
            .map_err(|detail| TtsError::unavailable(NAME, detail))?;
        let installed: BTreeSet<String> = listed
            .into_iter()
            .flat_map(|voice| std::iter::once(voice.language).chain(voice.others))
            .collect();
        if installed.is_empty() {
            return Err(TtsError::unavailable(
                NAME,
                format!("`{} --voices` lists no voice", ctx.espeak.display()),
            ));
        }
        let voices = config.voice_map();
        // Only the voices the configuration names are checked: the defaults may be missing
        // from a trimmed espeak-ng install, and then those languages are simply unsupported.
        for (lang, voice) in &config.voices {
            if !installed.contains(&canonical(voice)) && !voice.contains('/') {
                return Err(TtsError::Config {
                    field: "tts.voices",
                    reason: format!(
                        "espeak-ng has no voice `{voice}` (for `{lang}`); see `espeak-ng --voices`"
                    ),
                });
            }
        }
        Ok(EspeakTts {
            program,
            voices,
            installed,
            rate: config.rate,
        })
    }

    /// The espeak-ng voice for `lang`: the configured one (exact tag, then primary
    /// language), else an installed voice of that name.
    fn voice_for(&self, lang: &str) -> Option<String> {
        let tag = canonical(lang);
        let primary = primary_language(lang);
        if let Some(voice) = self.voices.get(&tag).or_else(|| self.voices.get(&primary))
            && (self.installed.contains(&canonical(voice)) || voice.contains('/'))
        {
            return Some(voice.clone());
        }
        [tag, primary]
            .into_iter()
            .find(|name| !name.is_empty() && self.installed.contains(name))
    }
}

impl Tts for EspeakTts {
    fn synthesize(&self, text: &str, lang: &str) -> Result<Speech, TtsError> {
        let voice = self
            .voice_for(lang)
            .ok_or_else(|| TtsError::unsupported(NAME, lang))?;
        let silence = Speech {
            samples: Vec::new(),
            sample_rate: SAMPLE_RATE,
        };
        if text.trim().is_empty() {
            return Ok(silence);
        }
        let bytes = self
            .program
            .wav(&voice, self.rate, text)
            .map_err(|detail| TtsError::synthesis(NAME, detail))?;
        // espeak-ng writes nothing at all for text with nothing to say (e.g. "...").
        if bytes.is_empty() {
            return Ok(silence);
        }
        decode_wav(&bytes).map_err(|error| {
            TtsError::synthesis(NAME, format!("espeak-ng wrote unreadable audio: {error}"))
        })
    }

    fn supports(&self, lang: &str) -> bool {
        self.voice_for(lang).is_some()
    }

    fn name(&self) -> &str {
        NAME
    }

    fn health(&self) -> Result<(), TtsError> {
        let lang = self
            .voices
            .keys()
            .find(|lang| self.supports(lang))
            .cloned()
            .unwrap_or_else(|| "en".to_owned());
        check_speaks(self, &lang)
    }
}
