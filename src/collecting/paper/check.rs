//! Phúc tra as a domain: how many sheets of a unit to re-check (a share or a count per unit), and
//! which ones — a seeded, reproducible draw (docs/paper.md, "Phúc tra"). No SQL, no HTTP.
//!
//! The draw of one unit: its population is the unit's stored sheets (agreed or reconciled) in
//! sheet-number order; the generator is ChaCha20 keyed with SHA-256 of `"sipas-phuc-tra:<seed>:
//! <unit>"`; a partial Fisher–Yates shuffle picks `k` of the `n` sheets: for `i` in `0..k`, draw
//! `j` uniformly in `i..n` (rejection sampling on 64-bit words) and swap positions `i` and `j`;
//! the first `k` are the sample. The same seed and the same population give the same sample on
//! any machine and either database; each unit's draw is independent of the other units'.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use sha2::{Digest, Sha256};

use crate::domain::FieldError;

/// The largest seed accepted: seeds are shown and typed again, and stay exact in JSON numbers.
pub const MAX_SEED: u64 = (1 << 53) - 1;

/// How many sheets of each unit to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleSize {
    /// A share of each unit's sheets, in hundredths of a percent (500 = 5 %), rounded up: a
    /// unit with at least one sheet gives at least one.
    Share { basis_points: u32 },
    /// This many sheets of each unit (all of them when it has fewer).
    Count(u32),
}

impl SampleSize {
    /// The size from a share in percent (`"5"`, `"2,5"`, `"0.25"`: up to two decimals, more
    /// than 0 and at most 100) or a count per unit (1–100 000): exactly one of the two.
    pub fn parse(share: Option<&str>, count: Option<i64>) -> Result<SampleSize, FieldError> {
        let share = share.map(str::trim).filter(|s| !s.is_empty());
        match (share, count) {
            (Some(_), Some(_)) | (None, None) => Err(FieldError::new(
                "share_percent",
                "one_of_share_or_count",
                "Hãy cho tỉ lệ phần trăm hoặc số phiếu mỗi đơn vị (một trong hai).",
                "Give either share_percent or count_per_unit (exactly one).",
            )),
            (Some(text), None) => parse_basis_points(text)
                .map(|basis_points| SampleSize::Share { basis_points })
                .ok_or_else(|| {
                    FieldError::new(
                        "share_percent",
                        "out_of_range",
                        "Tỉ lệ phải là một số lớn hơn 0 và không quá 100 (tối đa hai chữ số thập phân).",
                        "share_percent must be a number above 0 and at most 100 (two decimals at most).",
                    )
                }),
            (None, Some(n)) if (1..=100_000).contains(&n) => Ok(SampleSize::Count(n as u32)),
            (None, Some(_)) => Err(FieldError::new(
                "count_per_unit",
                "out_of_range",
                "Số phiếu mỗi đơn vị phải từ 1 đến 100 000.",
                "count_per_unit must be from 1 to 100000.",
            )),
        }
    }

    /// How many of a unit's `population` sheets to draw.
    pub fn of(self, population: usize) -> usize {
        match self {
            SampleSize::Share { basis_points } => {
                let wanted = (population as u64 * u64::from(basis_points)).div_ceil(10_000);
                usize::try_from(wanted)
                    .unwrap_or(population)
                    .min(population)
            }
            SampleSize::Count(n) => (n as usize).min(population),
        }
    }

    /// The share as a percent text (`"2.5"`), if it is a share.
    pub fn share_text(self) -> Option<String> {
        match self {
            SampleSize::Share { basis_points } => Some(percent_text(basis_points)),
            SampleSize::Count(_) => None,
        }
    }
}

/// `"5"` → 500, `"2,5"` → 250, `"0.25"` → 25; `None` outside (0, 100] or with 3+ decimals.
fn parse_basis_points(text: &str) -> Option<u32> {
    let text = text.trim_end_matches('%').trim().replace(',', ".");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 3 || fraction.len() > 2 || !digits(whole) {
        return None;
    }
    if !digits(fraction) {
        return None;
    }
    let whole: u32 = whole.parse().ok()?;
    let fraction: u32 = format!("{fraction:0<2}").parse().ok()?;
    let bp = whole * 100 + fraction;
    (1..=10_000).contains(&bp).then_some(bp)
}

/// 250 → `"2.5"`, 500 → `"5"`.
pub fn percent_text(basis_points: u32) -> String {
    let (whole, fraction) = (basis_points / 100, basis_points % 100);
    match fraction {
        0 => whole.to_string(),
        f if f % 10 == 0 => format!("{whole}.{}", f / 10),
        f => format!("{whole}.{f:02}"),
    }
}

/// A seed from a typed text: digits only, 0 to [`MAX_SEED`].
pub fn parse_seed(text: &str) -> Result<u64, FieldError> {
    let text = text.trim();
    text.parse::<u64>()
        .ok()
        .filter(|s| *s <= MAX_SEED && text.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| {
            FieldError::new(
                "seed",
                "out_of_range",
                "Hạt giống phải là một số nguyên từ 0 đến 9007199254740991.",
                "seed must be an integer from 0 to 9007199254740991.",
            )
        })
}

/// A fresh seed (nine digits, easy to note down) from the operating system's random source.
pub fn fresh_seed() -> u64 {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        // No random source: the clock is good enough for a seed that is shown and recorded.
        let nanos = chrono::Utc::now().timestamp_nanos_opt().unwrap_or(1);
        bytes = nanos.to_le_bytes();
    }
    100_000_000 + u64::from_le_bytes(bytes) % 900_000_000
}

