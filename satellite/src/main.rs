//! The `hive-satellite` command.
fn main() {}
