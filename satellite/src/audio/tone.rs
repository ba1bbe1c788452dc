//! The alarm a timer rings with: generated, so nothing needs shipping.

use std::f32::consts::PI;

/// `beeps` beeps of `hz`, each 250 ms with 5 ms fades and 150 ms apart, at `rate`.
pub fn alarm(rate: u32, hz: f32, beeps: u32) -> Vec<i16> {
    let rate_f = rate.max(1) as f32;
    let beep = (rate_f * 0.25) as usize;
    let gap = (rate_f * 0.15) as usize;
    let fade = (rate_f * 0.005).max(1.0) as usize;
    let mut out = Vec::with_capacity((beep + gap) * beeps as usize);
    for _ in 0..beeps {
        for n in 0..beep {
            let envelope = (n.min(beep - 1 - n) as f32 / fade as f32).min(1.0);
            let value = (2.0 * PI * hz * n as f32 / rate_f).sin() * 0.5 * envelope;
            out.push((value * 32_767.0) as i16);
        }
        out.extend(std::iter::repeat_n(0, gap));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alarm_is_audible_beeps_with_gaps() {
        let samples = alarm(16_000, 880.0, 3);
        assert_eq!(samples.len(), 3 * (4000 + 2400));
        let loud = samples.iter().filter(|s| s.unsigned_abs() > 8000).count();
        assert!(loud > 3000, "{loud}");
        assert!(
            samples[4000..6400].iter().all(|&s| s == 0),
            "the gap is silent"
        );
        assert!(samples[0].unsigned_abs() < 100, "it fades in");
    }
}
