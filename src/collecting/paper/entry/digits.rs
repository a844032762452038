//! What a clerk types on `/entry`: each answer as one digit (ratings 1–5, expectations 1–3,
//! options by their number 1..n; blank or 0 = not answered), comments as text, and the survey
//! date as `ddmmyyyy` or `dd/mm/yyyy`. Turned here into the answers object of a submission.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::domain::{FieldError, SheetNumber};
use crate::forms::{Form, QuestionKind};

/// The survey date as written on a sheet: `ddmmyyyy` (digits typed fast), `dd/mm/yyyy` (also
/// with `-` or `.`, one-digit day and month allowed), or `yyyy-mm-dd`.
pub fn parse_survey_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        let (d, rest) = text.split_at(2);
        let (m, y) = rest.split_at(2);
        return ymd(y, m, d);
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return (text.len() == 10).then_some(date);
    }
    let parts: Vec<&str> = text.split(['/', '-', '.']).collect();
    match parts.as_slice() {
        [d, m, y] if d.len() <= 2 && m.len() <= 2 && y.len() == 4 => ymd(y, m, d),
        _ => None,
    }
}

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y) && digits(m) && digits(d)) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// The sheet number and survey date of a body: every problem as a 422 field.
pub fn parse_sheet_and_date(
    sheet: &str,
    survey_date: &str,
) -> Result<(SheetNumber, NaiveDate), Vec<FieldError>> {
    let number = sheet.parse::<SheetNumber>();
    let date = parse_survey_date(survey_date);
    let mut errors = Vec::new();
    if number.is_err() {
        errors.push(FieldError::new(
            "sheet",
            "invalid_format",
            "Số phiếu phải có dạng <mã đơn vị>-<số thứ tự>, ví dụ phuoc-son-000123.",
            "A sheet number is <unit>-<serial>, e.g. phuoc-son-000123.",
        ));
    }
    if date.is_none() {
        errors.push(FieldError::new(
            "survey_date",
            "invalid_date",
            "Ngày khảo sát phải là một ngày có thật, dạng ngày/tháng/năm (02/11/2026 hoặc 02112026).",
            "The survey date must be a real date: dd/mm/yyyy, ddmmyyyy or yyyy-mm-dd.",
        ));
    }
    match (number, date) {
        (Ok(n), Some(d)) => Ok((n, d)),
        _ => Err(errors),
    }
}

/// The largest digit a question takes (`None`: a comment, typed as text).
fn digit_max(kind: &QuestionKind<'_>) -> Option<usize> {
    match kind {
        QuestionKind::Item(_) => Some(5),
        QuestionKind::Expectation(_) => Some(3),
        QuestionKind::Choice(q) => Some(q.options.len()),
        QuestionKind::Comment(_) => None,
    }
}

/// The answers object of the digits typed for each question code in `fields` (absent, blank
/// or `0`: not answered), with every digit out of range as a field problem. Answers to questions
/// the routing hides (given the typed choices) are dropped, as on the citizens' form: the clerk
/// skips them on the sheet.
pub fn answers_from_digits(
    form: &Form,
    fields: &HashMap<String, String>,
) -> Result<Map<String, Value>, Vec<FieldError>> {
    let mut answers = Map::new();
    let mut errors = Vec::new();
    for q in form.all_questions() {
        let typed = fields.get(q.code).map_or("", |v| v.trim());
        let Some(max) = digit_max(&q.kind) else {
            if !typed.is_empty() {
                answers.insert(q.code.to_string(), Value::String(typed.to_string()));
            }
            continue;
        };
        if typed.is_empty() || typed == "0" {
            continue;
        }
        match typed.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => {
                let value = match q.kind {
                    QuestionKind::Choice(question) => {
                        Value::String(question.options[n - 1].code.clone())
                    }
                    _ => Value::from(n),
                };
                answers.insert(q.code.to_string(), value);
            }
            _ => errors.push(FieldError::new(
                q.code,
                "out_of_range",
                format!(
                    "Câu {}: chỉ nhận một số từ 1 đến {max}, hoặc 0 / để trống nếu không trả lời.",
                    q.code
                ),
                format!(
                    "{}: a digit 1–{max} only, or 0 / blank when not answered.",
                    q.code
                ),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    crate::forms::validate::drop_hidden(form, &mut answers);
    Ok(answers)
}

/// How an answer reads on the pages: the digit typed, with the option's label for a choice
/// ("2 – Nữ"); a comment as its text; "—" when not answered.
pub fn digit_text(form: &Form, code: &str, value: Option<&Value>) -> String {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return "—".to_string();
    };
    if let (Some(q), Some(option)) = (form.question(code), value.as_str()) {
        if let Some(i) = q.options.iter().position(|o| o.code == option) {
            return format!("{} – {}", i + 1, q.options[i].label);
        }
    }
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The digit that stands for an answer when the page shows it again (a choice's number).
pub fn digit_of(form: &Form, code: &str, value: &Value) -> String {
    if let (Some(q), Some(option)) = (form.question(code), value.as_str()) {
        if let Some(i) = q.options.iter().position(|o| o.code == option) {
            return (i + 1).to_string();
        }
    }
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survey_dates_in_the_ways_clerks_type_them() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        for text in [
            "02112026",
            "02/11/2026",
            "2/11/2026",
            "02-11-2026",
            "2026-11-02",
            " 02.11.2026 ",
        ] {
            assert_eq!(parse_survey_date(text), Some(d), "{text}");
        }
        for bad in [
            "",
            "0211202",
            "31022026",
            "32/01/2026",
            "02/11/26",
            "x2/11/2026",
            "2026-11-2x",
            "02112026x",
        ] {
            assert_eq!(parse_survey_date(bad), None, "{bad}");
        }
    }
}
