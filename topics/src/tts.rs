//! `{p}/satellite/{id}/tts`: synthesised speech for one sentence of a reply, binary.
//!
//! Header (16 bytes, integers big-endian), then the audio:
//!
//! | bytes | field       | meaning                                                    |
//! |-------|-------------|------------------------------------------------------------|
//! | 0–3   | magic       | `HTS1`                                                     |
//! | 4–7   | session     | u32, the turn's session                                    |
//! | 8–9   | index       | u16, the sentence's index (same as the reply chunk's)      |
//! | 10    | flags       | bit 0: final sentence; bit 1: audio is a WAV file          |
//! | 11    | reserved    | 0; ignored on receipt                                      |
//! | 12–15 | sample_rate | u32 Hz, 1–192000                                           |
//! | 16–   | audio       | raw s16le mono PCM, or a whole WAV file when bit 1 is set  |
//!
//! Flag bits 2–7 are reserved: senders write 0, receivers ignore them, so later versions can
//! add flags without breaking v1 satellites.

use crate::audio::{check_pcm, pcm_samples, samples_to_pcm};
use crate::codec;
use crate::error::ParseError;
use crate::id::SatelliteId;
use crate::outbound::{Outbound, QoS};
use crate::tree::Topics;

/// Message kind of [`TtsAudio`].
pub(crate) const KIND: &str = "tts";

const FLAG_FINAL: u8 = 0b01;
const FLAG_WAV: u8 = 0b10;

/// The audio of a TTS message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AudioPayload {
    /// Raw s16le mono PCM at the header's sample rate. May be empty (e.g. a final marker
    /// for a sentence that produced no audio).
    Pcm(Vec<u8>),
    /// A complete WAV file (`RIFF`…`WAVE`), for engines that only produce files.
    Wav(Vec<u8>),
}

impl AudioPayload {
    /// The raw bytes, PCM or WAV.
    pub fn bytes(&self) -> &[u8] {
        match self {
            Self::Pcm(bytes) | Self::Wav(bytes) => bytes,
        }
    }

    /// PCM samples, or `None` for a WAV file.
    pub fn samples(&self) -> Option<impl Iterator<Item = i16> + '_> {
        match self {
            Self::Pcm(pcm) => Some(pcm_samples(pcm)),
            Self::Wav(_) => None,
        }
    }
}

/// Speech for one sentence of a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TtsAudio {
    /// The turn's session.
    pub session: u32,
    /// The sentence's index, matching [`ReplyChunk::index`](crate::ReplyChunk::index).
    pub index: u16,
    /// Whether this is the reply's last sentence: play it, then return to idle.
    pub is_final: bool,
    /// Sample rate of the audio in Hz (for WAV, the file's own rate).
    pub sample_rate: u32,
    /// The audio.
    pub audio: AudioPayload,
}

impl TtsAudio {
    /// Length of the binary header.
    pub const HEADER_LEN: usize = 16;
    /// First four bytes of every TTS message.
    pub const MAGIC: [u8; 4] = *b"HTS1";
    /// Highest sample rate accepted.
    pub const MAX_SAMPLE_RATE: u32 = 192_000;

    /// Raw PCM speech from `samples`.
    pub fn from_samples(
        session: u32,
        index: u16,
        is_final: bool,
        sample_rate: u32,
        samples: &[i16],
    ) -> Self {
        Self {
            session,
            index,
            is_final,
            sample_rate,
            audio: AudioPayload::Pcm(samples_to_pcm(samples)),
        }
    }

    fn to_payload(&self) -> Vec<u8> {
        let audio = self.audio.bytes();
        let mut flags = 0;
        if self.is_final {
            flags |= FLAG_FINAL;
        }
        if matches!(self.audio, AudioPayload::Wav(_)) {
            flags |= FLAG_WAV;
        }
        let mut payload = Vec::with_capacity(Self::HEADER_LEN.saturating_add(audio.len()));
        payload.extend_from_slice(&Self::MAGIC);
        payload.extend_from_slice(&self.session.to_be_bytes());
        payload.extend_from_slice(&self.index.to_be_bytes());
        payload.push(flags);
        payload.push(0);
        payload.extend_from_slice(&self.sample_rate.to_be_bytes());
        payload.extend_from_slice(audio);
        payload
    }

    pub(crate) fn decode(payload: &[u8]) -> Result<Self, ParseError> {
        let bad = |reason: String| ParseError::BadBinary { kind: KIND, reason };
        let Some((header, audio)) = payload.split_first_chunk::<{ TtsAudio::HEADER_LEN }>() else {
            return Err(bad(format!(
                "truncated header: {} of {} bytes",
                payload.len(),
                Self::HEADER_LEN
            )));
        };
        let [
            m0,
            m1,
            m2,
            m3,
            s0,
            s1,
            s2,
            s3,
            i0,
            i1,
            flags,
            _reserved,
            r0,
            r1,
            r2,
            r3,
        ] = *header;
        if [m0, m1, m2, m3] != Self::MAGIC {
            return Err(bad(format!(
                "bad magic {:?}, expected \"HTS1\"",
                [m0, m1, m2, m3].escape_ascii().to_string()
            )));
        }
        let session = u32::from_be_bytes([s0, s1, s2, s3]);
        let index = u16::from_be_bytes([i0, i1]);
        let sample_rate = u32::from_be_bytes([r0, r1, r2, r3]);
        codec::check_session(KIND, session)?;
        if sample_rate == 0 || sample_rate > Self::MAX_SAMPLE_RATE {
            return Err(codec::invalid(
                KIND,
                "sample_rate",
                format!("{sample_rate} Hz is outside 1–192000"),
            ));
        }
        let audio = if flags & FLAG_WAV == 0 {
            check_pcm(KIND, audio, true)?;
            AudioPayload::Pcm(audio.to_vec())
        } else {
            let is_wav = matches!(
                audio,
                [
                    b'R',
                    b'I',
                    b'F',
                    b'F',
                    _,
                    _,
                    _,
                    _,
                    b'W',
                    b'A',
                    b'V',
                    b'E',
                    ..
                ]
            );
            if !is_wav {
                return Err(bad(
                    "WAV flag set but the audio does not start with a RIFF/WAVE header".into(),
                ));
            }
            AudioPayload::Wav(audio.to_vec())
        };
        Ok(Self {
            session,
            index,
            is_final: flags & FLAG_FINAL != 0,
            sample_rate,
            audio,
        })
    }
}

