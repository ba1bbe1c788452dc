//! The speaker, through rodio. rodio mixes and resamples on its own thread; the player task
//! appends blocks of about 100 ms, so `halt` (stop, barge-in) silences within one block.

use std::num::NonZero;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender};

use cpal::traits::HostTrait;

use super::error::AudioError;
use super::output::AudioOutput;

/// A rodio player on an output device.
pub(crate) struct Speaker {
    player: rodio::Player,
    /// Dropping it ends the thread that keeps the device open.
    _device: SyncSender<()>,
    volume: f32,
}

impl std::fmt::Debug for Speaker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Speaker")
            .field("volume", &self.volume)
            .finish()
    }
}

impl Speaker {
    pub(crate) fn open(device: Option<&str>, volume: f32) -> Result<Speaker, AudioError> {
        let device = device.map(str::to_owned);
        let (player_tx, player_rx) = std::sync::mpsc::sync_channel(1);
        let (keep_tx, keep_rx): (SyncSender<()>, Receiver<()>) = std::sync::mpsc::sync_channel(1);
        // The device sink may not move between threads: this thread owns it until the
        // speaker is dropped.
        std::thread::Builder::new()
            .name("speaker".into())
            .spawn(move || {
                let opened = open_sink(device.as_deref());
                match opened {
                    Ok(mut sink) => {
                        sink.log_on_drop(false);
                        let player = rodio::Player::connect_new(sink.mixer());
                        let _ = player_tx.send(Ok(player));
                        // Blocks until the speaker (the sender) is dropped.
                        let _ = keep_rx.recv();
                    }
                    Err(error) => {
                        let _ = player_tx.send(Err(error));
                    }
                }
            })
            .map_err(|error| AudioError::Device(error.to_string()))?;
        let player = player_rx
            .recv()
            .map_err(|_| AudioError::Device("the speaker thread died".into()))??;
        player.set_volume(volume);
        Ok(Speaker {
            player,
            _device: keep_tx,
            volume,
        })
    }
}

fn open_sink(device: Option<&str>) -> Result<rodio::MixerDeviceSink, AudioError> {
    let error = |error: &dyn std::fmt::Display| AudioError::Device(error.to_string());
    match device {
        None => rodio::DeviceSinkBuilder::open_default_sink().map_err(|e| error(&e)),
        Some(name) => {
            let found = cpal::default_host()
                .output_devices()
                .map_err(|e| error(&e))?
                .find(|device| device.to_string() == name)
                .ok_or_else(|| AudioError::Device(format!("no output device named `{name}`")))?;
            rodio::DeviceSinkBuilder::from_device(found)
                .map_err(|e| error(&e))?
                .open_stream()
                .map_err(|e| error(&e))
        }
    }
}

impl AudioOutput for Speaker {
    fn rate(&self) -> u32 {
        super::RATE
    }

    fn realtime(&self) -> bool {
        true
    }

    fn begin(&mut self, _label: &str) -> Result<(), AudioError> {
        self.player.play();
        Ok(())
    }

    fn sentence(&mut self, _index: u32) -> Result<(), AudioError> {
        Ok(())
    }

    fn write(&mut self, samples: &[i16]) -> Result<(), AudioError> {
        let (Some(channels), Some(rate)) = (NonZero::new(1_u16), NonZero::new(super::RATE)) else {
            return Ok(());
        };
        let floats: Vec<rodio::Sample> = samples
            .iter()
            .map(|&sample| rodio::Sample::from(sample) / 32_768.0)
            .collect();
        self.player
            .append(rodio::buffer::SamplesBuffer::new(channels, rate, floats));
        Ok(())
    }

    fn halt(&mut self) {
        self.player.clear();
    }

    fn finish(&mut self, interrupted: bool) -> Result<Option<PathBuf>, AudioError> {
        if interrupted {
            self.player.clear();
        }
        Ok(None)
    }

    fn set_volume(&mut self, volume: f32) {
        self.volume = volume.clamp(0.0, 1.0);
        self.player.set_volume(self.volume);
    }
}
