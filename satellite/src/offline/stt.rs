//! Local speech-to-text for degraded mode.

use hive_skills::Lang;

use super::error::OfflineError;

/// What was heard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heard {
    /// The words.
    pub text: String,
    /// The language it was transcribed in, when it is one Hive speaks.
    pub lang: Option<Lang>,
}

/// A speech-to-text engine over 16 kHz mono audio. Blocking and CPU-heavy: call it from
/// `spawn_blocking`.
pub trait OfflineStt: Send + Sync {
    /// Transcribes `audio`.
    ///
    /// # Errors
    /// The engine failed.
    fn transcribe(&self, audio: &[i16]) -> Result<Heard, OfflineError>;

    /// Whether to hold the engine in memory: true while degraded mode may need it. Must not
    /// block (the satellite's main loop calls it); letting go may wait for a transcription or
    /// a load to end.
    fn keep(&self, wanted: bool) {
        let _ = wanted;
    }

    /// Loads the engine now if it is wanted, so that the first question does not wait for
    /// it. Blocking.
    ///
    /// # Errors
    /// The engine cannot be loaded.
    fn prepare(&self) -> Result<(), OfflineError> {
        Ok(())
    }
}

/// A prompt priming whisper towards what degraded mode understands, in `languages`: short
/// phrases, grouped by meaning, without numbers.
///
/// Measured with `ggml-base.bin` on espeak-ng speech: without a prompt "quelle heure
/// est-il" came out as "Hello my dear" and "hoe laat is het" as "Ura, is that"; with this
/// one all three questions come out right. Longer prompts made things worse (whisper
/// started repeating prompt sentences, "What time is it?" became "Welke datum is het?"),
/// and a number in the prompt leaked into timer durations ("cinq minutes").
pub fn default_prompt(languages: &[Lang]) -> String {
    let phrase = |lang: &Lang, en: &'static str, fr: &'static str, nl: &'static str| match lang {
        Lang::En => en,
        Lang::Fr => fr,
        Lang::Nl => nl,
    };
    let mut phrases = Vec::new();
    for lang in languages {
        phrases.push(phrase(
            lang,
            "What time is it?",
            "Quelle heure est-il ?",
            "Hoe laat is het?",
        ));
    }
    for lang in languages {
        phrases.push(phrase(
            lang,
            "Set a timer.",
            "Mets un minuteur.",
            "Zet een timer.",
        ));
    }
    for lang in languages {
        phrases.push(phrase(
            lang,
            "Stop the stopwatch.",
            "Arrête le chronomètre.",
            "Stop de stopwatch.",
        ));
    }
    phrases.join(" ")
}

#[cfg(feature = "offline-stt")]
pub use whisper::WhisperOffline;

#[cfg(feature = "offline-stt")]
mod whisper {
    use std::path::Path;

