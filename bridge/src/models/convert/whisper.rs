//! Converting a CTranslate2 Whisper model (faster-whisper's format) to whisper.cpp's ggml file:
//! read and check everything, plan every tensor (`mapping`), then write the file
//! atomically.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::ct2::Ct2Model;
use super::error::ConvertError;
use super::ggml::GgmlWriter;
use super::hparams::{WhisperHparams, require};
use super::mapping::{check_tied_projection, plan};
use super::npz::read_npz_f32;
use super::vocab::parse_tiktoken;

/// Output buffer size: large enough that the disk sees few, large writes.
const WRITE_BUFFER_BYTES: usize = 1 << 20;

/// The openai-whisper assets a conversion needs (from the `openai-whisper` sdist's
/// `whisper/assets/`).
#[derive(Clone, Debug)]
pub struct WhisperAssets {
    /// `mel_filters.npz`, holding `mel_80` and `mel_128`.
    pub mel_filters_npz: PathBuf,
    /// `gpt2.tiktoken`: the vocabulary of English-only models.
    pub gpt2_tiktoken: PathBuf,
    /// `multilingual.tiktoken`: the vocabulary of multilingual models.
    pub multilingual_tiktoken: PathBuf,
}

impl WhisperAssets {
    /// The assets under their usual names in one directory.
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            mel_filters_npz: dir.join("mel_filters.npz"),
            gpt2_tiktoken: dir.join("gpt2.tiktoken"),
            multilingual_tiktoken: dir.join("multilingual.tiktoken"),
        }
    }
}

/// What a conversion wrote.
#[derive(Clone, Debug)]
pub struct ConvertReport {
    /// The model's dimensions, as written to the file header.
    pub hparams: WhisperHparams,
    /// The element type of the source weights (`float16`, `float32` or `bfloat16`).
    pub source_dtype: &'static str,
    /// Tensors written.
    pub tensors: usize,
    /// Size of the output file.
    pub bytes: u64,
}

/// Converts the CTranslate2 Whisper model in `model_dir` (holding `model.bin`) to a ggml file
/// at `out` that whisper.cpp (and so whisper-rs) loads.
///
/// The file is written to `out` with `.tmp` appended, synced, then renamed over `out`, so `out`
/// is either absent, the previous file, or complete. This is blocking, CPU- and disk-bound work
/// (about a second for base): run it on a blocking thread.
///
/// # Errors
///
/// [`ConvertError`] when an input cannot be read or is malformed, when the model is not a
/// float Whisper model whisper.cpp can run (a quantised int8 model, for instance), or when the
/// output cannot be written.
pub fn convert_whisper_ct2(
    model_dir: &Path,
    assets: &WhisperAssets,
    out: &Path,
) -> Result<ConvertReport, ConvertError> {
    let model_path = model_dir.join("model.bin");
    let bytes = fs::read(&model_path).map_err(|e| ConvertError::io("read", &model_path, e))?;
    let model = Ct2Model::parse(bytes).map_err(|source| ConvertError::Ct2 {
        path: model_path.clone(),
        source,
    })?;
    if model.spec != "WhisperSpec" {
        return Err(ConvertError::NotWhisper {
            spec: model.spec.clone(),
        });
    }
    let hparams = WhisperHparams::from_ct2(&model)?;
    check_tied_projection(&model)?;
    let plan = plan(&model, &hparams)?;

    let mel_name = format!("mel_{}", hparams.n_mels);
    let npz_path = &assets.mel_filters_npz;
    let npz = File::open(npz_path).map_err(|e| ConvertError::io("read", npz_path, e))?;
    let mel = read_npz_f32(npz, &mel_name).map_err(|source| ConvertError::MelFilters {
        path: npz_path.clone(),
        source,
    })?;
    let (n_mel, n_fft) = match *mel.shape {
        [n_mel, n_fft] if n_mel == hparams.n_mels => (n_mel, n_fft),
        _ => {
            return Err(ConvertError::Unsupported(format!(
                "{mel_name} in {} has shape {:?}, expected [{}, n_fft]",
                npz_path.display(),
                mel.shape,
                hparams.n_mels
            )));
        }
    };

    let vocab_path = if hparams.is_multilingual() {
        &assets.multilingual_tiktoken
    } else {
        &assets.gpt2_tiktoken
    };
    let text = fs::read(vocab_path).map_err(|e| ConvertError::io("read", vocab_path, e))?;
    let tokens = parse_tiktoken(&text).map_err(|source| ConvertError::Vocab {
        path: vocab_path.clone(),
        source,
    })?;
    if tokens.len() > hparams.n_vocab {
        return Err(ConvertError::Unsupported(format!(
            "{} has {} tokens, more than the model's {}",
            vocab_path.display(),
            tokens.len(),
            hparams.n_vocab
        )));
    }

    let mut tmp = out.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let written = write_file(&tmp, |w| {
        w.header(&hparams)?;
        w.mel_filters(n_mel, n_fft, &mel.data)?;
        w.vocab(&tokens)?;
        for t in &plan {
            w.tensor(&t.name, &t.shape, t.ty, t.src)?;
        }
        Ok(())
    });
    let bytes = match written {
        Ok(bytes) => bytes,
        Err(e) => {
            // Best effort: the error that matters is the one being returned.
            let _ = fs::remove_file(&tmp);
            return Err(ConvertError::io("write", &tmp, e));
        }
    };
    fs::rename(&tmp, out).map_err(|e| ConvertError::io("rename to", out, e))?;

    let report = ConvertReport {
        source_dtype: require(&model, "decoder/embeddings/weight")?.dtype.name(),
        hparams,
        tensors: plan.len(),
        bytes,
    };
    tracing::info!(
        model = %model_dir.display(),
        out = %out.display(),
        spec_revision = model.spec_revision,
        n_vocab = report.hparams.n_vocab,
        layers = report.hparams.n_audio_layer,
        tensors = report.tensors,
        bytes = report.bytes,
        "Converted Whisper model to ggml."
    );
    Ok(report)
}

