//! rustpotter behind [`WakeDetector`]: a reference-based detector (MFCC templates compared
//! by dynamic time warping), small enough for a Pi Zero and trainable from a few recordings.

use std::path::{Path, PathBuf};

use rustpotter::{
    Rustpotter, RustpotterConfig, SampleFormat, WakewordLoad, WakewordRef, WakewordSave,
};

use super::detector::{WakeDetector, WakeHit};
use super::error::WakeError;
use crate::config::WakeConfig;

/// The built-in "hey hive" model, built from espeak-ng voices by
/// `satellite/assets/make-default-wakeword.sh`.
pub const DEFAULT_MODEL: &[u8] = include_bytes!("../../assets/hey_hive.rpw");

/// A loaded model: its bytes (so a detector can be built on any thread) and where they
/// came from.
#[derive(Debug, Clone)]
pub struct WakeModel {
    bytes: Vec<u8>,
    source: PathBuf,
}

impl WakeModel {
    /// The model `config.model` names, or the built-in one; checked by parsing it.
    ///
    /// # Errors
    /// The file cannot be read or is no rustpotter model.
    pub fn load(path: Option<&Path>) -> Result<WakeModel, WakeError> {
        let model = match path {
            Some(path) => WakeModel {
                bytes: std::fs::read(path).map_err(|error| WakeError::Model {
                    path: path.to_owned(),
                    detail: error.to_string(),
                })?,
                source: path.to_owned(),
            },
            None => WakeModel {
                bytes: DEFAULT_MODEL.to_vec(),
                source: PathBuf::from("built-in hey_hive.rpw"),
            },
        };
        WakewordRef::load_from_buffer(&model.bytes).map_err(|detail| WakeError::Model {
            path: model.source.clone(),
            detail,
        })?;
        Ok(model)
    }

    /// The wake word's name as stored in the model.
    pub fn name(&self) -> String {
        WakewordRef::load_from_buffer(&self.bytes)
            .map(|model| model.name)
            .unwrap_or_default()
    }

    /// Where it came from.
    pub fn source(&self) -> &Path {
        &self.source
    }

    /// The model's bytes (a rustpotter `.rpw` file).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// A rustpotter detector.
pub struct RustpotterDetector {
    engine: Rustpotter,
    frame: usize,
    pending: Vec<i16>,
    /// Samples given so far.
    received: u64,
    /// Samples processed by the engine so far.
    processed: u64,
    /// The best partial detection so far and where it was scored: rustpotter scores a
    /// window that ends at the current frame, so the best-scoring frame marks the end of
    /// the wake word; the detection itself fires some frames later.
    best: Option<(f32, u64)>,
}

impl std::fmt::Debug for RustpotterDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RustpotterDetector")
            .field("frame", &self.frame)
            .finish_non_exhaustive()
    }
}

impl RustpotterDetector {
    /// A detector for `model` with the thresholds of `config`.
    ///
    /// # Errors
    /// rustpotter refuses the configuration or the model.
    pub fn new(model: &WakeModel, config: &WakeConfig) -> Result<RustpotterDetector, WakeError> {
        let mut settings = RustpotterConfig::default();
        settings.fmt.sample_rate = 16_000;
        settings.fmt.sample_format = SampleFormat::I16;
        settings.fmt.channels = 1;
        settings.detector.threshold = config.threshold;
        settings.detector.avg_threshold = config.avg_threshold;
        settings.detector.min_scores = config.min_scores;
        let mut engine = Rustpotter::new(&settings).map_err(WakeError::Engine)?;
        engine
            .add_wakeword_from_buffer("wake", model.bytes())
            .map_err(|detail| WakeError::Model {
                path: model.source.clone(),
                detail,
            })?;
        let frame = engine.get_samples_per_frame();
        Ok(RustpotterDetector {
            engine,
            frame,
            pending: Vec::with_capacity(frame * 2),
            received: 0,
            processed: 0,
            best: None,
        })
    }
}

impl WakeDetector for RustpotterDetector {
    fn process(&mut self, samples: &[i16]) -> Option<WakeHit> {
        self.pending.extend_from_slice(samples);
        self.received += samples.len() as u64;
        let mut hit = None;
        let mut start = 0;
        while self.pending.len() - start >= self.frame {
            let frame = self.pending[start..start + self.frame].to_vec();
            start += self.frame;
            self.processed += self.frame as u64;
            let detection = self.engine.process_samples(frame);
            match self.engine.get_partial_detection() {
                Some(partial) if self.best.is_none_or(|(score, _)| partial.score > score) => {
                    self.best = Some((partial.score, self.processed));
                }
                Some(_) => {}
                None if detection.is_none() => self.best = None,
                None => {}
            }
            if let Some(detection) = detection {
                let end = self.best.take().map_or(self.processed, |(_, at)| at);
                hit = Some(WakeHit {
                    score: detection.score,
                    samples_since_end: (self.received - end) as usize,
                });
                break;
            }
        }
        self.pending.drain(..start);
        hit
    }

    fn reset(&mut self) {
        self.engine.reset();
        self.pending.clear();
        self.best = None;
    }
}

/// Saves a model built by [`super::train`].
pub(crate) fn save(model: &WakewordRef, path: &Path) -> Result<(), WakeError> {
    let bytes = model.save_to_buffer().map_err(WakeError::Engine)?;
    std::fs::write(path, bytes).map_err(|error| WakeError::Model {
        path: path.to_owned(),
        detail: error.to_string(),
    })
}
