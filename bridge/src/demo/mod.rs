//! `hive-bridge demo`'s parts: a virtual satellite that speaks a question into the real
//! MQTT pipeline and collects the answer, as a satellite would.

mod satellite;
mod speech;

pub use satellite::{DemoError, HeardReply, VirtualSatellite};
pub use speech::{to_protocol_audio, with_pauses};
