//! Converting downloaded models to the formats Hive's engines load.
//!
//! - [`convert_whisper_ct2`]: a CTranslate2 (faster-whisper) Whisper model to whisper.cpp's
//!   ggml file, using openai-whisper's mel filters and tiktoken vocabularies ([`WhisperAssets`]).
//!
//! Readers: `ct2` (CTranslate2's `model.bin`), `npz` (numpy arrays), `vocab` (tiktoken files).
//! Writer: `ggml`. Whisper: `hparams` (dimensions), `mapping` (names, shapes, types) and
//! `whisper` (the conversion itself).

mod ct2;
mod error;
#[cfg(test)]
mod fixture;
mod ggml;
mod hparams;
mod mapping;
mod npz;
mod vocab;
mod whisper;

pub use ct2::Ct2Error;
pub use error::ConvertError;
pub use hparams::WhisperHparams;
pub use npz::NpzError;
pub use vocab::VocabError;
pub use whisper::{ConvertReport, WhisperAssets, convert_whisper_ct2};
