//! The `hive-bridge` program as a user runs it: built once per test binary with cargo, then
//! spawned like any command.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::error::HarnessError;

/// The workspace root (where the README's commands run).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// The cargo that runs the tests (`CARGO` is set by `cargo test`), else the one on `PATH`.
pub fn cargo() -> PathBuf {
    std::env::var_os("CARGO")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("cargo"))
}

/// Builds `hive-bridge` (debug, like the tests) once and returns its path. Cargo does not
/// build another package's binaries for this crate's tests, so the test asks for it.
///
/// # Errors
/// The build failed.
pub fn bridge_binary() -> Result<PathBuf, HarnessError> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let output = Command::new(cargo())
                .current_dir(workspace_root())
                .args([
                    "build",
                    "--quiet",
                    "-p",
                    "hive-bridge",
                    "--bin",
                    "hive-bridge",
                ])
                .output()
                .map_err(|error| format!("cannot run cargo: {error}"))?;
            if !output.status.success() {
                return Err(format!(
                    "cargo build -p hive-bridge failed: {}",
                    String::from_utf8_lossy(&output.stderr)
                ));
            }
            // This test binary is <target>/<profile>/deps/<name>; the program sits in
            // <target>/<profile>.
            let exe = std::env::current_exe().map_err(|error| error.to_string())?;
            let profile_dir = exe
                .parent()
                .and_then(Path::parent)
                .ok_or("unexpected test binary location")?;
            let program = profile_dir.join("hive-bridge");
            if program.is_file() {
                Ok(program)
            } else {
                Err(format!("{} was not built", program.display()))
            }
        })
        .clone()
        .map_err(HarnessError::Bridge)
}

/// A free TCP port on 127.0.0.1 at the time of the call (for servers that cannot report
/// the port they bound, like the bridge's status page run in-process).
///
/// # Errors
/// No port could be bound.
pub fn free_port() -> Result<u16, HarnessError> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|error| HarnessError::Bridge(format!("no free port: {error}")))?;
    listener
        .local_addr()
        .map(|addr| addr.port())
        .map_err(|error| HarnessError::Bridge(error.to_string()))
}
