//! Voice-activity detection and endpointing: deciding from the audio itself when a speaker
//! starts and stops, so a satellite that never sends "end" still gets an answer.
//!
//! - `engine`: the [`Vad`] trait (frames in, speech probability out) and [`VadFactory`].
//! - `silero`: [`SileroModel`], Silero VAD through ONNX Runtime, run in batches across
//!   streams by `batcher`; `energy`: [`EnergyFactory`], a loudness fallback.
//! - `endpoint`: [`Endpointer`], the pure state machine from probabilities to events.
//! - `stream`: [`StreamVad`], a detector plus endpointer fed with PCM chunks of any size.
//! - `config`: [`VadSection`], choosing the engine by `type`, and building it.
//! - `runtime`: [`init_onnx_runtime`], loading ONNX Runtime once per process;
//!   `resample`: [`resample()`], rate conversion.
mod batcher;
mod config;
mod endpoint;
mod energy;
mod engine;
mod error;
mod resample;
mod runtime;
mod silero;
mod stream;

pub use batcher::BatchCounts;
pub use config::{BuiltVad, VadConfig, VadSection};
pub use endpoint::{EndReason, EndpointConfig, EndpointEvent, EndpointState, Endpointer};
pub use energy::{DEFAULT_THRESHOLD_DBFS, ENERGY_FRAME_LEN, EnergyFactory, EnergyVad};
pub use engine::{SAMPLE_RATE, Vad, VadFactory};
pub use error::VadError;
pub use resample::{ResampleError, Resampler, resample};
pub use runtime::{ONNX_RUNTIME_FILE, init_onnx_runtime};
pub use silero::{SILERO_FRAME_LEN, SILERO_MODEL_FILE, SileroModel, SileroVad, default_sessions};
pub use stream::StreamVad;
