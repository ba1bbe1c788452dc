//! Log lines in test output: the bridge's and the satellite's tracing, captured per test
//! (shown only when a test fails).

/// Installs the test log writer once per test binary (later calls do nothing). `RUST_LOG`
/// overrides the default filter.
pub fn init_logs() {
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| "info,whisper_rs=warn".into());
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter(filter)
        .try_init();
}
