//! The markup of `/entry/reconcile`: counts per state, the operators' figures, and for each
//! disputed sheet a table of both entries per question — the differing rows marked in words
//! ("Khác nhau"), not only in colour — with the supervisor's choice on each differing row.

use std::sync::Arc;

use maud::{html, Markup};

use super::Operator;
use crate::collecting::paper::entry::{digit_of, digit_text, OperatorRate, SheetState};
use crate::domain::FieldError;
use crate::forms::LoadedForm;
use crate::service::paper::reconcile::SheetView;
use crate::web::html::admin::{error_summary, notice, Problem};
use crate::web::html::layout::staff_nav;

pub struct Page<'a> {
    pub op: &'a Operator,
    pub forms: &'a [Arc<LoadedForm>],
    pub loaded: Option<&'a LoadedForm>,
    pub counts: &'a [(SheetState, i64)],
    pub disputed: &'a [SheetView],
    pub rates: &'a [OperatorRate],
    pub done: Option<&'a str>,
    /// The sheet whose decision was refused, its field problems and the message.
    pub problem: Option<(&'a str, &'a [FieldError], &'a str)>,
}

pub fn render(page: &Page<'_>) -> Markup {
    let extra = html! { a href="/entry" { "Nhập phiếu giấy" } };
    let chosen = page.loaded.map_or("", |f| f.form.id.as_str());
    html! {
        (staff_nav(&page.op.staff, &page.op.csrf, "/entry/reconcile", extra))
        h1 { "Đối chiếu phiếu giấy" }
        form.card.noprint method="get" action="/entry/reconcile" {
            p {
                label for="form" { strong { "Phiếu khảo sát" } }
                select #form name="form" {
                    @for f in page.forms { option value=(f.form.id) selected[f.form.id == chosen] { (f.form.title) } }
                }
                " " button.secondary type="submit" { "Xem" }
            }
        }
        (notice(page.done))
        @if let Some(loaded) = page.loaded {
            (counts_table(page.counts))
            (rates_table(page.rates))
            h2 { "Phiếu chờ đối chiếu" }
            @if page.disputed.is_empty() {
                p { "Không có phiếu nào có hai lần nhập khác nhau." }
            }
            @for sheet in page.disputed {
                (sheet_form(page, loaded, sheet))
            }
        }
    }
}

fn counts_table(counts: &[(SheetState, i64)]) -> Markup {
    html! {
        h2 { "Số phiếu theo trạng thái" }
        p.hint { "Phiếu chờ nhập lần hai và phiếu chờ đối chiếu chưa phải là câu trả lời: không có trong báo cáo." }
        table #sheet-counts {
            caption { "Phiếu đã nhập, theo trạng thái" }
            thead { tr { th scope="col" { "Trạng thái" } th scope="col" { "Số phiếu" } } }
            tbody {
                @for (state, n) in counts {
                    tr data-state=(state.as_str()) { th scope="row" { (state.label()) } td { (n) } }
                }
            }
        }
    }
}

fn rates_table(rates: &[OperatorRate]) -> Markup {
    html! {
        h2 { "Tỉ lệ nhập khác nhau theo người nhập" }
        @if rates.is_empty() {
            p { "Chưa có lần nhập nào." }
        } @else {
            table #operator-rates {
                caption { "Mỗi người nhập: số phiếu đã nhập, số phiếu đã có lần nhập thứ hai, số phiếu khác nhau" }
                thead { tr {
                    th scope="col" { "Người nhập" } th scope="col" { "Phiếu đã nhập" }
                    th scope="col" { "Đã so với lần nhập thứ hai" } th scope="col" { "Khác nhau" } th scope="col" { "Tỉ lệ khác nhau" }
                } }
                tbody {
                    @for r in rates {
                        tr {
                            th scope="row" { (r.operator) } td { (r.entered) } td { (r.compared) } td { (r.disagreements) }
                            td { @if let Some(rate) = r.disagreement_rate { (format!("{rate:.2}")) " %" } @else { "—" } }
                        }
                    }
                }
            }
        }
    }
}

