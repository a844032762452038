//! The markup of `/entry`: the form chooser, the running count, the sheet number, the survey date
//! and one short field per question, each labelled with its code, its text and the digits it
//! takes; problems beside their fields and in a summary.

use std::collections::HashMap;
use std::sync::Arc;

use maud::{html, Markup};

use super::Operator;
use crate::forms::model::QuestionKind;
use crate::forms::LoadedForm;
use crate::service::paper::entry::Entered;
use crate::web::error::ApiError;
use crate::web::html::admin::{error_summary, notice, Problem};
use crate::web::html::layout::staff_nav;

/// What the page shows besides the empty form.
#[derive(Default)]
pub struct View {
    /// The fields as sent (kept when there are problems).
    pub fields: HashMap<String, String>,
    pub error: Option<ApiError>,
    pub saved: Option<Entered>,
    /// Sheets saved from this page in this session.
    pub count: u32,
}

impl View {
    fn value(&self, name: &str) -> &str {
        if self.saved.is_some() {
            return "";
        }
        self.fields.get(name).map_or("", String::as_str)
    }

    /// The message beside field `name`: its field problems, and the refusals of the whole sheet
    /// beside the sheet number.
    fn problem(&self, name: &str) -> Option<String> {
        let e = self.error.as_ref()?;
        if e.fields.is_empty() {
            return (name == "sheet").then(|| e.message.clone());
        }
        let found: Vec<&str> = e
            .fields
            .iter()
            .filter(|f| f.field == name)
            .map(|f| f.message.as_str())
            .collect();
        (!found.is_empty()).then(|| found.join(" "))
    }
}

/// The hint of a question: the digits it takes.
fn hint(kind: &QuestionKind<'_>) -> String {
    match kind {
        QuestionKind::Item(_) => {
            "1–5 (1 rất không hài lòng … 5 rất hài lòng); 0 hoặc để trống: không trả lời"
                .to_string()
        }
        QuestionKind::Expectation(_) => "1–3; 0 hoặc để trống: không trả lời".to_string(),
        QuestionKind::Choice(q) => {
            let options: Vec<String> = q
                .options
                .iter()
                .enumerate()
                .map(|(i, o)| format!("{} {}", i + 1, o.label))
                .collect();
            format!("{}; 0 hoặc để trống: không trả lời", options.join(" · "))
        }
        QuestionKind::Comment(c) => format!(
            "Chép nguyên văn, tối đa {} ký tự; để trống nếu không có",
            c.max_length
        ),
    }
}

pub(super) fn label<'a>(kind: &QuestionKind<'a>) -> &'a str {
    match kind {
        QuestionKind::Item(i) => &i.label,
        QuestionKind::Expectation(e) => &e.label,
        QuestionKind::Choice(q) => &q.label,
        QuestionKind::Comment(c) => &c.label,
    }
}

/// The routing of a question as the script reads it: `question=digit` conditions, `;`-separated.
fn show_if(loaded: &LoadedForm, conditions: &[&crate::forms::model::ShowIf]) -> String {
    conditions
        .iter()
        .filter_map(|c| {
            let q = loaded.form.question(&c.question)?;
            let i = q.options.iter().position(|o| o.code == c.equals)?;
            Some(format!("{}={}", c.question, i + 1))
        })
        .collect::<Vec<_>>()
        .join(";")
}

fn text_field(view: &View, name: &str, title: &str, hint_text: &str, extra: Markup) -> Markup {
    let problem = view.problem(name);
    let described = if problem.is_some() {
        format!("{name}-hint {name}-err")
    } else {
        format!("{name}-hint")
    };
    html! {
        p.entry-field.invalid[problem.is_some()] {
            label for=(name) { strong { (title) } }
            span.hint id={ (name) "-hint" } { (hint_text) }
            @if let Some(p) = &problem { span.err id={ (name) "-err" } { (p) } }
            (extra)
            input id=(name) name=(name) type="text" value=(view.value(name)) autocomplete="off"
                spellcheck="false" aria-describedby=(described) aria-invalid=[problem.as_ref().map(|_| "true")]
                autofocus[name == "sheet"];
        }
    }
}

