//! Rendering a questionnaire as an HTML form, with the answers given so far and the errors.

use std::collections::BTreeSet;

use maud::{html, Markup};
use serde_json::{Map, Value};

use crate::domain::Channel;
use crate::forms::model::{Choice, Scale, ShowIf};
use crate::forms::{FieldError, Form};
use crate::units::Unit;

/// A kiosk's timings (seconds), from the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KioskTiming {
    /// Without a touch for this long, the "Tôi cần thêm thời gian" warning appears…
    pub idle_seconds: u32,
    /// …and if nobody taps it within this long, the answers are cleared for the next citizen.
    pub warning_seconds: u32,
    /// How long the thank-you screen stays before a fresh form.
    pub thanks_seconds: u32,
}

/// What the page shows: the form, where it is answered, what was answered, what is wrong.
pub struct FormView<'a> {
    pub form: &'a Form,
    pub unit: &'a Unit,
    /// Where the form posts: `/f/{form_id}`, `/k/{token}` (kiosk) or `/i/{token}` (invitation).
    pub action: &'a str,
    /// Kiosk mode (large buttons, idle reset); `None` for phones and the web.
    pub kiosk: Option<KioskTiming>,
    pub channel: Channel,
    pub client_id: &'a str,
    pub answers: &'a Map<String, Value>,
    pub errors: &'a [FieldError],
}

fn routing_class(cond: &ShowIf) -> String {
    format!("when-{}-{}", cond.question, cond.equals)
}

/// CSS that hides routed questions until the answer that shows them is chosen (no JavaScript).
/// Browsers without `:has()` show everything, with a note saying when to answer.
pub fn routing_css(form: &Form) -> String {
    let conditions: BTreeSet<(String, String)> = form
        .all_questions()
        .iter()
        .flat_map(|q| {
            q.conditions
                .iter()
                .map(|c| (c.question.clone(), c.equals.clone()))
        })
        .collect();
    let mut css = String::from("@supports selector(:has(*)){");
    for (q, v) in conditions {
        css.push_str(&format!(
            ".when-{q}-{v}{{display:none}}form:has(input[name=\"{q}\"][value=\"{v}\"]:checked) .when-{q}-{v}{{display:block}}.when-{q}-{v} .routed-note{{display:none}}"
        ));
    }
    css.push('}');
    css
}

/// Faces for the five levels of the satisfaction scale, lowest first: decoration beside the
/// words (`aria-hidden`), never instead of them.
pub const FACES: [&str; 5] = ["😠", "😞", "😐", "😊", "😄"];

/// One radio of a group: its value, its words, a face (satisfaction scale on kiosks and phones),
/// and whether it is the scale's "not applicable" choice.
struct RadioOption {
    value: String,
    label: String,
    face: Option<&'static str>,
    not_applicable: bool,
}

