//! Reading CTranslate2's `model.bin`.
//!
//! Layout (all integers little-endian; see CTranslate2's `python/ctranslate2/specs/model_spec.py`
//! `_serialize` and `src/models/model.cc` `Model::load`):
//!
//! ```text
//! u32 binary_version                      (this reader: 4..=6, where type ids exist)
//! str spec_name                           (str = u16 length counting a trailing NUL, bytes, NUL)
//! u32 spec_revision
//! u32 n_variables, then per variable:
//!     str name, u8 rank, u32 dims[rank], u8 type id, u32 n_bytes, data[n_bytes]
//! u32 n_aliases, then per alias: str alias, str target
//! ```
//!
//! The whole file is held in memory (75 MB for tiny, 145 MB for base) and variables are slices
//! of it, so there is one copy. Every length is checked against what is left of the file before
//! it is used, so a corrupt length fails with [`Ct2Error::Truncated`] instead of allocating.

use std::collections::HashMap;
use std::ops::Range;

/// The oldest binary version read: version 4 introduced explicit type ids, and every
/// CTranslate2 release that can hold Whisper writes version 5 or later.
const MIN_BINARY_VERSION: u32 = 4;
/// The newest binary version known (`CURRENT_BINARY_VERSION` in CTranslate2's `model_spec.py`).
const MAX_BINARY_VERSION: u32 = 6;
/// Bounds alias chains so that a file whose aliases form a loop cannot hang the lookup.
const MAX_ALIAS_HOPS: usize = 8;

/// What is wrong with a CTranslate2 `model.bin`.
#[derive(Debug, thiserror::Error)]
pub enum Ct2Error {
    /// The file ends inside a field.
    #[error("the file ends at byte {len}, inside the {what} that starts at byte {offset}")]
    Truncated {
        /// The field being read.
        what: &'static str,
        /// Where the field starts.
        offset: usize,
        /// The file's length.
        len: usize,
    },
    /// The binary version is outside what this reader knows.
    #[error(
        "binary version {0} is not supported (versions {MIN_BINARY_VERSION} to \
         {MAX_BINARY_VERSION} are); was it written by another CTranslate2 release?"
    )]
    UnsupportedVersion(u32),
    /// A string is empty, lacks its NUL terminator or is not UTF-8.
    #[error("the string at byte {offset} is not NUL-terminated UTF-8")]
    BadString {
        /// Where the string's length field starts.
        offset: usize,
    },
    /// A variable's type id is not one of CTranslate2's `DataType` values.
    #[error("variable `{name}` has unknown type id {id}")]
    UnknownDtype {
        /// The variable.
        name: String,
        /// The stored id.
        id: u8,
    },
    /// A variable's byte count disagrees with its shape and type.
    #[error(
        "variable `{name}` holds {declared} bytes but shape {shape:?} of {dtype} needs {needed}"
    )]
    SizeMismatch {
        /// The variable.
        name: String,
        /// Its shape.
        shape: Vec<usize>,
        /// Its type.
        dtype: &'static str,
        /// The byte count stored.
        declared: u64,
        /// The byte count the shape needs (saturated on overflow).
        needed: u64,
    },
    /// Two variables share a name.
    #[error("variable `{0}` is stored twice")]
    Duplicate(String),
}

/// A variable's element type: CTranslate2's `DataType` enum (`include/ctranslate2/types.h`),
/// whose order gives the stored id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dtype {
    F32,
    I8,
    I16,
    I32,
    F16,
    Bf16,
}

impl Dtype {
    fn from_id(id: u8) -> Option<Self> {
        Some(match id {
            0 => Self::F32,
            1 => Self::I8,
            2 => Self::I16,
            3 => Self::I32,
            4 => Self::F16,
            5 => Self::Bf16,
            _ => return None,
        })
    }

    /// Bytes per element.
    pub(crate) fn size(self) -> usize {
        match self {
            Self::I8 => 1,
            Self::I16 | Self::F16 | Self::Bf16 => 2,
            Self::F32 | Self::I32 => 4,
        }
    }

