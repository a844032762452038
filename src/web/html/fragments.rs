//! Pieces of report tables shared by the dashboard and `sipas report`: Vietnamese numbers (the
//! one format of `reports::labels`) and verdicts in words, never colour alone.

use maud::{html, Markup};

use crate::analytics::Verdict;
use crate::reports::labels;
use crate::reports::output::{IndexOut, MIN_RESPONSES_FOR_COMPOSITE_VERDICT};

/// "92,50 %"; "—" when there is no value (the format of [`labels`]).
pub fn pct(v: Option<f64>) -> String {
    labels::percent(v)
}

/// Percentage points with a sign: "+2,50", "−1,25".
pub fn points(v: Option<f64>) -> String {
    labels::points(v)
}

/// "88,10 – 93,40 %".
pub fn ci(index: &IndexOut) -> String {
    index.ci95.map_or_else(
        || "—".to_string(),
        |(a, b)| format!("{} – {} %", labels::decimal(a, 2), labels::decimal(b, 2)),
    )
}

/// A count: "20.005".
pub fn count(n: u64) -> String {
    labels::count(n)
}

/// What "Đạt mục tiêu" and "Kết luận" mean, beside a table that shows verdicts.
pub fn verdict_legend() -> Markup {
    html! { p.legend { small { (labels::TARGET_LEGEND) } } }
}

/// The verdict in words.
pub fn verdict_word(index: &IndexOut) -> &'static str {
    crate::reports::tables::verdict_text(index)
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
