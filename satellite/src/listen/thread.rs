//! Runs the [`FrontEnd`] on its own thread: the wake word engine is CPU work that must not
//! run on the async runtime's workers, and it may not be `Send`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::mpsc;

use super::front::{FrontCommand, FrontEnd, FrontEvent};
use crate::config::{ListenConfig, WakeConfig};
use crate::wake::{RustpotterDetector, WakeError, WakeModel};

/// Commands waiting for the listener; a full queue refuses (commands are rare).
const COMMAND_CAPACITY: usize = 16;

/// The running listener.
#[derive(Debug)]
pub struct Listener {
    commands: SyncSender<FrontCommand>,
    thread: Option<JoinHandle<()>>,
    stop: Arc<AtomicBool>,
}

impl Listener {
    /// Sends a command without blocking; false if the queue is full or the listener gone.
    pub fn command(&self, command: FrontCommand) -> bool {
        match self.commands.try_send(command) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                tracing::warn!(?command, "Listener command queue full; command dropped.");
                false
            }
            Err(TrySendError::Disconnected(_)) => false,
        }
    }

    /// Stops the thread and waits for it.
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts the listener: frames from `frames`, events to `events`.
///
/// # Errors
/// The wake word engine refuses the model or configuration (checked before the thread
/// starts).
pub fn spawn(
    model: WakeModel,
    wake: WakeConfig,
    listen: ListenConfig,
    frames: Receiver<Vec<i16>>,
    events: mpsc::Sender<FrontEvent>,
) -> Result<Listener, WakeError> {
    // Built once here to report errors now; the thread builds its own.
    RustpotterDetector::new(&model, &wake)?;
    let (commands_tx, commands) = std::sync::mpsc::sync_channel(COMMAND_CAPACITY);
    let stop = Arc::new(AtomicBool::new(false));
    let stopping = stop.clone();
    let thread = std::thread::Builder::new()
        .name("listener".into())
        .spawn(move || {
            let detector = match RustpotterDetector::new(&model, &wake) {
                Ok(detector) => detector,
                Err(error) => {
                    tracing::error!(%error, "Wake word engine failed to start.");
                    return;
                }
            };
            let mut front = FrontEnd::new(Box::new(detector), listen, wake.pre_roll_ms);
            run(&mut front, &frames, &commands, &events, &stopping);
        })
        .map_err(|error| WakeError::Engine(error.to_string()))?;
    Ok(Listener {
        commands: commands_tx,
        thread: Some(thread),
        stop,
    })
}

fn run(
    front: &mut FrontEnd,
    frames: &Receiver<Vec<i16>>,
    commands: &Receiver<FrontCommand>,
    events: &mpsc::Sender<FrontEvent>,
    stop: &AtomicBool,
) {
    let mut out = Vec::new();
    let mut input_ended = false;
    while !stop.load(Ordering::Relaxed) {
        while let Ok(command) = commands.try_recv() {
            front.command(command, &mut out);
        }
        match frames.recv_timeout(Duration::from_millis(50)) {
            Ok(frame) => front.push(&frame, &mut out),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                // The source ended for good (every frame it sent was processed first);
                // keep serving commands until stopped.
                if !input_ended {
                    input_ended = true;
                    out.push(FrontEvent::InputEnded);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        for event in out.drain(..) {
            // Blocking here is fine: this is the listener's own thread, and the source in
            // front of it drops rather than waits.
            if events.blocking_send(event).is_err() {
                return;
            }
        }
    }
}