impl Topics {
    /// Builds `{p}/satellite/{id}/tts`: binary, QoS 1, not retained.
    pub fn encode_tts(&self, satellite: &SatelliteId, audio: &TtsAudio) -> Outbound {
        Outbound::new(
            self.tts(satellite),
            audio.to_payload(),
            QoS::AtLeastOnce,
            false,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{assert_rejected, assert_round_trip, sat};
    use crate::{Inbound, Limits};

    fn wav() -> Vec<u8> {
        let mut file = b"RIFF\x24\x00\x00\x00WAVEfmt ".to_vec();
        file.extend_from_slice(&[0; 32]);
        file
    }

    fn header(magic: &[u8; 4], session: u32, flags: u8, rate: u32) -> Vec<u8> {
        [
            &magic[..],
            &session.to_be_bytes(),
            &[0, 3, flags, 0],
            &rate.to_be_bytes(),
        ]
        .concat()
    }

    #[test]
    fn tts_audio_round_trips() {
        let audios = [
            TtsAudio::from_samples(5, 0, false, 22_050, &[0, 100, -100, i16::MIN]),
            TtsAudio::from_samples(5, u16::MAX, true, 16_000, &[]),
            TtsAudio {
                session: 5,
                index: 2,
                is_final: true,
                sample_rate: 24_000,
                audio: AudioPayload::Wav(wav()),
            },
            TtsAudio::from_samples(u32::MAX, 1, false, TtsAudio::MAX_SAMPLE_RATE, &[1; 4000]),
        ];
        for audio in audios {
            assert_round_trip(&Inbound::Tts {
                satellite: sat("kitchen"),
                audio,
            });
        }
    }

    #[test]
    fn header_layout_is_as_documented() {
        let audio = TtsAudio::from_samples(0x0A0B_0C0D, 0x0102, true, 22_050, &[1]);
        let out = Topics::default().encode_tts(&sat("kitchen"), &audio);
        let mut expected = b"HTS1".to_vec();
        expected.extend_from_slice(&[
            0x0A, 0x0B, 0x0C, 0x0D, 0x01, 0x02, 0b01, 0, 0, 0, 0x56, 0x22, 1, 0,
        ]);
        assert_eq!(out.payload, expected);
        assert_eq!((out.qos, out.retain), (QoS::AtLeastOnce, false));
        assert_eq!(
            audio.audio.samples().map(Iterator::collect::<Vec<_>>),
            Some(vec![1])
        );
    }

    #[test]
    fn reserved_header_bits_are_ignored() {
        let mut payload = header(b"HTS1", 1, 0b1111_1101, 16_000);
        payload[11] = 0xff;
        payload.extend_from_slice(&[1, 0]);
        let Ok(Inbound::Tts { audio, .. }) =
            Topics::default().parse("hive/satellite/kitchen/tts", &payload)
        else {
            panic!("reserved bits must not be an error");
        };
        assert!(audio.is_final);
        assert_eq!(audio.audio, AudioPayload::Pcm(vec![1, 0]));
    }

    #[test]
    fn malformed_tts_audio_is_rejected() {
        let odd = [header(b"HTS1", 1, 0, 16_000), vec![1, 2, 3]].concat();
        let not_wav = [header(b"HTS1", 1, FLAG_WAV, 16_000), vec![0; 20]].concat();
        let short_wav = [header(b"HTS1", 1, FLAG_WAV, 16_000), b"RIFF".to_vec()].concat();
        let oversized = [
            header(b"HTS1", 1, 0, 16_000),
            vec![0; Limits::DEFAULT_MAX_TTS_AUDIO],
        ]
        .concat();
        assert_rejected(
            "hive/satellite/kitchen/tts",
            &[
                ("empty", b"", "malformed_binary"),
                (
                    "truncated header",
                    &header(b"HTS1", 1, 0, 16_000)[..15],
                    "malformed_binary",
                ),
                (
                    "bad magic",
                    &header(b"HTS2", 1, 0, 16_000),
                    "malformed_binary",
                ),
                (
                    "json instead",
                    br#"{"session":1,"index":0,"text":"hello"}"#,
                    "malformed_binary",
                ),
                ("odd pcm", &odd, "malformed_binary"),
                ("wav flag without wav", &not_wav, "malformed_binary"),
                ("wav cut short", &short_wav, "malformed_binary"),
                ("rate zero", &header(b"HTS1", 1, 0, 0), "invalid_field"),
                (
                    "rate too high",
                    &header(b"HTS1", 1, 0, 192_001),
                    "invalid_field",
                ),
                (
                    "session zero",
                    &header(b"HTS1", 0, 0, 16_000),
                    "invalid_field",
                ),
                ("oversized", &oversized, "payload_too_large"),
            ],
        );
    }
}
