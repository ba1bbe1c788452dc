//! Reading one float32 array out of a numpy `.npz` file (openai-whisper's `mel_filters.npz`).
//!
//! An `.npz` is a zip archive of `.npy` members. An `.npy` is the magic `\x93NUMPY`, a major
//! and minor version, a header length (u16 in version 1, u32 in versions 2 and 3), a header that
//! is a Python dict literal (`{'descr': '<f4', 'fortran_order': False, 'shape': (80, 201), }`)
//! and the raw elements.

use std::io::{Read, Seek};

/// Refuses archive members bigger than this before reading them: the mel filters are 100 KB,
/// so a larger member means a wrong or hostile file.
const MAX_MEMBER_BYTES: u64 = 16 << 20;
const NPY_MAGIC: &[u8] = b"\x93NUMPY";

/// What is wrong with an `.npz` file or the `.npy` array inside it.
#[derive(Debug, thiserror::Error)]
pub enum NpzError {
    /// The zip archive itself cannot be read.
    #[error("cannot read the archive: {0}")]
    Archive(String),
    /// The archive has no member for the array.
    #[error("there is no array `{0}` in the archive")]
    MissingArray(String),
    /// The member is implausibly large.
    #[error("array `{name}` is {size} bytes, more than the {MAX_MEMBER_BYTES} accepted")]
    TooLarge {
        /// The array.
        name: String,
        /// Its size.
        size: u64,
    },
    /// The member does not start with the `.npy` magic.
    #[error("the array is not in .npy format (bad magic)")]
    BadMagic,
    /// The `.npy` format version is unknown.
    #[error("unsupported .npy format version {0}.{1}")]
    UnsupportedVersion(u8, u8),
    /// The `.npy` ends before its header or data does.
    #[error("the array is truncated")]
    Truncated,
    /// The header cannot be parsed.
    #[error("bad .npy header: {0}")]
    BadHeader(&'static str),
    /// The element type is not little-endian float32.
    #[error("the array holds `{0}`, not little-endian float32 (`<f4`)")]
    UnsupportedDtype(String),
    /// The array is stored column-major.
    #[error("the array is stored in Fortran order")]
    FortranOrder,
    /// The data length disagrees with the shape.
    #[error("the array's shape {shape:?} needs {expected} bytes of data, found {actual}")]
    SizeMismatch {
        /// The declared shape.
        shape: Vec<usize>,
        /// Bytes the shape needs.
        expected: usize,
        /// Bytes present.
        actual: usize,
    },
}

/// A row-major float32 array.
#[derive(Debug, PartialEq)]
pub(crate) struct F32Array {
    pub(crate) shape: Vec<usize>,
    pub(crate) data: Vec<f32>,
}

/// Reads the array `name` (without the `.npy` suffix) from an `.npz` archive.
pub(crate) fn read_npz_f32<R: Read + Seek>(archive: R, name: &str) -> Result<F32Array, NpzError> {
    let mut zip = zip::ZipArchive::new(archive).map_err(|e| NpzError::Archive(e.to_string()))?;
    let member = format!("{name}.npy");
    let mut file = match zip.by_name(&member) {
        Ok(file) => file,
        Err(zip::result::ZipError::FileNotFound) => {
            return Err(NpzError::MissingArray(name.to_owned()));
        }
        Err(e) => return Err(NpzError::Archive(e.to_string())),
    };
    if file.size() > MAX_MEMBER_BYTES {
        return Err(NpzError::TooLarge {
            name: name.to_owned(),
            size: file.size(),
        });
    }
    let mut bytes = Vec::with_capacity(file.size() as usize);
    // `take` bounds the read even if the size in the zip directory lies.
    (&mut file)
        .take(MAX_MEMBER_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| NpzError::Archive(e.to_string()))?;
    if bytes.len() as u64 > MAX_MEMBER_BYTES {
        return Err(NpzError::TooLarge {
            name: name.to_owned(),
            size: bytes.len() as u64,
        });
    }
    parse_npy_f32(&bytes)
}

/// Parses an `.npy` file holding a C-order float32 array.
pub(crate) fn parse_npy_f32(bytes: &[u8]) -> Result<F32Array, NpzError> {
    let rest = bytes.strip_prefix(NPY_MAGIC).ok_or(NpzError::BadMagic)?;
    let (&major, rest) = rest.split_first().ok_or(NpzError::Truncated)?;
    let (&minor, rest) = rest.split_first().ok_or(NpzError::Truncated)?;
    let (header_len, rest) = match major {
        1 => {
            let (len, rest) = rest.split_at_checked(2).ok_or(NpzError::Truncated)?;
            (usize::from(u16::from_le_bytes([len[0], len[1]])), rest)
        }
        2 | 3 => {
            let (len, rest) = rest.split_at_checked(4).ok_or(NpzError::Truncated)?;
            (
                u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize,
                rest,
            )
        }
        _ => return Err(NpzError::UnsupportedVersion(major, minor)),
    };
    let (header, data) = rest
        .split_at_checked(header_len)
        .ok_or(NpzError::Truncated)?;
    let header = std::str::from_utf8(header).map_err(|_| NpzError::BadHeader("not text"))?;

    let descr = quoted_value(header, "descr").ok_or(NpzError::BadHeader("no `descr`"))?;
    if descr != "<f4" {
        return Err(NpzError::UnsupportedDtype(descr.to_owned()));
    }
    let fortran =
        raw_value(header, "fortran_order").ok_or(NpzError::BadHeader("no `fortran_order`"))?;
    if fortran.starts_with("True") {
        return Err(NpzError::FortranOrder);
    } else if !fortran.starts_with("False") {
        return Err(NpzError::BadHeader("bad `fortran_order`"));
    }
    let shape = parse_shape(header)?;

    let expected = shape
        .iter()
        .try_fold(4usize, |acc, &d| acc.checked_mul(d))
        .ok_or(NpzError::BadHeader("shape overflows"))?;
    if data.len() != expected {
        return Err(NpzError::SizeMismatch {
            shape,
            expected,
            actual: data.len(),
        });
    }
    let data = data
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    Ok(F32Array { shape, data })
}

/// The text after `'key':` in a header dict, with leading spaces removed.
fn raw_value<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    let start = header
        .find(&format!("'{key}'"))
        .or_else(|| header.find(&format!("\"{key}\"")))?;
    let after_key = &header[start + key.len() + 2..];
    Some(after_key.trim_start().strip_prefix(':')?.trim_start())
}

