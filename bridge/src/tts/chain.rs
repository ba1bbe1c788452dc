//! The chain of engines the bridge speaks with: the first engine that can speak the
//! language does, and the next one that can takes over if it fails.

use std::sync::Arc;

use super::config::{BuildContext, TtsConfig};
use super::engine::{Speech, Tts};
use super::error::{EngineFailure, TtsError};
use super::normalize::normalize;
use super::standby::StandbyTts;

/// An ordered list of engines; the configuration's order is the order of preference.
///
/// A chain is itself a [`Tts`] (named `"chain"`), so it can stand wherever one engine can.
#[derive(Clone)]
pub struct TtsChain(Vec<Arc<dyn Tts>>);

/// What a chain said, and who said it.
#[derive(Debug)]
pub struct Spoken {
    /// The audio.
    pub speech: Speech,
    /// The name of the engine that spoke.
    pub engine: String,
    /// Engines that were tried before it and failed, in order (empty when the first engine
    /// for the language spoke).
    pub failures: Vec<EngineFailure>,
}

/// A chain built from the configuration, with the engines that could not be built.
pub struct ChainBuild {
    /// The engines that were built, in configured order.
    pub chain: TtsChain,
    /// The engines that failed to build (index in the configuration, engine type, error);
    /// the bridge runs without them and should log each one.
    pub failures: Vec<(usize, EngineFailure)>,
}

impl TtsChain {
    /// A chain of already-built engines, in order of preference.
    pub fn new(engines: Vec<Arc<dyn Tts>>) -> Self {
        TtsChain(engines)
    }

    /// Builds every configured engine. An engine that fails to build is left out and
    /// reported in [`ChainBuild::failures`] so the bridge can still speak with the others.
    ///
    /// Loading a model is slow and blocking: call this from a blocking thread.
    ///
    /// # Errors
    ///
    /// [`TtsError::Config`] if no engine is configured; the only failure, or
    /// [`TtsError::EngineUnavailable`] listing all of them, if no engine could be built.
    pub fn build(configs: &[TtsConfig], ctx: &BuildContext) -> Result<ChainBuild, TtsError> {
        if configs.is_empty() {
            return Err(TtsError::Config {
                field: "tts",
                reason: "no engine is configured; add at least one `[[tts]]` entry \
                         (e.g. `type = \"espeak\"`)"
                    .into(),
            });
        }
        let mut engines = Vec::new();
        let mut failures = Vec::new();
        for (index, config) in configs.iter().enumerate() {
            match config.build(ctx) {
                Ok(engine) => engines.push(engine),
                Err(error) => failures.push((
                    index,
                    EngineFailure {
                        engine: config.kind().to_owned(),
                        error,
                    },
                )),
            }
        }
        if engines.is_empty() {
            if failures.len() == 1
                && let Some((_, failure)) = failures.pop()
            {
                return Err(failure.error);
            }
            let detail = failures
                .iter()
                .map(|(_, f)| format!("{}: {}", f.engine, f.error))
                .collect::<Vec<_>>()
                .join("; ");
            return Err(TtsError::unavailable(
                "chain",
                format!("no TTS engine could be built ({detail})"),
            ));
        }
        Ok(ChainBuild {
            chain: TtsChain(engines),
            failures,
        })
    }

    /// Builds every configured engine for a bridge that must start even when none builds:
    /// each engine that fails is kept in its place as a [`StandbyTts`] that speaks nothing
    /// until [`StandbyTts::retry`] has built it. Returns the chain and those stand-ins.
    ///
    /// Loading a model is slow and blocking: call this from a blocking thread.
    ///
    /// # Errors
    ///
    /// [`TtsError::Config`] if no engine is configured.
    pub fn build_with_standby(
        configs: &[TtsConfig],
        ctx: &BuildContext,
    ) -> Result<(TtsChain, Vec<Arc<StandbyTts>>), TtsError> {
        if configs.is_empty() {
            return Err(TtsError::Config {
                field: "tts",
                reason: "no engine is configured; add at least one `[[tts]]` entry \
                         (e.g. `type = \"espeak\"`)"
                    .into(),
            });
        }
        let mut engines: Vec<Arc<dyn Tts>> = Vec::new();
        let mut standby = Vec::new();
        for (index, config) in configs.iter().enumerate() {
            match config.build(ctx) {
                Ok(engine) => engines.push(engine),
                Err(error) => {
                    tracing::warn!(position = index, engine = config.kind(), code = error.code(), %error, "Text-to-speech engine unavailable; retrying it in the background.");
                    let stand_in = StandbyTts::failed(config.clone(), &error);
                    engines.push(stand_in.clone());
                    standby.push(stand_in);
                }
            }
        }
        if standby.len() == configs.len() {
            tracing::error!(
                code = "tts_unavailable",
                "No text-to-speech engine could be built; replies go out as text until one loads."
            );
        }
        Ok((TtsChain(engines), standby))
    }

    /// The engines, in order of preference.
    pub fn engines(&self) -> &[Arc<dyn Tts>] {
        &self.0
    }

    /// Normalises `text` for `lang` (numbers, times, units, abbreviations; see
    /// [`normalize`]) and speaks it with the first engine that can, falling back to the
    /// next engine that can if it fails.
    ///
    /// # Errors
    ///
    /// [`TtsError::UnsupportedLanguage`] (engine `"chain"`) if no engine speaks `lang`;
    /// [`TtsError::AllFailed`] if every engine that does failed.
    pub fn speak(&self, text: &str, lang: &str) -> Result<Spoken, TtsError> {
        self.speak_normalized(&normalize(text, lang), lang)
    }

