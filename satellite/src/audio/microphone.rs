//! The microphone, through cpal. The capture callback only mixes to mono and pushes into a
//! lock-free ring buffer; when the ring is full the block is dropped and counted, so the
//! callback never blocks. A pump thread drains the ring, resamples to 16 kHz and hands
//! frames on.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use ringbuf::HeapRb;
use ringbuf::traits::{Consumer, Producer, Split};

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
                let opened = open(&self, &stop);
                let (stream, mut consumer, rate, dropped) = match opened {
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
                let mut reported = 0;
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
                            dropped_samples = lost,
                            "Microphone ring buffer overflowed."
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

type Opened = (cpal::Stream, ringbuf::HeapCons<f32>, u32, Arc<AtomicU64>);

fn open(mic: &Microphone, stop: &Arc<AtomicBool>) -> Result<Opened, AudioError> {
    let device = find_device(mic.device.as_deref())?;
    let supported = device.default_input_config().map_err(device_error)?;
    let format = supported.sample_format();
    let config = supported.config();
    let channels = usize::from(config.channels.max(1));
    let rate = config.sample_rate;
    let capacity = (rate as usize * mic.buffer_ms as usize / 1000).max(1024);
    let (mut producer, consumer) = HeapRb::<f32>::new(capacity).split();
    let dropped = Arc::new(AtomicU64::new(0));
    let counter = dropped.clone();
    let failed = stop.clone();
    let on_error = move |error: cpal::Error| {
        tracing::error!(%error, "Microphone failed.");
        let _ = &failed;
    };
    tracing::info!(device = %device, rate, channels, ?format, "Opening the microphone.");
    // Mono by averaging; written into a fixed scratch buffer so the callback never allocates
    // once warm.
    let mut scratch: Vec<f32> = Vec::with_capacity(4096);
    let mut push = move |mono: &mut dyn Iterator<Item = f32>| {
        scratch.clear();
        scratch.extend(mono);
        let pushed = producer.push_slice(&scratch);
        if pushed < scratch.len() {
            counter.fetch_add((scratch.len() - pushed) as u64, Ordering::Relaxed);
        }
    };
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
    Ok((stream, consumer, rate, dropped))
}
