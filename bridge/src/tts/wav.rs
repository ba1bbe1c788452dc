//! A small, defensive WAV reader and writer for 16-bit PCM.
//!
//! The reader accepts what engines and servers actually send: chunks in any order after
//! `fmt `, unknown chunks, `WAVE_FORMAT_EXTENSIBLE` headers, several channels (mixed down to
//! mono), and streamed files whose RIFF and `data` sizes are placeholders larger than the
//! file (espeak-ng writes `0x7ffff000` when it writes to a pipe): the data then ends where
//! the bytes end. It never trusts a declared size for an allocation and never panics.

use std::io::Write;
use std::path::Path;

use super::engine::Speech;
use super::error::TtsError;

/// `WAVE_FORMAT_PCM`.
const FORMAT_PCM: u16 = 1;
/// `WAVE_FORMAT_EXTENSIBLE`: the real format is in the sub-format GUID.
const FORMAT_EXTENSIBLE: u16 = 0xFFFE;
/// The size of the header [`encode_wav`] writes.
const HEADER_LEN: usize = 44;

/// Why bytes are not a WAV file this reader understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WavError {
    /// The bytes do not start with a RIFF/WAVE header.
    #[error("not a RIFF/WAVE file")]
    NotWav,
    /// The file ends inside a header or a required chunk.
    #[error("truncated WAV file: {0}")]
    Truncated(&'static str),
    /// A required chunk is missing.
    #[error("WAV file has no `{0}` chunk")]
    MissingChunk(&'static str),
    /// The audio is valid WAV but not a format this reader decodes (only 16-bit PCM is).
    #[error("unsupported WAV format: {0}")]
    Unsupported(String),
    /// The audio is too long to fit in a WAV file (over 4 GiB).
    #[error("audio too long for a WAV file ({0} samples)")]
    TooLong(usize),
}

/// The parts of the `fmt ` chunk the reader needs.
#[derive(Debug, Clone, Copy)]
struct Format {
    channels: u16,
    sample_rate: u32,
}

/// Decodes a 16-bit PCM WAV file held in memory into mono speech.
///
/// Several channels are averaged to mono. A `data` chunk that claims more bytes than the file
/// holds is read up to the last whole frame.
///
/// # Errors
///
/// [`WavError`] when the bytes are not a RIFF/WAVE file, end inside a header, lack the `fmt `
/// or `data` chunk, or hold anything but 16-bit integer PCM.
pub fn decode_wav(bytes: &[u8]) -> Result<Speech, WavError> {
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err(
            if bytes.len() < 12
                && b"RIFF".starts_with(&bytes[..bytes.len().min(4)])
                && !bytes.is_empty()
            {
                WavError::Truncated("RIFF header")
            } else {
                WavError::NotWav
            },
        );
    }
    let mut format: Option<Format> = None;
    let mut offset = 12;
    loop {
        let Some(header) = bytes.get(offset..offset + 8) else {
            return Err(if format.is_some() {
                WavError::MissingChunk("data")
            } else {
                WavError::MissingChunk("fmt ")
            });
        };
        let id = &header[0..4];
        let size = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
        let body_start = offset + 8;
        let available = bytes.len() - body_start;
        match id {
            b"fmt " => {
                if size > available {
                    return Err(WavError::Truncated("fmt chunk"));
                }
                format = Some(parse_format(&bytes[body_start..body_start + size])?);
            }
            b"data" => {
                let Some(format) = format else {
                    return Err(WavError::MissingChunk("fmt "));
                };
                let body = &bytes[body_start..body_start + size.min(available)];
                return Ok(decode_samples(body, format));
            }
            _ => {}
        }
        // Chunks are padded to an even size; a size running past the end ends the walk.
        offset = match body_start
            .checked_add(size)
            .and_then(|end| end.checked_add(size & 1))
        {
            Some(next) if next <= bytes.len() => next,
            _ => {
                return Err(if format.is_some() {
                    WavError::MissingChunk("data")
                } else {
                    WavError::MissingChunk("fmt ")
                });
            }
        };
    }
}

