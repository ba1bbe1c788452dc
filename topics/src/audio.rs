//! The microphone stream of one session: `audio/start`, then binary `audio/chunk`s, then
//! `audio/end`.
//!
//! Audio flows only between wake and end of speech, as raw 16 kHz mono s16le PCM behind an
//! 8-byte header: 32 kB/s per talking satellite and nothing from idle ones, so one broker
//! carries hundreds of satellites. No per-chunk WAV header, no JSON, no base64.

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

use crate::codec;
use crate::error::ParseError;
use crate::id::SatelliteId;
use crate::outbound::{Outbound, QoS};
use crate::tree::Topics;

/// Message kind of [`AudioStart`].
pub(crate) const START_KIND: &str = "audio_start";
/// Message kind of [`AudioChunk`].
pub(crate) const CHUNK_KIND: &str = "audio_chunk";
/// Message kind of [`AudioEnd`].
pub(crate) const END_KIND: &str = "audio_end";

/// Sample encoding. Protocol v1 knows only one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Encoding {
    /// Signed 16-bit little-endian PCM (`"s16le"`).
    #[default]
    #[serde(rename = "s16le")]
    S16le,
}

/// The format of a session's audio chunks. v1 allows only the [default](Self::V1):
/// s16le, 16000 Hz, mono.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct AudioFormat {
    /// Sample encoding.
    pub encoding: Encoding,
    /// Samples per second; must be 16000.
    pub sample_rate: u32,
    /// Channel count; must be 1.
    pub channels: u16,
}

impl AudioFormat {
    /// The only format of protocol v1: s16le, 16 kHz, mono.
    pub const V1: Self = Self {
        encoding: Encoding::S16le,
        sample_rate: 16_000,
        channels: 1,
    };
}

impl Default for AudioFormat {
    fn default() -> Self {
        Self::V1
    }
}

/// Audio of session `session` begins; chunks follow on `audio/chunk`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudioStart {
    /// The session opened by [`Wake`](crate::Wake).
    pub session: u32,
    /// Format of the chunks; defaults to [`AudioFormat::V1`] when absent.
    #[serde(default)]
    pub format: AudioFormat,
}

/// One binary chunk of microphone audio.
///
/// Wire format: `session` (u32 big-endian), `seq` (u32 big-endian), then raw PCM in the
/// session's format (s16le mono 16 kHz). Publish 20–100 ms per chunk (640–3200 bytes) with
/// QoS 0, never retained; a lost chunk shows as a gap in `seq`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioChunk {
    /// The session this audio belongs to.
    pub session: u32,
    /// Position in the session's stream, starting at 0.
    pub seq: u32,
    /// Raw s16le PCM bytes: even, non-empty length.
    pub pcm: Vec<u8>,
}

impl AudioChunk {
    /// Length of the binary header: session and seq.
    pub const HEADER_LEN: usize = 8;
    /// Bytes of v1 audio per millisecond (16 000 samples/s × 2 bytes).
    pub const BYTES_PER_MS: usize = 32;
    /// Recommended chunk duration in milliseconds: long enough to keep per-message overhead
    /// small, short enough to keep the endpointer responsive.
    pub const RECOMMENDED_MS: RangeInclusive<u32> = 20..=100;

    /// A chunk holding `samples`, encoded as s16le.
    pub fn from_samples(session: u32, seq: u32, samples: &[i16]) -> Self {
        Self {
            session,
            seq,
            pcm: samples_to_pcm(samples),
        }
    }

    /// The samples, decoded from s16le.
    pub fn samples(&self) -> impl Iterator<Item = i16> + '_ {
        pcm_samples(&self.pcm)
    }

    /// The samples, collected.
    pub fn to_samples(&self) -> Vec<i16> {
        self.samples().collect()
    }

    /// Duration of the chunk at v1's 16 kHz, in whole milliseconds.
    pub fn duration_ms(&self) -> u32 {
        u32::try_from(self.pcm.len() / Self::BYTES_PER_MS).unwrap_or(u32::MAX)
    }

    fn to_payload(&self) -> Vec<u8> {
        let mut payload = Vec::with_capacity(Self::HEADER_LEN.saturating_add(self.pcm.len()));
        payload.extend_from_slice(&self.session.to_be_bytes());
        payload.extend_from_slice(&self.seq.to_be_bytes());
        payload.extend_from_slice(&self.pcm);
        payload
    }

    pub(crate) fn decode(payload: &[u8]) -> Result<Self, ParseError> {
        let kind = CHUNK_KIND;
        let Some((header, pcm)) = payload.split_first_chunk::<{ AudioChunk::HEADER_LEN }>() else {
            let reason = format!(
                "truncated header: {} of {} bytes",
                payload.len(),
                Self::HEADER_LEN
            );
            return Err(ParseError::BadBinary { kind, reason });
        };
        let [s0, s1, s2, s3, q0, q1, q2, q3] = *header;
        let session = u32::from_be_bytes([s0, s1, s2, s3]);
        let seq = u32::from_be_bytes([q0, q1, q2, q3]);
        codec::check_session(kind, session)?;
        check_pcm(kind, pcm, false)?;
        Ok(Self {
            session,
            seq,
            pcm: pcm.to_vec(),
        })
    }
}