    /// Like [`speak`](Self::speak) for text that is already normalised.
    ///
    /// # Errors
    ///
    /// As [`speak`](Self::speak).
    pub fn speak_normalized(&self, text: &str, lang: &str) -> Result<Spoken, TtsError> {
        let mut failures = Vec::new();
        for engine in self.0.iter().filter(|engine| engine.supports(lang)) {
            match engine.synthesize(text, lang) {
                Ok(speech) => {
                    return Ok(Spoken {
                        speech,
                        engine: engine.name().to_owned(),
                        failures,
                    });
                }
                Err(error) => {
                    tracing::warn!(
                        engine = engine.name(),
                        lang,
                        code = error.code(),
                        error = %error,
                        "TTS engine failed, trying the next one."
                    );
                    failures.push(EngineFailure {
                        engine: engine.name().to_owned(),
                        error,
                    });
                }
            }
        }
        if failures.is_empty() {
            Err(TtsError::unsupported("chain", lang))
        } else {
            Err(TtsError::AllFailed {
                lang: lang.to_owned(),
                failures,
            })
        }
    }
}

impl Tts for TtsChain {
    fn synthesize(&self, text: &str, lang: &str) -> Result<Speech, TtsError> {
        self.speak_normalized(text, lang)
            .map(|spoken| spoken.speech)
    }

    fn supports(&self, lang: &str) -> bool {
        self.0.iter().any(|engine| engine.supports(lang))
    }

    fn name(&self) -> &str {
        "chain"
    }

    /// Healthy when every engine is.
    fn health(&self) -> Result<(), TtsError> {
        self.0.iter().try_for_each(|engine| engine.health())
    }
}

impl std::fmt::Debug for TtsChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|engine| engine.name()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// A scripted engine: these unit tests check the chain's order and fallback rules; the
    /// integration tests run the same fallback with real engines and real broken files.
    struct Scripted {
        name: &'static str,
        langs: &'static [&'static str],
        fails: bool,
        calls: Mutex<Vec<String>>,
    }

    impl Scripted {
        fn new(name: &'static str, langs: &'static [&'static str], fails: bool) -> Arc<Self> {
            Arc::new(Scripted {
                name,
                langs,
                fails,
                calls: Mutex::new(Vec::new()),
            })
        }
        fn calls(&self) -> Vec<String> {
            self.calls
                .lock()
                .map(|calls| calls.clone())
                .unwrap_or_default()
        }
    }

    impl Tts for Scripted {
        fn synthesize(&self, text: &str, _lang: &str) -> Result<Speech, TtsError> {
            if let Ok(mut calls) = self.calls.lock() {
                calls.push(text.to_owned());
            }
            if self.fails {
                return Err(TtsError::synthesis(self.name, "scripted failure"));
            }
            Ok(Speech {
                samples: vec![1; 10],
                sample_rate: 100,
            })
        }
        fn supports(&self, lang: &str) -> bool {
            self.langs
                .iter()
                .any(|l| crate::tts::lang::matches(l, lang))
        }
        fn name(&self) -> &str {
            self.name
        }
    }

    #[test]
    fn the_first_engine_for_the_language_speaks() {
        let fr = Scripted::new("fr-only", &["fr"], false);
        let en = Scripted::new("en-only", &["en"], false);
        let chain = TtsChain::new(vec![fr.clone(), en.clone()]);
        let spoken = chain.speak_normalized("hello", "en-US").unwrap();
        assert_eq!(spoken.engine, "en-only");
        assert!(spoken.failures.is_empty());
        assert!(fr.calls().is_empty());
    }

    #[test]
    fn falls_back_to_the_next_engine_for_the_language() {
        let broken = Scripted::new("broken", &["en"], true);
        let other_lang = Scripted::new("nl", &["nl"], false);
        let good = Scripted::new("good", &["en"], false);
        let chain = TtsChain::new(vec![broken.clone(), other_lang.clone(), good.clone()]);
        let spoken = chain.speak_normalized("hi", "en").unwrap();
        assert_eq!(spoken.engine, "good");
        assert_eq!(spoken.failures.len(), 1);
        assert_eq!(spoken.failures[0].engine, "broken");
        assert!(other_lang.calls().is_empty());
    }

    #[test]
    fn reports_every_failure_or_an_unsupported_language() {
        let chain = TtsChain::new(vec![
            Scripted::new("a", &["en"], true),
            Scripted::new("b", &["en"], true),
        ]);
        match chain.speak_normalized("hi", "en") {
            Err(TtsError::AllFailed { lang, failures }) => {
                assert_eq!(lang, "en");
                assert_eq!(
                    failures
                        .iter()
                        .map(|f| f.engine.as_str())
                        .collect::<Vec<_>>(),
                    ["a", "b"]
                );
            }
            other => panic!("expected AllFailed, got {other:?}"),
        }
        assert!(matches!(
            chain.speak_normalized("hi", "de"),
            Err(TtsError::UnsupportedLanguage { .. })
        ));
        assert!(!chain.supports("de"));
        assert!(chain.supports("en-GB"));
    }

    #[test]
    fn speak_normalises_for_the_language() {
        let en = Scripted::new("en", &["en"], false);
        TtsChain::new(vec![en.clone()])
            .speak("It is 7:30.", "en")
            .unwrap();
        assert_eq!(en.calls(), ["It is seven thirty."]);
    }

    #[test]
    fn building_an_empty_configuration_is_an_error() {
        let ctx = BuildContext::new(crate::models::ModelsDir::new("/nonexistent"));
        assert!(matches!(
            TtsChain::build(&[], &ctx),
            Err(TtsError::Config { field: "tts", .. })
        ));
    }
}
