//! Silero VAD (v5/v6 ONNX) through ONNX Runtime.
//!
//! The model is a small recurrent network: per 512-sample frame (32 ms at 16 kHz) it takes
//! the frame with the previous frame's last 64 samples prepended (`input`, f32 `[batch, 576]`),
//! its recurrent `state` (f32 `[2, batch, 128]`) and the sample rate (`sr`, i64 scalar), and
//! returns the speech probability (`output`, `[batch, 1]`) and the next state (`stateN`). This
//! is what `OnnxWrapper.__call__` in the silero-vad package's `utils_vad.py` does.
//!
//! One [`SileroModel`] is loaded per process and shared; each audio stream gets its own
//! [`SileroVad`] holding only its state and context (about 3 KB). The model has a few
//! sessions (one per core by default, each single-threaded like the Python wrapper's), and
//! the frames of every stream waiting at one moment run as one batch on one of them (see
//! the `batcher` module).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender};

use ort::logging::LogLevel;
use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;

use super::batcher::{BatchCounts, Batcher, Frame, INPUT_LEN, OUTPUT_PROBABILITY, OUTPUT_STATE};
use super::engine::{Vad, VadFactory};
use super::error::VadError;
use super::runtime::init_onnx_runtime;

/// Samples per frame at 16 kHz.
pub const SILERO_FRAME_LEN: usize = 512;

/// The model file's path inside the models directory.
pub const SILERO_MODEL_FILE: &str = "vad/silero_vad.onnx";

/// Samples of the previous frame prepended to each frame at 16 kHz.
const CONTEXT_LEN: usize = INPUT_LEN - SILERO_FRAME_LEN;

const INPUT_NAMES: [&str; 3] = ["input", "state", "sr"];

/// Upper bound on the sessions: beyond this, more only cost memory.
const MAX_SESSIONS: usize = 8;

/// The loaded Silero model, shared by every detector. Cheap to clone.
#[derive(Clone)]
pub struct SileroModel {
    shared: Arc<Shared>,
}

struct Shared {
    batcher: Batcher,
    sessions: usize,
    path: PathBuf,
}

impl std::fmt::Debug for SileroModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SileroModel")
            .field("path", &self.shared.path)
            .field("sessions", &self.shared.sessions)
            .finish()
    }
}

impl SileroModel {
    /// Loads the model at `model` with ONNX Runtime from `runtime` (initialising the runtime
    /// if this is the first ONNX user in the process), with `sessions` sessions, each
    /// running one batch at a time (clamped to `1..=8`; [`default_sessions`] gives one per core).
    ///
    /// Blocking: reads and optimises the model (tens of milliseconds).
    ///
    /// # Errors
    ///
    /// [`VadError::ModelMissing`] if the model file is absent, the errors of
    /// [`init_onnx_runtime`], [`VadError::Onnx`] if the model does not load, and
    /// [`VadError::ModelShape`] if its inputs and outputs are not Silero's.
    pub fn load(model: &Path, runtime: &Path, sessions: usize) -> Result<Self, VadError> {
        if !model.is_file() {
            return Err(VadError::ModelMissing {
                path: model.to_path_buf(),
            });
        }
        let environment = init_onnx_runtime(runtime)?;
        let count = sessions.clamp(1, MAX_SESSIONS);
        let mut pool = Vec::with_capacity(count);
        for _ in 0..count {
            // One thread per session, like silero-vad's own wrapper: a 32 ms frame is far too
            // small to split across threads; parallelism comes from the sessions and batches.
            let session = Session::builder(environment)?
                .with_intra_threads(1)
                .map_err(ort::Error::from)?
                .with_inter_threads(1)
                .map_err(ort::Error::from)?
                .with_optimization_level(GraphOptimizationLevel::All)
                .map_err(ort::Error::from)?
                // With `tracing`, ONNX Runtime's environment logs everything and leaves the
                // filtering to the subscriber; formatting verbose messages on every run would
                // cost more than the model.
                .with_log_level(LogLevel::Warning)
                .map_err(ort::Error::from)?
                .commit_from_file(model)?;
            check_signature(&session, model)?;
            pool.push(session);
        }
        Ok(SileroModel {
            shared: Arc::new(Shared {
                batcher: Batcher::new(pool, model.to_path_buf()),
                sessions: count,
                path: model.to_path_buf(),
            }),
        })
    }

