//! Checking a form file read by TOML ([`super::raw`]) and turning it into the [`Form`] model:
//! every problem at its line, all of them at once.

use std::collections::{HashMap, HashSet};

use toml::Spanned;

use super::raw::{RawComment, RawElement, RawForm, RawLabelled, RawPart, RawQuestion, RawScale};
use super::{is_code, Checker};
use crate::forms::model::{
    Choice, Comment, Element, Expectation, Form, Item, Part, Question, ShowIf,
};

/// The codes met so far (each may be used once in a form), and the choice questions defined so
/// far with their options: routing may only look back at these.
#[derive(Default)]
struct Codes {
    seen: HashSet<String>,
    choices: HashMap<String, Vec<String>>,
}

impl Codes {
    /// Takes `code` for one question, part, element, item, expectation or comment.
    fn claim(&mut self, ck: &mut Checker<'_>, code: &Spanned<String>) {
        if !is_code(code.get_ref(), false) {
            ck.report(
                code.span(),
                format!(
                    "\"{}\" không phải là mã hợp lệ (chỉ chữ cái không dấu, chữ số, '_').",
                    code.get_ref()
                ),
                format!(
                    "\"{}\" is not a valid code (letters, digits, '_')",
                    code.get_ref()
                ),
            );
        } else if !self.seen.insert(code.get_ref().clone()) {
            ck.report(
                code.span(),
                format!("Mã \"{}\" được dùng hai lần trong phiếu.", code.get_ref()),
                format!("code \"{}\" is used twice in this form", code.get_ref()),
            );
        }
    }
}

/// The form a file describes, with every problem reported to `ck`.
pub(super) fn check(ck: &mut Checker<'_>, raw: RawForm) -> Form {
    check_id(ck, &raw.id);
    check_settings(ck, &raw);
    let mut codes = Codes::default();
    let questions = raw
        .questions
        .into_iter()
        .map(|q| question(ck, &mut codes, q))
        .collect();
    let parts = raw
        .parts
        .into_iter()
        .map(|p| part(ck, &mut codes, p))
        .collect();
    let expectations = raw
        .expectations
        .into_iter()
        .map(|e| expectation(ck, &mut codes, e))
        .collect();
    let comments = raw
        .comments
        .into_iter()
        .map(|c| comment(ck, &mut codes, c))
        .collect();
    Form {
        id: raw.id.into_inner(),
        title: raw.title,
        title_en: raw.title_en,
        intro: raw.intro,
        intro_en: raw.intro_en,
        target: *raw.target.get_ref(),
        index_method: raw.index_method,
        channels: raw.channels.into_inner(),
        invitation_only: raw.invitation_only,
        scale: raw.scale.into_scale(),
        expectation_scale: raw.expectation_scale.map(RawScale::into_scale),
        questions,
        parts,
        expectations,
        comments,
    }
}

/// The form id: a code, and the file's name.
fn check_id(ck: &mut Checker<'_>, id: &Spanned<String>) {
    let expected_id = ck.file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if !is_code(id.get_ref(), true) {
        ck.report(
            id.span(),
            "Mã phiếu (id) chỉ gồm chữ cái không dấu, chữ số, '_' hoặc '-'.",
            "form id must be letters, digits, '_' or '-'",
        );
    } else if !expected_id.is_empty() && id.get_ref() != expected_id {
        let (message, message_en) = (
            format!(
                "Mã phiếu (id) \"{}\" phải trùng với tên tệp \"{expected_id}\".",
                id.get_ref()
            ),
            format!(
                "form id \"{}\" must equal the file name \"{expected_id}\"",
                id.get_ref()
            ),
        );
        ck.report(id.span(), message, message_en);
    }
}

/// The target, the channels, the scales, and that something is rated.
fn check_settings(ck: &mut Checker<'_>, raw: &RawForm) {
    let target = *raw.target.get_ref();
    if !(target > 0.0 && target <= 100.0) {
        ck.report(
            raw.target.span(),
            "Chỉ tiêu (target) phải là một tỉ lệ phần trăm lớn hơn 0 và không quá 100.",
            "target must be a percentage in (0, 100]",
        );
    }
    if raw.channels.get_ref().is_empty() {
        ck.report(
            raw.channels.span(),
            "Phiếu phải nhận trả lời qua ít nhất một kênh (channels).",
            "a form must accept at least one channel",
        );
    }
    check_scale(ck, &raw.scale, 5, "scale");
    if let Some(es) = &raw.expectation_scale {
        check_scale(ck, es, 3, "expectation_scale");
    }
    if !raw.expectations.is_empty() && raw.expectation_scale.is_none() {
        ck.report(
            raw.id.span(),
            "Các câu mong đợi (expectations) cần có thang đo [expectation_scale].",
            "expectation questions need an [expectation_scale]",
        );
    }
    if raw
        .parts
        .iter()
        .all(|p| p.elements.iter().all(|e| e.items.is_empty()))
    {
        ck.report(
            raw.id.span(),
            "Phiếu cần ít nhất một tiêu chí được chấm điểm (items).",
            "a form needs at least one rated item",
        );
    }
}