/// Why a session's audio stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The satellite's endpointer heard the end of speech.
    SpeechEnded,
    /// The longest allowed utterance was reached.
    Timeout,
    /// The user cancelled (button, wake word again…).
    Cancelled,
    /// The bridge asked it to stop (a `control` `stop` or `cancel`, or its own endpointer).
    StoppedByBridge,
    /// The microphone or the satellite failed.
    Error,
}

/// Audio of session `session` ends; no more chunks follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudioEnd {
    /// The session whose audio ends.
    pub session: u32,
    /// Why it ends.
    pub reason: EndReason,
    /// `seq` of the last chunk sent, so the bridge knows whether the tail was lost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seq: Option<u32>,
}

impl Topics {
    /// Builds `{p}/satellite/{id}/audio/start`: QoS 1, not retained.
    pub fn encode_audio_start(&self, satellite: &SatelliteId, start: &AudioStart) -> Outbound {
        Outbound::json(self.audio_start(satellite), start, QoS::AtLeastOnce)
    }

    /// Builds `{p}/satellite/{id}/audio/chunk`: binary, QoS 0, never retained.
    pub fn encode_audio_chunk(&self, satellite: &SatelliteId, chunk: &AudioChunk) -> Outbound {
        Outbound::new(
            self.audio_chunk(satellite),
            chunk.to_payload(),
            QoS::AtMostOnce,
            false,
        )
    }

    /// Builds `{p}/satellite/{id}/audio/end`: QoS 1, not retained.
    pub fn encode_audio_end(&self, satellite: &SatelliteId, end: &AudioEnd) -> Outbound {
        Outbound::json(self.audio_end(satellite), end, QoS::AtLeastOnce)
    }
}

impl AudioStart {
    pub(crate) fn decode(payload: &[u8]) -> Result<Self, ParseError> {
        let start: Self = codec::decode_json(START_KIND, payload)?;
        codec::check_session(START_KIND, start.session)?;
        let v1 = AudioFormat::V1;
        if start.format.sample_rate != v1.sample_rate {
            return Err(codec::invalid(
                START_KIND,
                "format.sample_rate",
                "must be 16000 in protocol v1",
            ));
        }
        if start.format.channels != v1.channels {
            return Err(codec::invalid(
                START_KIND,
                "format.channels",
                "must be 1 in protocol v1",
            ));
        }
        Ok(start)
    }
}

impl AudioEnd {
    pub(crate) fn decode(payload: &[u8]) -> Result<Self, ParseError> {
        let end: Self = codec::decode_json(END_KIND, payload)?;
        codec::check_session(END_KIND, end.session)?;
        Ok(end)
    }
}

/// Encodes samples as s16le bytes.
pub(crate) fn samples_to_pcm(samples: &[i16]) -> Vec<u8> {
    samples
        .iter()
        .flat_map(|sample| sample.to_le_bytes())
        .collect()
}

/// Decodes s16le bytes; a trailing odd byte (rejected by the parser anyway) is ignored.
pub(crate) fn pcm_samples(pcm: &[u8]) -> impl Iterator<Item = i16> + '_ {
    let (pairs, _odd) = pcm.as_chunks::<2>();
    pairs.iter().map(|pair| i16::from_le_bytes(*pair))
}