    /// A detector for one audio stream, with fresh state.
    pub fn detector(&self) -> SileroVad {
        let (reply, replies) = std::sync::mpsc::sync_channel(1);
        SileroVad {
            shared: Arc::clone(&self.shared),
            frame: Some(Frame::new()),
            reply,
            replies,
        }
    }

    /// How the frames of all streams have been batched so far.
    pub fn batch_counts(&self) -> BatchCounts {
        self.shared.batcher.counts()
    }

    /// The model file this was loaded from.
    pub fn path(&self) -> &Path {
        &self.shared.path
    }
}

/// The default number of sessions: one per core the process may use, at most 8.
pub fn default_sessions() -> usize {
    std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(MAX_SESSIONS)
}

impl VadFactory for SileroModel {
    fn name(&self) -> &'static str {
        "silero"
    }

    fn detector(&self) -> Box<dyn Vad> {
        Box::new(SileroModel::detector(self))
    }
}

/// Checks the model's inputs (in order: `input`, `state`, `sr`) and outputs (`output`,
/// `stateN`), so a different model fails at load with a clear message rather than per frame.
fn check_signature(session: &Session, path: &Path) -> Result<(), VadError> {
    let inputs: Vec<&str> = session.inputs().iter().map(|input| input.name()).collect();
    if inputs != INPUT_NAMES {
        return Err(VadError::ModelShape {
            path: path.to_path_buf(),
            reason: format!("inputs are {inputs:?}, expected {INPUT_NAMES:?}"),
        });
    }
    for name in [OUTPUT_PROBABILITY, OUTPUT_STATE] {
        if !session.outputs().iter().any(|output| output.name() == name) {
            return Err(VadError::ModelShape {
                path: path.to_path_buf(),
                reason: format!("no output named `{name}`"),
            });
        }
    }
    if let Some(shape) = session
        .inputs()
        .get(1)
        .and_then(|state| state.dtype().tensor_shape())
        && !(shape.len() == 3 && shape[0] == 2 && shape[2] == 128)
    {
        return Err(VadError::ModelShape {
            path: path.to_path_buf(),
            reason: format!("state has shape {shape:?}, expected [2, batch, 128]"),
        });
    }
    Ok(())
}

/// Silero's per-stream state; its frames run in the shared model's batches.
pub struct SileroVad {
    shared: Arc<Shared>,
    /// The context, frame and state, reused every frame; `None` only after a batch was lost
    /// with it.
    frame: Option<Frame>,
    /// This detector's return channel, sent along with each frame.
    reply: SyncSender<Frame>,
    replies: Receiver<Frame>,
}

impl std::fmt::Debug for SileroVad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SileroVad").finish_non_exhaustive()
    }
}

impl Vad for SileroVad {
    fn frame_len(&self) -> usize {
        SILERO_FRAME_LEN
    }

    fn speech_probability(&mut self, frame: &[f32]) -> Result<f32, VadError> {
        if frame.len() != SILERO_FRAME_LEN {
            return Err(VadError::FrameLength {
                expected: SILERO_FRAME_LEN,
                got: frame.len(),
            });
        }
        let mut buffers = self.frame.take().unwrap_or_else(Frame::new);
        buffers.input[CONTEXT_LEN..].copy_from_slice(frame);
        let mut buffers = self
            .shared
            .batcher
            .run(buffers, &self.reply, &self.replies)?;
        let probability = std::mem::replace(&mut buffers.probability, Ok(0.0));
        // The next frame's context is this frame's tail.
        buffers.input.copy_within(SILERO_FRAME_LEN.., 0);
        self.frame = Some(buffers);
        probability.map_err(VadError::Inference)
    }

    fn reset(&mut self) {
        if let Some(frame) = &mut self.frame {
            frame.input.fill(0.0);
            frame.state.fill(0.0);
        }
    }
}
