//! Where the satellite's voice goes: WAV files in a directory (headless), a speaker
//! (feature `audio`), or nowhere. The player paces writes; an output only stores or
//! queues what it is given.

use std::path::PathBuf;

use super::error::AudioError;
use super::wav::write_wav;
use crate::config::OutputConfig;

/// A sound output, driven by the player task one block at a time.
pub trait AudioOutput: Send {
    /// The rate blocks must be given at.
    fn rate(&self) -> u32;
    /// Whether the player must pace blocks at real time (a speaker, or WAV files standing
    /// in for one).
    fn realtime(&self) -> bool;
    /// A new sound begins; `label` names it (`reply-3-42`, `local-4`, `alarm-5`).
    fn begin(&mut self, label: &str) -> Result<(), AudioError>;
    /// Sentence `index` of the sound begins.
    fn sentence(&mut self, index: u32) -> Result<(), AudioError>;
    /// Plays (or stores) a block.
    fn write(&mut self, samples: &[i16]) -> Result<(), AudioError>;
    /// Silences at once whatever is queued on a device (stop, barge-in).
    fn halt(&mut self);
    /// The sound ended (`interrupted` when cut short); returns the file written, if any.
    fn finish(&mut self, interrupted: bool) -> Result<Option<PathBuf>, AudioError>;
    /// Volume 0–1.
    fn set_volume(&mut self, volume: f32);
}

/// The output `config` describes.
///
/// # Errors
/// The directory cannot be created, or a speaker without the `audio` feature or device.
pub fn open_output(config: &OutputConfig) -> Result<Box<dyn AudioOutput>, AudioError> {
    match config {
        OutputConfig::WavDir {
            dir,
            sample_rate,
            per_sentence,
            realtime,
            volume,
        } => {
            std::fs::create_dir_all(dir).map_err(|source| AudioError::Io {
                path: dir.clone(),
                source,
            })?;
            Ok(Box::new(WavDirOutput {
                dir: dir.clone(),
                rate: *sample_rate,
                per_sentence: *per_sentence,
                realtime: *realtime,
                volume: *volume,
                label: None,
                samples: Vec::new(),
                sentence: None,
            }))
        }
        OutputConfig::None => Ok(Box::new(NullOutput)),
        #[cfg(feature = "audio")]
        OutputConfig::Speaker { device, volume } => Ok(Box::new(super::speaker::Speaker::open(
            device.as_deref(),
            *volume,
        )?)),
        #[cfg(not(feature = "audio"))]
        OutputConfig::Speaker { .. } => Err(AudioError::NoAudioFeature("a speaker output")),
    }
}

/// Writes each sound to `{dir}/{label}.wav` when it ends (cut where it was interrupted),
/// and each sentence to `{dir}/{label}-{index}.wav` when `per_sentence` is set.
#[derive(Debug)]
pub struct WavDirOutput {
    dir: PathBuf,
    rate: u32,
    per_sentence: bool,
    realtime: bool,
    volume: f32,
    label: Option<String>,
    samples: Vec<i16>,
    /// The current sentence's index and where it starts in `samples`.
    sentence: Option<(u32, usize)>,
}

impl WavDirOutput {
    fn close_sentence(&mut self) -> Result<(), AudioError> {
        if let (true, Some((index, start)), Some(label)) =
            (self.per_sentence, self.sentence.take(), &self.label)
        {
            let path = self.dir.join(format!("{label}-{index}.wav"));
            write_wav(&path, &self.samples[start..], self.rate)?;
        }
        Ok(())
    }
}

impl AudioOutput for WavDirOutput {
    fn rate(&self) -> u32 {
        self.rate
    }

    fn realtime(&self) -> bool {
        self.realtime
    }

    fn begin(&mut self, label: &str) -> Result<(), AudioError> {
        self.label = Some(label.to_owned());
        self.samples.clear();
        self.sentence = None;
        Ok(())
    }

    fn sentence(&mut self, index: u32) -> Result<(), AudioError> {
        self.close_sentence()?;
        self.sentence = Some((index, self.samples.len()));
        Ok(())
    }

    fn write(&mut self, samples: &[i16]) -> Result<(), AudioError> {
        let volume = self.volume;
        self.samples.extend(
            samples
                .iter()
                .map(|&sample| (f32::from(sample) * volume) as i16),
        );
        Ok(())
    }

    fn halt(&mut self) {}

    fn finish(&mut self, _interrupted: bool) -> Result<Option<PathBuf>, AudioError> {
        self.close_sentence()?;
        let Some(label) = self.label.take() else {
            return Ok(None);
        };
        let path = self.dir.join(format!("{label}.wav"));
        write_wav(&path, &self.samples, self.rate)?;
        self.samples.clear();
        Ok(Some(path))
    }

    fn set_volume(&mut self, volume: f32) {
        self.volume = volume.clamp(0.0, 1.0);
    }
}

/// Discards everything, at once.
#[derive(Debug, Clone, Copy, Default)]
pub struct NullOutput;

impl AudioOutput for NullOutput {
    fn rate(&self) -> u32 {
        super::RATE
    }

    fn realtime(&self) -> bool {
        false
    }

    fn begin(&mut self, _label: &str) -> Result<(), AudioError> {
        Ok(())
    }

    fn sentence(&mut self, _index: u32) -> Result<(), AudioError> {
        Ok(())
    }

    fn write(&mut self, _samples: &[i16]) -> Result<(), AudioError> {
        Ok(())
    }

    fn halt(&mut self) {}

    fn finish(&mut self, _interrupted: bool) -> Result<Option<PathBuf>, AudioError> {
        Ok(None)
    }

    fn set_volume(&mut self, _volume: f32) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::read_wav;

    #[test]
    fn a_reply_and_its_sentences_are_written_as_files() {
        let dir = tempfile::tempdir().unwrap();
        let config = OutputConfig::WavDir {
            dir: dir.path().join("out"),
            sample_rate: 16_000,
            per_sentence: true,
            realtime: false,
            volume: 0.5,
        };
        let mut output = open_output(&config).unwrap();
        output.begin("reply-1-42").unwrap();
        output.sentence(0).unwrap();
        output.write(&[100, 200]).unwrap();
        output.sentence(1).unwrap();
        output.write(&[300]).unwrap();
        let path = output.finish(false).unwrap().unwrap();
        assert_eq!(path, dir.path().join("out/reply-1-42.wav"));
        assert_eq!(read_wav(&path).unwrap().samples, [50, 100, 150]);
        let first = read_wav(&dir.path().join("out/reply-1-42-0.wav")).unwrap();
        assert_eq!(first.samples, [50, 100]);
        let second = read_wav(&dir.path().join("out/reply-1-42-1.wav")).unwrap();
        assert_eq!(second.samples, [150]);
    }
}
