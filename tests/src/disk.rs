//! A small real file system for a test: a tmpfs mounted at a folder, to be filled to the
//! last byte or mounted read-only. Mounting needs root (CI runs as root); elsewhere
//! [`SmallDisk::mount`] gives `None` and the test says it skipped.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A tmpfs at a folder, unmounted on drop.
#[derive(Debug)]
pub struct SmallDisk {
    dir: PathBuf,
}

impl SmallDisk {
    /// Mounts a tmpfs with mount `options` (`size=4m`, `size=1m,ro`) at `dir`, created first.
    pub fn mount(dir: &Path, options: &str) -> Option<SmallDisk> {
        std::fs::create_dir_all(dir).ok()?;
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(dir)
            .status()
            .ok()?;
        status.success().then(|| SmallDisk {
            dir: dir.to_path_buf(),
        })
    }

    /// Where it is mounted.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes until the disk refuses: the next write anyone makes fails.
    ///
    /// # Panics
    /// When a write fails for another reason than a full disk.
    pub fn fill(&self) {
        let mut file = std::fs::File::create(self.dir.join("filler")).unwrap();
        let block = vec![0xa5u8; 4096];
        loop {
            if let Err(error) = file.write_all(&block).and_then(|()| file.sync_all()) {
                assert_eq!(
                    error.raw_os_error(),
                    Some(28),
                    "expected ENOSPC, got {error}"
                );
                break;
            }
        }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
    }
}