    /// CTranslate2's name for the type.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::F32 => "float32",
            Self::I8 => "int8",
            Self::I16 => "int16",
            Self::I32 => "int32",
            Self::F16 => "float16",
            Self::Bf16 => "bfloat16",
        }
    }
}

#[derive(Debug)]
struct Variable {
    shape: Vec<usize>,
    dtype: Dtype,
    data: Range<usize>,
}

/// One variable, borrowed from the model.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tensor<'a> {
    /// The name of the stored variable (the alias target when looked up through an alias).
    pub(crate) name: &'a str,
    pub(crate) shape: &'a [usize],
    pub(crate) dtype: Dtype,
    /// Row-major, little-endian elements.
    pub(crate) data: &'a [u8],
}

impl Tensor<'_> {
    /// The value of a rank-0 integer variable (such as `encoder/num_heads`).
    pub(crate) fn scalar_int(&self) -> Option<i64> {
        if !self.shape.is_empty() {
            return None;
        }
        let d = self.data;
        match self.dtype {
            Dtype::I8 => Some(i64::from(*d.first()? as i8)),
            Dtype::I16 => Some(i64::from(i16::from_le_bytes(d.get(..2)?.try_into().ok()?))),
            Dtype::I32 => Some(i64::from(i32::from_le_bytes(d.get(..4)?.try_into().ok()?))),
            _ => None,
        }
    }
}

/// A parsed CTranslate2 model: its header and an index of variables into the file's bytes.
#[derive(Debug)]
pub(crate) struct Ct2Model {
    bytes: Vec<u8>,
    pub(crate) spec: String,
    pub(crate) spec_revision: u32,
    variables: HashMap<String, Variable>,
    aliases: HashMap<String, String>,
}

impl Ct2Model {
    /// Parses a whole `model.bin`, taking ownership of its bytes.
    pub(crate) fn parse(bytes: Vec<u8>) -> Result<Self, Ct2Error> {
        let mut r = Reader {
            buf: &bytes,
            pos: 0,
        };
        let version = r.u32("binary version")?;
        if !(MIN_BINARY_VERSION..=MAX_BINARY_VERSION).contains(&version) {
            return Err(Ct2Error::UnsupportedVersion(version));
        }
        let spec = r.string()?;
        let spec_revision = r.u32("spec revision")?;

        let n_variables = r.u32("variable count")? as usize;
        // A variable takes at least 9 bytes (name length, NUL, rank, type, byte count), so
        // the file's length bounds the reservation whatever the count field says.
        let mut variables = HashMap::with_capacity(n_variables.min(r.remaining() / 9));
        for _ in 0..n_variables {
            let name = r.string()?;
            let rank = r.u8("rank")?;
            let mut shape = Vec::with_capacity(usize::from(rank));
            for _ in 0..rank {
                shape.push(r.u32("dimension")? as usize);
            }
            let id = r.u8("type id")?;
            let dtype = Dtype::from_id(id).ok_or_else(|| Ct2Error::UnknownDtype {
                name: name.clone(),
                id,
            })?;
            let declared = u64::from(r.u32("byte count")?);
            let needed = shape
                .iter()
                .try_fold(dtype.size() as u64, |acc, &d| acc.checked_mul(d as u64))
                .unwrap_or(u64::MAX);
            if declared != needed {
                return Err(Ct2Error::SizeMismatch {
                    name,
                    shape,
                    dtype: dtype.name(),
                    declared,
                    needed,
                });
            }
            let data = r.skip(declared as usize, "variable data")?;
            if variables.contains_key(&name) {
                return Err(Ct2Error::Duplicate(name));
            }
            variables.insert(name, Variable { shape, dtype, data });
        }

        let n_aliases = r.u32("alias count")? as usize;
        let mut aliases = HashMap::with_capacity(n_aliases.min(r.remaining() / 6));
        for _ in 0..n_aliases {
            let alias = r.string()?;
            let target = r.string()?;
            aliases.insert(alias, target);
        }
        // Bytes after the aliases are ignored, as CTranslate2 itself does.

        Ok(Self {
            bytes,
            spec,
            spec_revision,
            variables,
            aliases,
        })
    }

