//! whisper.cpp through whisper-rs: one loaded model, a fresh decoding state per utterance.

use std::path::PathBuf;

use serde::Deserialize;
use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters};

use super::engine::{Stt, SttError, Transcript};
use super::window::{FULL_WINDOW, States, fitted_window};

/// Whisper's settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhisperConfig {
    /// The ggml model file (`hive-bridge models path whisper-base`).
    pub model: PathBuf,
    /// A fixed language (`"en"`), or `"auto"` to detect among `languages`.
    #[serde(default = "default_language")]
    pub language: String,
    /// The languages detection may pick; whisper's own detection over all 99 languages
    /// guesses wrong on short commands, so Hive restricts it to the household's.
    #[serde(default = "default_languages")]
    pub languages: Vec<String>,
    /// Threads for inference; 0 uses every core.
    #[serde(default)]
    pub threads: usize,
    /// Utterances transcribed at once; the others wait their turn. One is fastest when one
    /// transcription already uses every core (`threads = 0`).
    #[serde(default = "default_parallel")]
    pub parallel: usize,
    /// Beam size; 1 decodes greedily (fastest).
    #[serde(default = "default_beam")]
    pub beam_size: usize,
    /// Text that primes the decoder (names, rooms), improving their spelling.
    #[serde(default)]
    pub initial_prompt: Option<String>,
    /// Encode only as much of Whisper's 30-second window as the utterance needs (plus a
    /// second): a spoken command of two seconds is then transcribed about ten times faster.
    /// `false` encodes the whole window, as whisper.cpp does by default.
    #[serde(default = "default_fit_window")]
    pub fit_window: bool,
}

fn default_language() -> String {
    "auto".into()
}

fn default_languages() -> Vec<String> {
    vec!["en".into(), "fr".into(), "nl".into()]
}

fn default_parallel() -> usize {
    1
}

fn default_beam() -> usize {
    1
}

fn default_fit_window() -> bool {
    true
}

impl WhisperConfig {
    /// A configuration for `model` with the defaults.
    pub fn new(model: impl Into<PathBuf>) -> Self {
        WhisperConfig {
            model: model.into(),
            language: default_language(),
            languages: default_languages(),
            threads: 0,
            parallel: default_parallel(),
            beam_size: default_beam(),
            initial_prompt: None,
            fit_window: default_fit_window(),
        }
    }

    /// Checks the settings without loading anything.
    ///
    /// # Errors
    /// [`SttError::Config`] naming the bad setting.
    pub fn validate(&self) -> Result<(), SttError> {
        let known = |code: &str| whisper_rs::get_lang_id(code).is_some();
        if self.language != "auto" && !known(&self.language) {
            return Err(SttError::Config(format!(
                "stt.language `{}` is not a Whisper language",
                self.language
            )));
        }
        if let Some(bad) = self.languages.iter().find(|code| !known(code)) {
            return Err(SttError::Config(format!(
                "stt.languages has `{bad}`, not a Whisper language"
            )));
        }
        if self.language == "auto" && self.languages.is_empty() {
            return Err(SttError::Config(
                "stt.languages is empty but stt.language is auto".into(),
            ));
        }
        if self.parallel == 0 {
            return Err(SttError::Config("stt.parallel must be at least 1".into()));
        }
        if self.beam_size == 0 {
            return Err(SttError::Config("stt.beam_size must be at least 1".into()));
        }
        Ok(())
    }
}

/// A loaded Whisper model.
pub struct WhisperStt {
    context: WhisperContext,
    config: WhisperConfig,
    multilingual: bool,
    threads: usize,
    states: States,
}

impl std::fmt::Debug for WhisperStt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WhisperStt")
            .field("model", &self.config.model)
            .finish()
    }
}

