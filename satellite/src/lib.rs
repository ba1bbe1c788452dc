//! Hive's satellite: hears the wake word, streams the question to the bridge over MQTT,
//! plays the answer, shows its state on its eyes, and keeps answering the time, timers and
//! a stopwatch by itself when the bridge is away (degraded mode).
//!
//! The binary (`main.rs`) only parses the command line and configuration and calls [`run`];
//! the integration tests call the same function. The parts, in the order of the tree:
//!
//! - [`actions`]: what an `action` from the bridge means (`show_emotion`, the command hook).
//! - `allocator`: handing freed memory back to the system.
//! - [`audio`]: WAV files, resampling, the end-of-speech detector, the alarm tone, inputs
//!   (WAV, stdin, microphone) and outputs (WAV files, speaker).
//! - `clock`: wall-clock time for timers ([`Clock`]).
//! - [`config`]: `satellite.toml`: shape, `${ENV:-default}` interpolation, validation.
//! - `counters`: the heartbeat's counters ([`Counters`]).
//! - `events`: what the satellite did, for observers ([`SatelliteEvent`]).
//! - [`eyes`]: eye outputs (log, terminal, command hook).
//! - `hook`: running configured commands with placeholders.
//! - [`listen`]: the listener thread: wake word, pre-roll, chunks, end of speech.
//! - [`mqtt`]: the connection task, the publisher, the heartbeat and the sensors.
//! - [`offline`]: degraded mode's speech-to-text, local assistant and speech synthesis.
//! - [`playback`]: reply sentences in order, and the player thread.
//! - `runtime`: wiring ([`run`]) and the main loop.
//! - [`state`]: the pure state machines: eyes, link (degraded), turns, timers, stopwatch,
//!   outbox.
//! - `storage`: the state file ([`Store`]).
//! - [`wake`]: the wake word detector trait, rustpotter, training.
//!
//! `ARCHITECTURE.md` next to this crate names every task, thread and channel.

pub mod actions;
mod allocator;
pub mod audio;
mod clock;
pub mod config;
mod counters;
mod events;
pub mod eyes;
mod hook;
pub mod listen;
pub mod mqtt;
pub mod offline;
pub mod playback;
mod runtime;
pub mod state;
mod storage;
pub mod wake;

pub use clock::{Clock, SystemClock, TokioClock};
pub use counters::Counters;
pub use events::SatelliteEvent;
pub use runtime::{RunError, RunOptions, run};
pub use storage::{Store, StoreError};
