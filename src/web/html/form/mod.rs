//! Rendering a questionnaire as an HTML form, with the answers given so far and the errors: the
//! questions one after the other (phones, the web, invitations), or in one screen's sections on a
//! kiosk (`steps`).

mod steps;

use std::collections::BTreeSet;

use maud::{html, Markup};
use serde_json::{Map, Value};

use crate::administration::units::Unit;
use crate::domain::Channel;
use crate::forms::model::{Choice, Scale, ShowIf};
use crate::forms::validate::NO_RATING;
use crate::forms::{FieldError, Form};

/// The rules a page applies for its channel: the web form (`/` → `/f/…?channel=web`) is a
/// citizen's own answer like a phone's, so it requires what the phone requires. (The JSON API
/// keeps the form's own rules for `web`.)
pub fn page_rules(channel: Channel) -> Channel {
    match channel {
        Channel::Web => Channel::Phone,
        other => other,
    }
}

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
    /// What was answered; `null` for a scale's "not applicable" chosen on the page.
    pub answers: &'a Map<String, Value>,
    pub errors: &'a [FieldError],
    /// "Trả lời phiếu mới" on the thank-you panel (none for invitations).
    pub again: Option<&'a str>,
}

pub(super) fn routing_class(cond: &ShowIf) -> String {
    format!("when-{}-{}", cond.question, cond.equals)
}

