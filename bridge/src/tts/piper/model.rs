//! The Piper voice model in an ONNX Runtime session, loaded once and reused.

use std::path::Path;
use std::sync::Mutex;

use ort::environment::Environment;
use ort::logging::LogLevel;
use ort::session::{Session, SessionInputValue};
use ort::value::Tensor;

/// The model's inputs: phoneme ids `[1, n]`, their count `[1]`, and the scales
/// (noise, length, noise width) `[3]`; multi-speaker voices also take `sid` `[1]`.
const REQUIRED_INPUTS: [&str; 3] = ["input", "input_lengths", "scales"];

/// A loaded Piper model.
pub(crate) struct PiperModel {
    /// `Session::run` needs `&mut`: one sentence is synthesised at a time per voice, which
    /// is what one CPU-bound model can usefully do anyway.
    session: Mutex<Session>,
    has_speaker_input: bool,
}

/// What the model needs besides the phoneme ids.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Scales {
    pub(crate) noise: f32,
    pub(crate) length: f32,
    pub(crate) noise_w: f32,
}

impl PiperModel {
    /// Loads the model and checks it has Piper's inputs.
    pub(crate) fn load(path: &Path, environment: &Environment) -> Result<Self, String> {
        let failed =
            |error: ort::Error| format!("cannot load the Piper voice {}: {error}", path.display());
        let session = Session::builder(environment)
            .map_err(failed)?
            // With `tracing`, ONNX Runtime hands every verbose message of every run to the
            // subscriber, which drops them only after they were formatted.
            .with_log_level(LogLevel::Warning)
            .map_err(|error| failed(error.into()))?
            .commit_from_file(path)
            .map_err(failed)?;
        let names: Vec<&str> = session.inputs().iter().map(|input| input.name()).collect();
        if let Some(missing) = REQUIRED_INPUTS.iter().find(|name| !names.contains(name)) {
            return Err(format!(
                "{} is not a Piper voice: it has no `{missing}` input (inputs: {})",
                path.display(),
                names.join(", ")
            ));
        }
        let has_speaker_input = names.contains(&"sid");
        Ok(PiperModel {
            session: Mutex::new(session),
            has_speaker_input,
        })
    }

    /// Whether the model takes a speaker id.
    pub(crate) fn has_speaker_input(&self) -> bool {
        self.has_speaker_input
    }

    /// Runs the model on one sentence's phoneme ids; returns audio in `-1..1`.
    pub(crate) fn infer(
        &self,
        ids: &[i64],
        scales: Scales,
        speaker: Option<i64>,
    ) -> Result<Vec<f32>, String> {
        let onnx = |error: ort::Error| format!("ONNX Runtime: {error}");
        let length = i64::try_from(ids.len()).map_err(|_| "too many phonemes".to_owned())?;
        let mut inputs: Vec<(&str, SessionInputValue<'_>)> = vec![
            (
                "input",
                Tensor::from_array(([1usize, ids.len()], ids.to_vec()))
                    .map_err(onnx)?
                    .into(),
            ),
            (
                "input_lengths",
                Tensor::from_array(([1usize], vec![length]))
                    .map_err(onnx)?
                    .into(),
            ),
            (
                "scales",
                Tensor::from_array(([3usize], vec![scales.noise, scales.length, scales.noise_w]))
                    .map_err(onnx)?
                    .into(),
            ),
        ];
        if self.has_speaker_input {
            inputs.push((
                "sid",
                Tensor::from_array(([1usize], vec![speaker.unwrap_or(0)]))
                    .map_err(onnx)?
                    .into(),
            ));
        }
        let mut session = self
            .session
            .lock()
            .map_err(|_| "the Piper session is unusable after an earlier failure".to_owned())?;
        let outputs = session.run(inputs).map_err(onnx)?;
        let audio = outputs
            .values()
            .next()
            .ok_or("the model returned no output")?;
        let (_, samples) = audio.try_extract_tensor::<f32>().map_err(onnx)?;
        Ok(samples.to_vec())
    }
}

/// Converts model audio in `-1..1` to 16-bit samples, clipping what is outside.
pub(crate) fn to_pcm16(audio: &[f32]) -> Vec<i16> {
    audio
        .iter()
        .map(|&sample| {
            let scaled = if sample.is_finite() {
                sample * 32767.0
            } else {
                0.0
            };
            // In range after the clamp, so the cast is exact.
            scaled.round().clamp(-32768.0, 32767.0) as i16
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_to_pcm16_with_clipping() {
        assert_eq!(
            to_pcm16(&[0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -2.0, f32::NAN]),
            [0, 16384, -16384, 32767, -32767, 32767, -32768, 0]
        );
    }
}
