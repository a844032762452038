//! Checking one submission's answers against a form: codes, types, ranges, options, routing,
//! required answers per channel, text length and NFC. Pure: no I/O.

use std::collections::BTreeMap;

use serde::Serialize;

pub use crate::domain::{normalize_text, FieldError};
use serde_json::Value;

use super::model::{Form, QuestionKind, QuestionRef};
use crate::domain::{Channel, ExpectationLevel, Score};

/// A checked answer, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum AnswerValue {
    Score(Score),
    Expectation(ExpectationLevel),
    Choice(String),
    Text(String),
}

impl AnswerValue {
    /// The numeric value stored for rated answers.
    pub fn number(&self) -> Option<i32> {
        match self {
            AnswerValue::Score(s) => Some(i32::from(s.get())),
            AnswerValue::Expectation(e) => Some(i32::from(e.get())),
            _ => None,
        }
    }

    /// The text value stored for choices and comments.
    pub fn text(&self) -> Option<&str> {
        match self {
            AnswerValue::Choice(s) | AnswerValue::Text(s) => Some(s),
            _ => None,
        }
    }
}

/// The answers of one response that passed validation, by question code.
pub type ValidAnswers = BTreeMap<String, AnswerValue>;

/// Validates `answers` for a response to `form` on `channel`.
/// Returns every problem found, not just the first.
pub fn validate_answers(
    form: &Form,
    channel: Channel,
    answers: &serde_json::Map<String, Value>,
) -> Result<ValidAnswers, Vec<FieldError>> {
    let questions = form.all_questions();
    let mut errors = Vec::new();
    let mut valid = ValidAnswers::new();

    for (code, value) in answers {
        match questions.iter().find(|q| q.code == code) {
            None => errors.push(FieldError::new(
                code,
                "unknown_question",
                format!("Phiếu này không có câu hỏi mã \"{code}\"."),
                format!("This form has no question \"{code}\"."),
            )),
            Some(q) => match parse_value(q, value) {
                Ok(Some(v)) => {
                    valid.insert(code.clone(), v);
                }
                Ok(None) => {}
                Err(e) => errors.push(e),
            },
        }
    }

    if let Some(e) = no_rating(&questions, &valid, &errors) {
        errors.push(e);
    }

    for q in &questions {
        let shown = is_shown(q, &valid);
        let answered = valid.contains_key(q.code);
        if answered && !shown {
            errors.push(FieldError::new(
                q.code,
                "hidden_by_routing",
                "Câu này không áp dụng theo câu trả lời trước đó, xin để trống.",
                "This question does not apply given an earlier answer; leave it blank.",
            ));
        } else if shown
            && !answered
            && is_required(q, channel)
            && !errors.iter().any(|e| e.field == q.code)
        {
            errors.push(FieldError::new(
                q.code,
                "required",
                "Xin vui lòng trả lời câu này.",
                "Please answer this question.",
            ));
        }
    }

    if errors.is_empty() {
        Ok(valid)
    } else {
        errors.sort_by_key(|e| {
            questions
                .iter()
                .position(|q| q.code == e.field)
                .unwrap_or(usize::MAX)
        });
        Err(errors)
    }
}