/// A respondent (choice) question and its options.
fn question(ck: &mut Checker<'_>, codes: &mut Codes, q: RawQuestion) -> Question {
    codes.claim(ck, &q.code);
    let show_if = check_show_if(ck, &codes.choices, q.show_if);
    if q.options.is_empty() {
        ck.report(
            q.code.span(),
            format!(
                "Câu hỏi \"{}\" chưa có phương án nào (options).",
                q.code.get_ref()
            ),
            format!("question \"{}\" has no options", q.code.get_ref()),
        );
    }
    let mut option_codes = HashSet::new();
    let options: Vec<Choice> = q
        .options
        .into_iter()
        .map(|o| {
            if !is_code(o.code.get_ref(), false) {
                ck.report(
                    o.code.span(),
                    format!(
                        "\"{}\" không phải là mã phương án hợp lệ.",
                        o.code.get_ref()
                    ),
                    format!("\"{}\" is not a valid option code", o.code.get_ref()),
                );
            } else if !option_codes.insert(o.code.get_ref().clone()) {
                ck.report(
                    o.code.span(),
                    format!("Phương án \"{}\" được liệt kê hai lần.", o.code.get_ref()),
                    format!("option \"{}\" is listed twice", o.code.get_ref()),
                );
            }
            Choice {
                code: o.code.into_inner(),
                label: o.label,
                label_en: o.label_en,
            }
        })
        .collect();
    codes.choices.insert(
        q.code.get_ref().clone(),
        options.iter().map(|o| o.code.clone()).collect(),
    );
    Question {
        code: q.code.into_inner(),
        label: q.label,
        label_en: q.label_en,
        required: q.required,
        show_if,
        options,
    }
}

/// A part and its elements.
fn part(ck: &mut Checker<'_>, codes: &mut Codes, p: RawPart) -> Part {
    codes.claim(ck, &p.code);
    let show_if = check_show_if(ck, &codes.choices, p.show_if);
    if p.elements.is_empty() {
        ck.report(
            p.code.span(),
            format!(
                "Phần \"{}\" chưa có yếu tố nào (elements).",
                p.code.get_ref()
            ),
            format!("part \"{}\" has no elements", p.code.get_ref()),
        );
    }
    let elements = p
        .elements
        .into_iter()
        .map(|e| element(ck, codes, e))
        .collect();
    Part {
        code: p.code.into_inner(),
        label: p.label,
        label_en: p.label_en,
        show_if,
        elements,
    }
}

/// An element and its rated items (which take the element's `required` unless they say).
fn element(ck: &mut Checker<'_>, codes: &mut Codes, e: RawElement) -> Element {
    codes.claim(ck, &e.code);
    let show_if = check_show_if(ck, &codes.choices, e.show_if);
    if e.items.is_empty() {
        ck.report(
            e.code.span(),
            format!(
                "Yếu tố \"{}\" chưa có tiêu chí nào (items).",
                e.code.get_ref()
            ),
            format!("element \"{}\" has no items", e.code.get_ref()),
        );
    }
    let default_required = e.required.unwrap_or_default();
    let items = e
        .items
        .into_iter()
        .map(|i| {
            codes.claim(ck, &i.code);
            Item {
                code: i.code.into_inner(),
                label: i.label,
                label_en: i.label_en,
                required: i.required.unwrap_or_else(|| default_required.clone()),
            }
        })
        .collect();
    Element {
        code: e.code.into_inner(),
        label: e.label,
        label_en: e.label_en,
        show_if,
        items,
    }
}

fn expectation(ck: &mut Checker<'_>, codes: &mut Codes, e: RawLabelled) -> Expectation {
    codes.claim(ck, &e.code);
    Expectation {
        code: e.code.into_inner(),
        label: e.label,
        label_en: e.label_en,
    }
}

fn comment(ck: &mut Checker<'_>, codes: &mut Codes, c: RawComment) -> Comment {
    codes.claim(ck, &c.code);
    let max_length = *c.max_length.get_ref();
    if !(1..=10_000).contains(&max_length) {
        ck.report(
            c.max_length.span(),
            "Độ dài tối đa (max_length) phải từ 1 đến 10000 ký tự.",
            "max_length must be between 1 and 10000 characters",
        );
    }
    Comment {
        code: c.code.into_inner(),
        label: c.label,
        label_en: c.label_en,
        max_length,
    }
}

fn check_scale(ck: &mut Checker<'_>, scale: &RawScale, levels: usize, name: &str) {
    if scale.labels.get_ref().len() != levels {
        ck.report(
            scale.labels.span(),
            format!("Thang đo {name} cần đúng {levels} nhãn (labels), từ thấp đến cao."),
            format!("{name} needs exactly {levels} labels, lowest first"),
        );
    }
    if let Some(en) = scale
        .labels_en
        .as_ref()
        .filter(|l| l.get_ref().len() != levels)
    {
        ck.report(
            en.span(),
            format!("{name}.labels_en cần đúng {levels} nhãn."),
            format!("{name}.labels_en needs exactly {levels} labels"),
        );
    }
}

fn check_show_if(
    ck: &mut Checker<'_>,
    choices: &HashMap<String, Vec<String>>,
    show_if: Option<Spanned<ShowIf>>,
) -> Option<ShowIf> {
    let show_if = show_if?;
    let cond = show_if.get_ref();
    match choices.get(&cond.question) {
        None => ck.report(
            show_if.span(),
            format!(
                "show_if nhắc đến \"{}\", nhưng đó không phải là câu chọn được định nghĩa trước nó.",
                cond.question
            ),
            format!(
                "show_if refers to \"{}\", which is not a choice question defined before it",
                cond.question
            ),
        ),
        Some(options) if !options.contains(&cond.equals) => ck.report(
            show_if.span(),
            format!(
                "show_if: \"{}\" không phải là phương án của câu \"{}\".",
                cond.equals, cond.question
            ),
            format!(
                "show_if: \"{}\" is not an option of \"{}\"",
                cond.equals, cond.question
            ),
        ),
        Some(_) => {}
    }
    Some(show_if.into_inner())
}
