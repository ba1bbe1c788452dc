//! A synthetic CTranslate2 Whisper model for the converter's unit tests: tiny, complete, and
//! filled with values that show where every element ends up.

use std::fs;
use std::path::PathBuf;

use half::{bf16, f16};

use super::ct2::testing::model_bin;
use super::error::ConvertError;
use super::ggml::testing::{ReadModel, read};
use super::npz::testing::{npy_f32, npz};
use super::whisper::{ConvertReport, WhisperAssets, convert_whisper_ct2};

/// The synthetic model's width: 2 heads of 2, 2 mel bands, 3 audio and 2 text positions,
/// a vocabulary of 6, one layer per stack.
pub(crate) const D: usize = 4;

pub(crate) type Var = (String, Vec<u32>, u8, Vec<u8>);

/// Values 0, 1, 2, … in a CTranslate2 type (0 float32, 1 int8, 4 float16, 5 bfloat16).
pub(crate) fn values(n: usize, dtype: u8) -> Vec<u8> {
    (0..n)
        .flat_map(|i| {
            let v = i as f32;
            match dtype {
                0 => v.to_le_bytes().to_vec(),
                1 => vec![i as u8],
                4 => f16::from_f32(v).to_le_bytes().to_vec(),
                5 => bf16::from_f32(v).to_le_bytes().to_vec(),
                _ => unreachable!(),
            }
        })
        .collect()
}

/// A complete CTranslate2 Whisper variable set with weights of type `w`.
pub(crate) fn whisper_vars(w: u8) -> Vec<Var> {
    // Quantised models keep their biases and norms in float; float16 here.
    let f = if w == 1 { 4 } else { w };
    let mut vars = Vec::new();
    let mut add = |name: &str, shape: &[usize], dtype: u8| {
        let n = shape.iter().product();
        vars.push((
            name.to_owned(),
            shape.iter().map(|&d| d as u32).collect(),
            dtype,
            values(n, dtype),
        ));
    };
    let linear = |add: &mut dyn FnMut(&str, &[usize], u8), name: &str, out: usize, inp: usize| {
        add(&format!("{name}/weight"), &[out, inp], w);
        add(&format!("{name}/bias"), &[out], f);
    };
    let norm = |add: &mut dyn FnMut(&str, &[usize], u8), name: &str| {
        add(&format!("{name}/gamma"), &[D], f);
        add(&format!("{name}/beta"), &[D], f);
    };
    add("encoder/conv1/weight", &[D, 2, 3], w);
    add("encoder/conv1/bias", &[D], f);
    add("encoder/conv2/weight", &[D, D, 3], w);
    add("encoder/conv2/bias", &[D], f);
    add("encoder/position_encodings/encodings", &[3, D], f);
    norm(&mut add, "encoder/layer_norm");
    add("decoder/embeddings/weight", &[6, D], w);
    add("decoder/position_encodings/encodings", &[2, D], f);
    norm(&mut add, "decoder/layer_norm");
    for stack in ["encoder", "decoder"] {
        let l = format!("{stack}/layer_0");
        norm(&mut add, &format!("{l}/self_attention/layer_norm"));
        linear(&mut add, &format!("{l}/self_attention/linear_0"), 3 * D, D);
        linear(&mut add, &format!("{l}/self_attention/linear_1"), D, D);
        norm(&mut add, &format!("{l}/ffn/layer_norm"));
        linear(&mut add, &format!("{l}/ffn/linear_0"), 4 * D, D);
        linear(&mut add, &format!("{l}/ffn/linear_1"), D, 4 * D);
    }
    norm(&mut add, "decoder/layer_0/attention/layer_norm");
    linear(&mut add, "decoder/layer_0/attention/linear_0", D, D);
    linear(&mut add, "decoder/layer_0/attention/linear_1", 2 * D, D);
    linear(&mut add, "decoder/layer_0/attention/linear_2", D, D);
    for stack in ["encoder", "decoder"] {
        vars.push((
            format!("{stack}/num_heads"),
            vec![],
            2,
            2i16.to_le_bytes().to_vec(),
        ));
    }
    vars
}

pub(crate) const TIED: &[(&str, &str)] =
    &[("decoder/projection/weight", "decoder/embeddings/weight")];

pub(crate) struct Fixture {
    _dir: tempfile::TempDir,
    pub(crate) model_dir: PathBuf,
    pub(crate) assets: WhisperAssets,
    pub(crate) out: PathBuf,
}

impl Fixture {
    pub(crate) fn new(spec: &str, vars: &[Var], aliases: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let model_dir = dir.path().join("ct2");
        fs::create_dir(&model_dir).unwrap();
        fs::write(
            model_dir.join("model.bin"),
            model_bin(6, spec, vars, aliases),
        )
        .unwrap();
        let assets_dir = dir.path().join("assets");
        fs::create_dir(&assets_dir).unwrap();
        let mel = npy_f32(&[2, 3], &[0.0, 0.25, 0.5, 0.75, 1.0, 1.25]);
        fs::write(assets_dir.join("mel_filters.npz"), npz(&[("mel_2", mel)])).unwrap();
        fs::write(assets_dir.join("gpt2.tiktoken"), "YQ== 0\nIGI= 1\n").unwrap();
        fs::write(assets_dir.join("multilingual.tiktoken"), "eA== 0\n").unwrap();
        let out = dir.path().join("ggml-model.bin");
        Self {
            model_dir,
            assets: WhisperAssets::in_dir(&assets_dir),
            out,
            _dir: dir,
        }
    }

    pub(crate) fn convert(&self) -> Result<ConvertReport, ConvertError> {
        convert_whisper_ct2(&self.model_dir, &self.assets, &self.out)
    }

    pub(crate) fn read(&self) -> ReadModel {
        read(&fs::read(&self.out).unwrap())
    }

    pub(crate) fn assert_nothing_written(&self) {
        assert!(!self.out.exists());
        assert!(!self.out.with_extension("bin.tmp").exists());
    }
}

pub(crate) fn range(from: usize, to: usize) -> Vec<f32> {
    (from..to).map(|v| v as f32).collect()
}