impl WhisperStt {
    /// Loads the model once; it stays warm for every turn.
    ///
    /// # Errors
    /// The configuration is invalid or the model cannot be loaded.
    pub fn load(config: WhisperConfig) -> Result<Self, SttError> {
        config.validate()?;
        whisper_rs::install_logging_hooks();
        let load_error = |detail: String| SttError::Load {
            path: config.model.clone(),
            detail,
        };
        if !config.model.is_file() {
            return Err(SttError::Missing {
                path: config.model.clone(),
            });
        }
        // whisper.cpp's own error for a wrong file says only that it failed; the magic number
        // lets the bridge say what is wrong.
        if !has_ggml_magic(&config.model) {
            return Err(load_error("not a whisper (ggml) model file".into()));
        }
        let path = config
            .model
            .to_str()
            .ok_or_else(|| load_error("path is not UTF-8".into()))?;
        let context = WhisperContext::new_with_params(path, WhisperContextParameters::default())
            .map_err(|error| load_error(format!("not a valid whisper model: {error}")))?;
        let multilingual = context.is_multilingual();
        let threads = match config.threads {
            0 => std::thread::available_parallelism()
                .map(usize::from)
                .unwrap_or(2),
            threads => threads,
        };
        Ok(WhisperStt {
            context,
            config,
            multilingual,
            threads,
            states: States::default(),
        })
    }

    /// The language when no detection is needed: forced, the model's only one, the
    /// configured one, or the only allowed one.
    fn fixed_language(&self, forced: Option<&str>) -> Option<String> {
        if let Some(lang) = forced.filter(|lang| *lang != "auto") {
            return Some(lang.to_string());
        }
        if !self.multilingual {
            return Some("en".into());
        }
        if self.config.language != "auto" {
            return Some(self.config.language.clone());
        }
        if let [only] = self.config.languages.as_slice() {
            return Some(only.clone());
        }
        None
    }

    /// The most likely allowed language (the state's window is the utterance's).
    fn detect_language(
        &self,
        state: &mut whisper_rs::WhisperState,
        audio: &[f32],
    ) -> Result<String, SttError> {
        state.pcm_to_mel(audio, self.threads).map_err(inference)?;
        let (_, probabilities) = state.lang_detect(0, self.threads).map_err(inference)?;
        let best = self
            .config
            .languages
            .iter()
            .filter_map(|code| {
                let id = usize::try_from(whisper_rs::get_lang_id(code)?).ok()?;
                Some((code, *probabilities.get(id)?))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1));
        Ok(best
            .map(|(code, _)| code.clone())
            .unwrap_or_else(|| "en".into()))
    }
}

/// `text` without sentences that repeat the one before, nor a cut-off start of it at the
/// end (whisper looping on short audio: "What time is it? What time is it? What").
fn collapse_repeats(text: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let end = rest.find(['.', '?', '!']).map_or(rest.len(), |at| at + 1);
        let sentence = rest[..end].trim();
        rest = &rest[end..];
        let same_start = |last: &&str| {
            let cut_off = rest.is_empty() && !sentence.ends_with(['.', '?', '!']);
            last.eq_ignore_ascii_case(sentence)
                || (cut_off
                    && last
                        .get(..sentence.len())
                        .is_some_and(|start| start.eq_ignore_ascii_case(sentence)))
        };
        if !sentence.is_empty() && !kept.last().is_some_and(same_start) {
            kept.push(sentence);
        }
    }
    kept.join(" ")
}

/// `text` once when it is nothing but one phrase said over and over, perhaps cut off
/// ("turn on the light turn on the light turn"): whisper looping without punctuation.
fn collapse_loop(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let key = |word: &str| {
        word.trim_matches(|c: char| c.is_ascii_punctuation())
            .to_lowercase()
    };
    let keys: Vec<String> = words.iter().map(|word| key(word)).collect();
    let period = (1..=keys.len() / 2)
        .find(|&period| (period..keys.len()).all(|at| keys[at] == keys[at % period]));
    match period {
        Some(period) => words[..period].join(" "),
        None => text.to_string(),
    }
}

/// Whether `path` starts with ggml's magic number (`ggml` as a little-endian u32).
fn has_ggml_magic(path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut magic = [0; 4];
    std::fs::File::open(path)
        .and_then(|mut file| file.read_exact(&mut magic))
        .is_ok_and(|()| magic == *b"lmgg")
}

fn inference(error: whisper_rs::WhisperError) -> SttError {
    SttError::Inference(error.to_string())
}

