//! Pieces of report tables shared by the dashboard and `sipas report`: Vietnamese number
//! formatting (decimal comma) and verdicts in words, never colour alone.

use maud::{html, Markup};

use crate::analytics::Verdict;
use crate::reports::output::{IndexOut, MIN_RESPONSES_FOR_COMPOSITE_VERDICT};

/// "92,50 %"; "—" when there is no value.
pub fn pct(v: Option<f64>) -> String {
    v.map_or_else(
        || "—".to_string(),
        |v| format!("{v:.2} %").replace('.', ","),
    )
}

/// Percentage points with a sign: "+2,50", "−1,25".
pub fn points(v: Option<f64>) -> String {
    match v {
        Some(v) if v < 0.0 => format!("−{:.2}", -v).replace('.', ","),
        Some(v) => format!("+{v:.2}").replace('.', ","),
        None => "—".to_string(),
    }
}

/// "88,10 – 93,40 %".
pub fn ci(index: &IndexOut) -> String {
    index.ci95.map_or_else(
        || "—".to_string(),
        |(a, b)| format!("{a:.2} – {b:.2} %").replace('.', ","),
    )
}

/// The verdict in words.
pub fn verdict_word(index: &IndexOut) -> &'static str {
    match index.verdict {
        Some(Verdict::Dat) => "Đạt",
        Some(Verdict::KhongDat) => "Không đạt",
        Some(Verdict::ChuaDuCanCu) => "Chưa đủ căn cứ",
        None => "Không có dữ liệu",
    }
}

/// A table cell with the verdict in words (its class adds colour), and the reason when the
/// composite index had too few responses.
pub fn verdict_cell(index: &IndexOut) -> Markup {
    let class = match index.verdict {
        Some(Verdict::Dat) => "v-dat",
        Some(Verdict::KhongDat) => "v-khong-dat",
        _ => "v-chua",
    };
    html! {
        td class=(class) {
            (verdict_word(index))
            @if index.reason == Some("few_responses") {
                br; small { "(dưới " (MIN_RESPONSES_FOR_COMPOSITE_VERDICT) " phiếu)" }
            }
        }
    }
}
