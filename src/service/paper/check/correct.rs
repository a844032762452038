//! Recording the re-check of one sampled sheet: `correct` changes nothing but the sample;
//! `wrong` comes with the corrected values, checked by the same rules as a submission, and makes
//! a new version of the response — the replaced one kept in `response_versions` — in the same
//! transaction, then drops the form's report cache so reports use the corrected answers.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::{json, Map, Value};

use super::super::super::{in_transaction, Actor, Refusal, ServiceError};
use crate::collecting::paper::check::Outcome;
use crate::collecting::submission::{self, Sender, SubmissionRequest};
use crate::domain::{FieldError, Role, SheetNumber};
use crate::forms::FormRegistry;
use crate::platform::keys::ServerKey;
use crate::reporting::reports::ReportCache;
use crate::store::models::{AnswerRow, NewAnswer, ResponseRow};
use crate::store::paper::checks::{self, EntryOf, SampleRow, SampledSheet};
use crate::store::response_versions::{self, Replacement, ResponseVersionRow};
use crate::store::{now_utc, responses, DbConnection};

/// The audit action of a re-checked sheet.
pub const CHECK_AUDIT_ACTION: &str = "paper.check";

/// What a correction is checked and stored with.
pub struct CheckContext<'a> {
    pub forms: &'a FormRegistry,
    pub tz: Tz,
    pub keys: &'a ServerKey,
    /// The report cache to drop the form's columns from after a correction.
    pub cache: Option<&'a ReportCache>,
}

/// One re-check as typed: the sheet, `correct`/`wrong` (đúng/sai), and for a wrong one the
/// corrected answers (by question code, merged over the stored ones; `null` clears one) and/or
/// the corrected survey date (`YYYY-MM-DD`).
#[derive(Debug, Clone, Default)]
pub struct CheckInput {
    pub sheet: String,
    pub outcome: String,
    pub answers: Option<Map<String, Value>>,
    pub survey_date: Option<String>,
}

/// A recorded re-check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub sheet: String,
    pub outcome: Outcome,
    pub response_id: String,
    /// The response's version now (1: never corrected).
    pub version: i32,
    /// The operators whose entry differed from the corrected sheet.
    pub faulty_operators: Vec<String>,
}

fn invalid(field: &str, code: &'static str, vi: &str, en: &str) -> ServiceError {
    ServiceError::Invalid(vec![FieldError::new(field, code, vi, en)])
}

/// The parsed input: sheet number, outcome, survey date.
fn parse(input: &CheckInput) -> Result<(String, Outcome, Option<NaiveDate>), ServiceError> {
    let mut problems = Vec::new();
    let sheet = input.sheet.parse::<SheetNumber>().map(|s| s.to_string());
    if sheet.is_err() {
        problems.push(FieldError::new(
            "sheet",
            "invalid_format",
            "Số phiếu phải có dạng <mã đơn vị>-<số thứ tự>, ví dụ phuoc-son-000123.",
            "sheet must be <unit>-<serial>, e.g. phuoc-son-000123.",
        ));
    }
    let outcome = Outcome::parse(&input.outcome);
    if outcome.is_none() {
        problems.push(FieldError::new(
            "outcome",
            "not_an_option",
            "Kết quả phúc tra phải là đúng (correct) hoặc sai (wrong).",
            "outcome must be correct or wrong.",
        ));
    }
    let date_text = input
        .survey_date
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    let date = date_text.map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d"));
    if let Some(Err(_)) = date {
        problems.push(FieldError::new(
            "survey_date",
            "invalid_format",
            "Ngày khảo sát phải có dạng NNNN-TT-NN, ví dụ 2026-12-01.",
            "survey_date must be YYYY-MM-DD, e.g. 2026-12-01.",
        ));
    }
    let corrections = input.answers.as_ref().is_some_and(|a| !a.is_empty()) || date.is_some();
    match outcome {
        Some(Outcome::Correct) if corrections => problems.push(FieldError::new(
            "answers",
            "correction_on_correct",
            "Phiếu đúng thì không có giá trị sửa; hãy chọn “sai” để sửa.",
            "A correct sheet takes no corrections; choose wrong to correct it.",
        )),
        Some(Outcome::Wrong) if !corrections => problems.push(FieldError::new(
            "answers",
            "correction_required",
            "Phiếu sai cần các giá trị đúng (câu trả lời hoặc ngày khảo sát).",
            "A wrong sheet needs the corrected values (answers or survey date).",
        )),
        _ => {}
    }
    match (sheet, outcome, date.transpose()) {
        (Ok(sheet), Some(outcome), Ok(date)) if problems.is_empty() => Ok((sheet, outcome, date)),
        _ => Err(ServiceError::Invalid(problems)),
    }
}