fn parse_format(chunk: &[u8]) -> Result<Format, WavError> {
    if chunk.len() < 16 {
        return Err(WavError::Truncated("fmt chunk shorter than 16 bytes"));
    }
    let u16_at = |at: usize| u16::from_le_bytes([chunk[at], chunk[at + 1]]);
    let tag = u16_at(0);
    let channels = u16_at(2);
    let sample_rate = u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]);
    let block_align = u16_at(12);
    let bits = u16_at(14);
    let pcm = match tag {
        FORMAT_PCM => true,
        // The sub-format GUID starts with the format tag it stands for.
        FORMAT_EXTENSIBLE => chunk.len() >= 26 && u16_at(24) == FORMAT_PCM,
        _ => false,
    };
    if !pcm {
        return Err(WavError::Unsupported(format!(
            "format tag {tag:#06x}, only integer PCM is supported"
        )));
    }
    if bits != 16 {
        return Err(WavError::Unsupported(format!(
            "{bits} bits per sample, only 16 is supported"
        )));
    }
    // Above the protocol's highest rate the reply could not be published: refusing it here
    // lets the chain fall back to its next engine instead of the satellite staying silent.
    if channels == 0 || sample_rate == 0 || sample_rate > hive_topics::TtsAudio::MAX_SAMPLE_RATE {
        return Err(WavError::Unsupported(format!(
            "{channels} channels at {sample_rate} Hz"
        )));
    }
    if u32::from(block_align) != u32::from(channels) * 2 {
        return Err(WavError::Unsupported(format!(
            "block align {block_align} for {channels} 16-bit channels"
        )));
    }
    Ok(Format {
        channels,
        sample_rate,
    })
}

fn decode_samples(body: &[u8], format: Format) -> Speech {
    let channels = usize::from(format.channels);
    let samples = body
        .chunks_exact(channels * 2)
        .map(|frame| {
            let sum: i32 = frame
                .chunks_exact(2)
                .map(|s| i32::from(i16::from_le_bytes([s[0], s[1]])))
                .sum();
            // The mean of i16 values is an i16.
            (sum / channels as i32) as i16
        })
        .collect();
    Speech {
        samples,
        sample_rate: format.sample_rate,
    }
}

/// Encodes speech as a 16-bit PCM mono WAV file.
///
/// # Errors
///
/// [`WavError::TooLong`] if the audio does not fit in a RIFF file.
pub fn encode_wav(speech: &Speech) -> Result<Vec<u8>, WavError> {
    let mut bytes = Vec::with_capacity(HEADER_LEN + speech.samples.len() * 2);
    write_wav(speech, &mut bytes).map_err(|_| WavError::TooLong(speech.samples.len()))?;
    Ok(bytes)
}

/// Writes speech as a 16-bit PCM mono WAV stream.
///
/// # Errors
///
/// The writer's error, or [`std::io::ErrorKind::InvalidInput`] if the audio does not fit in
/// a RIFF file.
pub fn write_wav(speech: &Speech, mut out: impl Write) -> std::io::Result<()> {
    let data_len = speech
        .samples
        .len()
        .checked_mul(2)
        .and_then(|len| u32::try_from(len).ok())
        .filter(|len| *len <= u32::MAX - 36)
        .ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                WavError::TooLong(speech.samples.len()),
            )
        })?;
    let mut header = Vec::with_capacity(HEADER_LEN);
    header.extend_from_slice(b"RIFF");
    header.extend_from_slice(&(36 + data_len).to_le_bytes());
    header.extend_from_slice(b"WAVEfmt ");
    header.extend_from_slice(&16u32.to_le_bytes());
    header.extend_from_slice(&FORMAT_PCM.to_le_bytes());
    header.extend_from_slice(&1u16.to_le_bytes());
    header.extend_from_slice(&speech.sample_rate.to_le_bytes());
    header.extend_from_slice(&speech.sample_rate.saturating_mul(2).to_le_bytes());
    header.extend_from_slice(&2u16.to_le_bytes());
    header.extend_from_slice(&16u16.to_le_bytes());
    header.extend_from_slice(b"data");
    header.extend_from_slice(&data_len.to_le_bytes());
    out.write_all(&header)?;
    let mut data = Vec::with_capacity(data_len as usize);
    for sample in &speech.samples {
        data.extend_from_slice(&sample.to_le_bytes());
    }
    out.write_all(&data)?;
    out.flush()
}

/// Reads a 16-bit PCM WAV file into mono speech.
///
/// # Errors
///
/// [`TtsError::Io`] if the file cannot be read, [`TtsError::Wav`] if it is not such a file.
pub fn read_wav_file(path: &Path) -> Result<Speech, TtsError> {
    let bytes = std::fs::read(path).map_err(|source| TtsError::Io {
        path: path.to_owned(),
        source,
    })?;
    Ok(decode_wav(&bytes)?)
}

