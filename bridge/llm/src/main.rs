//! The `hive-llm` command (being written).
fn main() {}