/// A response that rates nothing (no satisfaction item answered 1–5: all left blank or "Không
/// đánh giá được") is refused whatever the channel: it would count as a response with no
/// information. The error goes on the first item shown, unless an item already has an error.
fn no_rating(
    questions: &[QuestionRef<'_>],
    valid: &ValidAnswers,
    errors: &[FieldError],
) -> Option<FieldError> {
    let mut shown_items = questions
        .iter()
        .filter(|q| matches!(q.kind, QuestionKind::Item(_)) && is_shown(q, valid));
    let first = shown_items.clone().next()?;
    let rated = shown_items.any(|q| valid.contains_key(q.code));
    let item_error = errors.iter().any(|e| {
        questions
            .iter()
            .any(|q| q.code == e.field && matches!(q.kind, QuestionKind::Item(_)))
    });
    (!rated && !item_error).then(|| {
        FieldError::new(
            first.code,
            NO_RATING,
            "Phiếu chưa đánh giá tiêu chí nào. Xin chọn một mức từ 1 đến 5 cho ít nhất một câu.",
            "The response rates nothing: answer at least one item with a value from 1 to 5.",
        )
    })
}

/// The field code of a response that rates nothing.
pub const NO_RATING: &str = "no_rating";

/// Whether every routing condition of the question holds for the answers given.
pub fn is_shown(q: &QuestionRef<'_>, answers: &ValidAnswers) -> bool {
    q.conditions.iter().all(|cond| {
        matches!(answers.get(&cond.question), Some(AnswerValue::Choice(c)) if *c == cond.equals)
    })
}

fn is_required(q: &QuestionRef<'_>, channel: Channel) -> bool {
    match q.kind {
        QuestionKind::Choice(question) => question.required,
        QuestionKind::Item(item) => item.required.applies_to(channel),
        QuestionKind::Expectation(_) | QuestionKind::Comment(_) => false,
    }
}

/// `Ok(None)` is "not answered": JSON `null`, or an empty string.
fn parse_value(q: &QuestionRef<'_>, value: &Value) -> Result<Option<AnswerValue>, FieldError> {
    if value.is_null() || value.as_str().is_some_and(|s| s.trim().is_empty()) {
        return Ok(None);
    }
    match q.kind {
        QuestionKind::Item(_) => {
            let n = integer(q.code, value, "1–5")?;
            Score::new(n)
                .map(AnswerValue::Score)
                .map(Some)
                .ok_or_else(|| out_of_range(q.code, "1–5"))
        }
        QuestionKind::Expectation(_) => {
            let n = integer(q.code, value, "1–3")?;
            ExpectationLevel::new(n)
                .map(AnswerValue::Expectation)
                .map(Some)
                .ok_or_else(|| out_of_range(q.code, "1–3"))
        }
        QuestionKind::Choice(question) => {
            let s = value.as_str().ok_or_else(|| not_an_option(q.code))?;
            if question.options.iter().any(|o| o.code == s) {
                Ok(Some(AnswerValue::Choice(s.to_string())))
            } else {
                Err(not_an_option(q.code))
            }
        }
        QuestionKind::Comment(comment) => {
            let s = value.as_str().ok_or_else(|| {
                FieldError::new(
                    q.code,
                    "wrong_type",
                    "Ý kiến phải là văn bản.",
                    "A comment must be text.",
                )
            })?;
            if s.chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            {
                return Err(FieldError::new(
                    q.code,
                    "invalid_text",
                    "Văn bản có ký tự điều khiển không hợp lệ.",
                    "The text contains invalid control characters.",
                ));
            }
            let text = normalize_text(s);
            let length = text.chars().count();
            if length > comment.max_length {
                return Err(FieldError::new(
                    q.code,
                    "too_long",
                    format!(
                        "Ý kiến dài {length} ký tự, tối đa {} ký tự.",
                        comment.max_length
                    ),
                    format!(
                        "The text has {length} characters; at most {} are allowed.",
                        comment.max_length
                    ),
                ));
            }
            Ok(Some(AnswerValue::Text(text)))
        }
    }
}

fn integer(code: &str, value: &Value, range: &str) -> Result<i64, FieldError> {
    value.as_i64().ok_or_else(|| {
        FieldError::new(
            code,
            "wrong_type",
            format!("Câu trả lời phải là một số nguyên {range}."),
            format!("The answer must be a whole number {range}."),
        )
    })
}

fn out_of_range(code: &str, range: &str) -> FieldError {
    FieldError::new(
        code,
        "out_of_range",
        format!("Câu trả lời phải là một số nguyên {range}."),
        format!("The answer must be a whole number {range}."),
    )
}

fn not_an_option(code: &str) -> FieldError {
    FieldError::new(
        code,
        "not_an_option",
        "Lựa chọn không hợp lệ.",
        "Not one of the options.",
    )
}

/// What a form page does before submitting: answers to questions that the routing hides (given
/// the page's own choice answers) are not part of the submission, since the citizen cannot see
/// them. The JSON API does not do this: there, such an answer is a validation error.
pub fn drop_hidden(form: &Form, answers: &mut serde_json::Map<String, Value>) {
    let choices = page_choices(form, answers);
    for q in form.all_questions() {
        if !is_shown(&q, &choices) {
            answers.remove(q.code);
        }
    }
}

/// The valid answers to the form's choice questions among `answers`: what decides the routing
/// of a page.
pub fn page_choices(form: &Form, answers: &serde_json::Map<String, Value>) -> ValidAnswers {
    form.questions
        .iter()
        .filter_map(|q| {
            let value = answers.get(&q.code)?.as_str()?;
            q.options
                .iter()
                .any(|o| o.code == value)
                .then(|| (q.code.clone(), AnswerValue::Choice(value.to_string())))
        })
        .collect()
}
