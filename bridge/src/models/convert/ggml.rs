//! Writing whisper.cpp's ggml model file: the legacy (pre-GGUF) format that `whisper_model_load`
//! in whisper.cpp's `src/whisper.cpp` reads, and that its `models/convert-pt-to-ggml.py` writes.
//!
//! ```text
//! u32 magic 0x67676d6c ("ggml")
//! i32 n_vocab, n_audio_ctx, n_audio_state, n_audio_head, n_audio_layer,
//!     n_text_ctx, n_text_state, n_text_head, n_text_layer, n_mels, ftype (1 = mostly f16)
//! i32 n_mel, n_fft, then f32 filters[n_mel][n_fft]
//! i32 n_tokens, then per token: u32 length, bytes
//! per tensor until end of file:
//!     i32 n_dims, name length, type (0 = f32, 1 = f16)
//!     i32 dims[n_dims], innermost first (the reverse of numpy's order)
//!     name bytes, then the row-major data
//! ```
//!
//! All values little-endian. whisper.cpp checks each tensor's element count and byte size
//! against the type *it* allocates, so the type written must be the one it expects.

use std::io::{self, Write};

use half::{bf16, f16};

use super::ct2::Dtype;
use super::hparams::WhisperHparams;

const MAGIC: u32 = 0x6767_6d6c;
/// `ftype` 1: large matrices in float16, the rest in float32 (`GGML_FTYPE_MOSTLY_F16`).
const FTYPE_MOSTLY_F16: i32 = 1;
/// Elements converted per write; bounds the scratch buffer at 256 KiB.
const CHUNK_ELEMENTS: usize = 64 * 1024;

/// A tensor's element type in the file (ggml's `ggml_type` ids).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GgmlType {
    F32,
    F16,
}

impl GgmlType {
    fn id(self) -> i32 {
        match self {
            Self::F32 => 0,
            Self::F16 => 1,
        }
    }

    #[cfg(test)]
    fn size(self) -> usize {
        match self {
            Self::F32 => 4,
            Self::F16 => 2,
        }
    }
}

/// Source elements: a row-major slice of a CTranslate2 float variable.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Source<'a> {
    pub(crate) dtype: Dtype,
    pub(crate) data: &'a [u8],
}

/// Writes the sections of a ggml file in order, counting bytes.
pub(crate) struct GgmlWriter<W: Write> {
    out: W,
    written: u64,
    scratch: Vec<u8>,
}

impl<W: Write> GgmlWriter<W> {
    pub(crate) fn new(out: W) -> Self {
        Self {
            out,
            written: 0,
            scratch: Vec::new(),
        }
    }

