//! WAV reading and writing through `hound`: any rate, mono or several channels, 8/16/24/32-bit
//! integer or float in; 16-bit mono out.

use std::io::Cursor;
use std::path::Path;

use super::error::AudioError;

/// Mono 16-bit samples at a rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pcm {
    /// The samples.
    pub samples: Vec<i16>,
    /// Their rate in Hz.
    pub sample_rate: u32,
}

fn wav_error(what: &str, error: impl std::fmt::Display) -> AudioError {
    AudioError::Wav {
        what: what.to_owned(),
        detail: error.to_string(),
    }
}

/// Decodes a WAV file's bytes, mixing channels down to mono.
///
/// # Errors
/// Not a WAV file, or an unsupported sample format.
pub fn decode_wav(bytes: &[u8], what: &str) -> Result<Pcm, AudioError> {
    let repaired = repair_streamed(bytes);
    let bytes = repaired.as_deref().unwrap_or(bytes);
    let reader =
        hound::WavReader::new(Cursor::new(bytes)).map_err(|error| wav_error(what, error))?;
    read_reader(reader, what)
}

/// A WAV written to a pipe (`espeak-ng --stdout`) cannot know its length and says
/// 0x7fffffff or 0: sets the RIFF and last `data` sizes to what is really there. `None`
/// when the sizes are already right or it is no WAV.
fn repair_streamed(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.len() < 12 || &bytes[..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return None;
    }
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let size = u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]])
            as usize;
        let body = at + 8;
        if &bytes[at..at + 4] == b"data" {
            let real = bytes.len() - body;
            let real = real - real % 2;
            if size == real
                && u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize
                    == body + real - 8
            {
                return None;
            }
            let mut fixed = bytes[..body + real].to_vec();
            fixed[at + 4..at + 8].copy_from_slice(&(real as u32).to_le_bytes());
            let riff = (fixed.len() - 8) as u32;
            fixed[4..8].copy_from_slice(&riff.to_le_bytes());
            return Some(fixed);
        }
        at = body.checked_add(size + size % 2)?;
    }
    None
}

/// Reads a WAV file, mixing channels down to mono.
///
/// # Errors
/// The file cannot be read or is not a usable WAV file.
pub fn read_wav(path: &Path) -> Result<Pcm, AudioError> {
    let what = path.display().to_string();
    let reader = hound::WavReader::open(path).map_err(|error| match error {
        hound::Error::IoError(source) => AudioError::Io {
            path: path.to_owned(),
            source,
        },
        other => wav_error(&what, other),
    })?;
    read_reader(reader, &what)
}

fn read_reader<R: std::io::Read>(
    mut reader: hound::WavReader<R>,
    what: &str,
) -> Result<Pcm, AudioError> {
    let spec = reader.spec();
    if spec.channels == 0 || spec.sample_rate == 0 {
        return Err(wav_error(what, "no channels or a zero sample rate"));
    }
    let channels = usize::from(spec.channels);
    let samples = match spec.sample_format {
        hound::SampleFormat::Float => {
            let floats: Vec<f32> = reader
                .samples::<f32>()
                .collect::<Result<_, _>>()
                .map_err(|error| wav_error(what, error))?;
            floats
                .chunks_exact(channels)
                .map(|frame| to_i16(frame.iter().sum::<f32>() / channels as f32))
                .collect()
        }
        // Integers are shifted to 16 bits, not scaled through a float: the bridge's 16-bit
        // replies then play sample for sample (through `f32`, 32767 came out as 32766).
        hound::SampleFormat::Int => {
            let bits = i32::from(spec.bits_per_sample.clamp(1, 32));
            let to_16 = |value: i32| {
                if bits > 16 {
                    i64::from(value >> (bits - 16))
                } else {
                    i64::from(value) << (16 - bits)
                }
            };
            let values: Vec<i64> = reader
                .samples::<i32>()
                .map(|sample| sample.map(to_16))
                .collect::<Result<_, _>>()
                .map_err(|error| wav_error(what, error))?;
            values
                .chunks_exact(channels)
                .map(|frame| {
                    let mean = frame.iter().sum::<i64>() / channels as i64;
                    mean.clamp(i64::from(i16::MIN), i64::from(i16::MAX)) as i16
                })
                .collect()
        }
    };
    Ok(Pcm {
        samples,
        sample_rate: spec.sample_rate,
    })
}

