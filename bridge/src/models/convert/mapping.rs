//! The Whisper name mapping: which CTranslate2 variables become which whisper.cpp tensors,
//! under what shape and type.
//!
//! CTranslate2's Whisper converter (`converters/transformers.py`, `WhisperLoader`) copies the
//! Hugging Face weights, which are openai-whisper's under other names, without rescaling them:
//! the attention scaling is applied at run time by both CTranslate2 and whisper.cpp. The work is
//! therefore renaming, un-fusing and retyping:
//!
//! | CTranslate2                                        | whisper.cpp                                     |
//! |----------------------------------------------------|-------------------------------------------------|
//! | `encoder/conv{1,2}/{weight,bias}`                  | `encoder.conv{1,2}.{weight,bias}` (bias `[n,1]`) |
//! | `encoder/position_encodings/encodings`             | `encoder.positional_embedding`                  |
//! | `encoder/layer_norm/{gamma,beta}`                  | `encoder.ln_post.{weight,bias}`                 |
//! | `X/layer_N/self_attention/layer_norm`              | `X.blocks.N.attn_ln`                            |
//! | `X/layer_N/self_attention/linear_0` (q, k, v rows) | `X.blocks.N.attn.{query,key,value}`             |
//! | `X/layer_N/self_attention/linear_1`                | `X.blocks.N.attn.out`                           |
//! | `decoder/layer_N/attention/layer_norm`             | `decoder.blocks.N.cross_attn_ln`                |
//! | `decoder/layer_N/attention/linear_0`               | `decoder.blocks.N.cross_attn.query`             |
//! | `decoder/layer_N/attention/linear_1` (k, v rows)   | `decoder.blocks.N.cross_attn.{key,value}`       |
//! | `decoder/layer_N/attention/linear_2`               | `decoder.blocks.N.cross_attn.out`               |
//! | `X/layer_N/ffn/layer_norm`, `linear_0`, `linear_1` | `X.blocks.N.mlp_ln`, `mlp.0`, `mlp.2`           |
//! | `decoder/embeddings/weight`                        | `decoder.token_embedding.weight`                |
//! | `decoder/position_encodings/encodings`             | `decoder.positional_embedding`                  |
//! | `decoder/layer_norm/{gamma,beta}`                  | `decoder.ln.{weight,bias}`                      |
//!
//! `decoder/projection/weight` must be the token embedding (CTranslate2 stores it as an alias):
//! whisper.cpp ties the two. Both layouts keep PyTorch's `[out, in, kernel]` convolutions and
//! `[out, in]` linears, so no data is transposed.

use super::ct2::{Ct2Model, Dtype, Tensor};
use super::error::ConvertError;
use super::ggml::{GgmlType, Source};
use super::hparams::{WhisperHparams, bad_shape, require};

/// whisper.cpp uses the token embedding as the output projection, so the model's projection
/// must be that same matrix, with no bias.
pub(crate) fn check_tied_projection(model: &Ct2Model) -> Result<(), ConvertError> {
    let embeddings = require(model, "decoder/embeddings/weight")?;
    if let Some(projection) = model.get("decoder/projection/weight") {
        let same = projection.name == embeddings.name
            || (projection.dtype == embeddings.dtype
                && projection.shape == embeddings.shape
                && projection.data == embeddings.data);
        if !same {
            return Err(ConvertError::Unsupported(
                "the output projection differs from the token embedding; whisper.cpp ties them"
                    .into(),
            ));
        }
    }
    if let Some(bias) = model.get("decoder/projection/bias")
        && bias.data.iter().any(|&b| b != 0)
    {
        return Err(ConvertError::Unsupported(
            "the output projection has a bias; whisper.cpp has none".into(),
        ));
    }
    Ok(())
}

/// One tensor to write.
#[derive(Debug)]
pub(crate) struct Planned<'a> {
    pub(crate) name: String,
    /// Row-major shape as written.
    pub(crate) shape: Vec<usize>,
    pub(crate) ty: GgmlType,
    pub(crate) src: Source<'a>,
}

