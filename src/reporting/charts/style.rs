//! Palette, number format and legend keys shared by the chart kinds.

use plotters::style::RGBColor;
use unicode_normalization::UnicodeNormalization;

use crate::reporting::analytics::Verdict;

pub const WHITE: RGBColor = RGBColor(255, 255, 255);
pub const INK: RGBColor = RGBColor(0x1A, 0x1A, 0x1A);
pub const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
pub const GRID: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
pub const AXIS: RGBColor = RGBColor(0x77, 0x77, 0x77);
/// Whiskers and the trend line.
pub const WHISKER: RGBColor = RGBColor(0x33, 0x33, 0x33);
/// The target line: black, 2 px, drawn over the bars.
pub const TARGET: RGBColor = RGBColor(0, 0, 0);
pub const NO_DATA: RGBColor = RGBColor(0x99, 0x99, 0x99);
/// The interval band of the trend chart (sky blue, translucent).
pub const BAND: RGBColor = RGBColor(0x56, 0xB4, 0xE9);

/// Okabe–Ito colours by verdict (colour-blind safe); labels and the legend carry the same facts.
pub fn verdict_color(v: Option<Verdict>) -> RGBColor {
    match v {
        Some(Verdict::Dat) => RGBColor(0x00, 0x9E, 0x73),
        Some(Verdict::KhongDat) => RGBColor(0xD5, 0x5E, 0x00),
        Some(Verdict::ChuaDuCanCu) => RGBColor(0xE6, 0x9F, 0x00),
        None => NO_DATA,
    }
}

pub fn verdict_label(v: Verdict) -> &'static str {
    match v {
        Verdict::Dat => "Đạt",
        Verdict::KhongDat => "Không đạt",
        Verdict::ChuaDuCanCu => "Chưa đủ căn cứ",
    }
}

pub const NO_DATA_TEXT: &str = "Không có dữ liệu cho lựa chọn này";
/// Where one bar or point has no value.
pub const NO_VALUE_TEXT: &str = "Không có dữ liệu";
pub const CI_TEXT: &str = "Khoảng tin cậy 95 %";
pub const VERDICT_NOTE: &str = "Đạt: cả khoảng tin cậy 95 % ≥ mục tiêu · Không đạt: cả khoảng \
     < mục tiêu · Chưa đủ căn cứ: khoảng chứa mục tiêu hoặc dưới 30 phiếu";

/// `92.456` → `"92,5 %"` (Vietnamese decimal comma, `reports::labels::decimal`).
pub fn pct(v: f64) -> String {
    format!("{} %", crate::reporting::reports::labels::decimal(v, 1))
}

/// A target or tick: `90` → `"90 %"`, `92.5` → `"92,5 %"`.
pub fn pct_short(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{:.0} %", v)
    } else {
        pct(v)
    }
}

pub fn target_label(target: f64) -> String {
    format!("Mục tiêu {}", pct_short(target))
}

/// `12345` → `"12.345"` (the one Vietnamese number format of `reports::labels`).
pub fn count(n: u64) -> String {
    crate::reporting::reports::labels::count(n)
}

pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// A legend entry.
pub enum Key {
    Swatch(RGBColor, String),
    Target(String),
    Whisker,
    Band,
}

/// The verdict keys in a fixed order (the same legend on every chart), then the interval and
/// the target.
pub fn verdict_keys(target: f64, ci: Key) -> Vec<Key> {
    let mut keys: Vec<Key> = [Verdict::Dat, Verdict::KhongDat, Verdict::ChuaDuCanCu]
        .into_iter()
        .map(|v| Key::Swatch(verdict_color(Some(v)), verdict_label(v).to_string()))
        .collect();
    keys.push(ci);
    keys.push(Key::Target(target_label(target)));
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_use_the_decimal_comma() {
        assert_eq!(pct(92.46), "92,5 %");
        assert_eq!(pct(100.0), "100,0 %");
        assert_eq!(pct_short(90.0), "90 %");
        assert_eq!(pct_short(92.5), "92,5 %");
        assert_eq!(target_label(80.0), "Mục tiêu 80 %");
        assert_eq!(count(1234567), "1.234.567");
        assert_eq!(count(12), "12");
    }
}
