//! Hive's satellite.