    /// Looks a variable up by name, following aliases.
    pub(crate) fn get(&self, name: &str) -> Option<Tensor<'_>> {
        let mut name = name;
        for _ in 0..=MAX_ALIAS_HOPS {
            if let Some((stored, v)) = self.variables.get_key_value(name) {
                return Some(Tensor {
                    name: stored,
                    shape: &v.shape,
                    dtype: v.dtype,
                    data: &self.bytes[v.data.clone()],
                });
            }
            name = self.aliases.get(name)?;
        }
        None
    }
}

/// A bounds-checked cursor over the file.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Advances over `n` bytes and returns their range, or fails if the file is shorter.
    fn skip(&mut self, n: usize, what: &'static str) -> Result<Range<usize>, Ct2Error> {
        if n > self.remaining() {
            return Err(Ct2Error::Truncated {
                what,
                offset: self.pos,
                len: self.buf.len(),
            });
        }
        let range = self.pos..self.pos + n;
        self.pos += n;
        Ok(range)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], Ct2Error> {
        let range = self.skip(N, what)?;
        let mut out = [0; N];
        out.copy_from_slice(&self.buf[range]);
        Ok(out)
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, Ct2Error> {
        Ok(self.array::<1>(what)?[0])
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, Ct2Error> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    fn string(&mut self) -> Result<String, Ct2Error> {
        let offset = self.pos;
        let len = u16::from_le_bytes(self.array("string length")?);
        let range = self.skip(usize::from(len), "string")?;
        match &self.buf[range] {
            [text @ .., 0] => {
                String::from_utf8(text.to_vec()).map_err(|_| Ct2Error::BadString { offset })
            }
            _ => Err(Ct2Error::BadString { offset }),
        }
    }
}

/// Builds `model.bin` files for tests.
#[cfg(test)]
pub(crate) mod testing {
    fn string(out: &mut Vec<u8>, s: &str) {
        out.extend_from_slice(&(s.len() as u16 + 1).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
        out.push(0);
    }

    /// Serialises variables and aliases the way CTranslate2's `_serialize` does.
    /// Each variable is (name, shape, type id, raw bytes).
    pub(crate) fn model_bin<N: AsRef<str>>(
        version: u32,
        spec: &str,
        vars: &[(N, Vec<u32>, u8, Vec<u8>)],
        aliases: &[(&str, &str)],
    ) -> Vec<u8> {
        let mut out = version.to_le_bytes().to_vec();
        string(&mut out, spec);
        out.extend_from_slice(&3u32.to_le_bytes());
        out.extend_from_slice(&(vars.len() as u32).to_le_bytes());
        for (name, shape, id, data) in vars {
            string(&mut out, name.as_ref());
            out.push(shape.len() as u8);
            for d in shape {
                out.extend_from_slice(&d.to_le_bytes());
            }
            out.push(*id);
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(data);
        }
        out.extend_from_slice(&(aliases.len() as u32).to_le_bytes());
        for (alias, target) in aliases {
            string(&mut out, alias);
            string(&mut out, target);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::testing::model_bin;
    use super::*;

    fn sample() -> Vec<u8> {
        model_bin(
            6,
            "WhisperSpec",
            &[
                ("a/weight", vec![2, 3], 0, vec![0; 24]),
                ("a/num_heads", vec![], 2, 6i16.to_le_bytes().to_vec()),
            ],
            &[("b/weight", "a/weight")],
        )
    }

    #[test]
    fn reads_variables_scalars_and_aliases() {
        let model = Ct2Model::parse(sample()).unwrap();
        assert_eq!(model.spec, "WhisperSpec");
        assert_eq!(model.spec_revision, 3);
        let w = model.get("a/weight").unwrap();
        assert_eq!(
            (w.shape, w.dtype, w.data.len()),
            (&[2, 3][..], Dtype::F32, 24)
        );
        assert_eq!(model.get("b/weight").unwrap().name, "a/weight");
        assert_eq!(model.get("a/num_heads").unwrap().scalar_int(), Some(6));
        assert!(model.get("c").is_none());
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let bytes = sample();
        for len in 0..bytes.len() {
            let err = Ct2Model::parse(bytes[..len].to_vec()).unwrap_err();
            assert!(matches!(err, Ct2Error::Truncated { .. }), "at {len}: {err}");
        }
    }

    #[test]
    fn unknown_version_is_rejected() {
        let mut bytes = sample();
        bytes[..4].copy_from_slice(&7u32.to_le_bytes());
        assert!(matches!(
            Ct2Model::parse(bytes),
            Err(Ct2Error::UnsupportedVersion(7))
        ));
        // A file of some other format: its first bytes read as an absurd version.
        let zip = b"PK\x03\x04rest of a zip".to_vec();
        assert!(matches!(
            Ct2Model::parse(zip),
            Err(Ct2Error::UnsupportedVersion(_))
        ));
    }

    #[test]
    fn unknown_type_id_is_rejected() {
        let bytes = model_bin(6, "WhisperSpec", &[("x", vec![1], 9, vec![0; 4])], &[]);
        assert!(matches!(
            Ct2Model::parse(bytes),
            Err(Ct2Error::UnknownDtype { id: 9, .. })
        ));
    }

    #[test]
    fn absurd_lengths_fail_without_allocating() {
        // A byte count far past the end of the file, consistent with the shape.
        let mut huge = model_bin(6, "WhisperSpec", &[("x", vec![1 << 28], 0, vec![])], &[]);
        // Patch the byte count: the u32 before the (absent) data and the alias count.
        let at = huge.len() - 8;
        huge[at..at + 4].copy_from_slice(&(1u32 << 30).to_le_bytes());
        assert!(matches!(
            Ct2Model::parse(huge),
            Err(Ct2Error::Truncated {
                what: "variable data",
                ..
            })
        ));
        // A shape whose size overflows.
        let overflow = model_bin(
            6,
            "WhisperSpec",
            &[("x", vec![u32::MAX, u32::MAX, u32::MAX], 0, vec![])],
            &[],
        );
        assert!(matches!(
            Ct2Model::parse(overflow),
            Err(Ct2Error::SizeMismatch { .. })
        ));
        // A variable count of four billion in a small file.
        let mut many = model_bin::<&str>(6, "WhisperSpec", &[], &[]);
        many.truncate(many.len() - 4); // drop the alias count: the file ends after the count
        let at = many.len() - 4;
        many[at..].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            Ct2Model::parse(many),
            Err(Ct2Error::Truncated { .. })
        ));
        // A string length past the end.
        let mut long_name = 6u32.to_le_bytes().to_vec();
        long_name.extend_from_slice(&u16::MAX.to_le_bytes());
        assert!(matches!(
            Ct2Model::parse(long_name),
            Err(Ct2Error::Truncated { what: "string", .. })
        ));
    }

    #[test]
    fn bad_strings_are_rejected() {
        let mut bytes = 6u32.to_le_bytes().to_vec();
        bytes.extend_from_slice(&2u16.to_le_bytes());
        bytes.extend_from_slice(b"ab"); // no NUL
        assert!(matches!(
            Ct2Model::parse(bytes),
            Err(Ct2Error::BadString { offset: 4 })
        ));
        let mut bytes = 6u32.to_le_bytes().to_vec();
        bytes.extend_from_slice(&0u16.to_le_bytes()); // empty, not even a NUL
        assert!(matches!(
            Ct2Model::parse(bytes),
            Err(Ct2Error::BadString { .. })
        ));
    }

    #[test]
    fn alias_loops_end() {
        let bytes = model_bin::<&str>(6, "WhisperSpec", &[], &[("a", "b"), ("b", "a")]);
        assert!(Ct2Model::parse(bytes).unwrap().get("a").is_none());
    }
}