    fn bytes(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    fn i32(&mut self, value: usize) -> io::Result<()> {
        let value = i32::try_from(value).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "value does not fit the ggml format's i32",
            )
        })?;
        self.bytes(&value.to_le_bytes())
    }

    /// The magic and the hyperparameters.
    pub(crate) fn header(&mut self, h: &WhisperHparams) -> io::Result<()> {
        self.bytes(&MAGIC.to_le_bytes())?;
        for value in [
            h.n_vocab,
            h.n_audio_ctx,
            h.n_audio_state,
            h.n_audio_head,
            h.n_audio_layer,
            h.n_text_ctx,
            h.n_text_state,
            h.n_text_head,
            h.n_text_layer,
            h.n_mels,
        ] {
            self.i32(value)?;
        }
        self.bytes(&FTYPE_MOSTLY_F16.to_le_bytes())
    }

    /// The mel filter bank, `n_mel` rows of `n_fft` values.
    pub(crate) fn mel_filters(
        &mut self,
        n_mel: usize,
        n_fft: usize,
        data: &[f32],
    ) -> io::Result<()> {
        if n_mel.checked_mul(n_fft) != Some(data.len()) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "mel filter shape and data disagree",
            ));
        }
        self.i32(n_mel)?;
        self.i32(n_fft)?;
        for chunk in data.chunks(CHUNK_ELEMENTS) {
            self.scratch.clear();
            self.scratch
                .extend(chunk.iter().flat_map(|v| v.to_le_bytes()));
            self.out.write_all(&self.scratch)?;
            self.written += self.scratch.len() as u64;
        }
        Ok(())
    }

    /// The tokenizer's tokens, in id order.
    pub(crate) fn vocab(&mut self, tokens: &[Vec<u8>]) -> io::Result<()> {
        self.i32(tokens.len())?;
        for token in tokens {
            self.i32(token.len())?;
            self.bytes(token)?;
        }
        Ok(())
    }

    /// One tensor. `shape` is in row-major (numpy) order; `src` must hold exactly its elements.
    pub(crate) fn tensor(
        &mut self,
        name: &str,
        shape: &[usize],
        ty: GgmlType,
        src: Source<'_>,
    ) -> io::Result<()> {
        let invalid = |what: &str| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("tensor {name}: {what}"),
            )
        };
        if !matches!(src.dtype, Dtype::F32 | Dtype::F16 | Dtype::Bf16) {
            return Err(invalid(&format!(
                "cannot convert {} to a float type",
                src.dtype.name()
            )));
        }
        let bytes = shape
            .iter()
            .try_fold(src.dtype.size(), |acc, &d| acc.checked_mul(d));
        if bytes != Some(src.data.len()) {
            return Err(invalid("shape and data disagree"));
        }
        self.i32(shape.len())?;
        self.i32(name.len())?;
        self.bytes(&ty.id().to_le_bytes())?;
        for &dim in shape.iter().rev() {
            self.i32(dim)?;
        }
        self.bytes(name.as_bytes())?;
        self.data(ty, src)
    }

    fn data(&mut self, ty: GgmlType, src: Source<'_>) -> io::Result<()> {
        if matches!(
            (src.dtype, ty),
            (Dtype::F32, GgmlType::F32) | (Dtype::F16, GgmlType::F16)
        ) {
            return self.bytes(src.data);
        }
        let in_size = src.dtype.size();
        for chunk in src.data.chunks(CHUNK_ELEMENTS * in_size) {
            self.scratch.clear();
            for element in chunk.chunks_exact(in_size) {
                let value = match src.dtype {
                    Dtype::F32 => {
                        f32::from_le_bytes([element[0], element[1], element[2], element[3]])
                    }
                    Dtype::F16 => f16::from_le_bytes([element[0], element[1]]).to_f32(),
                    _ => bf16::from_le_bytes([element[0], element[1]]).to_f32(),
                };
                match ty {
                    GgmlType::F32 => self.scratch.extend_from_slice(&value.to_le_bytes()),
                    GgmlType::F16 => self
                        .scratch
                        .extend_from_slice(&f16::from_f32(value).to_le_bytes()),
                }
            }
            self.out.write_all(&self.scratch)?;
            self.written += self.scratch.len() as u64;
        }
        Ok(())
    }

    /// Flushes and returns the sink and the number of bytes written.
    pub(crate) fn finish(mut self) -> io::Result<(W, u64)> {
        self.out.flush()?;
        Ok((self.out, self.written))
    }
}

