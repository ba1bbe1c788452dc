//! The shared test harness for Hive's cross-crate tests: a real Mosquitto per test.
//!
//! Every test that crosses MQTT runs against the Debian package's `mosquitto`, started on
//! a free port of 127.0.0.1, never a fixed port, never a mock. The parts, in the order a
//! test uses them:
//!
//! - [`Broker`] (`broker.rs`): starts `mosquitto` in a temporary directory, waits until it
//!   answers an MQTT CONNECT, restarts it on the same port, and kills it on drop.
//! - [`BrokerBuilder`] (`config.rs`): broker options (persistence, extra configuration,
//!   users) and the variant that runs the project's own `mosquitto/` configuration with its
//!   real ACL, rewritten only where a test must (port, file locations).
//! - `probe.rs`: the readiness check, a hand-encoded MQTT 3.1.1 CONNECT and its CONNACK.
//! - [`TestClient`] (`client.rs`): a small rumqttc client to script satellites, the bridge
//!   or Home Assistant: subscribe and publish wait for their acks, received messages wait
//!   in a bounded queue for [`TestClient::expect`].
//! - [`RunningBridge`] (`bridge.rs`): the real bridge, run in the test's process.
//! - [`RedisServer`] (`redis.rs`): a real `redis-server` on a free loopback port, the store
//!   several bridges share.
//! - [`ScriptedSatellite`] (`satellite.rs`): a satellite scripted from a test: speaks, types,
//!   and collects a turn's [`Reply`].
//! - [`cli`]: the `hive-bridge` program, built once and spawned like a user runs it.
//! - [`speech`]: real speech from espeak-ng at the protocol's 16 kHz.
//! - [`stand_in`]: a real HTTP server on 127.0.0.1:0 answering like a web API (weather,
//!   Home Assistant) with canned bodies, recording what it was asked.
//! - [`disk`]: a small tmpfs mounted for a test, to fill or mount read-only (needs root).
//! - [`HarnessError`] (`error.rs`): every failure, with Mosquitto's log where it helps.
//! - [`bench`]: the `hive-bench` program's library (latency, overhead, ingest capacity,
//!   memory and bandwidth, printed as one table).
//!
//! Nothing here sleeps to synchronise: start-up polls with a bounded deadline, and the
//! client waits for acks and messages. To prove that a message was *not* delivered, send a
//! sentinel after it and use [`TestClient::collect_until`].

pub mod bench;
mod bridge;
mod broker;
pub mod cli;
mod client;
mod config;
pub mod disk;
mod ear;
mod error;
mod logs;
mod models;
mod probe;
mod redis;
mod satellite;
pub mod speech;
pub mod stand_in;

pub use bridge::RunningBridge;
pub use broker::Broker;
pub use client::{Message, TestClient};
pub use config::BrokerBuilder;
pub use ear::{Ear, sounds_like};
pub use error::HarnessError;
pub use logs::init_logs;
pub use models::{VOICE_TURN_MODELS, require_models};
pub use redis::RedisServer;
/// MQTT quality of service, as [`TestClient`] takes and reports it.
pub use rumqttc::QoS;
pub use satellite::{Reply, ScriptedSatellite};