/// `question=option`: the script's copy of a routing condition (`data-when`, space-separated
/// when there are several).
pub(super) fn when(cond: &ShowIf) -> String {
    format!("{}={}", cond.question, cond.equals)
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
pub(super) struct RadioOption {
    value: String,
    label: String,
    face: Option<&'static str>,
    not_applicable: bool,
}

impl FormView<'_> {
    /// Whether the radio `code=value` is checked: the answer given, or the "not applicable"
    /// choice (value "") when that was chosen (`null`) — never before anything is chosen.
    fn checked(&self, code: &str, value: &str) -> bool {
        match self.answers.get(code) {
            Some(Value::Null) => value.is_empty(),
            Some(_) => !value.is_empty() && self.value(code) == value,
            None => false,
        }
    }

    fn value(&self, code: &str) -> String {
        match self.answers.get(code) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        }
    }

    pub(super) fn error(&self, code: &str) -> Option<&FieldError> {
        self.errors.iter().find(|e| e.field == code)
    }

    pub(super) fn routed_note(&self, cond: &ShowIf) -> Markup {
        let question = self.form.question(&cond.question);
        let q_label = question.map_or(cond.question.as_str(), |q| q.label.as_str());
        let option = question
            .and_then(|q| q.options.iter().find(|o| o.code == cond.equals))
            .map_or(cond.equals.as_str(), |o| o.label.as_str());
        html! { p.hint.routed-note { "Chỉ trả lời nếu ở câu “" (q_label) "” ông/bà chọn “" (option) "”." } }
    }

    /// One radio group in a fieldset with a legend ("Câu 3/19" and the question), its error next
    /// to it. `order` lists every radio group of the page, for the numbering.
    pub(super) fn radio_group(
        &self,
        code: &str,
        legend: &str,
        required: bool,
        options: &[RadioOption],
        scale: bool,
        order: &[String],
    ) -> Markup {
        let error = self.error(code);
        let err_id = format!("e-{code}");
        let number = order.iter().position(|c| c == code).map(|i| i + 1);
        let choices = options.iter().filter(|o| !o.not_applicable).count();
        html! {
            fieldset id={ "q-" (code) } class=[error.map(|_| "invalid")] aria-describedby=[error.map(|_| err_id.as_str())] data-required=[required.then_some("")] {
                legend {
                    @if let Some(n) = number { span.qn { "Câu " (n) "/" (order.len()) } " " }
                    (legend)
                    @if required { " " span.req { "(bắt buộc)" } }
                }
                @if let Some(e) = error { p.err id=(err_id) { (e.message) } }
                div class={ "opts n" (grid_columns(choices)) @if scale { " scale" } } {
                    @for o in options {
                        label class={ "opt" @if o.not_applicable { " na" } } {
                            input type="radio" name=(code) value=(o.value) checked[self.checked(code, &o.value)];
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
    /// The web form is a citizen's too (not the delegates' invitation form, whose scale rates
    /// the administration's work rather than one's own satisfaction).
    pub(super) fn faces(&self, scale: &Scale) -> bool {
        scale.labels.len() == FACES.len()
            && (self.kiosk.is_some()
                || matches!(self.channel, Channel::Kiosk | Channel::Phone)
                || (self.channel == Channel::Web && !self.form.invitation_only))
    }

    /// A scale's radios: "1 – Rất không hài lòng" … (the words alone on a kiosk, under a face),
    /// then the "not applicable" choice, sent empty (not answered).
    pub(super) fn scale_options(&self, scale: &Scale, faces: bool) -> Vec<RadioOption> {
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

    pub(super) fn choice_options(options: &[Choice]) -> Vec<RadioOption> {
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
    pub(super) fn shows_expectations(&self) -> bool {
        !self.form.expectations.is_empty() && self.form.expectation_scale.is_some()
    }

    /// The codes of every radio group, in the order of the page: what "Câu n/N" counts (the
    /// script counts only those the routing shows, and renumbers the legends and the error
    /// summary).
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

    /// "Câu 5 – Thời hạn giải quyết đúng…" for each question to look at again, linking to it: a
    /// short list on a phone. A response that rates nothing says so first.
    fn error_summary(&self, order: &[String]) -> Markup {
        let no_rating = self.errors.iter().find(|e| e.code == NO_RATING);
        let listed: Vec<&FieldError> = self.errors.iter().filter(|e| e.code != NO_RATING).collect();
        html! {
            @if !self.errors.is_empty() {
                div.error-summary role="alert" tabindex="-1" aria-labelledby="error-summary-title" {
                    h2 #error-summary-title {
                        @if listed.is_empty() { "Phiếu chưa có đánh giá nào" }
                        @else { "Có " (listed.len()) " câu cần xem lại" }
                    }
                    @if let Some(e) = no_rating {
                        p { a href={ "#q-" (e.field) } { (e.message) } }
                    }
                    @if !listed.is_empty() {
                        ul {
                            @for e in listed {
                                li {
                                    a href={ "#q-" (e.field) } {
                                        @if let Some(n) = order.iter().position(|c| *c == e.field) { "Câu " (n + 1) " – " }
                                        (short_label(&self.label_of(&e.field)))
                                    }
                                    @if e.code != "required" { ": " (e.message) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    pub(super) fn label_of(&self, code: &str) -> String {
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
    pub(super) fn comes_first(&self, q: &crate::forms::model::Question) -> bool {
        q.required
            || self
                .form
                .all_questions()
                .iter()
                .any(|other| other.conditions.iter().any(|c| c.question == q.code))
    }

    pub(super) fn choice_question(
        &self,
        q: &crate::forms::model::Question,
        order: &[String],
    ) -> Markup {
        html! {
            div class=[q.show_if.as_ref().map(routing_class)] data-when=[q.show_if.as_ref().map(when)] {
                @if let Some(cond) = &q.show_if { (self.routed_note(cond)) }
                (self.radio_group(&q.code, &q.label, q.required, &Self::choice_options(&q.options), false, order))
            }
        }
    }

    /// The thank-you panel the script shows once the answer is stored (hidden until then).
    pub(super) fn thanks_panel(&self) -> Markup {
        html! {
            div #thanks .card role="status" tabindex="-1" hidden {
                h2 { "Cảm ơn ông/bà!" }
                p { "Ý kiến của ông/bà giúp cơ quan hành chính phục vụ người dân tốt hơn. Phiếu không ghi tên người trả lời." }
                @if let Some(k) = self.kiosk {
                    p.hint { "Màn hình sẽ trở về phiếu mới sau " (k.thanks_seconds) " giây." }
                }
                @if let Some(again) = self.again {
                    p { a.button href=(again) { "Trả lời phiếu mới" } }
                }
            }
        }
    }

    /// The kiosk's "are you still there?" dialog (WCAG 2.2.1), shown by the script after a while
    /// without a touch.
    pub(super) fn idle_dialog(k: KioskTiming) -> Markup {
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

    /// Whether an item is required on this page.
    pub(super) fn item_required(&self, item: &crate::forms::model::Item) -> bool {
        item.required.applies_to(page_rules(self.channel))
    }

    /// An item's radio group on the satisfaction scale.
    pub(super) fn item_group(&self, item: &crate::forms::model::Item, order: &[String]) -> Markup {
        let faces = self.faces(&self.form.scale);
        self.radio_group(
            &item.code,
            &item.label,
            self.item_required(item),
            &self.scale_options(&self.form.scale, faces),
            true,
            order,
        )
    }

    /// The hint above a part's items.
    pub(super) fn scale_hint(&self) -> &'static str {
        if self.kiosk.is_some() && self.faces(&self.form.scale) {
            "Xin chạm vào mức độ hài lòng của ông/bà."
        } else {
            "Mức độ hài lòng: 1 là thấp nhất, 5 là cao nhất."
        }
    }

    /// A free-text question.
    pub(super) fn comment(&self, c: &crate::forms::model::Comment) -> Markup {
        html! {
            div.card id={ "q-" (c.code) } {
                label for=(c.code) { strong { (c.label) } }
                @if let Some(e) = self.error(&c.code) { p.err id={ "e-" (c.code) } { (e.message) } }
                textarea id=(c.code) name=(c.code) maxlength=(c.max_length) rows="5" { (self.value(&c.code)) }
                p.hint { "Tối đa " (c.max_length) " ký tự. Xin đừng ghi họ tên, số điện thoại." }
            }
        }
    }

    /// The questions one after the other (phones, the web, invitations).
    fn questions(&self, order: &[String]) -> Markup {
        let form = self.form;
        html! {
            @for q in form.questions.iter().filter(|q| self.comes_first(q)) {
                (self.choice_question(q, order))
            }
            @for part in &form.parts {
                section class=[part.show_if.as_ref().map(routing_class)] {
                    h2 { (part.label) }
                    @if let Some(cond) = &part.show_if { (self.routed_note(cond)) }
                    p.hint { (self.scale_hint()) }
                    @for element in &part.elements {
                        div class=[element.show_if.as_ref().map(routing_class)] {
                            h3 { (element.label) }
                            @if let Some(cond) = &element.show_if { (self.routed_note(cond)) }
                            @for item in &element.items { (self.item_group(item, order)) }
                        }
                    }
                }
            }
            @if let Some(scale) = self.expectation_scale() {
                h2 { (EXPECTATIONS_TITLE) }
                @for e in &form.expectations {
                    (self.radio_group(&e.code, &e.label, false, &self.scale_options(scale, false), true, order))
                }
            }
            @if form.questions.iter().any(|q| !self.comes_first(q)) {
                h2 { (RESPONDENT_TITLE) }
                p.hint { (RESPONDENT_HINT) }
                @for q in form.questions.iter().filter(|q| !self.comes_first(q)) {
                    (self.choice_question(q, order))
                }
            }
            @for c in &form.comments { (self.comment(c)) }
        }
    }

    /// The expectation scale, when the expectations are on the page.
    pub(super) fn expectation_scale(&self) -> Option<&Scale> {
        self.form
            .expectation_scale
            .as_ref()
            .filter(|_| self.shows_expectations())
    }

    /// The page body: heading, error summary, the thank-you panel (for the script), the form, the
    /// sending status and, on a kiosk, the idle dialog. On a kiosk the questions come in
    /// sections (`section.step`), one per screen with the script; all of them without it.
    ///
    /// The script's contract: `form[data-outbox]` (with `class="kiosk"` and `data-idle-seconds`,
    /// `data-warning-seconds`, `data-thanks-seconds` on a kiosk), the hidden `client_id`,
    /// `#progress`, `#outbox-status`, `#thanks`, `#idle-warning`, `#idle-continue`, and on a
    /// kiosk `section.step` (`data-when`, `.step-n`, `.step-nav` with `.step-back`/`.step-next`).
    pub fn render(&self) -> Markup {
        let form = self.form;
        let order = self.radio_order();
        let kiosk = self.kiosk;
        html! {
            h1 tabindex="-1" { (form.title) }
            @if let Some(intro) = &form.intro { p.intro { (intro) } }
            p.hint { "Đơn vị: " strong { (self.unit.name) } }
            (self.error_summary(&order))
            (self.thanks_panel())
            form method="post" action=(self.action) accept-charset="utf-8" data-outbox
                class=[kiosk.map(|_| "kiosk")]
                data-idle-seconds=[kiosk.map(|k| k.idle_seconds)]
                data-warning-seconds=[kiosk.map(|k| k.warning_seconds)]
                data-thanks-seconds=[kiosk.map(|k| k.thanks_seconds)] {
                input type="hidden" name="unit" value=(self.unit.code);
                input type="hidden" name="channel" value=(self.channel.as_str());
                input type="hidden" name="client_id" value=(self.client_id);
                @if kiosk.is_some() { (steps::render(self, &order)) }
                @else { (self.questions(&order)) }
                p #progress aria-live="polite" hidden {}
                p.submit { button type="submit" { "Gửi" } }
            }
            div #outbox-status role="status" aria-live="polite" tabindex="-1" {}
            @if let Some(k) = kiosk { (Self::idle_dialog(k)) }
        }
    }
}

pub(super) const EXPECTATIONS_TITLE: &str = "Ông/bà mong muốn cơ quan cải thiện điều gì?";
pub(super) const RESPONDENT_TITLE: &str = "Thông tin về người trả lời";
pub(super) const RESPONDENT_HINT: &str =
    "Không bắt buộc. Phiếu không ghi tên; các thông tin này chỉ dùng để thống kê.";

/// Columns of an option grid (kiosk): all options in one row up to five, else balanced rows.
pub(super) fn grid_columns(options: usize) -> usize {
    let rows = options.div_ceil(5).max(1);
    options.div_ceil(rows).max(1)
}

/// The first few words of a label ("Thời hạn giải quyết đúng…"), for the error summary.
pub fn short_label(label: &str) -> String {
    const WORDS: usize = 4;
    let words: Vec<&str> = label.split_whitespace().collect();
    if words.len() <= WORDS {
        return label.to_string();
    }
    let head = words[..WORDS].join(" ");
    format!("{}…", head.trim_end_matches([',', ';', ':', '.', '–', '-']))
}