/// Reads a ggml file back, for tests of the writer and the converter.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    #[derive(Debug)]
    pub(crate) struct ReadTensor {
        /// Innermost first, as stored.
        pub(crate) dims: Vec<usize>,
        pub(crate) ty: GgmlType,
        pub(crate) data: Vec<u8>,
    }

    impl ReadTensor {
        pub(crate) fn values(&self) -> Vec<f32> {
            match self.ty {
                GgmlType::F32 => self
                    .data
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
                    .collect(),
                GgmlType::F16 => self
                    .data
                    .chunks_exact(2)
                    .map(|c| f16::from_le_bytes([c[0], c[1]]).to_f32())
                    .collect(),
            }
        }
    }

    #[derive(Debug)]
    pub(crate) struct ReadModel {
        pub(crate) hparams: Vec<i32>,
        pub(crate) mel: (usize, usize, Vec<f32>),
        pub(crate) vocab: Vec<Vec<u8>>,
        pub(crate) tensors: std::collections::BTreeMap<String, ReadTensor>,
    }

    struct Cursor<'a> {
        bytes: &'a [u8],
        pos: usize,
    }

    impl<'a> Cursor<'a> {
        fn take(&mut self, n: usize) -> &'a [u8] {
            let s = &self.bytes[self.pos..self.pos + n];
            self.pos += n;
            s
        }

        fn i32(&mut self) -> i32 {
            i32::from_le_bytes(self.take(4).try_into().unwrap())
        }

        fn usize(&mut self) -> usize {
            usize::try_from(self.i32()).unwrap()
        }
    }

    /// Parses a whole file; panics on anything malformed (test code reading our own output).
    pub(crate) fn read(bytes: &[u8]) -> ReadModel {
        let mut c = Cursor { bytes, pos: 0 };
        assert_eq!(c.i32() as u32, MAGIC);
        let hparams: Vec<i32> = (0..11).map(|_| c.i32()).collect();
        let (n_mel, n_fft) = (c.usize(), c.usize());
        let mel = c
            .take(n_mel * n_fft * 4)
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
            .collect();
        let n_tokens = c.usize();
        let vocab = (0..n_tokens)
            .map(|_| {
                let len = c.usize();
                c.take(len).to_vec()
            })
            .collect();
        let mut tensors = std::collections::BTreeMap::new();
        while c.pos < bytes.len() {
            let n_dims = c.usize();
            let name_len = c.usize();
            let ty = match c.i32() {
                0 => GgmlType::F32,
                1 => GgmlType::F16,
                other => panic!("type {other}"),
            };
            let dims: Vec<usize> = (0..n_dims).map(|_| c.usize()).collect();
            let name = String::from_utf8(c.take(name_len).to_vec()).unwrap();
            let data = c.take(dims.iter().product::<usize>() * ty.size()).to_vec();
            assert!(
                tensors
                    .insert(name.clone(), ReadTensor { dims, ty, data })
                    .is_none(),
                "{name} twice"
            );
        }
        ReadModel {
            hparams,
            mel: (n_mel, n_fft, mel),
            vocab,
            tensors,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::read;
    use super::*;

    fn f32_bytes(values: &[f32]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    #[test]
    fn round_trips_every_section_and_converts_types() {
        let hparams = WhisperHparams {
            n_vocab: 5,
            n_audio_ctx: 6,
            n_audio_state: 4,
            n_audio_head: 2,
            n_audio_layer: 1,
            n_text_ctx: 3,
            n_text_state: 4,
            n_text_head: 2,
            n_text_layer: 1,
            n_mels: 2,
        };
        let mut w = GgmlWriter::new(Vec::new());
        w.header(&hparams).unwrap();
        w.mel_filters(2, 3, &[0.0, 0.5, 1.0, 1.5, 2.0, 2.5])
            .unwrap();
        w.vocab(&[b"a".to_vec(), vec![], b"bc".to_vec()]).unwrap();
        let values = [1.0, -2.0, 0.5, 1024.0, 3.25, 0.0]; // exact in f16 and bf16
        w.tensor(
            "m",
            &[2, 3],
            GgmlType::F16,
            Source {
                dtype: Dtype::F32,
                data: &f32_bytes(&values),
            },
        )
        .unwrap();
        let bf: Vec<u8> = values
            .iter()
            .flat_map(|v| bf16::from_f32(*v).to_le_bytes())
            .collect();
        w.tensor(
            "b",
            &[6, 1],
            GgmlType::F32,
            Source {
                dtype: Dtype::Bf16,
                data: &bf,
            },
        )
        .unwrap();
        let (bytes, written) = w.finish().unwrap();
        assert_eq!(written, bytes.len() as u64);

        let model = read(&bytes);
        assert_eq!(model.hparams, vec![5, 6, 4, 2, 1, 3, 4, 2, 1, 2, 1]);
        assert_eq!(model.mel, (2, 3, vec![0.0, 0.5, 1.0, 1.5, 2.0, 2.5]));
        assert_eq!(model.vocab, vec![b"a".to_vec(), vec![], b"bc".to_vec()]);
        let m = &model.tensors["m"];
        assert_eq!((m.dims.as_slice(), m.ty), (&[3, 2][..], GgmlType::F16));
        assert_eq!(m.values(), values);
        let b = &model.tensors["b"];
        assert_eq!((b.dims.as_slice(), b.ty), (&[1, 6][..], GgmlType::F32));
        assert_eq!(b.values(), values);
    }

    #[test]
    fn mismatched_data_is_an_error() {
        let mut w = GgmlWriter::new(Vec::new());
        let err = w.tensor(
            "x",
            &[2, 2],
            GgmlType::F16,
            Source {
                dtype: Dtype::F16,
                data: &[0; 6],
            },
        );
        assert_eq!(err.unwrap_err().kind(), io::ErrorKind::InvalidInput);
        let err = w.tensor(
            "x",
            &[1],
            GgmlType::F16,
            Source {
                dtype: Dtype::I32,
                data: &[0; 4],
            },
        );
        assert_eq!(err.unwrap_err().kind(), io::ErrorKind::InvalidInput);
        assert!(w.mel_filters(2, 2, &[0.0; 3]).is_err());
    }
}