/// The generator of one unit's draw.
fn generator(seed: u64, unit: &str) -> ChaCha20Rng {
    let key: [u8; 32] = Sha256::digest(format!("sipas-phuc-tra:{seed}:{unit}")).into();
    ChaCha20Rng::from_seed(key)
}

/// A uniform integer in `0..bound` (`bound > 0`) by rejection: no modulo bias.
fn below(rng: &mut ChaCha20Rng, bound: u64) -> u64 {
    let zone = u64::MAX - (u64::MAX % bound);
    loop {
        let x = rng.next_u64();
        if x < zone {
            return x % bound;
        }
    }
}

/// The positions (into `0..population`) of the `k` sheets drawn for `unit` with `seed`, in the
/// order drawn (the module's documentation says how).
pub fn draw_positions(seed: u64, unit: &str, population: usize, k: usize) -> Vec<usize> {
    let k = k.min(population);
    let mut order: Vec<usize> = (0..population).collect();
    let mut rng = generator(seed, unit);
    for i in 0..k {
        let j = i + below(&mut rng, (population - i) as u64) as usize;
        order.swap(i, j);
    }
    order.truncate(k);
    order
}

/// The sample of one unit: the drawn sheets of `population` (which must be in sheet-number
/// order), in sheet-number order.
pub fn draw_unit<T: Clone>(seed: u64, unit: &str, population: &[T], size: SampleSize) -> Vec<T> {
    let mut positions = draw_positions(seed, unit, population.len(), size.of(population.len()));
    positions.sort_unstable();
    positions
        .into_iter()
        .map(|p| population[p].clone())
        .collect()
}

/// Whether an outcome is `correct` (đúng) or `wrong` (sai).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Correct,
    Wrong,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Correct => "correct",
            Outcome::Wrong => "wrong",
        }
    }

    /// `correct`/`dung`/`đúng` or `wrong`/`sai`.
    pub fn parse(text: &str) -> Option<Outcome> {
        match text.trim().to_lowercase().as_str() {
            "correct" | "dung" | "đúng" => Some(Outcome::Correct),
            "wrong" | "sai" => Some(Outcome::Wrong),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_and_counts_round_up_and_cap() {
        let five = SampleSize::parse(Some("5"), None).unwrap();
        assert_eq!(five, SampleSize::Share { basis_points: 500 });
        assert_eq!(five.of(0), 0);
        assert_eq!(five.of(1), 1);
        assert_eq!(five.of(20), 1);
        assert_eq!(five.of(21), 2);
        assert_eq!(five.of(200), 10);
        let half = SampleSize::parse(Some("2,5 %"), None).unwrap();
        assert_eq!(half, SampleSize::Share { basis_points: 250 });
        assert_eq!(half.share_text().as_deref(), Some("2.5"));
        assert_eq!(SampleSize::parse(Some("100"), None).unwrap().of(7), 7);
        assert_eq!(SampleSize::parse(None, Some(3)).unwrap().of(2), 2);
        assert_eq!(SampleSize::parse(None, Some(3)).unwrap().of(10), 3);
        for bad in ["0", "100.01", "-1", "abc", "1.234", "", ".5"] {
            assert!(SampleSize::parse(Some(bad), None).is_err(), "{bad}");
        }
        assert!(SampleSize::parse(Some("5"), Some(2)).is_err());
        assert!(SampleSize::parse(None, Some(0)).is_err());
        assert_eq!(percent_text(25), "0.25");
    }

    #[test]
    fn the_draw_is_reproducible_and_depends_on_seed_and_unit() {
        let a = draw_positions(42, "phuoc-son", 1000, 50);
        assert_eq!(a, draw_positions(42, "phuoc-son", 1000, 50));
        assert_ne!(a, draw_positions(43, "phuoc-son", 1000, 50));
        assert_ne!(a, draw_positions(42, "tt-dieu-tri", 1000, 50));
        let mut distinct = a.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), 50, "no sheet twice");
        assert!(a.iter().all(|&p| p < 1000));
        // A longer draw starts with the shorter one (the shuffle is partial).
        assert_eq!(&draw_positions(42, "phuoc-son", 1000, 80)[..50], &a[..]);
        assert_eq!(draw_positions(1, "u", 3, 10).len(), 3);
    }

    #[test]
    fn every_sheet_is_equally_likely() {
        // 4000 draws of 1 of 4: each position about 1000 times (±15 %).
        let mut counts = [0usize; 4];
        for seed in 0..4000 {
            counts[draw_positions(seed, "u", 4, 1)[0]] += 1;
        }
        assert!(
            counts.iter().all(|&c| (850..1150).contains(&c)),
            "{counts:?}"
        );
    }

    #[test]
    fn seeds_and_outcomes_parse() {
        assert_eq!(parse_seed(" 123 ").unwrap(), 123);
        assert!(parse_seed("-1").is_err());
        assert!(parse_seed("+1").is_err());
        assert!(parse_seed("9007199254740992").is_err());
        let s = fresh_seed();
        assert!((100_000_000..1_000_000_000).contains(&s));
        assert_eq!(Outcome::parse("Sai"), Some(Outcome::Wrong));
        assert_eq!(Outcome::parse("đúng"), Some(Outcome::Correct));
        assert_eq!(Outcome::parse("maybe"), None);
    }
}
