//! Hive's bridge.
//!
//! - [`models`]: what models the configuration needs, provisioning them from packages,
//!   fetching them from a URL, and converting Whisper checkpoints to whisper.cpp's format.
pub mod models;
