//! Silero VAD (v5/v6 ONNX) through ONNX Runtime.
//!
//! The model is a small recurrent network: per 512-sample frame (32 ms at 16 kHz) it takes
//! the frame with the previous frame's last 64 samples prepended (`input`, f32 `[1, 576]`),
//! its recurrent `state` (f32 `[2, 1, 128]`) and the sample rate (`sr`, i64 scalar), and
//! returns the speech probability (`output`, `[1, 1]`) and the next state (`stateN`). This is
//! what `OnnxWrapper.__call__` in the silero-vad package's `utils_vad.py` does.
//!
//! One [`SileroModel`] is loaded per process and shared; each audio stream gets its own
//! [`SileroVad`] holding only its state and context (about 2.5 KB).
//!
//! Cost: `Session::run` takes `&mut self` in `ort` 2.0.0-rc.15, so sessions sit behind
//! mutexes. One mutex would serialise all streams on one core, so the model keeps a small
//! pool of sessions (one per core by default, each single-threaded like the Python wrapper)
//! and a detector takes the first free one, starting from its own. A lock is held for one
//! inference only (~0.1–0.3 ms). Inputs are passed as views of the detector's buffers, so a
//! frame costs no audio copies beyond the 512 samples into the input buffer; ONNX Runtime
//! still allocates its small output tensors per run. The model accepts a batch dimension, so
//! running many streams per call is possible later without changing [`Vad`].

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError};

use ort::logging::LogLevel;
use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;
use ort::value::TensorRef;

use super::engine::{SAMPLE_RATE, Vad, VadFactory};
use super::error::VadError;
use super::runtime::init_onnx_runtime;

/// Samples per frame at 16 kHz.
pub const SILERO_FRAME_LEN: usize = 512;

/// The model file's path inside the models directory.
pub const SILERO_MODEL_FILE: &str = "vad/silero_vad.onnx";

/// Samples of the previous frame prepended to each frame at 16 kHz.
const CONTEXT_LEN: usize = 64;
const INPUT_LEN: usize = CONTEXT_LEN + SILERO_FRAME_LEN;
/// Recurrent state: `[2, batch = 1, 128]`.
const STATE_SHAPE: [usize; 3] = [2, 1, 128];
const STATE_LEN: usize = 2 * 128;
/// The `sr` input: a scalar, borrowed by every run.
static SAMPLE_RATE_INPUT: [i64; 1] = [SAMPLE_RATE as i64];

const INPUT_NAMES: [&str; 3] = ["input", "state", "sr"];
const OUTPUT_PROBABILITY: &str = "output";
const OUTPUT_STATE: &str = "stateN";

/// Upper bound on the session pool: beyond this, more sessions only cost memory.
const MAX_SESSIONS: usize = 8;

/// The loaded Silero model, shared by every detector. Cheap to clone.
#[derive(Clone)]
pub struct SileroModel {
    shared: Arc<Shared>,
}

struct Shared {
    sessions: Box<[Mutex<Session>]>,
    /// Spreads detectors' home sessions round-robin over the pool.
    next_home: AtomicUsize,
    path: PathBuf,
}

impl std::fmt::Debug for SileroModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SileroModel")
            .field("path", &self.shared.path)
            .field("sessions", &self.shared.sessions.len())
            .finish()
    }
}

impl SileroModel {
    /// Loads the model at `model` with ONNX Runtime from `runtime` (initialising the runtime
    /// if this is the first ONNX user in the process), with `sessions` parallel sessions
    /// (clamped to `1..=8`; [`default_sessions`] gives one per core).
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
            // small to split across threads, and parallelism comes from the pool instead.
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
            pool.push(Mutex::new(session));
        }
        Ok(SileroModel {
            shared: Arc::new(Shared {
                sessions: pool.into_boxed_slice(),
                next_home: AtomicUsize::new(0),
                path: model.to_path_buf(),
            }),
        })
    }

    /// A detector for one audio stream, with fresh state.
    pub fn detector(&self) -> SileroVad {
        let home =
            self.shared.next_home.fetch_add(1, Ordering::Relaxed) % self.shared.sessions.len();
        SileroVad {
            shared: Arc::clone(&self.shared),
            home,
            input: vec![0.0; INPUT_LEN].into_boxed_slice(),
            state: vec![0.0; STATE_LEN].into_boxed_slice(),
        }
    }

    /// The model file this was loaded from.
    pub fn path(&self) -> &Path {
        &self.shared.path
    }
}

/// The default pool size: one session per core the process may use, at most 8.
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

impl Shared {
    /// The first free session, trying `home` first; waits for `home` if all are busy. A
    /// poisoned lock is taken anyway: a session holds no state between runs.
    fn session(&self, home: usize) -> MutexGuard<'_, Session> {
        let count = self.sessions.len();
        for offset in 0..count {
            match self.sessions[(home + offset) % count].try_lock() {
                Ok(guard) => return guard,
                Err(TryLockError::Poisoned(poisoned)) => return poisoned.into_inner(),
                Err(TryLockError::WouldBlock) => {}
            }
        }
        self.sessions[home]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
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

/// Silero's per-stream state; runs on a session from the shared pool.
pub struct SileroVad {
    shared: Arc<Shared>,
    home: usize,
    /// The previous frame's last 64 samples followed by the current frame, reused each frame.
    input: Box<[f32]>,
    /// The recurrent state carried from frame to frame.
    state: Box<[f32]>,
}

impl std::fmt::Debug for SileroVad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SileroVad")
            .field("home", &self.home)
            .finish_non_exhaustive()
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
        self.input[CONTEXT_LEN..].copy_from_slice(frame);
        let probability = {
            let input = TensorRef::from_array_view(([1, INPUT_LEN], &*self.input))?;
            let state = TensorRef::from_array_view((STATE_SHAPE, &*self.state))?;
            let sample_rate = TensorRef::from_array_view(((), &SAMPLE_RATE_INPUT[..]))?;
            let mut session = self.shared.session(self.home);
            let outputs = session.run(ort::inputs![input, state, sample_rate])?;
            let missing = |name: &str| VadError::ModelShape {
                path: self.shared.path.clone(),
                reason: format!("the run returned no `{name}`"),
            };
            let (_, probability) = outputs
                .get(OUTPUT_PROBABILITY)
                .ok_or_else(|| missing(OUTPUT_PROBABILITY))?
                .try_extract_tensor::<f32>()?;
            let (_, next_state) = outputs
                .get(OUTPUT_STATE)
                .ok_or_else(|| missing(OUTPUT_STATE))?
                .try_extract_tensor::<f32>()?;
            if next_state.len() != STATE_LEN {
                return Err(VadError::ModelShape {
                    path: self.shared.path.clone(),
                    reason: format!(
                        "`{OUTPUT_STATE}` has {} values, expected {STATE_LEN}",
                        next_state.len()
                    ),
                });
            }
            self.state.copy_from_slice(next_state);
            probability.first().copied().unwrap_or(0.0)
        };
        // The next frame's context is this frame's tail.
        self.input.copy_within(SILERO_FRAME_LEN.., 0);
        Ok(if probability.is_nan() {
            0.0
        } else {
            probability.clamp(0.0, 1.0)
        })
    }

    fn reset(&mut self) {
        self.input.fill(0.0);
        self.state.fill(0.0);
    }
}
