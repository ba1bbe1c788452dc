//! The shared test harness for Hive's cross-crate tests.
