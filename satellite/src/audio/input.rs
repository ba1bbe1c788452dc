//! Where the satellite hears from. Every source runs on its own thread and hands 16 kHz mono
//! frames to a [`FrameSink`]: a bounded channel that drops (and counts) when the listener is
//! behind, so that a real-time source never blocks.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::RATE;
use super::error::AudioError;
use super::resample::Resampler;
use super::wav::read_wav;
use crate::config::{AfterEnd, InputConfig};

/// Samples per frame handed on: 20 ms.
pub(crate) const FRAME: usize = (RATE / 50) as usize;

/// Where sources put their frames.
#[derive(Debug, Clone)]
pub struct FrameSink {
    tx: SyncSender<Vec<i16>>,
    dropped: Arc<AtomicU64>,
}

impl FrameSink {
    /// A sink over `tx`, counting drops in `dropped`.
    pub fn new(tx: SyncSender<Vec<i16>>, dropped: Arc<AtomicU64>) -> FrameSink {
        FrameSink { tx, dropped }
    }

    /// The drop counter (the heartbeat's `audio_dropped`), for a source that also drops
    /// before its frames reach the sink (the microphone's ring).
    pub(crate) fn dropped_counter(&self) -> Arc<AtomicU64> {
        self.dropped.clone()
    }

    /// Hands on a frame without blocking; a full queue drops it and counts. Returns false
    /// once the listener is gone.
    pub fn push(&self, frame: Vec<i16>) -> bool {
        match self.tx.try_send(frame) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
                true
            }
            Err(TrySendError::Disconnected(_)) => false,
        }
    }

    /// Hands on a frame, waiting for room: for sources that are not real time (a WAV file
    /// read as fast as possible), where nothing is lost by waiting.
    pub fn push_wait(&self, frame: Vec<i16>) -> bool {
        self.tx.send(frame).is_ok()
    }
}

/// A running source; it stops when `stop` is set (or the listener goes away).
#[derive(Debug)]
pub struct InputHandle {
    thread: Option<JoinHandle<()>>,
}

impl InputHandle {
    pub(crate) fn new(thread: JoinHandle<()>) -> InputHandle {
        InputHandle {
            thread: Some(thread),
        }
    }

    /// A source whose thread cannot be told to stop and must not be waited for: a read on
    /// standard input blocks until a byte or the end comes, and an open but silent pipe
    /// would hold the satellite's shutdown forever. The thread ends with the process.
    pub(crate) fn detached() -> InputHandle {
        InputHandle { thread: None }
    }

