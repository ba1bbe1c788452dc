//! Sample-rate conversion of whole buffers with a windowed-sinc polyphase filter.
//!
//! Used to bring audio that is not 16 kHz (espeak-ng's 22 050 Hz, 48 kHz microphones) to
//! the rate the detectors and STT expect. Quality is well beyond what speech models notice:
//! Kaiser-windowed sinc, 16 zero crossings, stop band above about 90 dB.

/// Zero crossings of the sinc on each side: the filter length in units of the output's
/// (or input's, whichever is lower) sample period.
const ZERO_CROSSINGS: f64 = 16.0;
/// Kaiser window shape; 8.6 gives about 90 dB of stop-band attenuation.
const KAISER_BETA: f64 = 8.6;
/// The pass band ends this far below the lower Nyquist frequency, leaving the filter a
/// transition band so nothing above Nyquist folds back.
const ROLLOFF: f64 = 0.94;
/// Rate pairs needing more phases than this compute coefficients per sample instead of
/// precomputing a table (only for odd pairs like 44 101 Hz; common ones need at most 640).
const MAX_TABLE_PHASES: u64 = 4096;

/// A bad rate given to [`Resampler::new`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResampleError {
    /// A sample rate was zero.
    #[error("sample rate must be positive, got {from_hz} Hz -> {to_hz} Hz")]
    ZeroRate {
        /// The input rate.
        from_hz: u32,
        /// The output rate.
        to_hz: u32,
    },
}

/// Converts audio from one fixed rate to another. Build once per rate pair, reuse freely.
#[derive(Debug, Clone)]
pub struct Resampler {
    /// Output samples per `down` input samples (the rate ratio in lowest terms).
    up: u64,
    down: u64,
    /// Cut-off as a fraction of the input's Nyquist frequency.
    cutoff: f64,
    /// Taps on each side of the centre.
    half_taps: i64,
    /// `up` phases × `2 * half_taps` coefficients, or empty when computed per sample.
    table: Vec<f32>,
}

impl Resampler {
    /// A resampler from `from_hz` to `to_hz`.
    ///
    /// # Errors
    ///
    /// [`ResampleError::ZeroRate`] if either rate is zero.
    pub fn new(from_hz: u32, to_hz: u32) -> Result<Self, ResampleError> {
        if from_hz == 0 || to_hz == 0 {
            return Err(ResampleError::ZeroRate { from_hz, to_hz });
        }
        let divisor = gcd(u64::from(from_hz), u64::from(to_hz));
        let up = u64::from(to_hz) / divisor;
        let down = u64::from(from_hz) / divisor;
        let cutoff = if up < down {
            ROLLOFF * up as f64 / down as f64
        } else {
            ROLLOFF
        };
        let half_taps = (ZERO_CROSSINGS / cutoff).ceil() as i64;
        let mut resampler = Resampler {
            up,
            down,
            cutoff,
            half_taps,
            table: Vec::new(),
        };
        if up != down && up <= MAX_TABLE_PHASES {
            let taps = 2 * half_taps as usize;
            let mut table = Vec::with_capacity(up as usize * taps);
            for phase in 0..up {
                let start = table.len();
                table.extend((0..taps).map(|tap| resampler.coefficient(phase, tap as i64)));
                normalise(&mut table[start..]);
            }
            resampler.table = table;
        }
        Ok(resampler)
    }

    /// The coefficient applied to input sample `centre + tap - half_taps + 1` for an output
    /// sample that falls `phase / up` of the way past `centre`.
    fn coefficient(&self, phase: u64, tap: i64) -> f32 {
        let offset = (tap - self.half_taps + 1) as f64 - phase as f64 / self.up as f64;
        let width = self.half_taps as f64;
        if offset.abs() >= width {
            return 0.0;
        }
        let x = self.cutoff * offset;
        let sinc = if x.abs() < 1e-12 {
            1.0
        } else {
            (std::f64::consts::PI * x).sin() / (std::f64::consts::PI * x)
        };
        let window = bessel_i0(KAISER_BETA * (1.0 - (offset / width).powi(2)).sqrt())
            / bessel_i0(KAISER_BETA);
        (self.cutoff * sinc * window) as f32
    }

