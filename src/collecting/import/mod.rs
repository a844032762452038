//! Importing responses from a file (`POST /api/v1/imports/{form_id}`): CSV or XLSX with the
//! columns of the export (`reporting::exports`), read into rows ([`read`]), each row turned into
//! the submission it stands for ([`rows`]); the service (`service::imports`) checks every row with
//! the rules of a submission (`collecting::submission::prepare`) and stores the file at once or
//! not at all. [`template`] writes the workbook to fill in.
//!
//! # Which row is which (idempotency)
//! The export has no `client_id` column, and adding one would not help the rows a citizen sent
//! without one. Instead every row is named by its `id` cell (required), and that name decides
//! the stored response's `client_id`, deterministically ([`RowKey`]):
//! - a sheet number (`phuoc-son-000123`): `paper:<sheet>`, the paper sheet's own id, so a sheet
//!   that was typed in at `/entry` and is also in a file is one response, not two;
//! - a UUID (the `id` of an export): the response keeps that id, and `client_id` is the UUID v5 of
//!   it; a response with that id already stored (re-importing an export into the database it came
//!   from) is already present;
//! - any other text (a reference of the office's own): the UUID v5 of the form and the text.
//!
//! Importing the same file again therefore finds every row already present.

pub mod read;
pub mod rows;
pub mod template;

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::SheetNumber;

/// Data rows in one file, at most (the header and an export's labels row not counted).
pub const MAX_ROWS: usize = 200_000;

/// Largest file accepted (413 `payload_too_large` beyond): 200,000 rows of the service form are
/// ~40 MB of CSV.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;

/// Problems listed at most; beyond, one last problem `too_many_problems` says how many more.
pub const MAX_PROBLEMS: usize = 1_000;

/// The media type of an XLSX workbook.
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The kind of file imported, from its media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Csv,
    Xlsx,
}

impl FileKind {
    /// `text/csv` or the XLSX media type (parameters such as `charset` ignored).
    pub fn from_media_type(media_type: &str) -> Option<FileKind> {
        match media_type {
            "text/csv" => Some(FileKind::Csv),
            XLSX_TYPE => Some(FileKind::Xlsx),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Csv => "csv",
            FileKind::Xlsx => "xlsx",
        }
    }
}

/// One problem of an imported file: where (row as a spreadsheet numbers it, the header being
/// row 1; the column's header) and what (a stable code, a Vietnamese message).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Problem {
    /// Row number (header = 1); `null` for a problem of the whole file.
    pub row: Option<u32>,
    /// The column's code (its header); `null` for a whole row or file.
    pub column: Option<String>,
    /// Stable snake_case code, e.g. `not_an_option`, `duplicate_in_file`.
    #[schema(value_type = String)]
    pub code: &'static str,
    /// Vietnamese, for the person fixing the file.
    pub message: String,
}

impl Problem {
    /// A problem of the whole file.
    pub fn file(code: &'static str, message: impl Into<String>) -> Problem {
        Problem {
            row: None,
            column: None,
            code,
            message: message.into(),
        }
    }

    pub fn cell(row: u32, column: &str, code: &'static str, message: impl Into<String>) -> Problem {
        Problem {
            row: Some(row),
            column: Some(column.to_string()),
            code,
            message: message.into(),
        }
    }
}

/// At most [`MAX_PROBLEMS`] problems, the last saying how many were left out.
pub fn capped(mut problems: Vec<Problem>) -> Vec<Problem> {
    if problems.len() > MAX_PROBLEMS {
        let more = problems.len() - MAX_PROBLEMS;
        problems.truncate(MAX_PROBLEMS);
        problems.push(Problem::file(
            "too_many_problems",
            format!("… và {more} vấn đề khác. Xin sửa các vấn đề trên rồi kiểm tra lại."),
        ));
    }
    problems
}

/// Fixed namespace of the UUID v5 `client_id`s of imported rows.
const NAMESPACE: uuid::Uuid = uuid::uuid!("6f1f3c3e-8a4b-4d55-9b39-5a1e2c7d0b64");

/// A sheet number written as the sheets print it (`phuoc-son-000123`, any case), not just any
/// text that ends in `-` and digits.
fn sheet_number(text: &str) -> Option<SheetNumber> {
    let sheet = text.parse::<SheetNumber>().ok()?;
    let exact = sheet.to_string().eq_ignore_ascii_case(text);
    (exact && crate::domain::is_unit_code(&sheet.unit)).then_some(sheet)
}

/// What a row's `id` cell names (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowKey {
    Sheet(SheetNumber),
    Response(uuid::Uuid),
    Reference(String),
}

impl RowKey {
    pub fn parse(text: &str) -> RowKey {
        let text = text.trim();
        // A UUID first: one whose last group is all digits would also read as a sheet number.
        if let Ok(id) = uuid::Uuid::parse_str(text) {
            RowKey::Response(id)
        } else if let Some(sheet) = sheet_number(text) {
            RowKey::Sheet(sheet)
        } else {
            RowKey::Reference(text.to_string())
        }
    }

    /// The `client_id` the row is stored under.
    pub fn client_id(&self, form_id: &str) -> String {
        match self {
            RowKey::Sheet(sheet) => sheet.client_id(),
            RowKey::Response(id) => {
                uuid::Uuid::new_v5(&NAMESPACE, format!("response\n{id}").as_bytes()).to_string()
            }
            RowKey::Reference(text) => {
                uuid::Uuid::new_v5(&NAMESPACE, format!("{form_id}\n{text}").as_bytes()).to_string()
            }
        }
    }

    /// The response id the row is stored with, when the file gives one.
    pub fn response_id(&self) -> Option<String> {
        match self {
            RowKey::Response(id) => Some(id.hyphenated().to_string()),
            RowKey::Sheet(_) | RowKey::Reference(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_deterministic() {
        let sheet = RowKey::parse("phuoc-son-000123");
        assert!(matches!(sheet, RowKey::Sheet(_)));
        assert_eq!(sheet.client_id("f"), "paper:phuoc-son-000123");
        let id = "0192f0a0-1111-7222-8333-444455556666";
        let response = RowKey::parse(id);
        assert_eq!(response.response_id().as_deref(), Some(id));
        assert_eq!(response.client_id("f"), RowKey::parse(id).client_id("g"));
        let reference = RowKey::parse(" SỔ-12 ");
        assert_eq!(reference, RowKey::Reference("SỔ-12".into()));
        assert_ne!(reference.client_id("f"), reference.client_id("g"));
        assert_eq!(
            reference.client_id("f"),
            RowKey::parse("SỔ-12").client_id("f")
        );
    }

    #[test]
    fn problems_are_capped() {
        let many = (0..MAX_PROBLEMS as u32 + 5)
            .map(|i| Problem::cell(i + 2, "TC1", "out_of_range", "x"))
            .collect();
        let capped = capped(many);
        assert_eq!(capped.len(), MAX_PROBLEMS + 1);
        assert_eq!(capped[MAX_PROBLEMS].code, "too_many_problems");
        assert!(capped[MAX_PROBLEMS].message.contains('5'));
    }
}