fn question_field(
    loaded: &LoadedForm,
    view: &View,
    q: &crate::forms::model::QuestionRef<'_>,
) -> Markup {
    let code = q.code;
    let problem = view.problem(code);
    let max = match q.kind {
        QuestionKind::Item(_) => Some(5),
        QuestionKind::Expectation(_) => Some(3),
        QuestionKind::Choice(c) => Some(c.options.len()),
        QuestionKind::Comment(_) => None,
    };
    let described = if problem.is_some() {
        format!("{code}-hint {code}-err")
    } else {
        format!("{code}-hint")
    };
    let routing = show_if(loaded, &q.conditions);
    html! {
        div.entry-q.invalid[problem.is_some()] id={ "q-" (code) } data-show-if=[(!routing.is_empty()).then_some(&routing)] {
            label for=(code) { span.qcode { (code) } " " (label(&q.kind)) }
            span.hint id={ (code) "-hint" } { (hint(&q.kind)) }
            @if let Some(p) = &problem { span.err id={ (code) "-err" } { (p) } }
            @if let Some(max) = max {
                input.digit id=(code) name=(code) type="text" inputmode="numeric" maxlength="1" size="2"
                    autocomplete="off" data-max=(max) value=(view.value(code)) aria-describedby=(described)
                    aria-invalid=[problem.as_ref().map(|_| "true")];
            } @else {
                input.comment id=(code) name=(code) type="text" autocomplete="off" value=(view.value(code))
                    aria-describedby=(described) aria-invalid=[problem.as_ref().map(|_| "true")];
            }
        }
    }
}

fn chooser(forms: &[Arc<LoadedForm>], chosen: Option<&LoadedForm>) -> Markup {
    let chosen_id = chosen.map_or("", |f| f.form.id.as_str());
    html! {
        form.card.noprint #entry-choose method="get" action="/entry" {
            p {
                label for="form" { strong { "Phiếu khảo sát đang nhập" } }
                select #form name="form" {
                    @for f in forms {
                        option value=(f.form.id) selected[f.form.id == chosen_id] { (f.form.title) }
                    }
                }
                " "
                button.secondary type="submit" { "Chọn phiếu" }
            }
        }
    }
}

fn saved_notice(saved: Option<&Entered>) -> Markup {
    let Some(e) = saved else { return html! {} };
    let text = format!("Đã lưu phiếu {}: {}.", e.sheet, e.state.label());
    notice(Some(&text))
}

/// The whole page body.
pub fn render(
    op: &Operator,
    forms: &[Arc<LoadedForm>],
    loaded: Option<&LoadedForm>,
    view: &View,
) -> Markup {
    let extra = match op.staff.role {
        crate::domain::Role::Admin => {
            html! { a href="/entry/reconcile" { "Đối chiếu phiếu giấy" } }
        }
        _ => html! {},
    };
    let problems: Vec<Problem> = view
        .error
        .as_ref()
        .map(|e| Problem::of(e, |f| Some(f.field.clone())))
        .unwrap_or_default();
    html! {
        (staff_nav(&op.staff, &op.csrf, "/entry", extra))
        h1 { "Nhập phiếu giấy" }
        (chooser(forms, loaded))
        @if let Some(loaded) = loaded {
            p #entry-count role="status" { "Đã nhập trong phiên này: " strong #entry-count-n { (view.count) } " phiếu." }
            (saved_notice(view.saved.as_ref()))
            (error_summary("Chưa lưu được phiếu", &problems))
            p #entry-live.live aria-live="assertive" {}
            p.hint #entry-keys {
                "Chỉ cần bàn phím: quét hoặc gõ số phiếu rồi Enter, gõ ngày (8 chữ số, ví dụ 02112026), rồi mỗi câu một chữ số — con trỏ tự sang câu sau. "
                "Câu bị bỏ qua theo phiếu thì không nhập. Nhấn Enter để lưu phiếu."
            }
            form.card #entry-form method="post" action="/entry" data-entry {
                input type="hidden" name="csrf" value=(op.csrf);
                input type="hidden" name="form" value=(loaded.form.id);
                input #count type="hidden" name="count" value=(view.count);
                h2 { (loaded.form.title) }
                (text_field(view, "sheet", "Số phiếu", "Mã đơn vị và số thứ tự in trên phiếu, ví dụ phuoc-son-000123", html! {}))
                (text_field(view, "survey_date", "Ngày khảo sát", "Ngày ghi trên phiếu: ngày tháng năm, 8 chữ số (02112026) hoặc 02/11/2026", html! {}))
                div.entry-grid {
                    @for q in loaded.form.all_questions() {
                        (question_field(loaded, view, &q))
                    }
                }
                p { button type="submit" { "Lưu phiếu (Enter)" } }
            }
        } @else {
            p { "Chưa có phiếu khảo sát nào nhận trả lời trên giấy." }
        }
    }
}
