//! The statistics of docs/method.md §7–§11, on plain numbers: intervals, verdicts, sample size, z.

use serde::Serialize;

/// z for a two-sided 95 % interval.
pub const Z95: f64 = 1.96;

/// docs/method.md §7: Wilson score interval for a proportion `p` (0–1) observed on `n` answers
/// (or Kish's effective n when weighted), in percent.
pub fn wilson_interval(p: f64, n: f64) -> Option<(f64, f64)> {
    if n.is_nan() || n <= 0.0 || !p.is_finite() {
        return None;
    }
    let z2 = Z95 * Z95;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = Z95 / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some((clip(100.0 * (centre - half)), clip(100.0 * (centre + half))))
}

/// docs/method.md §7: Kish's effective sample size `(Σw)² / Σw²`.
pub fn kish_effective_n(sum_w: f64, sum_w2: f64) -> f64 {
    if sum_w2 > 0.0 {
        sum_w * sum_w / sum_w2
    } else {
        0.0
    }
}

/// docs/method.md §8: the normal interval `I ± 1.96·√Var`, clipped to [0, 100].
pub fn normal_interval(value: f64, variance: f64) -> Option<(f64, f64)> {
    if !variance.is_finite() || variance < 0.0 {
        return None;
    }
    let half = Z95 * variance.sqrt();
    Some((clip(value - half), clip(value + half)))
}

fn clip(x: f64) -> f64 {
    x.clamp(0.0, 100.0)
}

/// docs/method.md §9: what analysts should read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The lower 95 % bound reaches the target.
    Dat,
    /// The upper 95 % bound is below the target.
    KhongDat,
    /// Not enough evidence either way.
    ChuaDuCanCu,
}

pub fn verdict(ci95: Option<(f64, f64)>, target: f64) -> Verdict {
    match ci95 {
        Some((low, _)) if low >= target => Verdict::Dat,
        Some((_, high)) if high < target => Verdict::KhongDat,
        _ => Verdict::ChuaDuCanCu,
    }
}

/// docs/method.md §10: the Ministry's sample size `n = N / (1 + N·e²)` with e = 0.05, rounded up.
pub fn required_sample(population: i64) -> i64 {
    if population <= 0 {
        return 0;
    }
    let n = population as f64;
    (n / (1.0 + n * 0.05 * 0.05)).ceil() as i64
}

/// docs/method.md §11: `z = (I₁ − I₂) / √(Var₁ + Var₂)`; `None` when both variances are zero.
pub fn z_difference(i1: f64, var1: f64, i2: f64, var2: f64) -> Option<f64> {
    let se = (var1 + var2).sqrt();
    (se > 0.0 && se.is_finite()).then(|| (i1 - i2) / se)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_a_hand_computation() {
        // p = 0.9, n = 100: centre = (0.9 + 0.019208) / 1.038416 = 0.885205…,
        // half = 1.96/1.038416 · √(0.0009 + 0.00009604) = 0.059573…
        let (low, high) = wilson_interval(0.9, 100.0).unwrap();
        assert!((low - 82.5632).abs() < 0.01, "{low}");
        assert!((high - 94.4778).abs() < 0.01, "{high}");
        assert_eq!(wilson_interval(0.5, 0.0), None);
    }

    #[test]
    fn wilson_stays_inside_0_100_at_the_extremes() {
        let (low, high) = wilson_interval(1.0, 5.0).unwrap();
        assert!(low > 50.0 && high <= 100.0);
        let (low, _) = wilson_interval(0.0, 5.0).unwrap();
        assert_eq!(low, 0.0);
    }

    #[test]
    fn verdict_reads_the_bounds_not_the_point() {
        assert_eq!(verdict(Some((90.0, 95.0)), 90.0), Verdict::Dat);
        assert_eq!(verdict(Some((80.0, 89.99)), 90.0), Verdict::KhongDat);
        assert_eq!(verdict(Some((85.0, 96.0)), 90.0), Verdict::ChuaDuCanCu);
        assert_eq!(verdict(None, 90.0), Verdict::ChuaDuCanCu);
    }

    #[test]
    fn sample_size_follows_the_manual() {
        // N = 10 000: 10000 / (1 + 25) = 384.6 → 385.
        assert_eq!(required_sample(10_000), 385);
        assert_eq!(required_sample(100), 80);
        assert_eq!(required_sample(0), 0);
    }

    #[test]
    fn kish_n_of_equal_weights_is_n() {
        assert_eq!(kish_effective_n(10.0, 10.0), 10.0);
        assert!((kish_effective_n(3.0, 5.0) - 1.8).abs() < 1e-12);
    }
}
