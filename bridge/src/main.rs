//! The `hive-bridge` command.
fn main() {}
