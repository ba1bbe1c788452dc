//! The microphone, through cpal. The capture callback only mixes to mono and pushes into a
//! lock-free ring buffer ([`Capture`]); what the full ring cannot take is dropped and counted
//! in the heartbeat's `audio_dropped`, so the callback never blocks. A pump thread drains the
//! ring, resamples to 16 kHz and hands frames on.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use ringbuf::traits::{Consumer, Producer, Split};
use ringbuf::{HeapProd, HeapRb};

use super::RATE;
use super::error::AudioError;
use super::input::{AudioInput, FRAME, FrameSink, InputHandle};
use super::resample::Resampler;

/// A cpal input device.
#[derive(Debug, Clone)]
pub(crate) struct Microphone {
    device: Option<String>,
    buffer_ms: u32,
}

impl Microphone {
    pub(crate) fn new(device: Option<String>, buffer_ms: u32) -> Microphone {
        Microphone { device, buffer_ms }
    }
}

fn device_error(error: impl std::fmt::Display) -> AudioError {
    AudioError::Device(error.to_string())
}

fn find_device(name: Option<&str>) -> Result<cpal::Device, AudioError> {
    let host = cpal::default_host();
    match name {
        None => host
            .default_input_device()
            .ok_or_else(|| AudioError::Device("no default input device".into())),
        Some(name) => host
            .input_devices()
            .map_err(device_error)?
            .find(|device| device.to_string() == name)
            .ok_or_else(|| AudioError::Device(format!("no input device named `{name}`"))),
    }
}

impl AudioInput for Microphone {
    fn start(
        self: Box<Self>,
        sink: FrameSink,
        stop: Arc<AtomicBool>,
    ) -> Result<InputHandle, AudioError> {
        let (ready_tx, ready_rx) = std::sync::mpsc::sync_channel(1);
        // cpal streams may not move between threads: this thread opens, owns and drops it.
        let thread = std::thread::Builder::new()
            .name("microphone".into())
            .spawn(move || {
                let dropped = sink.dropped_counter();
                let opened = open(&self, &stop, dropped.clone());
                let (stream, mut consumer, rate) = match opened {
                    Ok(parts) => {
                        let _ = ready_tx.send(Ok(()));
                        parts
                    }
                    Err(error) => {
                        let _ = ready_tx.send(Err(error));
                        return;
                    }
                };
                let mut resampler = Resampler::new(rate, RATE);
                let mut block = vec![0.0_f32; rate as usize / 50];
                let mut pending: Vec<i16> = Vec::with_capacity(FRAME * 2);
                let mut reported = dropped.load(Ordering::Relaxed);
                while !stop.load(Ordering::Relaxed) {
                    let read = consumer.pop_slice(&mut block);
                    if read == 0 {
                        std::thread::sleep(Duration::from_millis(5));
                        continue;
                    }
                    let samples: Vec<i16> = block[..read]
                        .iter()
                        .map(|&v| super::wav::to_i16(v))
                        .collect();
                    pending.extend(resampler.process(&samples));
                    while pending.len() >= FRAME {
                        let frame: Vec<i16> = pending.drain(..FRAME).collect();
                        if !sink.push(frame) {
                            return;
                        }
                    }
                    let lost = dropped.load(Ordering::Relaxed);
                    if lost > reported {
                        tracing::warn!(
                            dropped_frames = lost,
                            "Microphone audio dropped; the satellite is behind."
                        );
                        reported = lost;
                    }
                }
                drop(stream);
            })
            .map_err(device_error)?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(InputHandle::new(thread)),
            Ok(Err(error)) => Err(error),
            Err(_) => Err(AudioError::Device("the microphone thread died".into())),
        }
    }
}

/// The capture callback's end of the ring: pushes what fits and counts the rest, without
/// blocking or allocating (cpal calls it on the sound card's real-time thread, with blocks
/// of any size).
pub(crate) struct Capture {
    producer: HeapProd<f32>,
    /// The heartbeat's `audio_dropped`, in 20 ms frames like the frame queue's drops.
    dropped: Arc<AtomicU64>,
    /// Device-rate samples in 20 ms.
    frame: u64,
    /// Dropped samples not yet a whole frame, carried to the next overflow so that many
    /// small losses still add up.
    lost: u64,
}

impl Capture {
    pub(crate) fn new(producer: HeapProd<f32>, rate: u32, dropped: Arc<AtomicU64>) -> Capture {
        Capture {
            producer,
            dropped,
            frame: u64::from(rate / 50).max(1),
            lost: 0,
        }
    }