/// Maps every variable to its whisper.cpp tensors, checking names, shapes and types before
/// anything is written.
pub(crate) fn plan<'a>(
    model: &'a Ct2Model,
    h: &WhisperHparams,
) -> Result<Vec<Planned<'a>>, ConvertError> {
    let d = h.n_audio_state;
    let mut p = Planner {
        model,
        out: Vec::new(),
    };

    p.whole(
        "encoder/position_encodings/encodings",
        &[h.n_audio_ctx, d],
        "encoder.positional_embedding",
        None,
    )?;
    p.conv("encoder/conv1", &[d, h.n_mels, 3], "encoder.conv1")?;
    p.conv("encoder/conv2", &[d, d, 3], "encoder.conv2")?;
    for i in 0..h.n_audio_layer {
        let (src, dst) = (format!("encoder/layer_{i}"), format!("encoder.blocks.{i}"));
        p.self_attention(&src, &dst, d)?;
        p.ffn(&src, &dst, d)?;
    }
    p.layer_norm("encoder/layer_norm", d, "encoder.ln_post")?;

    p.whole(
        "decoder/position_encodings/encodings",
        &[h.n_text_ctx, d],
        "decoder.positional_embedding",
        None,
    )?;
    p.whole(
        "decoder/embeddings/weight",
        &[h.n_vocab, d],
        "decoder.token_embedding.weight",
        None,
    )?;
    for i in 0..h.n_text_layer {
        let (src, dst) = (format!("decoder/layer_{i}"), format!("decoder.blocks.{i}"));
        p.self_attention(&src, &dst, d)?;
        p.layer_norm(
            &format!("{src}/attention/layer_norm"),
            d,
            &format!("{dst}.cross_attn_ln"),
        )?;
        p.linear(
            &format!("{src}/attention/linear_0"),
            [d, d],
            &format!("{dst}.cross_attn.query"),
        )?;
        p.fused(
            &format!("{src}/attention/linear_1"),
            d,
            &[
                &format!("{dst}.cross_attn.key"),
                &format!("{dst}.cross_attn.value"),
            ],
        )?;
        p.linear(
            &format!("{src}/attention/linear_2"),
            [d, d],
            &format!("{dst}.cross_attn.out"),
        )?;
        p.ffn(&src, &dst, d)?;
    }
    p.layer_norm("decoder/layer_norm", d, "decoder.ln")?;
    Ok(p.out)
}

struct Planner<'a> {
    model: &'a Ct2Model,
    out: Vec<Planned<'a>>,
}

