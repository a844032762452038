//! Phúc tra (docs/paper.md): drawing a reproducible sample of a form's stored paper sheets
//! ([`draw_sample`], admin), recording the re-check of each sampled sheet against the paper
//! ([`record_check`], `correct`: admin or clerk who did not enter it), and the numbers: error rates
//! per batch and operator, the response rate per unit ([`error_rates`], [`progress`]).

mod correct;
mod numbers;

use serde_json::json;

pub use correct::{record_check, CheckContext, CheckInput, Checked, CHECK_AUDIT_ACTION};
pub use numbers::{error_rates, progress, BatchRate, ErrorRatesOut, Progress};

use super::super::{in_transaction, Actor, Refusal, ServiceError};
use crate::collecting::paper::check::{self as sampling, SampleSize};
use crate::domain::{FieldError, Role, SheetNumber};
use crate::forms::Form;
use crate::store::paper::checks::{self, SampleRow, SampledSheet};
use crate::store::{now_utc, DbConnection};

/// The audit action of a drawn sample.
pub const SAMPLE_AUDIT_ACTION: &str = "paper.sample";

/// What a sample is drawn with, as typed: a share in percent or a count per unit (one of the
/// two), an optional batch, an optional seed (drawn when missing).
#[derive(Debug, Clone, Default)]
pub struct SampleInput {
    pub share_percent: Option<String>,
    pub count_per_unit: Option<i64>,
    pub batch: Option<String>,
    pub seed: Option<String>,
}

/// A sample and its sheets (in sheet-number order).
#[derive(Debug, Clone)]
pub struct Sample {
    pub row: SampleRow,
    pub sheets: Vec<SampledSheet>,
}

impl Sample {
    /// How many sheets are in it, and how many have an outcome.
    pub fn done(&self) -> (usize, usize) {
        let checked = self.sheets.iter().filter(|s| s.outcome.is_some()).count();
        (self.sheets.len(), checked)
    }

    /// The size it was drawn with.
    pub fn size(&self) -> Option<SampleSize> {
        match (self.row.share_bp, self.row.count_per_unit) {
            (Some(bp), None) => Some(SampleSize::Share {
                basis_points: u32::try_from(bp).ok()?,
            }),
            (None, Some(n)) => Some(SampleSize::Count(u32::try_from(n).ok()?)),
            _ => None,
        }
    }
}

/// The parsed input: size, batch, seed — or every field problem at once.
fn parse_input(input: &SampleInput) -> Result<(SampleSize, Option<String>, u64), ServiceError> {
    let mut problems = Vec::new();
    let size = SampleSize::parse(input.share_percent.as_deref(), input.count_per_unit)
        .map_err(|e| problems.push(e))
        .ok();
    let seed = match input
        .seed
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Some(sampling::fresh_seed()),
        Some(text) => sampling::parse_seed(text)
            .map_err(|e| problems.push(e))
            .ok(),
    };
    let batch = input
        .batch
        .as_deref()
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .map(str::to_string);
    match (size, seed) {
        (Some(size), Some(seed)) if problems.is_empty() => Ok((size, batch, seed)),
        _ => Err(ServiceError::Invalid(problems)),
    }
}

/// Sheet-number order: by unit, then serial (a sheet number that does not parse goes last).
fn sheet_key(sheet: &str) -> (String, u64, String) {
    match sheet.parse::<SheetNumber>() {
        Ok(n) => (n.unit, n.serial, String::new()),
        Err(()) => (String::from("\u{10FFFF}"), u64::MAX, sheet.to_string()),
    }
}

