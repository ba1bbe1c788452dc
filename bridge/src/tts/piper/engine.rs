//! The Piper engine: phonemes from espeak-ng, audio from the voice model, one sentence at a
//! time.

use std::time::Duration;

use super::config::PiperConfig;
use super::model::{PiperModel, Scales, to_pcm16};
use super::phonemes::{phoneme_ids, phonemize};
use super::voice::{PhonemeType, Voice};
use crate::tts::config::BuildContext;
use crate::tts::engine::{Speech, Tts, check_speaks};
use crate::tts::error::TtsError;
use crate::tts::espeak::program::EspeakProgram;
use crate::tts::lang::matches;

const NAME: &str = "piper";
/// Silence between sentences, as Piper's own default.
const SENTENCE_SILENCE: Duration = Duration::from_millis(200);

/// Speaks with a Piper voice.
pub struct PiperTts {
    voice: Voice,
    model: PiperModel,
    espeak: EspeakProgram,
    scales: Scales,
    speaker: Option<i64>,
    languages: Vec<String>,
}

impl std::fmt::Debug for PiperTts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PiperTts")
            .field("languages", &self.languages)
            .field("scales", &self.scales)
            .finish_non_exhaustive()
    }
}

impl PiperTts {
    /// Reads the voice configuration, loads ONNX Runtime (once per process) and the model,
    /// and checks that espeak-ng has the voice's phoneme voice. Slow: call it from a blocking
    /// thread.
    ///
    /// # Errors
    ///
    /// [`TtsError::Config`] for invalid values, missing files (with the install command) or
    /// a speaker the voice does not have; [`TtsError::EngineUnavailable`] if the runtime,
    /// the model or espeak-ng cannot be loaded or run.
    pub fn load(config: &PiperConfig, ctx: &BuildContext) -> Result<Self, TtsError> {
        config.validate()?;
        let (model_path, config_path) = config.check_files(ctx)?;
        let json = std::fs::read_to_string(&config_path).map_err(|source| TtsError::Io {
            path: config_path.clone(),
            source,
        })?;
        let voice = Voice::parse(&json).map_err(|reason| TtsError::Config {
            field: "tts.config",
            reason: format!("{}: {reason}", config_path.display()),
        })?;
        let speaker = match (config.speaker, voice.num_speakers) {
            (Some(speaker), n) if n <= 1 => {
                return Err(TtsError::Config {
                    field: "tts.speaker",
                    reason: format!(
                        "this voice has a single speaker; remove `speaker = {speaker}`"
                    ),
                });
            }
            (Some(speaker), n) if speaker >= i64::from(n) => {
                return Err(TtsError::Config {
                    field: "tts.speaker",
                    reason: format!("this voice has speakers 0 to {} (found {speaker})", n - 1),
                });
            }
            (speaker, n) if n > 1 => Some(speaker.unwrap_or(0)),
            _ => None,
        };
        let languages = if config.languages.is_empty() {
            voice.language.iter().cloned().collect()
        } else {
            config.languages.clone()
        };
        if languages.is_empty() {
            return Err(TtsError::Config {
                field: "tts.languages",
                reason: format!(
                    "{} does not name its language; set e.g. languages = [\"en\"]",
                    config_path.display()
                ),
            });
        }
        let espeak = EspeakProgram::new(&ctx.espeak);
        if let PhonemeType::Espeak(espeak_voice) = &voice.phonemes {
            espeak.ipa(espeak_voice, "ok").map_err(|detail| {
                TtsError::unavailable(
                    NAME,
                    format!("espeak-ng cannot phonemise with voice `{espeak_voice}`: {detail}"),
                )
            })?;
        }
        // ONNX Runtime allows one environment per process, shared with Silero VAD: whichever
        // engine loads first creates it, in `vad::runtime`.
        let environment = crate::vad::init_onnx_runtime(&ctx.onnxruntime)
            .map_err(|error| TtsError::unavailable(NAME, error.to_string()))?;
        let model = PiperModel::load(&model_path, environment)
            .map_err(|detail| TtsError::unavailable(NAME, detail))?;
        if speaker.is_some() && !model.has_speaker_input() {
            tracing::warn!(
                model = %model_path.display(),
                "Piper voice configuration lists several speakers but the model takes no speaker id."
            );
        }
        let scales = Scales {
            noise: voice.noise_scale,
            length: config.length_scale.unwrap_or(voice.length_scale),
            noise_w: voice.noise_w,
        };
        tracing::info!(
            model = %model_path.display(),
            languages = ?languages,
            sample_rate = voice.sample_rate,
            "Piper voice loaded."
        );
        Ok(PiperTts {
            voice,
            model,
            espeak,
            scales,
            speaker,
            languages,
        })
    }

    /// The sample rate of the audio this voice produces.
    pub fn sample_rate(&self) -> u32 {
        self.voice.sample_rate
    }
}

impl Tts for PiperTts {
    fn synthesize(&self, text: &str, lang: &str) -> Result<Speech, TtsError> {
        if !self.supports(lang) {
            return Err(TtsError::unsupported(NAME, lang));
        }
        let mut speech = Speech {
            samples: Vec::new(),
            sample_rate: self.voice.sample_rate,
        };
        let sentences = phonemize(text, &self.voice, &self.espeak)
            .map_err(|detail| TtsError::synthesis(NAME, detail))?;
        for (index, phonemes) in sentences.iter().enumerate() {
            let (ids, missing) = phoneme_ids(phonemes, &self.voice);
            if !missing.is_empty() {
                tracing::debug!(missing = ?missing, "Piper voice has no id for some phonemes; skipped them.");
            }
            let audio = self
                .model
                .infer(&ids, self.scales, self.speaker)
                .map_err(|detail| TtsError::synthesis(NAME, detail))?;
            if index > 0 {
                speech.append_silence(SENTENCE_SILENCE);
            }
            speech.samples.extend(to_pcm16(&audio));
        }
        Ok(speech)
    }

    fn supports(&self, lang: &str) -> bool {
        self.languages
            .iter()
            .any(|configured| matches(configured, lang))
    }

    fn name(&self) -> &str {
        NAME
    }

    fn health(&self) -> Result<(), TtsError> {
        let lang = self.languages.first().map_or("en", String::as_str);
        check_speaks(self, lang)
    }
}