    use hive_skills::Lang;
    use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters};

    use super::{Heard, OfflineError, OfflineStt};

    /// whisper.cpp with one model loaded for the satellite's lifetime.
    pub struct WhisperOffline {
        context: WhisperContext,
        language: Option<Lang>,
        languages: Vec<Lang>,
        prompt: String,
        threads: i32,
        multilingual: bool,
    }

    impl std::fmt::Debug for WhisperOffline {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("WhisperOffline")
                .field("language", &self.language)
                .finish_non_exhaustive()
        }
    }

    impl WhisperOffline {
        /// Loads `model`; `language` fixed, or `None` to pick among `languages`.
        ///
        /// # Errors
        /// The model is missing or cannot be loaded.
        pub fn load(
            model: &Path,
            language: Option<Lang>,
            languages: Vec<Lang>,
            prompt: String,
            threads: usize,
        ) -> Result<WhisperOffline, OfflineError> {
            let bad = |detail: String| OfflineError::Model {
                path: model.to_owned(),
                detail,
            };
            if !model.is_file() {
                return Err(bad(
                    "no such file (run `cargo run -p hive-bridge -- models install --all`, or set degraded.stt_model)".into(),
                ));
            }
            let path = model
                .to_str()
                .ok_or_else(|| bad("the path is not UTF-8".into()))?;
            whisper_rs::install_logging_hooks();
            let context =
                WhisperContext::new_with_params(path, WhisperContextParameters::default())
                    .map_err(|error| bad(error.to_string()))?;
            let threads = match threads {
                0 => std::thread::available_parallelism()
                    .map(usize::from)
                    .unwrap_or(2),
                threads => threads,
            };
            Ok(WhisperOffline {
                multilingual: context.is_multilingual(),
                context,
                language,
                languages,
                prompt,
                threads: i32::try_from(threads).unwrap_or(2),
            })
        }

        fn pick_language(
            &self,
            state: &mut whisper_rs::WhisperState,
            audio: &[f32],
        ) -> Result<Lang, OfflineError> {
            if !self.multilingual {
                return Ok(Lang::En);
            }
            if let Some(lang) = self.language {
                return Ok(lang);
            }
            if let [only] = self.languages.as_slice() {
                return Ok(*only);
            }
            let failed = |error: whisper_rs::WhisperError| OfflineError::Stt(error.to_string());
            state
                .pcm_to_mel(audio, self.threads as usize)
                .map_err(failed)?;
            let (_, probabilities) = state
                .lang_detect(0, self.threads as usize)
                .map_err(failed)?;
            Ok(self
                .languages
                .iter()
                .filter_map(|lang| {
                    let id = usize::try_from(whisper_rs::get_lang_id(lang.code())?).ok()?;
                    Some((*lang, *probabilities.get(id)?))
                })
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map_or(Lang::En, |(lang, _)| lang))
        }
    }

    impl OfflineStt for WhisperOffline {
        fn transcribe(&self, audio: &[i16]) -> Result<Heard, OfflineError> {
            let failed = |error: whisper_rs::WhisperError| OfflineError::Stt(error.to_string());
            // whisper.cpp refuses less than a second: pad short commands with silence.
            let mut floats: Vec<f32> = audio.iter().map(|&s| f32::from(s) / 32_768.0).collect();
            if floats.len() < 17_600 {
                floats.resize(17_600, 0.0);
            }
            let mut state = self.context.create_state().map_err(failed)?;
            let lang = self.pick_language(&mut state, &floats)?;
            let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
            params.set_n_threads(self.threads);
            params.set_language(Some(lang.code()));
            params.set_no_context(true);
            params.set_no_timestamps(true);
            params.set_single_segment(true);
            params.set_print_special(false);
            params.set_print_progress(false);
            params.set_print_realtime(false);
            params.set_print_timestamps(false);
            if !self.prompt.is_empty() {
                params.set_initial_prompt(&self.prompt);
            }
            state.full(params, &floats).map_err(failed)?;
            let mut text = String::new();
            for segment in state.as_iter() {
                text.push_str(&segment.to_str_lossy().map_err(failed)?);
            }
            Ok(Heard {
                text: text.trim().to_owned(),
                lang: Some(lang),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prompt_covers_each_configured_language() {
        let prompt = default_prompt(&[Lang::En, Lang::Fr, Lang::Nl]);
        assert_eq!(
            prompt,
            "What time is it? Quelle heure est-il ? Hoe laat is het? Set a timer. Mets un minuteur. Zet een timer. Stop the stopwatch. Arrête le chronomètre. Stop de stopwatch."
        );
        assert!(!default_prompt(&[Lang::Fr]).contains("What time"));
    }

    #[cfg(feature = "offline-stt")]
    #[test]
    fn a_missing_model_says_how_to_get_one() {
        let error = WhisperOffline::load(
            "/nonexistent/ggml.bin".as_ref(),
            None,
            vec![Lang::En],
            String::new(),
            1,
        )
        .unwrap_err();
        assert!(error.to_string().contains("models install"), "{error}");
    }
}
