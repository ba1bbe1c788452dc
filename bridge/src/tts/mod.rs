//! Text-to-speech: turning a reply into audio in the reply's language.
//!
//! - `chain`: [`TtsChain`], the configured engines in order; the first that speaks the
//!   language does, the next one takes over when it fails.
//! - `config`: [`TtsConfig`], one engine chosen by its `type`, built with a
//!   [`BuildContext`].
//! - `engine`: the [`Tts`] trait and [`Speech`] (mono 16-bit PCM); `error`: [`TtsError`].
//! - `piper`: [`PiperTts`], Piper voices through ONNX Runtime, phonemised by espeak-ng.
//! - `espeak`: [`EspeakTts`], the espeak-ng program, for every other language.
//! - `http`: [`HttpTts`], a remote server that answers text with a WAV file.
//! - `normalize`: [`normalize()`], numbers, times, units, money and abbreviations as words
//!   (English, French, Dutch).
//! - `sentences`: [`split_sentences`] and [`SentenceBuffer`], sentences out of a streamed
//!   reply so speech starts before the reply is complete.
//! - `standby`: [`StandbyTts`], an engine that failed to build, rebuilt in the background.
//! - `wav`: reading and writing 16-bit PCM WAV; `lang`: matching language tags.
//!
//! Engines are synchronous and may be CPU-heavy: run [`TtsChain::speak`] on
//! `spawn_blocking`.

mod chain;
mod config;
mod engine;
mod error;
mod espeak;
#[cfg(test)]
mod fuzz_corpus;
mod http;
mod lang;
mod normalize;
mod piper;
mod sentences;
mod standby;
mod wav;

pub use chain::{ChainBuild, Spoken, TtsChain};
pub use config::{BuildContext, TtsConfig};
pub use engine::{Speech, Tts};
pub use error::{EngineFailure, TtsError};
pub use espeak::{EspeakConfig, EspeakTts};
pub use http::{HttpConfig, HttpRequest, HttpTts};
pub use lang::primary_language;
pub use normalize::normalize;
pub use piper::{PiperConfig, PiperTts};
pub use sentences::{DEFAULT_FIRST_SENTENCE_WORDS, SentenceBuffer, split_sentences};
pub use standby::StandbyTts;
pub use wav::{WavError, decode_wav, encode_wav, read_wav_file, write_wav, write_wav_file};
