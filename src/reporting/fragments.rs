//! Pieces of report tables shared by the dashboard and `sipas report`: Vietnamese numbers (the
//! one format of `reports::labels`) and verdicts in words, never colour alone.

use maud::{html, Markup};

use crate::reporting::analytics::Verdict;
use crate::reporting::reports::labels;
use crate::reporting::reports::output::{GroupOut, IndexOut, MIN_RESPONSES_FOR_COMPOSITE_VERDICT};

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
    crate::reporting::exports::tables::verdict_text(index)
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

/// The expectation questions of one group: per question its code and text, how many answered,
/// the share (and count) of each option, and the share choosing Nhiều or Rất nhiều. Shared by the
/// dashboard and the report folder.
pub fn expectation_table(g: &GroupOut, caption: &str) -> Markup {
    let options = g.expectations.first().map_or(&[][..], |e| &e.options[..]);
    html! {
        table #expectation-table {
            caption { (caption) }
            thead { tr {
                th scope="col" { "Mã" }
                th scope="col" { "Nội dung" }
                th scope="col" { "Số trả lời" }
                @for o in options { th scope="col" { (o.label) } }
                th scope="col" { "Nhiều hoặc rất nhiều" }
            } }
            tbody {
                @for e in &g.expectations {
                    tr {
                        td { (e.code) }
                        th scope="row" { (e.label) }
                        td.num { (count(e.n)) }
                        @for o in &e.options {
                            td.num { (pct(o.share)) " (" (count(o.n)) ")" }
                        }
                        td.num { strong { (pct(e.value)) } }
                    }
                }
            }
        }
    }
}
