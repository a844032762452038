//! Importing responses from a CSV or XLSX file (`POST /api/v1/imports/{form_id}`) and the
//! template to fill in (`GET /api/v1/imports/{form_id}/template.xlsx`).
//!
//! Every row is checked with the rules of a submission (`submission::prepare`: unit, channel,
//! time, answers, routing), by a recorder (so `submitted_at` is honoured and any channel the form
//! accepts may be imported, `kiosk` included: an export imports back as it is). Then the file's
//! rows are named ([`RowKey`]) and compared with what is stored, under the write lock: a row whose
//! `client_id` is stored with the same content, or whose response id is stored, is already
//! present; a `client_id` stored with other content is a problem. A file without problems is
//! stored in one transaction with its audit record (`response.import`: who, form, rows, stored,
//! already present, the file's SHA-256 — never an answer); a file with any problem stores nothing.

use std::collections::HashMap;
use std::time::Instant;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{in_transaction, Actor, ServiceError};
use crate::collecting::import::read;
use crate::collecting::import::rows::{self, ImportRow};
use crate::collecting::import::template::{self, UnitChoice};
use crate::collecting::import::{capped, FileKind, Problem, RowKey};
use crate::collecting::submission::{self, Prepared, Sender, SubmitError};
use crate::domain::{FieldError, Role};
use crate::forms::LoadedForm;
use crate::platform::keys::ServerKey;
use crate::store::bulk::ResponseWithAnswers;
use crate::store::models::UnitRow;
use crate::store::{imports, units, DbConnection, StoreError};

/// The audit action of a stored import.
pub const AUDIT_ACTION: &str = "response.import";

/// Who may import, and download the template.
const ROLES: &[Role] = &[Role::Admin, Role::Clerk];

/// One file to import.
pub struct ImportInput<'a> {
    pub loaded: &'a LoadedForm,
    pub kind: FileKind,
    pub bytes: &'a [u8],
    /// Check only: nothing is stored, the problems are the answer.
    pub dry_run: bool,
    pub tz: Tz,
    pub keys: &'a ServerKey,
    /// When the file arrived (no `submitted_at` may be after it).
    pub now: DateTime<Utc>,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    /// A dry run: the data rows read and every problem found (at most `MAX_PROBLEMS`).
    Checked { rows: usize, problems: Vec<Problem> },
    /// Stored: new responses, and rows that were stored already.
    Stored { stored: u64, already_present: u64 },
}

/// A row that passed the submission's rules.
struct CheckedRow {
    number: u32,
    key: RowKey,
    prepared: Prepared,
}

/// Checks a file and, unless it is a dry run or has a problem, stores all its new rows at once.
/// A file with problems is refused as a whole ([`ServiceError::ImportRejected`], 422).
pub fn import_responses(
    conn: &mut DbConnection,
    actor: &Actor,
    input: ImportInput<'_>,
) -> Result<ImportOutcome, ServiceError> {
    actor.require(ROLES)?;
    let started = Instant::now();
    let form_id = input.loaded.form.id.clone();
    let (total, checked, mut problems) = match check_file(conn, &input)? {
        Ok(checked) => checked,
        Err(problems) if input.dry_run => {
            return Ok(ImportOutcome::Checked {
                rows: 0,
                problems: capped(problems),
            })
        }
        Err(problems) => return Err(ServiceError::ImportRejected(capped(problems))),
    };
    if input.dry_run || !problems.is_empty() {
        let (_, _, mut stored_problems) = compare(conn, &form_id, checked)?;
        problems.append(&mut stored_problems);
        problems.sort_by_key(|p| p.row);
        let problems = capped(problems);
        if input.dry_run {
            return Ok(ImportOutcome::Checked {
                rows: total,
                problems,
            });
        }
        return Err(ServiceError::ImportRejected(problems));
    }
    let sha256 = hex::encode(Sha256::digest(input.bytes));
    let format = input.kind.as_str();
    let outcome = in_transaction(conn, |c| {
        let (new, already_present, problems) = compare(c, &form_id, checked)?;
        if !problems.is_empty() {
            return Err(ServiceError::ImportRejected(capped(problems)));
        }
        let stored = imports::insert_all(c, new)?;
        let detail = json!({
            "form": form_id,
            "format": format,
            "rows": total,
            "stored": stored,
            "already_present": already_present,
            "sha256": sha256,
        });
        let entry = actor
            .entry(AUDIT_ACTION)
            .target(form_id.clone())
            .detail(detail);
        Ok((
            ImportOutcome::Stored {
                stored,
                already_present,
            },
            entry,
        ))
    })?;
    if matches!(outcome, ImportOutcome::Stored { stored, .. } if stored > 0) {
        imports::refresh_statistics(conn)?;
    }
    tracing::info!(
        form = %form_id,
        rows = total,
        ms = started.elapsed().as_millis() as u64,
        "import stored"
    );
    crate::platform::memory::release_freed();
    Ok(outcome)
}

/// Rows read, rows that passed, and the problems of the others; `Err` with the file's problems
/// when no row could be read (encoding, not a workbook, empty, too many rows, missing columns).
type FileCheck = Result<(usize, Vec<CheckedRow>, Vec<Problem>), Vec<Problem>>;

