//! The dashboard's tables: the index per group, the elements and criteria with their
//! statements, and the expectations ("mong muốn cải thiện"). Every value reads in Vietnamese
//! (`reports::labels`): unit names, channels and periods in words, one number format.

use std::collections::HashMap;

use maud::{html, Markup};

use crate::forms::Form;
use crate::reporting::fragments::{
    ci, count, expectation_table, pct, points, verdict_cell, verdict_legend,
};
use crate::reporting::reports::labels;
use crate::reporting::reports::output::GroupOut;
use crate::reporting::reports::{ReportOut, Tree};

/// Unit code → name, for group labels.
pub(super) fn unit_names(tree: &Tree) -> HashMap<String, String> {
    tree.units
        .iter()
        .map(|u| (u.code.clone(), u.name.clone()))
        .collect()
}

fn key_label(form: &Form, g: &GroupOut, names: &HashMap<String, String>) -> String {
    labels::group_key(form, &g.key, names)
}

fn change_cell(g: &GroupOut) -> Markup {
    html! {
        td.num {
            @if let Some(c) = &g.change {
                (points(c.delta)) " (so với " (labels::period(&c.previous)) ")"
                @if c.significant == Some(true) { br; small { "có ý nghĩa thống kê" } }
            } @else { "—" }
        }
    }
}

pub(super) fn index_table(form: &Form, report: &ReportOut, tree: &Tree) -> Markup {
    let with_change = report.groups.iter().any(|g| g.change.is_some());
    let names = unit_names(tree);
    html! {
        div.table-wrap {
            table #index-table {
                caption { "Chỉ số hài lòng (mục tiêu " (pct(Some(report.target))) ")" }
                thead { tr {
                    th scope="col" { "Nhóm" }
                    th scope="col" { "Số phiếu" }
                    th scope="col" { "Chỉ số" }
                    th scope="col" { "Khoảng tin cậy 95 %" }
                    th scope="col" { "Đạt mục tiêu" }
                    th scope="col" { "Kết luận" }
                    th scope="col" { "Chênh lệch so với mục tiêu (điểm %)" }
                    @if with_change { th scope="col" { "Thay đổi so với kỳ trước (điểm %)" } }
                } }
                tbody {
                    @for g in &report.groups {
                        tr {
                            th scope="row" { (key_label(form, g, &names)) }
                            td.num { (count(g.responses)) }
                            td.num { (pct(g.index.value)) }
                            td.num { (ci(&g.index)) }
                            td { (meets_word(g.index.meets_target)) }
                            (verdict_cell(&g.index))
                            td.num { (points(g.index.gap)) }
                            @if with_change { (change_cell(g)) }
                        }
                    }
                }
            }
        }
        (verdict_legend())
    }
}

/// "Có" / "Không" / "—".
pub(crate) fn meets_word(meets: Option<bool>) -> &'static str {
    match meets {
        Some(true) => "Có",
        Some(false) => "Không",
        None => "—",
    }
}

pub(super) fn detail_table(form: &Form, report: &ReportOut) -> Markup {
    let Some(g) = report.groups.first() else {
        return html! { p { "Không có dữ liệu." } };
    };
    html! {
        div.table-wrap {
            table #element-table {
                caption { "Chỉ số theo yếu tố và tiêu chí" }
                thead { tr {
                    th scope="col" { "Mã" }
                    th scope="col" { "Yếu tố / tiêu chí" }
                    th scope="col" { "Số trả lời" }
                    th scope="col" { "Chỉ số" }
                    th scope="col" { "Khoảng tin cậy 95 %" }
                    th scope="col" { "Đạt mục tiêu" }
                    th scope="col" { "Kết luận" }
                    th scope="col" { "Chênh lệch (điểm %)" }
                } }
                tbody {
                    @for part in &g.parts {
                        @for e in &part.elements {
                            tr.element {
                                td { strong { (e.code) } }
                                th scope="row" { strong { (e.label) } }
                                td.num { (count(e.n)) }
                                td.num { strong { (pct(e.index.value)) } }
                                td.num { (ci(&e.index)) }
                                td { (meets_word(e.index.meets_target)) }
                                (verdict_cell(&e.index))
                                td.num { (points(e.index.gap)) }
                            }
                            @for item in &e.items {
                                tr.item {
                                    td { (item.code) }
                                    td { (labels::item_text(form, &item.code)) }
                                    td.num { (count(item.n)) }
                                    td.num { (pct(item.index.value)) }
                                    td.num { (ci(&item.index)) }
                                    td { (meets_word(item.index.meets_target)) }
                                    (verdict_cell(&item.index))
                                    td.num { (points(item.index.gap)) }
                                }
                            }
                        }
                    }
                }
            }
        }
        p.legend { small { "Số trả lời của một yếu tố: số phiếu trả lời ít nhất một tiêu chí của yếu tố đó (ví dụ yếu tố phản ánh, kiến nghị chỉ gồm những người đã phản ánh, kiến nghị)." } }
        (verdict_legend())
    }
}

/// The expectations of the whole selection: per question, how many answered and the share of
/// each option (Ít, Nhiều, Rất nhiều); nothing when the form has none.
pub(super) fn expectations_table(report: &ReportOut) -> Markup {
    let Some(g) = report.groups.first().filter(|g| !g.expectations.is_empty()) else {
        return html! {};
    };
    html! {
        h2 { "Mong muốn cải thiện (toàn bộ lựa chọn)" }
        div.table-wrap {
            (expectation_table(g, "Tỷ lệ người trả lời theo mức độ mong muốn cải thiện"))
        }
        p.legend { small { "Tỷ lệ trên số người trả lời câu hỏi đó; trong ngoặc: số người chọn." } }
    }
}