/// A float in -1..1 to a 16-bit sample, clipped.
pub(crate) fn to_i16(value: f32) -> i16 {
    (value * 32_767.0).round().clamp(-32_768.0, 32_767.0) as i16
}

fn spec(sample_rate: u32) -> hound::WavSpec {
    hound::WavSpec {
        channels: 1,
        sample_rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    }
}

/// Encodes mono 16-bit samples as a WAV file.
pub fn encode_wav(samples: &[i16], sample_rate: u32) -> Vec<u8> {
    let mut bytes = Cursor::new(Vec::with_capacity(44 + samples.len() * 2));
    // Writing to memory cannot fail for I/O reasons, and the spec is valid.
    if let Ok(mut writer) = hound::WavWriter::new(&mut bytes, spec(sample_rate)) {
        for &sample in samples {
            let _ = writer.write_sample(sample);
        }
        let _ = writer.finalize();
    }
    bytes.into_inner()
}

/// Writes mono 16-bit samples to a WAV file, atomically (a temporary file renamed into
/// place), so a reader never sees half a file.
///
/// # Errors
/// The file cannot be written.
pub fn write_wav(path: &Path, samples: &[i16], sample_rate: u32) -> Result<(), AudioError> {
    let io = |source| AudioError::Io {
        path: path.to_owned(),
        source,
    };
    let temporary = path.with_extension("wav.part");
    std::fs::write(&temporary, encode_wav(samples, sample_rate)).map_err(io)?;
    std::fs::rename(&temporary, path).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: full-scale samples came back one step smaller through `f32`.
    #[test]
    fn samples_survive_a_round_trip() {
        let samples: Vec<i16> = (0..1000)
            .map(|n| (n * 37 % 2000 - 1000) as i16)
            .chain([i16::MAX, i16::MIN])
            .collect();
        let pcm = decode_wav(&encode_wav(&samples, 22_050), "test").unwrap();
        assert_eq!(pcm.sample_rate, 22_050);
        assert_eq!(pcm.samples, samples);
    }

    #[test]
    fn stereo_and_float_files_are_mixed_to_mono() {
        let mut bytes = Cursor::new(Vec::new());
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 8000,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        };
        let mut writer = hound::WavWriter::new(&mut bytes, spec).unwrap();
        for (left, right) in [(0.5_f32, -0.5_f32), (1.0, 0.0), (-1.0, -1.0)] {
            writer.write_sample(left).unwrap();
            writer.write_sample(right).unwrap();
        }
        writer.finalize().unwrap();
        let pcm = decode_wav(bytes.get_ref(), "stereo").unwrap();
        assert_eq!(pcm.samples, [0, 16_384, -32_767]);
    }

    #[test]
    fn a_wav_streamed_to_a_pipe_is_read_whole() {
        let mut bytes = encode_wav(&[1, 2, 3, 4], 22_050);
        let data = bytes.len() - 8;
        bytes[data - 4..data].copy_from_slice(&0x7fff_ffff_u32.to_le_bytes());
        bytes[40..44].copy_from_slice(&0x7fff_ffff_u32.to_le_bytes());
        bytes[4..8].copy_from_slice(&0x7fff_ffff_u32.to_le_bytes());
        assert_eq!(decode_wav(&bytes, "pipe").unwrap().samples, [1, 2, 3, 4]);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode_wav(b"RIFF....WAVEfmt nonsense", "garbage").is_err());
        assert!(decode_wav(&[], "empty").is_err());
    }

    #[test]
    fn files_are_written_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.wav");
        write_wav(&path, &[1, 2, 3], 16_000).unwrap();
        assert_eq!(read_wav(&path).unwrap().samples, [1, 2, 3]);
        assert!(!dir.path().join("a.wav.part").exists());
    }
}