/// Creates `path`, lets `body` fill it, then flushes and syncs it; returns its size.
fn write_file(
    path: &Path,
    body: impl FnOnce(&mut GgmlWriter<BufWriter<File>>) -> std::io::Result<()>,
) -> std::io::Result<u64> {
    let file = File::create(path)?;
    let mut writer = GgmlWriter::new(BufWriter::with_capacity(WRITE_BUFFER_BYTES, file));
    body(&mut writer)?;
    let (mut buffered, bytes) = writer.finish()?;
    buffered.flush()?;
    let file = buffered.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::models::convert::fixture::{D, Fixture, TIED, range, values, whisper_vars};
    use crate::models::convert::ggml::GgmlType;

    #[test]
    fn maps_every_tensor_with_whisper_cpp_names_shapes_and_types() {
        for weight_dtype in [0, 4, 5] {
            let fixture = Fixture::new("WhisperSpec", &whisper_vars(weight_dtype), TIED);
            let report = fixture.convert().unwrap();
            let model = fixture.read();
            assert_eq!(model.hparams, vec![6, 3, 4, 2, 1, 2, 4, 2, 1, 2, 1]);
            assert_eq!(model.mel, (2, 3, vec![0.0, 0.25, 0.5, 0.75, 1.0, 1.25]));
            assert_eq!(model.vocab, vec![b"a".to_vec(), b" b".to_vec()]);
            // whisper.cpp's count: 7 + 15 per encoder layer, 4 + 24 per decoder layer.
            assert_eq!((report.tensors, model.tensors.len()), (50, 50));
            assert_eq!(report.bytes, fs::metadata(&fixture.out).unwrap().len());
            assert!(!report.hparams.is_multilingual());

            let t = &model.tensors;
            let f16_matrices = BTreeSet::from([
                "encoder.conv1.weight",
                "encoder.blocks.0.attn.key.weight",
                "encoder.blocks.0.mlp.2.weight",
                "decoder.token_embedding.weight",
                "decoder.blocks.0.cross_attn.value.weight",
            ]);
            for name in f16_matrices {
                assert_eq!(t[name].ty, GgmlType::F16, "{name}");
            }
            for name in [
                "encoder.positional_embedding",
                "encoder.conv2.bias",
                "decoder.ln.weight",
                "decoder.blocks.0.mlp.0.bias",
            ] {
                assert_eq!(t[name].ty, GgmlType::F32, "{name}");
            }
            assert_eq!(t["encoder.conv1.weight"].dims, [3, 2, D]);
            assert_eq!(t["encoder.conv1.bias"].dims, [1, D]);
            assert_eq!(t["decoder.token_embedding.weight"].dims, [D, 6]);
            assert_eq!(t["decoder.blocks.0.mlp.2.weight"].dims, [4 * D, D]);
            assert!(!t.contains_key("encoder.blocks.0.attn.key.bias"));
            assert!(!t.contains_key("decoder.blocks.0.cross_attn.key.bias"));

            // Fused rows split in order: query | key | value, then key | value.
            let attn = "decoder.blocks.0.attn";
            assert_eq!(t[&format!("{attn}.query.weight")].values(), range(0, 16));
            assert_eq!(t[&format!("{attn}.key.weight")].values(), range(16, 32));
            assert_eq!(t[&format!("{attn}.value.weight")].values(), range(32, 48));
            assert_eq!(t[&format!("{attn}.query.bias")].values(), range(0, 4));
            assert_eq!(t[&format!("{attn}.value.bias")].values(), range(8, 12));
            let cross = "decoder.blocks.0.cross_attn";
            assert_eq!(t[&format!("{cross}.key.weight")].values(), range(0, 16));
            assert_eq!(t[&format!("{cross}.value.weight")].values(), range(16, 32));
            assert_eq!(t[&format!("{cross}.value.bias")].values(), range(4, 8));
            assert_eq!(t["encoder.ln_post.bias"].values(), range(0, 4));
            assert!(!fixture.out.with_extension("bin.tmp").exists());
        }
    }

    #[test]
    fn quantised_int8_model_is_refused_with_a_clear_error() {
        let fixture = Fixture::new("WhisperSpec", &whisper_vars(1), TIED);
        let err = fixture.convert().unwrap_err();
        assert!(
            matches!(&err, ConvertError::UnsupportedDtype { dtype: "int8", .. }),
            "{err}"
        );
        assert!(err.to_string().contains("float16 model"), "{err}");
        fixture.assert_nothing_written();
    }

    #[test]
    fn other_models_and_untied_projections_are_refused() {
        let err = Fixture::new("TransformerSpec", &whisper_vars(4), TIED)
            .convert()
            .unwrap_err();
        assert!(matches!(err, ConvertError::NotWhisper { spec } if spec == "TransformerSpec"));
        let mut vars = whisper_vars(4);
        vars.push((
            "decoder/projection/weight".into(),
            vec![6, D as u32],
            4,
            values(6 * D, 5),
        ));
        let fixture = Fixture::new("WhisperSpec", &vars, &[]);
        assert!(matches!(
            fixture.convert(),
            Err(ConvertError::Unsupported(_))
        ));
        fixture.assert_nothing_written();
    }

    #[test]
    fn missing_assets_and_model_are_io_errors() {
        let fixture = Fixture::new("WhisperSpec", &whisper_vars(4), TIED);
        fs::remove_file(&fixture.assets.gpt2_tiktoken).unwrap();
        assert!(matches!(
            fixture.convert(),
            Err(ConvertError::Io { action: "read", .. })
        ));
        let fixture = Fixture::new("WhisperSpec", &whisper_vars(4), TIED);
        fs::remove_file(fixture.model_dir.join("model.bin")).unwrap();
        assert!(matches!(fixture.convert(), Err(ConvertError::Io { .. })));
        fixture.assert_nothing_written();
    }

    #[test]
    fn truncated_model_is_a_ct2_error() {
        let fixture = Fixture::new("WhisperSpec", &whisper_vars(4), TIED);
        let path = fixture.model_dir.join("model.bin");
        let bytes = fs::read(&path).unwrap();
        fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        assert!(matches!(fixture.convert(), Err(ConvertError::Ct2 { .. })));
    }
}
