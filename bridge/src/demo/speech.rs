//! Turning synthesised speech into what a satellite streams: 16 kHz mono, with the pauses
//! a person leaves around a question.

use std::time::Duration;

use crate::tts::Speech;
use crate::vad::{ResampleError, resample};

/// Resamples `speech` to the protocol's 16 kHz.
///
/// # Errors
/// The sample rate is unusable.
pub fn to_protocol_audio(speech: &Speech) -> Result<Vec<i16>, ResampleError> {
    let floats: Vec<f32> = speech
        .samples
        .iter()
        .map(|&sample| f32::from(sample) / 32_768.0)
        .collect();
    let resampled = resample(&floats, speech.sample_rate, 16_000)?;
    Ok(resampled
        .iter()
        .map(|&sample| (sample * 32_767.0).clamp(-32_768.0, 32_767.0) as i16)
        .collect())
}

/// `before` of silence, the speech, `after` of silence: the endpointer needs the trailing
/// silence to decide that the question is over.
pub fn with_pauses(pcm: &[i16], before: Duration, after: Duration) -> Vec<i16> {
    let samples = |duration: Duration| (duration.as_secs_f64() * 16_000.0) as usize;
    let mut out = vec![0; samples(before)];
    out.extend_from_slice(pcm);
    out.resize(out.len() + samples(after), 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_surround_the_speech() {
        let out = with_pauses(&[5, 5], Duration::from_millis(1), Duration::from_millis(2));
        assert_eq!(out.len(), 16 + 2 + 32);
        assert_eq!(&out[16..18], &[5, 5]);
    }

    #[test]
    fn speech_is_resampled_to_16k() {
        let speech = Speech {
            samples: vec![1000; 22_050],
            sample_rate: 22_050,
        };
        let out = to_protocol_audio(&speech).unwrap();
        assert!((15_900..=16_100).contains(&out.len()), "{}", out.len());
    }
}