impl FormView<'_> {
    fn value(&self, code: &str) -> String {
        match self.answers.get(code) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        }
    }

    fn error(&self, code: &str) -> Option<&FieldError> {
        self.errors.iter().find(|e| e.field == code)
    }

    fn routed_note(&self, cond: &ShowIf) -> Markup {
        let question = self.form.question(&cond.question);
        let q_label = question.map_or(cond.question.as_str(), |q| q.label.as_str());
        let option = question
            .and_then(|q| q.options.iter().find(|o| o.code == cond.equals))
            .map_or(cond.equals.as_str(), |o| o.label.as_str());
        html! { p.hint.routed-note { "Chỉ trả lời nếu ở câu “" (q_label) "” ông/bà chọn “" (option) "”." } }
    }

    /// One radio group in a fieldset with a legend ("Câu 3/19" and the question), its error next
    /// to it. `order` lists every radio group of the page, for the numbering.
    fn radio_group(
        &self,
        code: &str,
        legend: &str,
        required: bool,
        options: &[RadioOption],
        scale: bool,
        order: &[String],
    ) -> Markup {
        let current = self.value(code);
        let error = self.error(code);
        let err_id = format!("e-{code}");
        let number = order.iter().position(|c| c == code).map(|i| i + 1);
        html! {
            fieldset id={ "q-" (code) } class=[error.map(|_| "invalid")] aria-describedby=[error.map(|_| err_id.as_str())] {
                legend {
                    @if let Some(n) = number { span.qn { "Câu " (n) "/" (order.len()) } " " }
                    (legend)
                    @if required { " " span.req { "(bắt buộc)" } }
                }
                @if let Some(e) = error { p.err id=(err_id) { (e.message) } }
                div class={ "opts" @if scale { " scale" } } {
                    @for o in options {
                        label class={ "opt" @if o.not_applicable { " na" } } {
                            input type="radio" name=(code) value=(o.value) checked[current == o.value];
                            @if let Some(face) = o.face { span.face aria-hidden="true" { (face) } }
                            span { (o.label) }
                        }
                    }
                }
            }
        }
    }

    /// Faces on the satisfaction scale for kiosks and phones (not on the web form, nor on the
    /// expectation scale).
    fn faces(&self, scale: &Scale) -> bool {
        scale.labels.len() == FACES.len()
            && (self.kiosk.is_some() || matches!(self.channel, Channel::Kiosk | Channel::Phone))
    }

    /// A scale's radios: "1 – Rất không hài lòng" … (the words alone on a kiosk, under a face),
    /// then the "not applicable" choice, sent empty (not answered).
    fn scale_options(&self, scale: &Scale, faces: bool) -> Vec<RadioOption> {
        let mut options: Vec<RadioOption> = scale
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| RadioOption {
                value: (i + 1).to_string(),
                label: if self.kiosk.is_some() && faces {
                    l.clone()
                } else {
                    format!("{} – {l}", i + 1)
                },
                face: faces.then(|| FACES[i]),
                not_applicable: false,
            })
            .collect();
        if let Some(na) = &scale.not_applicable {
            options.push(RadioOption {
                value: String::new(),
                label: na.clone(),
                face: None,
                not_applicable: true,
            });
        }
        options
    }

    fn choice_options(options: &[Choice]) -> Vec<RadioOption> {
        options
            .iter()
            .map(|o| RadioOption {
                value: o.code.clone(),
                label: o.label.clone(),
                face: None,
                not_applicable: false,
            })
            .collect()
    }

    /// Whether the expectations are on the page.
    fn shows_expectations(&self) -> bool {
        !self.form.expectations.is_empty() && self.form.expectation_scale.is_some()
    }

    /// The codes of every radio group, in the order of the page: what "Câu n/N" counts.
    fn radio_order(&self) -> Vec<String> {
        let form = self.form;
        let first = form.questions.iter().filter(|q| self.comes_first(q));
        let items = form
            .parts
            .iter()
            .flat_map(|p| &p.elements)
            .flat_map(|e| &e.items)
            .map(|i| i.code.clone());
        let expectations = form
            .expectations
            .iter()
            .filter(|_| self.shows_expectations())
            .map(|e| e.code.clone());
        let last = form.questions.iter().filter(|q| !self.comes_first(q));
        first
            .map(|q| q.code.clone())
            .chain(items)
            .chain(expectations)
            .chain(last.map(|q| q.code.clone()))
            .collect()
    }

    fn error_summary(&self) -> Markup {
        html! {
            @if !self.errors.is_empty() {
                div.error-summary role="alert" tabindex="-1" aria-labelledby="error-summary-title" {
                    h2 #error-summary-title { "Có " (self.errors.len()) " câu cần xem lại" }
                    ul {
                        @for e in self.errors {
                            li { a href={ "#q-" (e.field) } { (self.label_of(&e.field)) ": " (e.message) } }
                        }
                    }
                }
            }
        }
    }

    fn label_of(&self, code: &str) -> String {
        self.form
            .all_questions()
            .iter()
            .find(|q| q.code == code)
            .map(|q| match q.kind {
                crate::forms::QuestionKind::Choice(c) => c.label.clone(),
                crate::forms::QuestionKind::Item(i) => i.label.clone(),
                crate::forms::QuestionKind::Expectation(e) => e.label.clone(),
                crate::forms::QuestionKind::Comment(c) => c.label.clone(),
            })
            .unwrap_or_else(|| code.to_string())
    }

    /// Respondent questions that are required or decide what else is shown (e.g. `da_pakn`) come
    /// first; the optional ones (gender, age, …) come after the ratings, so that a citizen reaches
    /// what matters most at once.
    fn comes_first(&self, q: &crate::forms::model::Question) -> bool {
        q.required
            || self
                .form
                .all_questions()
                .iter()
                .any(|other| other.conditions.iter().any(|c| c.question == q.code))
    }

    fn choice_question(&self, q: &crate::forms::model::Question, order: &[String]) -> Markup {
        html! {
            div class=[q.show_if.as_ref().map(routing_class)] {
                @if let Some(cond) = &q.show_if { (self.routed_note(cond)) }
                (self.radio_group(&q.code, &q.label, q.required, &Self::choice_options(&q.options), false, order))
            }
        }
    }

    /// The thank-you panel the script shows once the answer is stored (hidden until then).
    fn thanks_panel(&self) -> Markup {
        html! {
            div #thanks .card role="status" tabindex="-1" hidden {
                h2 { "Cảm ơn ông/bà!" }
                p { "Ý kiến của ông/bà giúp cơ quan hành chính phục vụ người dân tốt hơn. Phiếu không ghi tên người trả lời." }
                @if let Some(k) = self.kiosk {
                    p.hint { "Màn hình sẽ trở về phiếu mới sau " (k.thanks_seconds) " giây." }
                }
            }
        }
    }

    /// The kiosk's "are you still there?" dialog (WCAG 2.2.1), shown by the script after a while
    /// without a touch.
    fn idle_dialog(k: KioskTiming) -> Markup {
        html! {
            div #idle-warning role="alertdialog" aria-modal="true" aria-labelledby="idle-title" aria-describedby="idle-text" hidden {
                div.dialog {
                    h2 #idle-title { "Ông/bà còn đang trả lời không?" }
                    p #idle-text {
                        "Màn hình sẽ xoá các câu trả lời sau " span #idle-count { (k.warning_seconds) } " giây."
                    }
                    button #idle-continue type="button" { "Tôi cần thêm thời gian" }
                }
            }
        }
    }

    /// The page body: heading, error summary, the thank-you panel (for the script), the form, the
    /// sending status and, on a kiosk, the idle dialog.
    ///
    /// The script's contract: `form[data-outbox]` (with `class="kiosk"` and `data-idle-seconds`,
    /// `data-warning-seconds`, `data-thanks-seconds` on a kiosk), the hidden `client_id`,
    /// `#progress`, `#outbox-status`, `#thanks`, `#idle-warning` and `#idle-continue`.
    pub fn render(&self) -> Markup {
        let form = self.form;
        let order = self.radio_order();
        let faces = self.faces(&form.scale);
        let kiosk = self.kiosk;
        html! {
            h1 tabindex="-1" { (form.title) }
            @if let Some(intro) = &form.intro { p { (intro) } }
            p.hint { "Đơn vị: " strong { (self.unit.name) } }
            (self.error_summary())
            (self.thanks_panel())
            form method="post" action=(self.action) accept-charset="utf-8" data-outbox
                class=[kiosk.map(|_| "kiosk")]
                data-idle-seconds=[kiosk.map(|k| k.idle_seconds)]
                data-warning-seconds=[kiosk.map(|k| k.warning_seconds)]
                data-thanks-seconds=[kiosk.map(|k| k.thanks_seconds)] {
                input type="hidden" name="unit" value=(self.unit.code);
                input type="hidden" name="channel" value=(self.channel.as_str());
                input type="hidden" name="client_id" value=(self.client_id);
                @for q in form.questions.iter().filter(|q| self.comes_first(q)) {
                    (self.choice_question(q, &order))
                }
                @for part in &form.parts {
                    section class=[part.show_if.as_ref().map(routing_class)] {
                        h2 { (part.label) }
                        @if let Some(cond) = &part.show_if { (self.routed_note(cond)) }
                        @if kiosk.is_some() && faces {
                            p.hint { "Xin chạm vào mức độ hài lòng của ông/bà." }
                        } @else {
                            p.hint { "Mức độ hài lòng: 1 là thấp nhất, 5 là cao nhất." }
                        }
                        @for element in &part.elements {
                            div class=[element.show_if.as_ref().map(routing_class)] {
                                h3 { (element.label) }
                                @if let Some(cond) = &element.show_if { (self.routed_note(cond)) }
                                @for item in &element.items {
                                    (self.radio_group(
                                        &item.code,
                                        &item.label,
                                        item.required.applies_to(self.channel),
                                        &self.scale_options(&form.scale, faces),
                                        true,
                                        &order,
                                    ))
                                }
                            }
                        }
                    }
                }
                @if let (true, Some(scale)) = (self.shows_expectations(), &form.expectation_scale) {
                    h2 { "Ông/bà mong muốn cơ quan cải thiện điều gì?" }
                    @for e in &form.expectations {
                        (self.radio_group(&e.code, &e.label, false, &self.scale_options(scale, false), true, &order))
                    }
                }
                @if form.questions.iter().any(|q| !self.comes_first(q)) {
                    h2 { "Thông tin về người trả lời" }
                    p.hint { "Không bắt buộc. Phiếu không ghi tên; các thông tin này chỉ dùng để thống kê." }
                    @for q in form.questions.iter().filter(|q| !self.comes_first(q)) {
                        (self.choice_question(q, &order))
                    }
                }
                @for c in &form.comments {
                    div.card id={ "q-" (c.code) } {
                        label for=(c.code) { strong { (c.label) } }
                        @if let Some(e) = self.error(&c.code) { p.err id={ "e-" (c.code) } { (e.message) } }
                        textarea id=(c.code) name=(c.code) maxlength=(c.max_length) rows="5" { (self.value(&c.code)) }
                        p.hint { "Tối đa " (c.max_length) " ký tự. Xin đừng ghi họ tên, số điện thoại." }
                    }
                }
                p #progress aria-live="polite" hidden {}
                p { button type="submit" { "Gửi" } }
            }
            div #outbox-status role="status" aria-live="polite" tabindex="-1" {}
            @if let Some(k) = kiosk { (Self::idle_dialog(k)) }
        }
    }
}
