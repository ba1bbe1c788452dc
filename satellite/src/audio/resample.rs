//! A streaming windowed-sinc resampler for mono audio: microphones at 44.1 or 48 kHz, WAV
//! files and TTS audio at any rate, to and from the satellite's rates.
//!
//! Small on purpose (a Pi Zero runs it): coefficients are computed per output sample from a
//! Blackman-windowed sinc whose cut-off sits just below the lower Nyquist frequency.

use std::f64::consts::PI;

/// Zero crossings of the sinc on each side, at the lower of the two rates.
const ZERO_CROSSINGS: f64 = 8.0;
/// The pass band ends this far below the lower Nyquist frequency.
const ROLLOFF: f64 = 0.92;

/// Converts a stream of samples from one rate to another, block by block.
#[derive(Debug, Clone)]
pub struct Resampler {
    /// Input samples per output sample.
    step: f64,
    /// Cut-off as a fraction of the input's Nyquist frequency.
    cutoff: f64,
    /// Taps on each side of the centre.
    half: usize,
    /// Input not yet fully used, with `half` samples of history before `position`.
    buffer: Vec<f32>,
    /// Where the next output sample falls in `buffer`.
    position: f64,
    passthrough: bool,
}

impl Resampler {
    /// A resampler from `from_hz` to `to_hz`; both must be positive (zero is treated as
    /// equal rates, i.e. no conversion).
    pub fn new(from_hz: u32, to_hz: u32) -> Resampler {
        let passthrough = from_hz == to_hz || from_hz == 0 || to_hz == 0;
        let (from, to) = (f64::from(from_hz.max(1)), f64::from(to_hz.max(1)));
        let cutoff = ROLLOFF * (to / from).min(1.0);
        let half = (ZERO_CROSSINGS / cutoff).ceil() as usize;
        Resampler {
            step: from / to,
            cutoff,
            half,
            buffer: vec![0.0; half],
            position: half as f64,
            passthrough,
        }
    }

    /// Converts the next block; output lags the input by a few milliseconds (the filter's
    /// half length), which [`Resampler::flush`] releases at the end.
    pub fn process(&mut self, input: &[i16]) -> Vec<i16> {
        if self.passthrough {
            return input.to_vec();
        }
        self.buffer
            .extend(input.iter().map(|&sample| f32::from(sample) / 32_768.0));
        let mut out = Vec::with_capacity((input.len() as f64 / self.step) as usize + 2);
        while (self.position.floor() as usize) + self.half < self.buffer.len() {
            out.push(super::wav::to_i16(self.sample_at(self.position)));
            self.position += self.step;
        }
        let consumed = (self.position.floor() as usize).saturating_sub(self.half);
        self.buffer.drain(..consumed.min(self.buffer.len()));
        self.position -= consumed as f64;
        out
    }

    /// Releases the last samples, as if the input went on in silence.
    pub fn flush(&mut self) -> Vec<i16> {
        if self.passthrough {
            return Vec::new();
        }
        let tail = vec![0_i16; self.half + 1];
        let wanted = ((self.buffer.len() as f64 - self.position - self.half as f64).max(0.0)
            / self.step)
            .ceil() as usize
            + (self.half as f64 / self.step).ceil() as usize;
        let mut out = self.process(&tail);
        out.truncate(wanted);
        out
    }

    /// Converts a whole buffer at once.
    pub fn convert(samples: &[i16], from_hz: u32, to_hz: u32) -> Vec<i16> {
        let mut resampler = Resampler::new(from_hz, to_hz);
        let mut out = resampler.process(samples);
        out.extend(resampler.flush());
        let expected = (samples.len() as u64 * u64::from(to_hz.max(1)))
            .div_ceil(u64::from(from_hz.max(1))) as usize;
        out.resize(expected, 0);
        out
    }

    fn sample_at(&self, position: f64) -> f32 {
        let centre = position.floor() as isize;
        let fraction = position - centre as f64;
        let half = self.half as isize;
        let mut sum = 0.0_f64;
        for tap in (1 - half)..=half {
            let index = centre + tap;
            let Some(&sample) = usize::try_from(index).ok().and_then(|i| self.buffer.get(i)) else {
                continue;
            };
            let t = tap as f64 - fraction;
            sum += f64::from(sample) * self.kernel(t);
        }
        sum as f32
    }

    fn kernel(&self, t: f64) -> f64 {
        let half = self.half as f64;
        if t.abs() >= half {
            return 0.0;
        }
        let x = self.cutoff * t;
        let sinc = if x.abs() < 1e-9 {
            1.0
        } else {
            (PI * x).sin() / (PI * x)
        };
        // Blackman window over -half..half.
        let phase = PI * (t + half) / half;
        let window = 0.42 - 0.5 * phase.cos() + 0.08 * (2.0 * phase).cos();
        self.cutoff * sinc * window
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f64, rate: u32, seconds: f64) -> Vec<i16> {
        (0..(f64::from(rate) * seconds) as usize)
            .map(|n| ((2.0 * PI * freq * n as f64 / f64::from(rate)).sin() * 16_000.0) as i16)
            .collect()
    }

    fn rms(samples: &[i16]) -> f64 {
        (samples.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / samples.len() as f64).sqrt()
    }

    #[test]
    fn lengths_follow_the_rate_ratio() {
        for (from, to) in [
            (48_000, 16_000),
            (22_050, 16_000),
            (16_000, 22_050),
            (16_000, 16_000),
        ] {
            let out = Resampler::convert(&sine(440.0, from, 1.0), from, to);
            assert_eq!(out.len(), to as usize, "{from} -> {to}");
        }
    }

    #[test]
    fn a_tone_in_the_pass_band_keeps_its_level_and_one_above_is_removed() {
        let kept = Resampler::convert(&sine(1000.0, 48_000, 1.0), 48_000, 16_000);
        let level = rms(&kept[1000..15_000]) / rms(&sine(1000.0, 16_000, 1.0));
        assert!((0.95..1.05).contains(&level), "level {level}");
        let removed = Resampler::convert(&sine(12_000.0, 48_000, 1.0), 48_000, 16_000);
        assert!(rms(&removed[1000..15_000]) < 200.0, "{}", rms(&removed));
    }

    #[test]
    fn streaming_in_blocks_equals_converting_at_once() {
        let input = sine(300.0, 44_100, 0.5);
        let whole = Resampler::convert(&input, 44_100, 16_000);
        let mut resampler = Resampler::new(44_100, 16_000);
        let mut blocks: Vec<i16> = input
            .chunks(441)
            .flat_map(|block| resampler.process(block))
            .collect();
        blocks.extend(resampler.flush());
        blocks.resize(whole.len(), 0);
        assert_eq!(blocks, whole);
    }
}
