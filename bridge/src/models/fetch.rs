//! Fetching a model file from a URL, for users who want upstream weights instead of the
//! packaged ones: streamed to disk with a progress bar, checked against a sha256, and only
//! then moved to its final name.

use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::error::ModelError;

/// Whether to draw a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Draw on standard error (hidden by indicatif when that is not a terminal).
    Terminal,
    /// Draw nothing.
    Hidden,
}

/// What a finished fetch got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// Where the file now is.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its sha256, lowercase hex.
    pub sha256: String,
}

/// Downloads `url` to `dest`. With `expected_sha256`, a file whose hash differs is deleted and
/// refused, so a truncated or tampered download never sits under the model's name.
///
/// # Errors
/// The server is unreachable or answers an error status, the disk cannot be written, or the
/// hash differs.
pub async fn fetch(
    url: &str,
    dest: &Path,
    expected_sha256: Option<&str>,
    progress: Progress,
) -> Result<Fetched, ModelError> {
    let failed = |detail: String| ModelError::Download {
        url: url.to_string(),
        detail,
    };
    let response = reqwest::get(url)
        .await
        .map_err(|error| failed(error.to_string()))?;
    let status = response.status();
    if !status.is_success() {
        return Err(failed(format!("the server answered {status}")));
    }
    let bar = progress_bar(response.content_length(), progress);
    if let Some(parent) = dest.parent() {
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(|error| ModelError::io("create", parent, error))?;
    }
    let partial = dest.with_extension("partial");
    let mut file = tokio::fs::File::create(&partial)
        .await
        .map_err(|error| ModelError::io("create", &partial, error))?;
    let mut hasher = Sha256::new();
    let mut bytes = 0u64;
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(error) => {
                let _ = tokio::fs::remove_file(&partial).await;
                return Err(failed(error.to_string()));
            }
        };
        hasher.update(&chunk);
        file.write_all(&chunk)
            .await
            .map_err(|error| ModelError::io("write", &partial, error))?;
        bytes += chunk.len() as u64;
        bar.set_position(bytes);
    }
    file.sync_all()
        .await
        .map_err(|error| ModelError::io("write", &partial, error))?;
    drop(file);
    bar.finish_and_clear();
    let sha256 = hex::encode(hasher.finalize());
    if let Some(expected) = expected_sha256
        && !expected.eq_ignore_ascii_case(&sha256)
    {
        let _ = tokio::fs::remove_file(&partial).await;
        return Err(ModelError::Mismatch {
            path: dest.to_path_buf(),
            expected: format!("sha256 {}", expected.to_ascii_lowercase()),
            actual: format!("sha256 {sha256}"),
        });
    }
    tokio::fs::rename(&partial, dest)
        .await
        .map_err(|error| ModelError::io("rename", dest, error))?;
    Ok(Fetched {
        path: dest.to_path_buf(),
        bytes,
        sha256,
    })
}

fn progress_bar(length: Option<u64>, progress: Progress) -> ProgressBar {
    let target = match progress {
        Progress::Terminal => ProgressDrawTarget::stderr(),
        Progress::Hidden => ProgressDrawTarget::hidden(),
    };
    let bar = ProgressBar::with_draw_target(length, target);
    let template = "{msg} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}";
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message("downloading");
    bar
}
