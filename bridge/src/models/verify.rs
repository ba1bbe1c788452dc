//! Checking files against their pins, with a stamp so that a second run need not re-hash.
//!
//! Hashing 900 MB of models takes seconds; provisioning runs at every CI start and every
//! `demo`, so a verified file gets a `.verified` stamp beside it recording the hash with the
//! size and modification time it had. A file whose size and time still match its stamp is
//! taken as verified.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use sha2::{Digest, Sha256};

use super::catalog::FileSpec;
use super::error::ModelError;

/// What a quick look at a file finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileState {
    Missing,
    WrongSize(u64),
    Present,
}

pub(crate) fn quick_state(path: &Path, spec: &FileSpec) -> FileState {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => {
            if spec.size != 0 && meta.len() != spec.size {
                FileState::WrongSize(meta.len())
            } else {
                FileState::Present
            }
        }
        _ => FileState::Missing,
    }
}

/// The sha256 of a file, lowercase hex.
///
/// # Errors
/// The file cannot be read.
pub fn sha256_file(path: &Path) -> Result<String, ModelError> {
    let mut file = File::open(path).map_err(|error| ModelError::io("open", path, error))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let read = file
            .read(&mut buffer)
            .map_err(|error| ModelError::io("read", path, error))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hex::encode(hasher.finalize()))
}

fn stamp_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|name| name.to_os_string())
        .unwrap_or_default();
    name.push(".verified");
    path.with_file_name(name)
}

fn fingerprint(path: &Path) -> io::Result<String> {
    let meta = std::fs::metadata(path)?;
    let modified = meta
        .modified()?
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Ok(format!(
        "{} {}.{:09}",
        meta.len(),
        modified.as_secs(),
        modified.subsec_nanos()
    ))
}

/// Whether `path` holds exactly what `spec` pins: stamped earlier, or hashed now (and stamped).
///
/// # Errors
/// The file is missing, unreadable, or does not match its pin.
pub(crate) fn verify_file(path: &Path, spec: &FileSpec) -> Result<(), ModelError> {
    if let FileState::WrongSize(actual) = quick_state(path, spec) {
        return Err(ModelError::Mismatch {
            path: path.to_path_buf(),
            expected: format!("{} bytes", spec.size),
            actual: format!("{actual} bytes"),
        });
    }
    let fingerprint = fingerprint(path).map_err(|error| ModelError::io("inspect", path, error))?;
    let Some(expected) = spec.sha256 else {
        return Ok(());
    };
    let stamp = std::fs::read_to_string(stamp_path(path)).unwrap_or_default();
    if stamp.trim() == format!("{expected} {fingerprint}") {
        return Ok(());
    }
    let actual = sha256_file(path)?;
    if actual != expected {
        return Err(ModelError::Mismatch {
            path: path.to_path_buf(),
            expected: format!("sha256 {expected}"),
            actual: format!("sha256 {actual}"),
        });
    }
    // A stamp that fails to write only costs a re-hash next time.
    let _ = std::fs::write(stamp_path(path), format!("{expected} {fingerprint}\n"));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(size: u64, sha256: Option<&'static str>) -> FileSpec {
        FileSpec {
            path: "x",
            members: &["x"],
            size,
            sha256,
        }
    }

    // sha256("hello\n")
    const HELLO: &str = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

    #[test]
    fn a_matching_file_is_verified_and_stamped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, "hello\n").unwrap();
        verify_file(&path, &spec(6, Some(HELLO))).unwrap();
        assert!(stamp_path(&path).exists());
        // The stamp is honoured: a second check succeeds without reading the contents.
        verify_file(&path, &spec(6, Some(HELLO))).unwrap();
    }

    #[test]
    fn a_changed_file_is_rehashed_and_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, "hello\n").unwrap();
        verify_file(&path, &spec(6, Some(HELLO))).unwrap();
        std::fs::write(&path, "jello\n").unwrap();
        let error = verify_file(&path, &spec(6, Some(HELLO))).unwrap_err();
        assert!(matches!(error, ModelError::Mismatch { .. }), "{error}");
    }

    #[test]
    fn a_wrong_size_is_refused_before_hashing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, "hello world\n").unwrap();
        let error = verify_file(&path, &spec(6, Some(HELLO))).unwrap_err();
        assert!(error.to_string().contains("6 bytes"), "{error}");
    }
}
