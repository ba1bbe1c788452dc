//! Hive's MQTT protocol v1 (placeholder while the protocol crate is written).