    /// Resamples a whole buffer (samples before and after it count as silence). The output
    /// has `ceil(input.len() * to_hz / from_hz)` samples.
    pub fn process(&self, input: &[f32]) -> Vec<f32> {
        if self.up == self.down {
            return input.to_vec();
        }
        let out_len = (input.len() as u64 * self.up).div_ceil(self.down) as usize;
        let taps = 2 * self.half_taps as usize;
        let mut scratch = Vec::new();
        let mut output = Vec::with_capacity(out_len);
        for n in 0..out_len as u64 {
            let position = n * self.down;
            let centre = (position / self.up) as i64;
            let phase = position % self.up;
            let coefficients: &[f32] = if self.table.is_empty() {
                scratch.clear();
                scratch.extend((0..taps).map(|tap| self.coefficient(phase, tap as i64)));
                normalise(&mut scratch);
                &scratch
            } else {
                &self.table[phase as usize * taps..(phase as usize + 1) * taps]
            };
            let first = centre - self.half_taps + 1;
            let sum: f32 = coefficients
                .iter()
                .enumerate()
                .filter_map(|(tap, coefficient)| {
                    let index = usize::try_from(first + tap as i64).ok()?;
                    input.get(index).map(|sample| sample * coefficient)
                })
                .sum();
            output.push(sum);
        }
        output
    }
}

/// Resamples `input` from `from_hz` to `to_hz` (see [`Resampler::process`]).
///
/// # Errors
///
/// [`ResampleError::ZeroRate`] if either rate is zero.
pub fn resample(input: &[f32], from_hz: u32, to_hz: u32) -> Result<Vec<f32>, ResampleError> {
    Ok(Resampler::new(from_hz, to_hz)?.process(input))
}

/// Scales a phase's coefficients to sum to one, so every phase passes DC unchanged (otherwise
/// the truncated sinc leaves a small periodic gain ripple).
fn normalise(coefficients: &mut [f32]) {
    let sum: f32 = coefficients.iter().sum();
    if sum.abs() > f32::EPSILON {
        coefficients
            .iter_mut()
            .for_each(|coefficient| *coefficient /= sum);
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The modified Bessel function of the first kind, order 0, by its power series (converges
/// fast for the arguments a Kaiser window uses).
fn bessel_i0(x: f64) -> f64 {
    let quarter_square = x * x / 4.0;
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..64 {
        term *= quarter_square / (k * k) as f64;
        sum += term;
        if term < sum * 1e-16 {
            break;
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(hz: f64, rate: u32, seconds: f64) -> Vec<f32> {
        let len = (seconds * f64::from(rate)) as usize;
        (0..len)
            .map(|i| {
                (0.5 * (2.0 * std::f64::consts::PI * hz * i as f64 / f64::from(rate)).sin()) as f32
            })
            .collect()
    }

    /// Largest difference from the ideal sine, away from the edges.
    fn max_error(output: &[f32], hz: f64, rate: u32) -> f32 {
        let ideal = sine(hz, rate, output.len() as f64 / f64::from(rate));
        let margin = rate as usize / 20;
        output[margin..output.len() - margin]
            .iter()
            .zip(&ideal[margin..])
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max)
    }

    fn rms(samples: &[f32]) -> f32 {
        (samples.iter().map(|s| s * s).sum::<f32>() / samples.len() as f32).sqrt()
    }

    #[test]
    fn converts_common_rates_accurately() {
        for (from, to) in [
            (22_050, 16_000),
            (44_100, 16_000),
            (48_000, 16_000),
            (8_000, 16_000),
            (16_000, 22_050),
        ] {
            let output = resample(&sine(1000.0, from, 1.0), from, to).unwrap();
            assert_eq!(output.len(), to as usize, "{from} -> {to}");
            let error = max_error(&output, 1000.0, to);
            assert!(error < 2e-3, "{from} -> {to}: error {error}");
        }
    }

    #[test]
    fn removes_frequencies_above_the_new_nyquist() {
        // 10 kHz cannot exist at 16 kHz; it must not fold back to 6 kHz.
        let output = resample(&sine(10_000.0, 22_050, 1.0), 22_050, 16_000).unwrap();
        let level = rms(&output[800..15_200]);
        assert!(level < 1e-3, "aliased level {level}");
    }

    #[test]
    fn same_rate_is_a_copy_and_zero_rate_is_an_error() {
        let input = sine(440.0, 16_000, 0.1);
        assert_eq!(resample(&input, 16_000, 16_000).unwrap(), input);
        assert_eq!(
            resample(&input, 0, 16_000),
            Err(ResampleError::ZeroRate {
                from_hz: 0,
                to_hz: 16_000
            })
        );
        assert!(resample(&[], 22_050, 16_000).unwrap().is_empty());
    }

    #[test]
    fn odd_rate_pairs_compute_coefficients_per_sample() {
        // 16 001 / 16 000 needs 16 000 phases: no table, same quality.
        let resampler = Resampler::new(16_001, 16_000).unwrap();
        assert!(resampler.table.is_empty());
        let output = resampler.process(&sine(1000.0, 16_001, 0.5));
        assert!(max_error(&output, 1000.0, 16_000) < 2e-3);
    }
}