/// Checks a PCM body: whole 16-bit samples and, unless `allow_empty`, at least one.
pub(crate) fn check_pcm(
    kind: &'static str,
    pcm: &[u8],
    allow_empty: bool,
) -> Result<(), ParseError> {
    if pcm.is_empty() && !allow_empty {
        return Err(ParseError::BadBinary {
            kind,
            reason: "no PCM after the header".into(),
        });
    }
    if !pcm.len().is_multiple_of(2) {
        let reason = format!(
            "odd PCM length {}: s16le needs whole 2-byte samples",
            pcm.len()
        );
        return Err(ParseError::BadBinary { kind, reason });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{assert_rejected, assert_round_trip, sat};
    use crate::{Inbound, Limits};

    #[test]
    fn audio_messages_round_trip() {
        let kitchen = sat("kitchen");
        let messages = [
            Inbound::AudioStart {
                satellite: kitchen.clone(),
                start: AudioStart {
                    session: 9,
                    format: AudioFormat::V1,
                },
            },
            Inbound::AudioChunk {
                satellite: kitchen.clone(),
                chunk: AudioChunk::from_samples(9, 0, &[0, 1, -1, i16::MAX, i16::MIN]),
            },
            Inbound::AudioChunk {
                satellite: kitchen.clone(),
                chunk: AudioChunk::from_samples(u32::MAX, u32::MAX, &[7; 1600]),
            },
            Inbound::AudioEnd {
                satellite: kitchen.clone(),
                end: AudioEnd {
                    session: 9,
                    reason: EndReason::SpeechEnded,
                    last_seq: Some(41),
                },
            },
        ];
        for message in &messages {
            assert_round_trip(message);
        }
        for reason in [
            EndReason::Timeout,
            EndReason::Cancelled,
            EndReason::StoppedByBridge,
            EndReason::Error,
        ] {
            assert_round_trip(&Inbound::AudioEnd {
                satellite: kitchen.clone(),
                end: AudioEnd {
                    session: 9,
                    reason,
                    last_seq: None,
                },
            });
        }
    }

    #[test]
    fn chunk_wire_format_is_big_endian_header_then_little_endian_samples() {
        let chunk = AudioChunk::from_samples(0x0102_0304, 5, &[1, -2]);
        let out = Topics::default().encode_audio_chunk(&sat("kitchen"), &chunk);
        assert_eq!(out.payload, [1, 2, 3, 4, 0, 0, 0, 5, 1, 0, 0xfe, 0xff]);
        assert_eq!((out.qos, out.retain), (QoS::AtMostOnce, false));
        assert_eq!(chunk.to_samples(), [1, -2]);
    }

    #[test]
    fn chunk_duration_follows_the_recommended_sizes() {
        let cases = [(320, 20), (1600, 100), (512, 32), (1, 0)];
        for (samples, ms) in cases {
            assert_eq!(
                AudioChunk::from_samples(1, 0, &vec![0; samples]).duration_ms(),
                ms
            );
        }
        let largest_recommended = AudioChunk::HEADER_LEN + 100 * AudioChunk::BYTES_PER_MS;
        assert!(largest_recommended <= Limits::default().max_audio_chunk);
    }

    #[test]
    fn audio_start_defaults_to_the_v1_format() {
        let parsed = Topics::default()
            .parse("hive/satellite/kitchen/audio/start", br#"{"session":3}"#)
            .unwrap();
        let start = AudioStart {
            session: 3,
            format: AudioFormat::V1,
        };
        assert_eq!(
            parsed,
            Inbound::AudioStart {
                satellite: sat("kitchen"),
                start
            }
        );
    }

    #[test]
    fn malformed_chunks_are_rejected() {
        let mut odd = vec![0, 0, 0, 1, 0, 0, 0, 0];
        odd.extend_from_slice(&[1, 2, 3]);
        let oversized = [vec![0, 0, 0, 1, 0, 0, 0, 0], vec![0; 16 * 1024]].concat();
        assert_rejected(
            "hive/satellite/kitchen/audio/chunk",
            &[
                ("empty", b"", "malformed_binary"),
                ("truncated header", &[0, 0, 0, 1, 0], "malformed_binary"),
                ("header only", &[0, 0, 0, 1, 0, 0, 0, 0], "malformed_binary"),
                ("odd pcm length", &odd, "malformed_binary"),
                (
                    "session zero",
                    &[0, 0, 0, 0, 0, 0, 0, 0, 1, 0],
                    "invalid_field",
                ),
                ("oversized", &oversized, "payload_too_large"),
            ],
        );
    }

    #[test]
    fn malformed_audio_start_and_end_are_rejected() {
        assert_rejected(
            "hive/satellite/kitchen/audio/start",
            &[
                ("no session", br#"{"format":{}}"#, "malformed_json"),
                ("session zero", br#"{"session":0}"#, "invalid_field"),
                (
                    "44.1 kHz",
                    br#"{"session":1,"format":{"sample_rate":44100}}"#,
                    "invalid_field",
                ),
                (
                    "stereo",
                    br#"{"session":1,"format":{"channels":2}}"#,
                    "invalid_field",
                ),
                (
                    "float samples",
                    br#"{"session":1,"format":{"encoding":"f32le"}}"#,
                    "malformed_json",
                ),
                ("binary", &[0, 0, 0, 1], "malformed_json"),
            ],
        );
        assert_rejected(
            "hive/satellite/kitchen/audio/end",
            &[
                (
                    "unknown reason",
                    br#"{"session":1,"reason":"bored"}"#,
                    "malformed_json",
                ),
                ("missing reason", br#"{"session":1}"#, "malformed_json"),
                (
                    "last_seq negative",
                    br#"{"session":1,"reason":"timeout","last_seq":-1}"#,
                    "malformed_json",
                ),
                (
                    "session zero",
                    br#"{"session":0,"reason":"timeout"}"#,
                    "invalid_field",
                ),
            ],
        );
    }
}