/// The answers rows as the JSON object of a submission.
pub(super) fn answers_json(rows: &[AnswerRow]) -> Map<String, Value> {
    rows.iter()
        .map(|a| {
            let value = a
                .num_value
                .map_or_else(|| json!(a.text_value), |n| json!(n));
            (a.question.clone(), value)
        })
        .collect()
}

/// Answers compared as text, blanks dropped: `5` and `"5"` are the same answer.
fn normalized(answers: &Map<String, Value>) -> BTreeMap<String, String> {
    answers
        .iter()
        .filter_map(|(code, value)| {
            let text = match value {
                Value::String(s) => s.trim().to_string(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            (!text.is_empty()).then(|| (code.clone(), text))
        })
        .collect()
}

fn new_answers_json(answers: &[NewAnswer]) -> Map<String, Value> {
    answers
        .iter()
        .map(|a| {
            let value = a
                .num_value
                .map_or_else(|| json!(a.text_value), |n| json!(n));
            (a.question.clone(), value)
        })
        .collect()
}

/// The operators whose entry differs from the corrected sheet (answers or survey date).
fn faulty(entries: &[EntryOf], corrected: &Map<String, Value>, date: NaiveDate) -> Vec<String> {
    let corrected = normalized(corrected);
    entries
        .iter()
        .filter(|(_, survey_date, answers)| {
            let typed: Map<String, Value> = serde_json::from_str(answers).unwrap_or_default();
            *survey_date != date || normalized(&typed) != corrected
        })
        .map(|(operator, _, _)| operator.clone())
        .collect()
}

/// `at` moved to `date`, keeping its local time of day.
fn on_date(at: DateTime<Utc>, date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let local = at.with_timezone(&tz).time();
    tz.from_local_datetime(&date.and_time(local))
        .earliest()
        .map_or(at, |t| t.with_timezone(&Utc))
}

/// The sample, the sampled sheet and its entries — refused when the sheet is not in the sample,
/// was checked already, or was entered by the checker.
fn open_sheet(
    c: &mut DbConnection,
    actor: &Actor,
    sample_id: &str,
    sheet: &str,
) -> Result<(SampleRow, SampledSheet, Vec<EntryOf>), ServiceError> {
    let sample = checks::sample(c, sample_id)?.ok_or(ServiceError::NotFound)?;
    let sampled = checks::sample_sheets(c, sample_id, Some(sheet))?.pop();
    let sampled = sampled.ok_or_else(|| {
        ServiceError::refused(
            Refusal::NotFound,
            "sheet_not_in_sample",
            format!("Phiếu {sheet} không có trong mẫu phúc tra này."),
            format!("Sheet {sheet} is not in this sample."),
        )
    })?;
    if sampled.outcome.is_some() {
        return Err(ServiceError::refused(
            Refusal::Conflict,
            "already_checked",
            format!("Phiếu {sheet} đã được phúc tra trong mẫu này."),
            format!("Sheet {sheet} was already checked in this sample."),
        ));
    }
    let entries = checks::entries_of(c, sheet)?;
    if entries
        .iter()
        .any(|(operator, _, _)| *operator == actor.name)
    {
        return Err(ServiceError::refused(
            Refusal::Forbidden,
            "own_sheet",
            "Người đã nhập phiếu này không được phúc tra nó.",
            "An operator who entered this sheet may not check it.",
        ));
    }
    Ok((sample, sampled, entries))
}

/// Records the re-check of `input.sheet` in sample `sample_id` (admin or clerk, not one who
/// entered the sheet: 403 `own_sheet`); a sheet is checked once per sample (409
/// `already_checked`). Audited as `paper.check` (sample, sheet, outcome, version; never the
/// answers).
pub fn record_check(
    conn: &mut DbConnection,
    actor: &Actor,
    cx: &CheckContext<'_>,
    sample_id: &str,
    input: &CheckInput,
) -> Result<Checked, ServiceError> {
    actor.require(&[Role::Admin, Role::Clerk])?;
    let (sheet, outcome, date) = parse(input)?;
    let (checked, form_id) = in_transaction(conn, |c| {
        let (sample, sampled, entries) = open_sheet(c, actor, sample_id, &sheet)?;
        let response_id = sampled.response_id.clone().ok_or(ServiceError::NotFound)?;
        let (row, rows) = responses::get(c, &response_id)?.ok_or(ServiceError::NotFound)?;
        let earlier = response_versions::of(c, &response_id)?.len() as i32;
        let (version, faulty) = match outcome {
            Outcome::Correct => (earlier + 1, Vec::new()),
            Outcome::Wrong => {
                let change = Change {
                    row: &row,
                    rows: &rows,
                    entries: &entries,
                    earlier,
                };
                correct(c, actor, cx, change, input.answers.as_ref(), date)?
            }
        };
        let faulty_json = serde_json::to_string(&faulty).unwrap_or_else(|_| "[]".into());
        if !checks::record_outcome(
            c,
            sample_id,
            &sheet,
            outcome.as_str(),
            now_utc(),
            &actor.name,
            &faulty_json,
        )? {
            return Err(ServiceError::Internal(
                "the sampled sheet changed meanwhile".into(),
            ));
        }
        let detail = json!({"sample": sample_id, "outcome": outcome.as_str(), "version": version});
        let entry = actor
            .entry(CHECK_AUDIT_ACTION)
            .target(sheet.clone())
            .detail(detail);
        let checked = Checked {
            sheet: sheet.clone(),
            outcome,
            response_id,
            version,
            faulty_operators: faulty,
        };
        Ok(((checked, sample.form_id), entry))
    })?;
    if checked.outcome == Outcome::Wrong {
        if let Some(cache) = cx.cache {
            cache.forget(&form_id);
        }
        tracing::info!(sheet = %checked.sheet, version = checked.version, "paper sheet corrected");
    }
    Ok(checked)
}

/// The response a wrong sheet corrects.
struct Change<'a> {
    row: &'a ResponseRow,
    rows: &'a [AnswerRow],
    entries: &'a [EntryOf],
    /// How many versions were replaced before.
    earlier: i32,
}

/// Checks the corrected sheet as a submission and stores it as the response's new version, the
/// replaced one kept; returns the new version and the faulty operators.
fn correct(
    conn: &mut DbConnection,
    actor: &Actor,
    cx: &CheckContext<'_>,
    change: Change<'_>,
    corrections: Option<&Map<String, Value>>,
    date: Option<NaiveDate>,
) -> Result<(i32, Vec<String>), ServiceError> {
    let row = change.row;
    let loaded = cx.forms.get(&row.form_id).ok_or(ServiceError::NotFound)?;
    let current = answers_json(change.rows);
    let mut merged = current.clone();
    for (code, value) in corrections.into_iter().flatten() {
        match value {
            Value::Null => merged.remove(code),
            Value::String(s) if s.trim().is_empty() => merged.remove(code),
            v => merged.insert(code.clone(), v.clone()),
        };
    }
    let before = row.submitted_at.and_utc();
    let at = date.map_or(before, |d| on_date(before, d, cx.tz));
    let request = SubmissionRequest {
        client_id: None,
        unit: row.unit.clone(),
        channel: row.channel.clone(),
        answers: merged,
        submitted_at: Some(at.to_rfc3339()),
        invitation: None,
    };
    let sender = Sender {
        recorder: true,
        via_kiosk: false,
    };
    let prepared =
        submission::prepare(conn, &loaded, &request, sender, cx.tz, Utc::now(), cx.keys)?;
    let corrected = new_answers_json(prepared.answers());
    let new_at = prepared.response().submitted_at;
    if normalized(&corrected) == normalized(&current) && new_at == row.submitted_at {
        return Err(invalid(
            "answers",
            "nothing_corrected",
            "Các giá trị sửa giống hệt phiếu đã lưu: phiếu này đúng, hoặc hãy sửa giá trị sai.",
            "The corrected values equal the stored ones: the sheet is correct, or correct a value.",
        ));
    }
    let local_date = new_at.and_utc().with_timezone(&cx.tz).date_naive();
    let faulty = faulty(change.entries, &corrected, local_date);
    let version = change.earlier + 1;
    let old = ResponseVersionRow {
        response_id: row.id.clone(),
        version,
        answers: Value::Object(current).to_string(),
        content_hash: row.content_hash.clone(),
        submitted_at: row.submitted_at,
        replaced_at: now_utc(),
        replaced_by: actor.name.clone(),
        reason: "phuc_tra".to_string(),
    };
    let same_layout = row.form_version == loaded.version;
    let replacement = Replacement {
        answers: prepared.answers(),
        packed: prepared.response().packed.clone().filter(|_| same_layout),
        content_hash: &prepared.response().content_hash,
        submitted_at: new_at,
    };
    response_versions::replace(conn, row, &old, replacement)?;
    Ok((version + 1, faulty))
}