fn check_file(conn: &mut DbConnection, input: &ImportInput<'_>) -> Result<FileCheck, StoreError> {
    let grid = match read::read(input.kind, input.bytes) {
        Ok(grid) => grid,
        Err(problem) => return Ok(Err(vec![problem])),
    };
    // Unknown columns are reported with every row's problems found below.
    let (rows, mut problems) = match rows::rows(grid, &input.loaded.form, input.tz) {
        Ok(read) => read,
        Err(problems) => return Ok(Err(problems)),
    };
    let total = rows.len();
    let sender = Sender {
        recorder: true,
        via_kiosk: false,
    };
    let form_id = &input.loaded.form.id;
    let unit_rows = units_by_code(conn)?;
    let mut first_row: HashMap<String, u32> = HashMap::with_capacity(rows.len());
    let mut checked = Vec::with_capacity(rows.len());
    for row in rows {
        let ImportRow {
            number,
            key,
            request,
            problems: mut row_problems,
        } = row;
        let client_id = key.as_ref().map(|k| k.client_id(form_id));
        if let Some(id) = &client_id {
            if let Some(first) = first_row.get(id) {
                row_problems.push(Problem::cell(
                    number,
                    "id",
                    "duplicate_in_file",
                    format!("Mã phiếu này đã có ở dòng {first} của tệp."),
                ));
            } else {
                first_row.insert(id.clone(), number);
            }
        }
        let prepared = submission::prepare_with_units(
            conn,
            input.loaded,
            &request,
            sender,
            (input.tz, input.now),
            input.keys,
            Some(&unit_rows),
        );
        match prepared {
            Ok(prepared) => {
                if let (Some(key), Some(client_id), true) =
                    (key, client_id, row_problems.is_empty())
                {
                    let prepared = prepared.with_identity(key.response_id(), client_id);
                    checked.push(CheckedRow {
                        number,
                        key,
                        prepared,
                    });
                }
            }
            Err(SubmitError::Invalid(fields)) => {
                row_problems.extend(fields.into_iter().map(|f| field_problem(number, f)))
            }
            Err(SubmitError::UnknownUnit(code)) => row_problems.push(unknown_unit(number, &code)),
            Err(SubmitError::Store(e)) => return Err(e),
            Err(other) => row_problems.push(Problem {
                row: Some(number),
                column: None,
                code: other.code(),
                message: "Dòng này không nhập được.".to_string(),
            }),
        }
        row_problems.sort_by_key(|p| p.column.as_deref() != Some("id"));
        problems.append(&mut row_problems);
    }
    Ok(Ok((total, checked, problems)))
}

/// Every unit by code: one read for a whole file, where PostgreSQL would otherwise answer a query
/// per row.
fn units_by_code(conn: &mut DbConnection) -> Result<HashMap<String, UnitRow>, StoreError> {
    Ok(units::list(conn)?
        .into_iter()
        .map(|u| (u.code.clone(), u))
        .collect())
}

/// A problem of the submission's rules, in the column it names (`client_id` is the `id` column).
fn field_problem(row: u32, field: FieldError) -> Problem {
    let column = match field.field.as_str() {
        "client_id" => "id",
        other => other,
    };
    Problem::cell(row, column, field.code, field.message)
}

fn unknown_unit(row: u32, code: &str) -> Problem {
    let message = if code.is_empty() {
        "Thiếu mã đơn vị.".to_string()
    } else {
        format!("Không có đơn vị mã \"{code}\".")
    };
    Problem::cell(row, "unit", "unknown_unit", message)
}

/// The rows compared with what is stored: the new ones to store, how many are already present,
/// and the problems (stored with other content, an id of another form's response).
fn compare(
    conn: &mut DbConnection,
    form_id: &str,
    rows: Vec<CheckedRow>,
) -> Result<(Vec<ResponseWithAnswers>, u64, Vec<Problem>), StoreError> {
    let client_ids: Vec<&str> = rows.iter().filter_map(|r| r.prepared.client_id()).collect();
    let by_client_id = imports::by_client_id(conn, &client_ids)?;
    let ids: Vec<String> = rows.iter().filter_map(|r| r.key.response_id()).collect();
    let by_id = imports::by_id(conn, &ids.iter().map(String::as_str).collect::<Vec<_>>())?;
    let mut new = Vec::with_capacity(rows.len());
    let (mut present, mut problems) = (0, Vec::new());
    for row in rows {
        let stored = row.prepared.client_id().and_then(|c| by_client_id.get(c));
        let stored_id = row.key.response_id().and_then(|id| by_id.get(&id));
        match (stored, stored_id) {
            (Some(s), _) if s.form_id == form_id && s.content_hash == row.prepared.content_hash() => {
                present += 1
            }
            (Some(_), _) => problems.push(Problem::cell(
                row.number,
                "id",
                "already_stored_differently",
                "Phiếu mang mã này đã có trong cơ sở dữ liệu với nội dung khác; tệp không thay được phiếu đã lưu.",
            )),
            (None, Some(s)) if s.form_id == form_id => present += 1,
            (None, Some(_)) => problems.push(Problem::cell(
                row.number,
                "id",
                "id_conflict",
                "Mã phiếu trả lời này đã dùng cho một phiếu khảo sát khác.",
            )),
            (None, None) => new.push(row.prepared.into_rows()),
        }
    }
    Ok((new, present, problems))
}

/// The template of a form: its columns, lists and checks, with the units valid `today`.
pub fn import_template(
    conn: &mut DbConnection,
    actor: &Actor,
    loaded: &LoadedForm,
    today: NaiveDate,
) -> Result<Vec<u8>, ServiceError> {
    actor.require(ROLES)?;
    let units: Vec<UnitChoice> = units::list(conn)?
        .into_iter()
        .filter(|u| u.valid_from <= today && u.valid_to.is_none_or(|end| today < end))
        .map(|u| UnitChoice {
            code: u.code,
            name: u.name,
        })
        .collect();
    template::template(&loaded.form, &units)
        .map_err(|e| ServiceError::Internal(format!("import template: {e}")))
}
