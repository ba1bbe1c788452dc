//! Whisper's dimensions, read from the shapes of a CTranslate2 model's variables.
//!
//! CTranslate2's `config.json` holds only decoding settings (suppressed tokens, language ids,
//! alignment heads), so every dimension comes from `model.bin`: widths and context lengths from
//! tensor shapes, layer counts from the `layer_N` scopes present, head counts from the
//! `encoder/num_heads` and `decoder/num_heads` scalars the Whisper spec stores.

use super::ct2::{Ct2Model, Tensor};
use super::error::ConvertError;

/// Every released Whisper model uses 64-wide attention heads; used only when an old model
/// lacks the `num_heads` scalars.
const HEAD_WIDTH: usize = 64;
/// whisper.cpp treats a model as multilingual from this vocabulary size on (`n_vocab >= 51865`
/// in `whisper_vocab::is_multilingual`); English-only models have 51864.
const MULTILINGUAL_N_VOCAB: usize = 51865;

/// Whisper's hyperparameters, as whisper.cpp's file header stores them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhisperHparams {
    /// Tokens, including special and timestamp tokens (51864 English-only, 51865 multilingual).
    pub n_vocab: usize,
    /// Encoder positions (1500 for 30 s of audio).
    pub n_audio_ctx: usize,
    /// Encoder width.
    pub n_audio_state: usize,
    /// Encoder attention heads.
    pub n_audio_head: usize,
    /// Encoder layers.
    pub n_audio_layer: usize,
    /// Decoder positions (448).
    pub n_text_ctx: usize,
    /// Decoder width (equal to the encoder's in every Whisper model).
    pub n_text_state: usize,
    /// Decoder attention heads.
    pub n_text_head: usize,
    /// Decoder layers.
    pub n_text_layer: usize,
    /// Mel bands of the input (80, or 128 for large-v3).
    pub n_mels: usize,
}

impl WhisperHparams {
    /// Whether the model speaks more than English, by whisper.cpp's rule.
    pub fn is_multilingual(&self) -> bool {
        self.n_vocab >= MULTILINGUAL_N_VOCAB
    }

    /// Reads the dimensions of a CTranslate2 Whisper model.
    pub(crate) fn from_ct2(model: &Ct2Model) -> Result<Self, ConvertError> {
        let conv1 = require(model, "encoder/conv1/weight")?;
        let [d, n_mels, 3] = *conv1.shape else {
            return Err(unexpected_rank(&conv1, "[width, n_mels, 3]"));
        };
        let n_audio_ctx = rows_of_width(model, "encoder/position_encodings/encodings", d)?;
        let n_text_ctx = rows_of_width(model, "decoder/position_encodings/encodings", d)?;
        let embeddings = require(model, "decoder/embeddings/weight")?;
        let [n_vocab, n_text_state] = *embeddings.shape else {
            return Err(unexpected_rank(&embeddings, "[n_vocab, width]"));
        };
        if n_text_state != d {
            return Err(ConvertError::Unsupported(format!(
                "the decoder is {n_text_state} wide but the encoder {d}; whisper.cpp needs them equal"
            )));
        }
        let hparams = Self {
            n_vocab,
            n_audio_ctx,
            n_audio_state: d,
            n_audio_head: heads(model, "encoder", d)?,
            n_audio_layer: layers(model, "encoder")?,
            n_text_ctx,
            n_text_state,
            n_text_head: heads(model, "decoder", d)?,
            n_text_layer: layers(model, "decoder")?,
            n_mels,
        };
        Ok(hparams)
    }
}

/// Looks up a variable that must exist.
pub(crate) fn require<'a>(model: &'a Ct2Model, name: &str) -> Result<Tensor<'a>, ConvertError> {
    model.get(name).ok_or_else(|| ConvertError::MissingTensor {
        name: name.to_owned(),
    })
}

pub(crate) fn bad_shape(tensor: &Tensor<'_>, expected: Vec<usize>) -> ConvertError {
    ConvertError::BadShape {
        name: tensor.name.to_owned(),
        expected,
        actual: tensor.shape.to_vec(),
    }
}

fn unexpected_rank(tensor: &Tensor<'_>, expected: &str) -> ConvertError {
    ConvertError::Unsupported(format!(
        "`{}` has shape {:?}, expected {expected}",
        tensor.name, tensor.shape
    ))
}

/// The row count of a `[rows, width]` variable.
fn rows_of_width(model: &Ct2Model, name: &str, width: usize) -> Result<usize, ConvertError> {
    let tensor = require(model, name)?;
    match *tensor.shape {
        [rows, w] if w == width => Ok(rows),
        _ => Err(bad_shape(
            &tensor,
            vec![tensor.shape.first().copied().unwrap_or(0), width],
        )),
    }
}

/// The number of consecutive `{stack}/layer_N` scopes, counted from 0.
fn layers(model: &Ct2Model, stack: &str) -> Result<usize, ConvertError> {
    let probe = |i: usize| format!("{stack}/layer_{i}/self_attention/linear_0/weight");
    let count = (0..)
        .take_while(|&i| model.get(&probe(i)).is_some())
        .count();
    if count == 0 {
        return Err(ConvertError::MissingTensor { name: probe(0) });
    }
    Ok(count)
}

fn heads(model: &Ct2Model, stack: &str, width: usize) -> Result<usize, ConvertError> {
    let name = format!("{stack}/num_heads");
    let heads = match model.get(&name) {
        Some(scalar) => scalar
            .scalar_int()
            .and_then(|h| usize::try_from(h).ok())
            .ok_or_else(|| {
                ConvertError::Unsupported(format!("`{name}` is not a positive integer scalar"))
            })?,
        None => width / HEAD_WIDTH,
    };
    if heads == 0 || !width.is_multiple_of(heads) {
        return Err(ConvertError::Unsupported(format!(
            "{heads} heads do not divide the width {width} ({stack})"
        )));
    }
    Ok(heads)
}