/// Draws and records a re-check sample of `form`'s stored paper sheets (admin): per unit, its
/// agreed or reconciled sheets (of one batch when given) in sheet-number order, drawn with the
/// seed (`collecting::paper::check`). Audited as `paper.sample` (form, size, batch, seed, count).
pub fn draw_sample(
    conn: &mut DbConnection,
    actor: &Actor,
    form: &Form,
    input: &SampleInput,
) -> Result<Sample, ServiceError> {
    actor.require(&[Role::Admin])?;
    let (size, batch, seed) = parse_input(input)?;
    let id = in_transaction(conn, |c| {
        if let Some(b) = &batch {
            if checks::batch_form(c, b)?.as_deref() != Some(form.id.as_str()) {
                return Err(ServiceError::Invalid(vec![FieldError::new(
                    "batch",
                    "unknown_batch",
                    "Không có đợt in này của phiếu khảo sát đã chọn.",
                    "There is no such printed batch of this form.",
                )]));
            }
        }
        let mut population = checks::stored_sheets(c, &form.id, batch.as_deref())?;
        population.sort_by_cached_key(|(sheet, unit, _)| (unit.clone(), sheet_key(sheet)));
        let mut drawn = Vec::new();
        for unit_sheets in population.chunk_by(|a, b| a.1 == b.1) {
            let sheets: Vec<&String> = unit_sheets.iter().map(|(s, _, _)| s).collect();
            let unit = &unit_sheets[0].1;
            drawn.extend(
                sampling::draw_unit(seed, unit, &sheets, size)
                    .into_iter()
                    .cloned(),
            );
        }
        if drawn.is_empty() {
            return Err(ServiceError::refused(
                Refusal::Unprocessable,
                "empty_sample",
                "Không có phiếu giấy nào đã lưu (đã khớp hoặc đã đối chiếu) để chọn mẫu phúc tra.",
                "There are no stored paper sheets (agreed or reconciled) to draw a sample from.",
            ));
        }
        let row = SampleRow {
            id: uuid::Uuid::now_v7().to_string(),
            form_id: form.id.clone(),
            share_bp: match size {
                SampleSize::Share { basis_points } => Some(basis_points as i32),
                SampleSize::Count(_) => None,
            },
            count_per_unit: match size {
                SampleSize::Count(n) => Some(n as i32),
                SampleSize::Share { .. } => None,
            },
            batch_id: batch.clone(),
            seed: seed as i64,
            drawn_at: now_utc(),
            drawn_by: actor.name.clone(),
        };
        checks::insert_sample(c, &row, &drawn)?;
        let detail = json!({
            "form": form.id,
            "share_percent": size.share_text(),
            "count_per_unit": row.count_per_unit,
            "batch": batch,
            "seed": seed,
            "count": drawn.len(),
        });
        let entry = actor
            .entry(SAMPLE_AUDIT_ACTION)
            .target(row.id.clone())
            .detail(detail);
        Ok((row.id, entry))
    })?;
    read_sample(conn, &id)?.ok_or(ServiceError::NotFound)
}

fn read_sample(conn: &mut DbConnection, id: &str) -> Result<Option<Sample>, ServiceError> {
    let Some(row) = checks::sample(conn, id)? else {
        return Ok(None);
    };
    let mut sheets = checks::sample_sheets(conn, id, None)?;
    sheets.sort_by_cached_key(|s| sheet_key(&s.sheet));
    Ok(Some(Sample { row, sheets }))
}

/// One sample with its sheets and their outcomes (admin, clerk: the checkers).
pub fn get_sample(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
) -> Result<Sample, ServiceError> {
    actor.require(&[Role::Admin, Role::Clerk])?;
    read_sample(conn, id)?.ok_or(ServiceError::NotFound)
}

/// The samples (of one form, or all), newest first, with their sheets (admin, clerk).
pub fn list_samples(
    conn: &mut DbConnection,
    actor: &Actor,
    form_id: Option<&str>,
) -> Result<Vec<Sample>, ServiceError> {
    actor.require(&[Role::Admin, Role::Clerk])?;
    let rows = checks::samples(conn, form_id)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut sheets = checks::sample_sheets(conn, &row.id, None)?;
        sheets.sort_by_cached_key(|s| sheet_key(&s.sheet));
        out.push(Sample { row, sheets });
    }
    Ok(out)
}

/// A sampled sheet's stored response as the checker compares it with the paper: its answers
/// (by question code) and its time.
pub type StoredSheetAnswers = (
    serde_json::Map<String, serde_json::Value>,
    chrono::NaiveDateTime,
);

/// The stored answers of the sample's sheets, by sheet (admin, clerk).
pub fn sample_answers(
    conn: &mut DbConnection,
    actor: &Actor,
    sample: &Sample,
) -> Result<std::collections::HashMap<String, StoredSheetAnswers>, ServiceError> {
    actor.require(&[Role::Admin, Role::Clerk])?;
    let mut out = std::collections::HashMap::new();
    for s in &sample.sheets {
        let Some(id) = &s.response_id else { continue };
        if let Some((row, answers)) = crate::store::responses::get(conn, id)? {
            out.insert(
                s.sheet.clone(),
                (correct::answers_json(&answers), row.submitted_at),
            );
        }
    }
    Ok(out)
}
