//! Silero for many streams at once: frames from every stream wait in one queue, and whoever
//! holds one of the model's sessions runs all that wait as one batch.
//!
//! A single Silero frame is tiny (a 576-sample input, a 2×128 state), so running it alone
//! spends much of its time in ONNX Runtime's per-run overhead: measured on 2 cores, about
//! 250 µs per frame alone and 110 µs per frame in batches of 64 or more. With many satellites
//! streaming at once, a batch pays that overhead once for all of them.
//!
//! There are no worker threads (handing each frame to one and back cost another 100-250 µs
//! of wake-ups on this machine): the calling thread queues its frame, then takes a free
//! session if there is one and runs everything queued, its own frame and the others'. When
//! every session is busy it waits for its frame to come back: a session's holder, after
//! releasing it, looks at the queue again, so a frame queued while it ran is never left
//! behind. Nothing waits to fill a batch: one stream alone runs at once on its own thread,
//! and batches grow only while the sessions are busy, which is exactly when batching pays.
//!
//! Each stream has at most one frame in flight (it needs the state the frame returns), so the
//! queue never holds more frames than there are streams.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError};
use std::sync::{Mutex, MutexGuard, PoisonError, TryLockError};

use ort::session::Session;
use ort::value::TensorRef;

use super::error::VadError;

/// Samples per input row: the previous frame's last 64 samples and the 512 of the frame.
pub(super) const INPUT_LEN: usize = 576;
/// Values of one stream's recurrent state: `[2, 1, 128]`.
pub(super) const STATE_LEN: usize = 256;
const STATE_HALF: usize = STATE_LEN / 2;
/// Frames run together at most; beyond this a batch only grows ONNX Runtime's buffers.
pub(super) const MAX_BATCH: usize = 256;

/// The `sr` input: a scalar, borrowed by every run.
static SAMPLE_RATE_INPUT: [i64; 1] = [super::engine::SAMPLE_RATE as i64];
pub(super) const OUTPUT_PROBABILITY: &str = "output";
pub(super) const OUTPUT_STATE: &str = "stateN";

/// One stream's frame on its way through a batch: its buffers travel with it and come back
/// with the next state, so a frame costs no allocation.
#[derive(Debug)]
pub(super) struct Frame {
    /// Context and frame, `INPUT_LEN` samples.
    pub(super) input: Box<[f32]>,
    /// The recurrent state, `STATE_LEN` values: replaced by the next state.
    pub(super) state: Box<[f32]>,
    /// Set by the run.
    pub(super) probability: Result<f32, String>,
}

impl Frame {
    pub(super) fn new() -> Self {
        Frame {
            input: vec![0.0; INPUT_LEN].into_boxed_slice(),
            state: vec![0.0; STATE_LEN].into_boxed_slice(),
            probability: Ok(0.0),
        }
    }
}

#[derive(Debug)]
struct Request {
    frame: Frame,
    reply: SyncSender<Frame>,
}

/// The sessions, the queue and the counts, shared by every detector.
#[derive(Debug)]
pub(super) struct Batcher {
    sessions: Box<[Mutex<Runner>]>,
    queue: Mutex<Vec<Request>>,
    runs: AtomicU64,
    frames: AtomicU64,
    path: PathBuf,
}

/// Model runs and the frames they carried, since the model was loaded: `frames / runs` is
/// the mean batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchCounts {
    /// Runs of the model.
    pub runs: u64,
    /// Frames those runs carried, one per stream in the batch.
    pub frames: u64,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Batcher {
    /// A batcher over `sessions`, each of which runs one batch at a time.
    pub(super) fn new(sessions: Vec<Session>, path: PathBuf) -> Self {
        Batcher {
            sessions: sessions
                .into_iter()
                .map(|s| Mutex::new(Runner::new(s)))
                .collect(),
            queue: Mutex::new(Vec::new()),
            runs: AtomicU64::new(0),
            frames: AtomicU64::new(0),
            path,
        }
    }

    /// How the frames have been batched so far.
    pub(super) fn counts(&self) -> BatchCounts {
        BatchCounts {
            runs: self.runs.load(Ordering::Relaxed),
            frames: self.frames.load(Ordering::Relaxed),
        }
    }

    /// Runs `frame` through the model (batched with whatever else waits) and returns it with
    /// its probability and next state. `reply` and `replies` are the caller's own return
    /// channel (capacity one), reused from frame to frame.
    ///
    /// # Errors
    /// [`VadError::Inference`] when the thread running the batch died with the frame.
    pub(super) fn run(
        &self,
        frame: Frame,
        reply: &SyncSender<Frame>,
        replies: &Receiver<Frame>,
    ) -> Result<Frame, VadError> {
        lock(&self.queue).push(Request {
            frame,
            reply: reply.clone(),
        });
        self.serve();
        match replies.try_recv() {
            Ok(frame) => Ok(frame),
            // Taken by a batch that another thread is running, or queued while every session
            // was busy: their holders look at the queue again once they let go.
            Err(TryRecvError::Empty) => replies.recv().map_err(|_| lost()),
            Err(TryRecvError::Disconnected) => Err(lost()),
        }
    }

    /// Runs what is queued for as long as a session is free and the queue is not empty.
    fn serve(&self) {
        loop {
            let Some(mut runner) = self.free_session() else {
                return;
            };
            let batch = {
                let mut queue = lock(&self.queue);
                let take = queue.len().min(MAX_BATCH);
                queue.drain(..take).collect::<Vec<_>>()
            };
            if !batch.is_empty() {
                self.runs.fetch_add(1, Ordering::Relaxed);
                self.frames.fetch_add(batch.len() as u64, Ordering::Relaxed);
                runner.run(batch, &self.path);
            }
            drop(runner);
            // After letting go: a frame queued while this session ran, by a thread that found
            // every session busy, is waiting for exactly this look.
            if lock(&self.queue).is_empty() {
                return;
            }
        }
    }

    /// A session nobody is running, if any.
    fn free_session(&self) -> Option<MutexGuard<'_, Runner>> {
        self.sessions
            .iter()
            .find_map(|session| match session.try_lock() {
                Ok(guard) => Some(guard),
                // A panic mid-run leaves no state behind: the buffers are refilled every run.
                Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
                Err(TryLockError::WouldBlock) => None,
            })
    }
}