impl<'a> Planner<'a> {
    /// A float variable of exactly `shape`.
    fn float(&self, name: &str, shape: &[usize]) -> Result<Tensor<'a>, ConvertError> {
        let tensor = require(self.model, name)?;
        if !matches!(tensor.dtype, Dtype::F32 | Dtype::F16 | Dtype::Bf16) {
            return Err(ConvertError::UnsupportedDtype {
                name: tensor.name.to_owned(),
                dtype: tensor.dtype.name(),
            });
        }
        if tensor.shape != shape {
            return Err(bad_shape(&tensor, shape.to_vec()));
        }
        Ok(tensor)
    }

    fn push(&mut self, name: &str, shape: Vec<usize>, src: Source<'a>) {
        // whisper.cpp allocates matrices in the file's `ftype` (float16) and everything it adds
        // to activations (biases, norms, positional embeddings) in float32.
        let ty = if shape.len() >= 2
            && !name.ends_with("positional_embedding")
            && !name.ends_with(".bias")
        {
            GgmlType::F16
        } else {
            GgmlType::F32
        };
        self.out.push(Planned {
            name: name.to_owned(),
            shape,
            ty,
            src,
        });
    }

    /// A variable written whole, optionally under another shape with the same elements.
    fn whole(
        &mut self,
        src: &str,
        shape: &[usize],
        dst: &str,
        reshape: Option<Vec<usize>>,
    ) -> Result<(), ConvertError> {
        let t = self.float(src, shape)?;
        self.push(
            dst,
            reshape.unwrap_or_else(|| shape.to_vec()),
            Source {
                dtype: t.dtype,
                data: t.data,
            },
        );
        Ok(())
    }

    /// A 1-D convolution. whisper.cpp adds the bias to a `[time, channels]` result, so it
    /// wants the bias as `[channels, 1]` (as convert-pt-to-ggml.py reshapes it).
    fn conv(
        &mut self,
        src: &str,
        weight_shape: &[usize; 3],
        dst: &str,
    ) -> Result<(), ConvertError> {
        let channels = weight_shape[0];
        self.whole(
            &format!("{src}/weight"),
            weight_shape,
            &format!("{dst}.weight"),
            None,
        )?;
        self.whole(
            &format!("{src}/bias"),
            &[channels],
            &format!("{dst}.bias"),
            Some(vec![channels, 1]),
        )
    }

    fn layer_norm(&mut self, src: &str, width: usize, dst: &str) -> Result<(), ConvertError> {
        self.whole(
            &format!("{src}/gamma"),
            &[width],
            &format!("{dst}.weight"),
            None,
        )?;
        self.whole(
            &format!("{src}/beta"),
            &[width],
            &format!("{dst}.bias"),
            None,
        )
    }

    /// A linear layer of weight `[out, in]` with a bias.
    fn linear(&mut self, src: &str, [out, inp]: [usize; 2], dst: &str) -> Result<(), ConvertError> {
        self.whole(
            &format!("{src}/weight"),
            &[out, inp],
            &format!("{dst}.weight"),
            None,
        )?;
        self.whole(&format!("{src}/bias"), &[out], &format!("{dst}.bias"), None)
    }

    /// A linear layer whose `[k·width, width]` weight stacks `k` projections by rows, as
    /// CTranslate2's `fuse_linear` concatenates them, in the order of `dsts`. The key
    /// projection's bias is dropped: whisper.cpp's key has none (CTranslate2 stores zeros), and
    /// any key bias adds the same amount to every score of a query, which softmax cancels.
    fn fused(&mut self, src: &str, width: usize, dsts: &[&str]) -> Result<(), ConvertError> {
        let k = dsts.len();
        let weight = self.float(&format!("{src}/weight"), &[k * width, width])?;
        let bias = self.float(&format!("{src}/bias"), &[k * width])?;
        let weight_part = weight.data.len() / k;
        let bias_part = bias.data.len() / k;
        for (i, dst) in dsts.iter().enumerate() {
            let rows = Source {
                dtype: weight.dtype,
                data: &weight.data[i * weight_part..(i + 1) * weight_part],
            };
            self.push(&format!("{dst}.weight"), vec![width, width], rows);
            if !dst.ends_with(".key") {
                let part = Source {
                    dtype: bias.dtype,
                    data: &bias.data[i * bias_part..(i + 1) * bias_part],
                };
                self.push(&format!("{dst}.bias"), vec![width], part);
            }
        }
        Ok(())
    }

    fn self_attention(&mut self, src: &str, dst: &str, d: usize) -> Result<(), ConvertError> {
        let (src, attn) = (format!("{src}/self_attention"), format!("{dst}.attn"));
        self.layer_norm(&format!("{src}/layer_norm"), d, &format!("{dst}.attn_ln"))?;
        self.fused(
            &format!("{src}/linear_0"),
            d,
            &[
                &format!("{attn}.query"),
                &format!("{attn}.key"),
                &format!("{attn}.value"),
            ],
        )?;
        self.linear(&format!("{src}/linear_1"), [d, d], &format!("{attn}.out"))
    }

    /// The feed-forward block; whisper.cpp, like Whisper, is fixed at 4× the width.
    fn ffn(&mut self, src: &str, dst: &str, d: usize) -> Result<(), ConvertError> {
        self.layer_norm(
            &format!("{src}/ffn/layer_norm"),
            d,
            &format!("{dst}.mlp_ln"),
        )?;
        self.linear(
            &format!("{src}/ffn/linear_0"),
            [4 * d, d],
            &format!("{dst}.mlp.0"),
        )?;
        self.linear(
            &format!("{src}/ffn/linear_1"),
            [d, 4 * d],
            &format!("{dst}.mlp.2"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::convert::ct2::testing::model_bin;
    use crate::models::convert::fixture::{D, TIED, Var, values, whisper_vars};

    fn plan_of(vars: &[Var]) -> Result<usize, ConvertError> {
        let model = Ct2Model::parse(model_bin(6, "WhisperSpec", vars, TIED)).unwrap();
        let hparams = WhisperHparams::from_ct2(&model)?;
        plan(&model, &hparams).map(|planned| planned.len())
    }

    #[test]
    fn complete_model_plans_whisper_cpp_tensor_count() {
        // whisper.cpp's count: 7 + 15 per encoder layer, 4 + 24 per decoder layer.
        assert_eq!(plan_of(&whisper_vars(4)).unwrap(), 50);
    }

    #[test]
    fn missing_variable_is_named() {
        let mut vars = whisper_vars(4);
        vars.retain(|v| v.0 != "decoder/layer_0/attention/linear_2/bias");
        let err = plan_of(&vars).unwrap_err();
        assert!(
            matches!(&err, ConvertError::MissingTensor { name } if name == "decoder/layer_0/attention/linear_2/bias"),
            "{err}"
        );
    }

    #[test]
    fn wrong_shape_is_named() {
        let mut vars = whisper_vars(4);
        let ffn = vars
            .iter_mut()
            .find(|v| v.0 == "encoder/layer_0/ffn/linear_0/weight")
            .unwrap();
        *ffn = (
            ffn.0.clone(),
            vec![3 * D as u32, D as u32],
            4,
            values(3 * D * D, 4),
        );
        let err = plan_of(&vars).unwrap_err();
        assert!(
            matches!(&err, ConvertError::BadShape { expected, .. } if *expected == [4 * D, D]),
            "{err}"
        );
    }

    #[test]
    fn untied_projection_is_refused() {
        let model = Ct2Model::parse(model_bin(6, "WhisperSpec", &whisper_vars(4), TIED)).unwrap();
        check_tied_projection(&model).unwrap();
        let mut vars = whisper_vars(4);
        // Same shape and type as the embedding, different values.
        vars.push((
            "decoder/projection/weight".into(),
            vec![6, D as u32],
            5,
            values(6 * D, 5),
        ));
        let model = Ct2Model::parse(model_bin(6, "WhisperSpec", &vars, &[])).unwrap();
        assert!(matches!(
            check_tied_projection(&model),
            Err(ConvertError::Unsupported(_))
        ));
    }
}