    /// Pushes `mono` into the ring; what does not fit is dropped and counted.
    pub(crate) fn push(&mut self, mut mono: impl Iterator<Item = f32>) {
        // `push_iter` takes items only while there is room, so `mono` resumes exactly at
        // the first sample that did not fit.
        self.producer.push_iter(&mut mono);
        let lost = mono.count() as u64;
        if lost == 0 {
            return;
        }
        self.lost += lost;
        let frames = self.lost / self.frame;
        if frames > 0 {
            self.lost %= self.frame;
            self.dropped.fetch_add(frames, Ordering::Relaxed);
        }
    }
}

type Opened = (cpal::Stream, ringbuf::HeapCons<f32>, u32);

fn open(
    mic: &Microphone,
    stop: &Arc<AtomicBool>,
    dropped: Arc<AtomicU64>,
) -> Result<Opened, AudioError> {
    let device = find_device(mic.device.as_deref())?;
    let supported = device.default_input_config().map_err(device_error)?;
    let format = supported.sample_format();
    let config = supported.config();
    let channels = usize::from(config.channels.max(1));
    let rate = config.sample_rate;
    let capacity = (rate as usize * mic.buffer_ms as usize / 1000).max(1024);
    let (producer, consumer) = HeapRb::<f32>::new(capacity).split();
    let failed = stop.clone();
    let on_error = move |error: cpal::Error| {
        tracing::error!(%error, "Microphone failed.");
        let _ = &failed;
    };
    tracing::info!(device = %device, rate, channels, ?format, "Opening the microphone.");
    // Mono by averaging, straight from cpal's block into the ring: no buffer in between,
    // so a block of any size is taken without allocating.
    let mut capture = Capture::new(producer, rate, dropped);
    let mut push = move |mono: &mut dyn Iterator<Item = f32>| capture.push(mono);
    let stream = match format {
        cpal::SampleFormat::F32 => device.build_input_stream::<f32, _, _>(
            config,
            move |data: &[f32], _| {
                push(
                    &mut data
                        .chunks(channels)
                        .map(|f| f.iter().sum::<f32>() / channels as f32),
                )
            },
            on_error,
            None,
        ),
        cpal::SampleFormat::I16 => device.build_input_stream::<i16, _, _>(
            config,
            move |data: &[i16], _| {
                push(&mut data.chunks(channels).map(|f| {
                    f.iter().map(|&s| f32::from(s) / 32_768.0).sum::<f32>() / channels as f32
                }))
            },
            on_error,
            None,
        ),
        cpal::SampleFormat::I32 => device.build_input_stream::<i32, _, _>(
            config,
            move |data: &[i32], _| {
                push(&mut data.chunks(channels).map(|f| {
                    f.iter().map(|&s| s as f32 / 2_147_483_648.0).sum::<f32>() / channels as f32
                }))
            },
            on_error,
            None,
        ),
        cpal::SampleFormat::U16 => device.build_input_stream::<u16, _, _>(
            config,
            move |data: &[u16], _| {
                push(&mut data.chunks(channels).map(|f| {
                    f.iter()
                        .map(|&s| (f32::from(s) - 32_768.0) / 32_768.0)
                        .sum::<f32>()
                        / channels as f32
                }))
            },
            on_error,
            None,
        ),
        other => {
            return Err(AudioError::Device(format!(
                "unsupported microphone sample format {other:?}"
            )));
        }
    }
    .map_err(device_error)?;
    stream.play().map_err(device_error)?;
    Ok((stream, consumer, rate))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_ring_counts_dropped_frames_in_audio_dropped_without_blocking() {
        let counters = crate::counters::Counters::default();
        let (producer, mut consumer) = HeapRb::<f32>::new(1_000).split();
        // 1 kHz: a 20 ms frame is 20 samples.
        let mut capture = Capture::new(producer, 1_000, counters.audio_dropped.clone());

        capture.push((0..600).map(|n| n as f32));
        assert_eq!(counters.snapshot()["audio_dropped"], 0, "it all fitted");
        // A block far larger than any buffer: 400 fit, 4 600 are dropped, 230 frames.
        capture.push((0..5_000).map(|n| n as f32));
        assert_eq!(counters.snapshot()["audio_dropped"], 230);
        // 10 more samples: half a frame, carried until it makes a whole one.
        capture.push((0..10).map(|n| n as f32));
        assert_eq!(counters.snapshot()["audio_dropped"], 230);
        capture.push((0..10).map(|n| n as f32));
        assert_eq!(counters.snapshot()["audio_dropped"], 231);

        // What was kept is the oldest audio, in order: the start of the second block
        // follows the first.
        let mut kept = vec![0.0; 1_000];
        assert_eq!(consumer.pop_slice(&mut kept), 1_000);
        assert_eq!(kept[599], 599.0);
        assert_eq!(kept[600], 0.0);
        assert_eq!(kept[999], 399.0);
    }
}
