//! Sound in and out: WAV files, resampling to 16 kHz, the end-of-speech detector, the alarm
//! tone, the input sources (WAV, stdin, microphone) and the outputs (WAV files, speaker).

mod error;
#[cfg(test)]
mod fuzz_corpus;
mod input;
#[cfg(feature = "audio")]
mod microphone;
mod output;
mod resample;
#[cfg(feature = "audio")]
mod speaker;
mod tone;
mod vad;
mod wav;

pub use error::AudioError;
pub use input::{
    AudioInput, ClipSender, FrameSink, InputHandle, QueueInput, StdinInput, WavInput, open_input,
};
pub use output::{AudioOutput, NullOutput, WavDirOutput, open_output};
pub use resample::Resampler;
pub use tone::alarm;
pub use vad::{EndOfSpeech, Endpointer, rms_dbfs};
pub use wav::{Pcm, decode_wav, encode_wav, read_wav, write_wav};

/// The rate of everything the satellite hears and streams: the protocol's 16 kHz.
pub const RATE: u32 = 16_000;
