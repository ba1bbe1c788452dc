//! Loading ONNX Runtime once per process.
//!
//! `ort` is built with `load-dynamic`: the shared library comes from the models directory
//! (`runtime/libonnxruntime.so.1.31.1`), not from the build, so one binary runs wherever the
//! models were installed. ONNX Runtime allows one environment per process, and every session
//! must be created in it, hence the process-wide cell here.

use std::path::Path;
use std::sync::{Mutex, OnceLock, PoisonError};

use ort::environment::Environment;

use super::error::VadError;

/// The runtime library's path inside the models directory.
pub const ONNX_RUNTIME_FILE: &str = "runtime/libonnxruntime.so.1.31.1";

static ENVIRONMENT: OnceLock<Environment> = OnceLock::new();
/// Serialises initialisation: `OnceLock::get_or_try_init` is not stable yet, and two threads
/// building environments at once would make the second fail.
static INIT: Mutex<()> = Mutex::new(());

/// Loads ONNX Runtime from `path` and creates the process's environment, once; later calls
/// return the same environment whatever path they pass (the first library loaded stays).
///
/// # Errors
///
/// [`VadError::RuntimeMissing`] if `path` is not a file, [`VadError::RuntimeLoad`] if the
/// library cannot be loaded (wrong version or architecture), [`VadError::Onnx`] if the
/// environment cannot be created.
pub fn init_onnx_runtime(path: &Path) -> Result<&'static Environment, VadError> {
    if let Some(environment) = ENVIRONMENT.get() {
        return Ok(environment);
    }
    let _guard = INIT.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(environment) = ENVIRONMENT.get() {
        return Ok(environment);
    }
    check_library(path)?;
    let builder = ort::init_from(path).map_err(|error| VadError::RuntimeLoad {
        path: path.to_path_buf(),
        reason: error.to_string(),
    })?;
    let environment = builder.with_name("hive").with_telemetry(false).build()?;
    tracing::info!(path = %path.display(), "Loaded ONNX Runtime.");
    Ok(ENVIRONMENT.get_or_init(|| environment))
}

/// A readable error before `dlopen` gets a chance to produce an obscure one.
fn check_library(path: &Path) -> Result<(), VadError> {
    if path.is_file() {
        Ok(())
    } else {
        Err(VadError::RuntimeMissing {
            path: path.to_path_buf(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_library_names_the_install_command() {
        // Through `check_library`: another test may already have initialised the runtime,
        // and then `init_onnx_runtime` rightly ignores the path.
        let error = check_library(Path::new("/nonexistent/libonnxruntime.so")).unwrap_err();
        assert!(
            matches!(error, VadError::RuntimeMissing { .. }),
            "{error:?}"
        );
        assert!(
            error
                .to_string()
                .contains("hive-bridge models install onnxruntime"),
            "{error}"
        );
    }
}