impl Stt for WhisperStt {
    fn transcribe(&self, audio: &[f32], lang: Option<&str>) -> Result<Transcript, SttError> {
        // whisper.cpp refuses less than a second of audio; pad short commands with silence.
        let padded;
        let audio = if audio.len() < 16_000 + 1_600 {
            padded = [audio, &vec![0.0; 16_000 + 1_600 - audio.len()]].concat();
            &padded[..]
        } else {
            audio
        };
        let window = if self.config.fit_window {
            fitted_window(audio.len())
        } else {
            FULL_WINDOW
        };
        let fixed = self.fixed_language(lang);
        let mut state = self
            .states
            .take(&self.context, window, self.threads, fixed.is_none())
            .map_err(inference)?;
        let lang = match fixed {
            Some(lang) => lang,
            None => self.detect_language(&mut state, audio)?,
        };
        let strategy = match self.config.beam_size {
            1 => SamplingStrategy::Greedy { best_of: 1 },
            beam_size => SamplingStrategy::BeamSearch {
                beam_size: beam_size as i32,
                patience: -1.0,
            },
        };
        let mut params = FullParams::new(strategy);
        params.set_n_threads(self.threads as i32);
        params.set_language(Some(&lang));
        params.set_no_context(true);
        params.set_no_timestamps(true);
        params.set_single_segment(true);
        params.set_print_special(false);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_timestamps(false);
        params.set_audio_ctx(window as i32);
        // A fitted window sometimes sends whisper into a loop ("Quelle heure est-il ? Quelle
        // heure est-il ? …"): no one says more than ~6 tokens a second.
        params.set_max_tokens((8 + audio.len().div_ceil(16_000) * 6) as i32);
        if let Some(prompt) = &self.config.initial_prompt {
            params.set_initial_prompt(prompt);
        }
        state.full(params, audio).map_err(inference)?;
        let mut text = String::new();
        for segment in state.as_iter() {
            text.push_str(&segment.to_str_lossy().map_err(inference)?);
        }
        self.states.put(window, state);
        Ok(Transcript {
            text: collapse_loop(&collapse_repeats(text.trim())),
            lang,
        })
    }

    fn name(&self) -> &str {
        "whisper"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_settings_are_named() {
        let mut config = WhisperConfig::new("/x.bin");
        config.language = "klingon".into();
        assert!(
            config
                .validate()
                .unwrap_err()
                .to_string()
                .contains("klingon")
        );
        let mut config = WhisperConfig::new("/x.bin");
        config.languages = vec!["en".into(), "xx".into()];
        assert!(config.validate().unwrap_err().to_string().contains("`xx`"));
        let mut config = WhisperConfig::new("/x.bin");
        config.beam_size = 0;
        assert!(config.validate().is_err());
        assert!(WhisperConfig::new("/x.bin").validate().is_ok());
    }

    #[test]
    fn a_sentence_repeated_by_a_looping_decoder_is_kept_once() {
        assert_eq!(
            collapse_repeats("Quelle heure est-il ? Quelle heure est-il ? quelle heure est-il ?"),
            "Quelle heure est-il ?"
        );
        assert_eq!(
            collapse_repeats("Set a timer. For five minutes. Set a timer."),
            "Set a timer. For five minutes. Set a timer."
        );
        assert_eq!(
            collapse_repeats("What time is it? What"),
            "What time is it?"
        );
        assert_eq!(
            collapse_repeats("What time is it? Why"),
            "What time is it? Why"
        );
        assert_eq!(collapse_repeats("what time is it"), "what time is it");
        assert_eq!(collapse_repeats(""), "");
        assert_eq!(collapse_repeats("Stop! Stop!"), "Stop!");
    }

    #[test]
    fn a_phrase_looped_without_punctuation_is_kept_once() {
        assert_eq!(
            collapse_loop(
                "turn on the kitchen light turn on the kitchen light Turn on the kitchen light turn"
            ),
            "turn on the kitchen light"
        );
        assert_eq!(collapse_loop("stop stop"), "stop");
        assert_eq!(
            collapse_loop("turn on the light in the living room"),
            "turn on the light in the living room"
        );
        assert_eq!(
            collapse_loop("set a timer for five minutes set"),
            "set a timer for five minutes set"
        );
        assert_eq!(collapse_loop("what"), "what");
        assert_eq!(collapse_loop(""), "");
    }

    #[test]
    fn a_missing_model_says_how_to_get_one() {
        let error = WhisperStt::load(WhisperConfig::new("/nonexistent/ggml.bin")).unwrap_err();
        assert!(
            error.to_string().contains("hive-bridge models install"),
            "{error}"
        );
    }
}