/// The value of a string entry of a header dict.
fn quoted_value<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    let value = raw_value(header, key)?;
    let quote = value.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let inner = &value[1..];
    Some(&inner[..inner.find(quote)?])
}

fn parse_shape(header: &str) -> Result<Vec<usize>, NpzError> {
    let value = raw_value(header, "shape").ok_or(NpzError::BadHeader("no `shape`"))?;
    let inner = value
        .strip_prefix('(')
        .ok_or(NpzError::BadHeader("`shape` is not a tuple"))?;
    let inner = &inner[..inner
        .find(')')
        .ok_or(NpzError::BadHeader("`shape` is not a tuple"))?];
    inner
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            d.parse()
                .map_err(|_| NpzError::BadHeader("bad dimension in `shape`"))
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod testing {
    use std::io::Write;

    /// An `.npy` (version 1.0) with the given header dict and data.
    pub(crate) fn npy(header: &str, data: &[u8]) -> Vec<u8> {
        let mut out = super::NPY_MAGIC.to_vec();
        out.extend_from_slice(&[1, 0]);
        out.extend_from_slice(&(header.len() as u16).to_le_bytes());
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(data);
        out
    }

    /// A C-order float32 `.npy`.
    pub(crate) fn npy_f32(shape: &[usize], values: &[f32]) -> Vec<u8> {
        let dims: Vec<String> = shape.iter().map(ToString::to_string).collect();
        let header = format!(
            "{{'descr': '<f4', 'fortran_order': False, 'shape': ({},), }}\n",
            dims.join(", ")
        );
        let data: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        npy(&header, &data)
    }

    /// An `.npz` archive (stored, not deflated) of named `.npy` members.
    pub(crate) fn npz(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, bytes) in members {
            zip.start_file(format!("{name}.npy"), options).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{npy, npy_f32, npz};
    use super::*;
    use std::io::Cursor;

    #[test]
    fn reads_an_array_from_an_archive() {
        let archive = npz(&[("mel_2", npy_f32(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.5]))]);
        let array = read_npz_f32(Cursor::new(archive), "mel_2").unwrap();
        assert_eq!(
            array,
            F32Array {
                shape: vec![2, 3],
                data: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.5]
            }
        );
    }

    #[test]
    fn missing_array_and_non_zip_are_errors() {
        let archive = npz(&[("mel_80", npy_f32(&[1], &[0.0]))]);
        assert!(matches!(
            read_npz_f32(Cursor::new(archive), "mel_128"),
            Err(NpzError::MissingArray(_))
        ));
        assert!(matches!(
            read_npz_f32(Cursor::new(b"not a zip".to_vec()), "mel_80"),
            Err(NpzError::Archive(_))
        ));
    }

    #[test]
    fn bad_magic_version_and_type_are_errors() {
        assert!(matches!(
            parse_npy_f32(b"\x93NUMPZ\x01\x00"),
            Err(NpzError::BadMagic)
        ));
        let mut v9 = npy_f32(&[1], &[0.0]);
        v9[6] = 9;
        assert!(matches!(
            parse_npy_f32(&v9),
            Err(NpzError::UnsupportedVersion(9, 0))
        ));
        let f8 = npy(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }",
            &[0; 8],
        );
        assert!(matches!(parse_npy_f32(&f8), Err(NpzError::UnsupportedDtype(d)) if d == "<f8"));
        let fortran = npy(
            "{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }",
            &[0; 4],
        );
        assert!(matches!(
            parse_npy_f32(&fortran),
            Err(NpzError::FortranOrder)
        ));
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let bytes = npy_f32(&[2, 2], &[1.0, 2.0, 3.0, 4.0]);
        for len in 0..bytes.len() {
            assert!(
                parse_npy_f32(&bytes[..len]).is_err(),
                "accepted {len} bytes"
            );
        }
    }

    #[test]
    fn absurd_header_and_shape_are_errors() {
        let mut long_header = npy_f32(&[1], &[0.0]);
        long_header[8..10].copy_from_slice(&u16::MAX.to_le_bytes());
        assert!(matches!(
            parse_npy_f32(&long_header),
            Err(NpzError::Truncated)
        ));
        let huge = npy(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }",
            &[],
        );
        assert!(matches!(parse_npy_f32(&huge), Err(NpzError::BadHeader(_))));
        let short = npy(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000,), }",
            &[0; 8],
        );
        assert!(matches!(
            parse_npy_f32(&short),
            Err(NpzError::SizeMismatch { .. })
        ));
    }
}