/// Writes speech to a 16-bit PCM mono WAV file, replacing it.
///
/// # Errors
///
/// [`TtsError::Io`] if the file cannot be written (or the audio is over 4 GiB).
pub fn write_wav_file(path: &Path, speech: &Speech) -> Result<(), TtsError> {
    let io = |source| TtsError::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::create(path).map_err(io)?;
    write_wav(speech, std::io::BufWriter::new(file)).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn speech() -> Speech {
        Speech {
            samples: vec![0, 1, -1, i16::MAX, i16::MIN, 1234],
            sample_rate: 22_050,
        }
    }

    /// A RIFF file from raw chunks.
    fn riff(chunks: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
        let mut body = b"WAVE".to_vec();
        for (id, data) in chunks {
            body.extend_from_slice(*id);
            body.extend_from_slice(&(data.len() as u32).to_le_bytes());
            body.extend_from_slice(data);
            if data.len() % 2 == 1 {
                body.push(0);
            }
        }
        let mut bytes = b"RIFF".to_vec();
        bytes.extend_from_slice(&(body.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&body);
        bytes
    }

    fn fmt(tag: u16, channels: u16, rate: u32, bits: u16) -> Vec<u8> {
        let align = channels * bits / 8;
        let mut chunk = Vec::new();
        chunk.extend_from_slice(&tag.to_le_bytes());
        chunk.extend_from_slice(&channels.to_le_bytes());
        chunk.extend_from_slice(&rate.to_le_bytes());
        chunk.extend_from_slice(&(rate * u32::from(align)).to_le_bytes());
        chunk.extend_from_slice(&align.to_le_bytes());
        chunk.extend_from_slice(&bits.to_le_bytes());
        chunk
    }

    fn pcm(samples: &[i16]) -> Vec<u8> {
        samples.iter().flat_map(|s| s.to_le_bytes()).collect()
    }

    #[test]
    fn round_trips_through_the_writer() {
        let bytes = encode_wav(&speech()).unwrap();
        assert_eq!(bytes.len(), HEADER_LEN + 12);
        assert_eq!(decode_wav(&bytes).unwrap(), speech());
    }

    #[test]
    fn round_trips_through_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reply.wav");
        write_wav_file(&path, &speech()).unwrap();
        assert_eq!(read_wav_file(&path).unwrap(), speech());
        assert!(matches!(
            read_wav_file(&dir.path().join("missing.wav")),
            Err(TtsError::Io { .. })
        ));
    }

    #[test]
    fn skips_unknown_and_odd_sized_chunks() {
        let bytes = riff(&[
            (b"LIST", vec![1, 2, 3]),
            (b"fmt ", fmt(1, 1, 16_000, 16)),
            (b"data", pcm(&[5, -5])),
        ]);
        assert_eq!(
            decode_wav(&bytes).unwrap(),
            Speech {
                samples: vec![5, -5],
                sample_rate: 16_000
            }
        );
    }

    #[test]
    fn mixes_stereo_down_to_mono() {
        let bytes = riff(&[
            (b"fmt ", fmt(1, 2, 8_000, 16)),
            (b"data", pcm(&[100, 300, -100, -300, 1])),
        ]);
        // The trailing half frame is dropped.
        assert_eq!(
            decode_wav(&bytes).unwrap(),
            Speech {
                samples: vec![200, -200],
                sample_rate: 8_000
            }
        );
    }

    #[test]
    fn accepts_extensible_pcm() {
        let mut chunk = fmt(FORMAT_EXTENSIBLE, 1, 22_050, 16);
        chunk.extend_from_slice(&22u16.to_le_bytes()); // cbSize
        chunk.extend_from_slice(&16u16.to_le_bytes()); // valid bits
        chunk.extend_from_slice(&4u32.to_le_bytes()); // channel mask
        chunk.extend_from_slice(&[
            1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71,
        ]);
        let bytes = riff(&[(b"fmt ", chunk), (b"data", pcm(&[7]))]);
        assert_eq!(decode_wav(&bytes).unwrap().samples, vec![7]);
    }

    #[test]
    fn streamed_placeholder_sizes_read_to_the_end_of_the_bytes() {
        // What `espeak-ng --stdout` writes to a pipe: RIFF and data sizes of 0x7ffff0xx.
        let mut bytes = riff(&[(b"fmt ", fmt(1, 1, 22_050, 16)), (b"data", pcm(&[1, 2, 3]))]);
        bytes[4..8].copy_from_slice(&0x7fff_f024u32.to_le_bytes());
        bytes[40..44].copy_from_slice(&0x7fff_f000u32.to_le_bytes());
        bytes.push(9); // half a sample
        assert_eq!(decode_wav(&bytes).unwrap().samples, vec![1, 2, 3]);
    }

    #[test]
    fn malformed_input_is_an_error_never_a_panic() {
        let good = encode_wav(&speech()).unwrap();
        let huge_fmt = {
            let mut bytes = good.clone();
            bytes[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
            bytes
        };
        let huge_unknown = riff(&[(b"junk", vec![0; 4])])
            .into_iter()
            .enumerate()
            .map(|(i, b)| if (16..20).contains(&i) { 0xff } else { b })
            .collect::<Vec<_>>();
        let cases: Vec<(&str, Vec<u8>, WavError)> = vec![
            ("empty", vec![], WavError::NotWav),
            (
                "text",
                b"hello, this is not audio at all".to_vec(),
                WavError::NotWav,
            ),
            (
                "cut in the RIFF header",
                b"RIF".to_vec(),
                WavError::Truncated("RIFF header"),
            ),
            (
                "RIFF but not WAVE",
                b"RIFF\x04\0\0\0AVI ".to_vec(),
                WavError::NotWav,
            ),
            (
                "no chunks",
                b"RIFF\x04\0\0\0WAVE".to_vec(),
                WavError::MissingChunk("fmt "),
            ),
            (
                "cut in the fmt chunk",
                good[..30].to_vec(),
                WavError::Truncated("fmt chunk"),
            ),
            (
                "cut before data",
                good[..36].to_vec(),
                WavError::MissingChunk("data"),
            ),
            ("huge fmt size", huge_fmt, WavError::Truncated("fmt chunk")),
            (
                "huge unknown chunk",
                huge_unknown,
                WavError::MissingChunk("fmt "),
            ),
            (
                "data before fmt",
                riff(&[(b"data", pcm(&[1])), (b"fmt ", fmt(1, 1, 8_000, 16))]),
                WavError::MissingChunk("fmt "),
            ),
            (
                "short fmt",
                riff(&[(b"fmt ", vec![1, 0, 1, 0]), (b"data", pcm(&[1]))]),
                WavError::Truncated("fmt chunk shorter than 16 bytes"),
            ),
            (
                "float",
                riff(&[(b"fmt ", fmt(3, 1, 8_000, 32)), (b"data", vec![0; 4])]),
                WavError::Unsupported("format tag 0x0003, only integer PCM is supported".into()),
            ),
            (
                "8-bit",
                riff(&[(b"fmt ", fmt(1, 1, 8_000, 8)), (b"data", vec![0; 4])]),
                WavError::Unsupported("8 bits per sample, only 16 is supported".into()),
            ),
            (
                "no channels",
                riff(&[(b"fmt ", fmt(1, 0, 8_000, 16)), (b"data", vec![0; 4])]),
                WavError::Unsupported("0 channels at 8000 Hz".into()),
            ),
            (
                "zero rate",
                riff(&[(b"fmt ", fmt(1, 1, 0, 16)), (b"data", vec![0; 4])]),
                WavError::Unsupported("1 channels at 0 Hz".into()),
            ),
        ];
        for (name, bytes, expected) in cases {
            assert_eq!(decode_wav(&bytes), Err(expected), "{name}");
        }
        // Every prefix of a valid file either decodes or errors.
        for len in 0..good.len() {
            let _ = decode_wav(&good[..len]);
        }
    }

    #[test]
    fn writes_a_standard_header() {
        let bytes = encode_wav(&Speech {
            samples: vec![1],
            sample_rate: 16_000,
        })
        .unwrap();
        assert_eq!(&bytes[0..4], b"RIFF");
        assert_eq!(u32::from_le_bytes(bytes[4..8].try_into().unwrap()), 38);
        assert_eq!(&bytes[8..16], b"WAVEfmt ");
        assert_eq!(
            u32::from_le_bytes(bytes[28..32].try_into().unwrap()),
            32_000
        );
        assert_eq!(u32::from_le_bytes(bytes[40..44].try_into().unwrap()), 2);
    }
}