    /// Waits for the source's thread (after `stop` was set).
    pub fn join(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A sound source.
pub trait AudioInput: Send {
    /// Starts the source on its own thread; it feeds `sink` until `stop` is set.
    ///
    /// # Errors
    /// The source cannot be opened (a missing file, no sound card).
    fn start(
        self: Box<Self>,
        sink: FrameSink,
        stop: Arc<AtomicBool>,
    ) -> Result<InputHandle, AudioError>;
}

/// The source `config` describes.
///
/// # Errors
/// A microphone without the `audio` feature.
pub fn open_input(config: &InputConfig) -> Result<Box<dyn AudioInput>, AudioError> {
    match config {
        InputConfig::Wav {
            path,
            realtime,
            after_end,
        } => Ok(Box::new(WavInput {
            path: path.clone(),
            realtime: *realtime,
            after_end: *after_end,
        })),
        InputConfig::Stdin {
            sample_rate,
            channels,
            after_end,
        } => Ok(Box::new(StdinInput {
            sample_rate: *sample_rate,
            channels: *channels,
            after_end: *after_end,
        })),
        #[cfg(feature = "audio")]
        InputConfig::Microphone { device, buffer_ms } => Ok(Box::new(
            super::microphone::Microphone::new(device.clone(), *buffer_ms),
        )),
        #[cfg(not(feature = "audio"))]
        InputConfig::Microphone { .. } => Err(AudioError::NoAudioFeature("a microphone input")),
    }
}

/// Paces frames at real time: frame `n` is due `n` × 20 ms after the start.
struct Pacer {
    start: Instant,
    frames: u32,
}

impl Pacer {
    fn new() -> Pacer {
        Pacer {
            start: Instant::now(),
            frames: 0,
        }
    }

    /// Waits until the next frame is due (this is a source thread: it stands in for a
    /// sound card's clock).
    fn wait(&mut self) {
        self.frames += 1;
        let due = self.start + Duration::from_millis(20) * self.frames;
        let now = Instant::now();
        if due > now {
            std::thread::sleep(due - now);
        }
    }
}

/// A WAV file, as if a microphone heard it.
#[derive(Debug, Clone)]
pub struct WavInput {
    /// The file.
    pub path: PathBuf,
    /// At real-time pace.
    pub realtime: bool,
    /// Silence after the end, or stop.
    pub after_end: AfterEnd,
}

impl AudioInput for WavInput {
    fn start(
        self: Box<Self>,
        sink: FrameSink,
        stop: Arc<AtomicBool>,
    ) -> Result<InputHandle, AudioError> {
        let pcm = read_wav(&self.path)?;
        let samples = Resampler::convert(&pcm.samples, pcm.sample_rate, RATE);
        tracing::info!(path = %self.path.display(), seconds = samples.len() as f64 / f64::from(RATE), "Hearing a WAV file.");
        let thread = std::thread::Builder::new()
            .name("wav-input".into())
            .spawn(move || {
                let mut pacer = Pacer::new();
                let push = |frame: Vec<i16>| {
                    if self.realtime {
                        sink.push(frame)
                    } else {
                        sink.push_wait(frame)
                    }
                };
                for frame in samples.chunks(FRAME) {
                    if stop.load(Ordering::Relaxed) || !push(frame.to_vec()) {
                        return;
                    }
                    if self.realtime {
                        pacer.wait();
                    }
                }
                tracing::info!("The WAV file ended.");
                silence_after(self.after_end, &sink, &stop, &mut pacer);
            })
            .map_err(|error| AudioError::Device(error.to_string()))?;
        Ok(InputHandle::new(thread))
    }
}

fn silence_after(after_end: AfterEnd, sink: &FrameSink, stop: &AtomicBool, pacer: &mut Pacer) {
    if after_end == AfterEnd::Stop {
        return;
    }
    while !stop.load(Ordering::Relaxed) && sink.push(vec![0; FRAME]) {
        pacer.wait();
    }
}

/// Raw s16le PCM on standard input.
#[derive(Debug, Clone)]
pub struct StdinInput {
    /// Its rate.
    pub sample_rate: u32,
    /// Its channels.
    pub channels: u16,
    /// Silence after the end, or stop.
    pub after_end: AfterEnd,
}

impl AudioInput for StdinInput {
    fn start(
        self: Box<Self>,
        sink: FrameSink,
        stop: Arc<AtomicBool>,
    ) -> Result<InputHandle, AudioError> {
        let thread = std::thread::Builder::new()
            .name("stdin-input".into())
            .spawn(move || {
                let stdin = std::io::stdin().lock();
                if !read_pcm(stdin, self.sample_rate, self.channels, &sink, &stop) {
                    return;
                }
                tracing::info!("Standard input ended.");
                silence_after(self.after_end, &sink, &stop, &mut Pacer::new());
            })
            .map_err(|error| AudioError::Device(error.to_string()))?;
        drop(thread);
        Ok(InputHandle::detached())
    }
}

/// Reads raw s16le PCM from `reader` 20 ms at a time, mixed to mono and resampled to
/// 16 kHz, into `sink`, until the end, an error, `stop`, or the listener goes away. Returns
/// false when the listener went away.
fn read_pcm(
    mut reader: impl Read,
    sample_rate: u32,
    channels: u16,
    sink: &FrameSink,
    stop: &AtomicBool,
) -> bool {
    let channels = usize::from(channels.max(1));
    let mut resampler = Resampler::new(sample_rate, RATE);
    // 20 ms of input per read.
    let frame_bytes = (sample_rate as usize / 50).max(1) * channels * 2;
    let mut bytes = vec![0_u8; frame_bytes];
    let mut pending: Vec<i16> = Vec::with_capacity(FRAME * 2);
    while !stop.load(Ordering::Relaxed) {
        if let Err(error) = reader.read_exact(&mut bytes) {
            if error.kind() != std::io::ErrorKind::UnexpectedEof {
                tracing::warn!(%error, "Standard input failed.");
            }
            break;
        }
        let mono: Vec<i16> = bytes
            .chunks_exact(2 * channels)
            .map(|frame| {
                let sum: i32 = frame
                    .chunks_exact(2)
                    .map(|pair| i32::from(i16::from_le_bytes([pair[0], pair[1]])))
                    .sum();
                (sum / channels as i32) as i16
            })
            .collect();
        // Whole 20 ms frames whatever the rate (the resampler's output per read varies by a
        // sample or two), so that drops count in the same unit as the microphone's.
        pending.extend(resampler.process(&mono));
        while pending.len() >= FRAME {
            if !sink.push(pending.drain(..FRAME).collect()) {
                return false;
            }
        }
    }
    true
}

/// Clips queued by the program, heard in turn, with silence in between: for tests and
/// demos that must say something at a chosen moment. Clips are fed as fast as the listener
/// takes them (nothing is lost: the source waits); the silence between them at real time.
#[derive(Debug)]
pub struct QueueInput {
    clips: std::sync::mpsc::Receiver<Vec<i16>>,
}

/// Queues clips (16 kHz mono) for a [`QueueInput`]; dropping it ends the input.
#[derive(Debug, Clone)]
pub struct ClipSender {
    tx: std::sync::mpsc::Sender<Vec<i16>>,
}

impl ClipSender {
    /// Queues `clip`; false when the input is gone.
    pub fn say(&self, clip: Vec<i16>) -> bool {
        self.tx.send(clip).is_ok()
    }
}

impl QueueInput {
    /// The input and its sender.
    pub fn new() -> (QueueInput, ClipSender) {
        let (tx, clips) = std::sync::mpsc::channel();
        (QueueInput { clips }, ClipSender { tx })
    }
}

impl AudioInput for QueueInput {
    fn start(
        self: Box<Self>,
        sink: FrameSink,
        stop: Arc<AtomicBool>,
    ) -> Result<InputHandle, AudioError> {
        let thread = std::thread::Builder::new()
            .name("queue-input".into())
            .spawn(move || {
                let mut pacer = Pacer::new();
                while !stop.load(Ordering::Relaxed) {
                    match self.clips.try_recv() {
                        Ok(clip) => {
                            for frame in clip.chunks(FRAME) {
                                if !sink.push_wait(frame.to_vec()) {
                                    return;
                                }
                            }
                            pacer = Pacer::new();
                        }
                        Err(std::sync::mpsc::TryRecvError::Empty) => {
                            if !sink.push(vec![0; FRAME]) {
                                return;
                            }
                            pacer.wait();
                        }
                        Err(std::sync::mpsc::TryRecvError::Disconnected) => return,
                    }
                }
            })
            .map_err(|error| AudioError::Device(error.to_string()))?;
        Ok(InputHandle::new(thread))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_sink_drops_and_counts_instead_of_blocking() {
        let (tx, rx) = std::sync::mpsc::sync_channel(2);
        let dropped = Arc::new(AtomicU64::new(0));
        let sink = FrameSink::new(tx, dropped.clone());
        for _ in 0..5 {
            assert!(sink.push(vec![0; 4]));
        }
        assert_eq!(dropped.load(Ordering::Relaxed), 3);
        drop(rx);
        assert!(!sink.push(vec![0; 4]), "a gone listener stops the source");
    }

    #[test]
    fn a_wav_file_arrives_as_16_khz_frames() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.wav");
        let tone: Vec<i16> = (0..22_050).map(|n| ((n % 50) * 100) as i16).collect();
        crate::audio::write_wav(&path, &tone, 22_050).unwrap();
        let (tx, rx) = std::sync::mpsc::sync_channel(4);
        let sink = FrameSink::new(tx, Arc::new(AtomicU64::new(0)));
        let input = Box::new(WavInput {
            path,
            realtime: false,
            after_end: AfterEnd::Stop,
        });
        let handle = input.start(sink, Arc::new(AtomicBool::new(false))).unwrap();
        let frames: Vec<Vec<i16>> = rx.iter().collect();
        handle.join();
        assert_eq!(frames.iter().map(Vec::len).sum::<usize>(), 16_000);
        assert!(frames.iter().all(|frame| frame.len() == FRAME));
    }

    /// What `arecord -f S16_LE -r 48000 -c 2 | hive-satellite` sends: stereo at 48 kHz
    /// arrives as whole 20 ms frames of 16 kHz mono, the channels mixed.
    #[test]
    fn stdin_pcm_arrives_as_16_khz_mono_frames() {
        // One second and a half frame: left a 200 Hz square wave, right silent.
        let frames_in = 48_000 + 480;
        let mut pcm = Vec::with_capacity(frames_in * 4);
        for n in 0..frames_in {
            let left: i16 = if (n / 120) % 2 == 0 { 8_000 } else { -8_000 };
            pcm.extend_from_slice(&left.to_le_bytes());
            pcm.extend_from_slice(&0_i16.to_le_bytes());
        }
        let (tx, rx) = std::sync::mpsc::sync_channel(100);
        let dropped = Arc::new(AtomicU64::new(0));
        let sink = FrameSink::new(tx, dropped.clone());
        let stop = AtomicBool::new(false);
        assert!(read_pcm(std::io::Cursor::new(pcm), 48_000, 2, &sink, &stop));
        drop(sink);
        let frames: Vec<Vec<i16>> = rx.iter().collect();
        let samples = frames.len() * FRAME;
        assert!(
            (15_680..=16_160).contains(&samples),
            "about a second (less the resampler's look-ahead): {samples}"
        );
        assert!(frames.iter().all(|frame| frame.len() == FRAME));
        assert_eq!(dropped.load(Ordering::Relaxed), 0);
        // Mixed to mono: half the left channel's level (plus the resampling filter's
        // ringing on the square wave's edges), both signs; not the full 8 000.
        let peak = frames.iter().flatten().map(|&v| v.abs()).max().unwrap();
        assert!((3_500..=5_000).contains(&peak), "peak {peak}");
        let positive = frames.iter().flatten().filter(|&&v| v > 2_000).count();
        let negative = frames.iter().flatten().filter(|&&v| v < -2_000).count();
        assert!(
            positive > 5_000 && negative > 5_000,
            "{positive} {negative}"
        );
    }

    #[test]
    fn stdin_pcm_stops_when_the_listener_is_gone() {
        let (tx, rx) = std::sync::mpsc::sync_channel(4);
        drop(rx);
        let sink = FrameSink::new(tx, Arc::default());
        let pcm = vec![0_u8; 16_000 * 2];
        assert!(!read_pcm(
            std::io::Cursor::new(pcm),
            16_000,
            1,
            &sink,
            &AtomicBool::new(false)
        ));
    }

    #[test]
    fn a_missing_wav_file_is_an_error() {
        let (tx, _rx) = std::sync::mpsc::sync_channel(4);
        let input = Box::new(WavInput {
            path: "/nonexistent/in.wav".into(),
            realtime: false,
            after_end: AfterEnd::Stop,
        });
        let error = input
            .start(FrameSink::new(tx, Arc::default()), Arc::default())
            .unwrap_err();
        assert!(error.to_string().contains("/nonexistent/in.wav"), "{error}");
    }
}