/// One row: the question, A's and B's values, whether they differ, and the choice when they do.
fn row(
    name: &str,
    question: &str,
    a: &str,
    b: &str,
    a_digit: &str,
    b_digit: &str,
    problem: Option<&str>,
) -> Markup {
    let differs = a != b;
    html! {
        tr.differs[differs] {
            th scope="row" { span.qcode { (name) } " " (question) }
            td { (a) } td { (b) }
            td {
                @if differs {
                    fieldset.pick {
                        legend { strong { "Khác nhau" } span.visually-hidden { " – câu " (name) } ": chọn giá trị đúng" }
                        @if let Some(p) = problem { span.err { (p) } }
                        label { input type="radio" name={ "pick_" (name) } value="a" data-value=(a_digit); " A (" (a) ")" }
                        " "
                        label { input type="radio" name={ "pick_" (name) } value="b" data-value=(b_digit); " B (" (b) ")" }
                        " "
                        label { input type="radio" name={ "pick_" (name) } value="other"; " Giá trị khác:" }
                        " "
                        input type="text" name={ "value_" (name) } size="10" autocomplete="off" aria-label={ "Giá trị khác cho câu " (name) };
                    }
                } @else {
                    "Giống nhau"
                }
            }
        }
    }
}

fn sheet_form(page: &Page<'_>, loaded: &LoadedForm, sheet: &SheetView) -> Markup {
    let (Some(a), Some(b)) = (sheet.entries.first(), sheet.entries.get(1)) else {
        return html! {};
    };
    let refused = page.problem.filter(|(s, _, _)| *s == sheet.sheet);
    let problem_of = |name: &str| {
        refused.and_then(|(_, fields, _)| {
            fields
                .iter()
                .find(|f| f.field == name)
                .map(|f| f.message.as_str())
        })
    };
    let problems: Vec<Problem> = refused
        .map(|(_, fields, message)| {
            if fields.is_empty() {
                vec![Problem::new(None, message)]
            } else {
                fields
                    .iter()
                    .map(|f| Problem::new(None, f.message.clone()))
                    .collect()
            }
        })
        .unwrap_or_default();
    let form = &loaded.form;
    let id = format!("sheet-{}", sheet.sheet);
    let (ad, bd) = (
        a.survey_date.format("%d/%m/%Y").to_string(),
        b.survey_date.format("%d/%m/%Y").to_string(),
    );
    html! {
        section.card.disputed id=(id) aria-labelledby={ (id) "-title" } {
            h3 id={ (id) "-title" } { "Phiếu " (sheet.sheet) }
            (error_summary("Chưa lưu được quyết định", &problems))
            form method="post" action={ "/entry/reconcile/" (sheet.sheet) } {
                input type="hidden" name="csrf" value=(page.op.csrf);
                input type="hidden" name="form" value=(form.id);
                table {
                    caption { "Hai lần nhập của phiếu " (sheet.sheet) ": A do " (a.operator) ", B do " (b.operator) }
                    thead { tr {
                        th scope="col" { "Câu hỏi" } th scope="col" { "Lần nhập A (" (a.operator) ")" }
                        th scope="col" { "Lần nhập B (" (b.operator) ")" } th scope="col" { "Quyết định" }
                    } }
                    tbody {
                        (row("survey_date", "Ngày khảo sát", &ad, &bd, &ad, &bd, problem_of("survey_date")))
                        @for q in form.all_questions() {
                            @let (av, bv) = (a.answers.get(q.code), b.answers.get(q.code));
                            @if av.is_some() || bv.is_some() {
                                @let digit = |v: Option<&serde_json::Value>| v.map(|v| digit_of(form, q.code, v)).unwrap_or_default();
                                (row(q.code, super::form::label(&q.kind), &digit_text(form, q.code, av), &digit_text(form, q.code, bv), &digit(av), &digit(bv), problem_of(q.code)))
                            }
                        }
                    }
                }
                p { button type="submit" { "Lưu quyết định cho phiếu " (sheet.sheet) } }
            }
        }
    }
}