fn lost() -> VadError {
    VadError::Inference("the thread running this frame's batch stopped".into())
}

/// A session and the buffers it batches into.
struct Runner {
    session: Session,
    input: Vec<f32>,
    state: Vec<f32>,
}

impl std::fmt::Debug for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner").finish_non_exhaustive()
    }
}

impl Runner {
    fn new(session: Session) -> Self {
        Runner {
            session,
            input: Vec::new(),
            state: Vec::new(),
        }
    }

    /// Runs `batch` and sends every frame back with its probability and next state.
    fn run(&mut self, mut batch: Vec<Request>, path: &std::path::Path) {
        if let Err(error) = self.run_batch(&mut batch, path) {
            for request in &mut batch {
                request.frame.probability = Err(error.clone());
            }
        }
        for Request { frame, reply } in batch {
            // The detector may be gone (its session ended); its frame is not needed.
            let _ = reply.send(frame);
        }
    }

    /// Runs the batch, writing each frame's probability and next state into it.
    fn run_batch(&mut self, batch: &mut [Request], path: &std::path::Path) -> Result<(), String> {
        let rows = batch.len();
        self.input.clear();
        self.state.clear();
        self.state.resize(rows * STATE_LEN, 0.0);
        // The state is `[2, rows, 128]`: each stream's two halves go to its row of each.
        for (row, request) in batch.iter().enumerate() {
            self.input.extend_from_slice(&request.frame.input);
            let (first, second) = request.frame.state.split_at(STATE_HALF);
            self.state[row * STATE_HALF..][..STATE_HALF].copy_from_slice(first);
            self.state[(rows + row) * STATE_HALF..][..STATE_HALF].copy_from_slice(second);
        }
        let onnx = |error: ort::Error| format!("ONNX Runtime: {error}");
        let input = TensorRef::from_array_view(([rows, INPUT_LEN], &*self.input)).map_err(onnx)?;
        let state =
            TensorRef::from_array_view(([2, rows, STATE_HALF], &*self.state)).map_err(onnx)?;
        let sample_rate = TensorRef::from_array_view(((), &SAMPLE_RATE_INPUT[..])).map_err(onnx)?;
        let outputs = self
            .session
            .run(ort::inputs![input, state, sample_rate])
            .map_err(onnx)?;
        let missing = |name: &str| {
            format!(
                "the Silero model at {} returned no `{name}`",
                path.display()
            )
        };
        let (_, probabilities) = outputs
            .get(OUTPUT_PROBABILITY)
            .ok_or_else(|| missing(OUTPUT_PROBABILITY))?
            .try_extract_tensor::<f32>()
            .map_err(onnx)?;
        let (_, next) = outputs
            .get(OUTPUT_STATE)
            .ok_or_else(|| missing(OUTPUT_STATE))?
            .try_extract_tensor::<f32>()
            .map_err(onnx)?;
        if probabilities.len() != rows || next.len() != rows * STATE_LEN {
            return Err(format!(
                "the Silero model at {} returned {} probabilities and {} state values for {rows} frames",
                path.display(),
                probabilities.len(),
                next.len()
            ));
        }
        for (row, request) in batch.iter_mut().enumerate() {
            let (first, second) = request.frame.state.split_at_mut(STATE_HALF);
            first.copy_from_slice(&next[row * STATE_HALF..][..STATE_HALF]);
            second.copy_from_slice(&next[(rows + row) * STATE_HALF..][..STATE_HALF]);
            let probability = probabilities[row];
            request.frame.probability = Ok(if probability.is_nan() {
                0.0
            } else {
                probability.clamp(0.0, 1.0)
            });
        }
        Ok(())
    }
}
