//! From a grid of cells to the submissions the rows stand for: the header's columns (the export's:
//! `id`, `unit`, `channel`, `submitted_at`, then question codes), and each cell as the answer a
//! submission would carry — option codes or their labels, whole numbers for ratings, a local or
//! RFC 3339 time. Whether the answers are right is left to the submission's own rules
//! (`forms::validate_answers` through `submission::prepare`); only what cannot be expressed as a
//! submission (no `id`, a time that is not a time, an unknown column) is a problem here.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone};
use chrono_tz::Tz;
use serde_json::{Map, Value};

use super::read::{Cell, Grid, GridRow};
use super::{FileKind, Problem, RowKey};
use crate::collecting::submission::SubmissionRequest;
use crate::domain::normalize_text;
use crate::forms::model::{Choice, QuestionRef};
use crate::forms::{Form, QuestionKind};
use crate::reporting::exports::csv::starts_like_formula;
use crate::reporting::exports::{FIXED_COLUMNS, FIXED_LABELS};

/// One data row as a submission, with what could not be read of it.
#[derive(Debug, Clone)]
pub struct ImportRow {
    pub number: u32,
    /// `None` when the `id` cell is empty (a problem already).
    pub key: Option<RowKey>,
    pub request: SubmissionRequest,
    pub problems: Vec<Problem>,
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Id,
    Unit,
    Channel,
    SubmittedAt,
    /// Index into `Form::all_questions`.
    Question(usize),
    /// Unknown or repeated: reported once, its cells ignored.
    Ignored,
}

/// The rows and the header's problems (row 1: unknown or repeated columns, whose cells are
/// ignored); only the header's problems when a fixed column is missing.
pub fn rows(
    grid: Grid,
    form: &Form,
    tz: Tz,
) -> Result<(Vec<ImportRow>, Vec<Problem>), Vec<Problem>> {
    let questions = form.all_questions();
    let (columns, mut problems) = columns(&grid.header, &questions);
    let missing: Vec<&str> = FIXED_COLUMNS
        .iter()
        .zip([
            Column::Id,
            Column::Unit,
            Column::Channel,
            Column::SubmittedAt,
        ])
        .filter(|(_, c)| !columns.contains(c))
        .map(|(name, _)| *name)
        .collect();
    for name in &missing {
        problems.push(Problem::cell(
            1,
            name,
            "missing_column",
            format!("Thiếu cột \"{name}\" ở dòng tiêu đề."),
        ));
    }
    if !missing.is_empty() {
        return Err(problems);
    }
    let reader = RowReader {
        questions: &questions,
        columns: &columns,
        tz,
        kind: grid.kind,
    };
    let mut out = Vec::with_capacity(grid.rows.len());
    for (i, row) in grid.rows.into_iter().enumerate() {
        // The labels row of an export made with `labels=1`.
        if i == 0 && reader.is_labels_row(&row) {
            continue;
        }
        out.push(reader.row(row));
    }
    Ok((out, problems))
}

fn columns(header: &[String], questions: &[QuestionRef<'_>]) -> (Vec<Column>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut columns = Vec::with_capacity(header.len());
    for (i, name) in header.iter().enumerate() {
        let name = name.as_str();
        let column = match name {
            "id" => Column::Id,
            "unit" => Column::Unit,
            "channel" => Column::Channel,
            "submitted_at" => Column::SubmittedAt,
            "" => Column::Ignored,
            code => questions
                .iter()
                .position(|q| q.code == code)
                .map_or(Column::Ignored, Column::Question),
        };
        if column == Column::Ignored && !name.is_empty() {
            problems.push(Problem::cell(
                1,
                name,
                "unknown_column",
                format!("Phiếu này không có câu hỏi (cột) mã \"{name}\"."),
            ));
        }
        let column = match seen.insert(name, i) {
            Some(first) if !name.is_empty() => {
                problems.push(Problem::cell(
                    1,
                    name,
                    "duplicate_column",
                    format!(
                        "Cột \"{name}\" có hai lần (cột {} và {}).",
                        first + 1,
                        i + 1
                    ),
                ));
                Column::Ignored
            }
            _ => column,
        };
        columns.push(column);
    }
    (columns, problems)
}

struct RowReader<'a> {
    questions: &'a [QuestionRef<'a>],
    columns: &'a [Column],
    tz: Tz,
    kind: FileKind,
}

impl RowReader<'_> {
    fn is_labels_row(&self, row: &GridRow) -> bool {
        self.columns
            .iter()
            .position(|c| *c == Column::Id)
            .and_then(|i| row.cells.get(i))
            .is_some_and(|c| *c == Cell::Text(FIXED_LABELS[0].to_string()))
    }

    fn row(&self, row: GridRow) -> ImportRow {
        let number = row.number;
        let mut problems = Vec::new();
        let mut key = None;
        let mut request = SubmissionRequest::default();
        let mut answers = Map::new();
        let mut has_time = false;
        for (cell, column) in row.cells.into_iter().zip(self.columns) {
            match column {
                Column::Id => key = text(&cell).map(|t| RowKey::parse(&t)),
                Column::Unit => request.unit = text(&cell).unwrap_or_default(),
                Column::Channel => request.channel = text(&cell).unwrap_or_default(),
                Column::SubmittedAt => {
                    has_time = !cell.is_empty();
                    match time(&cell, self.tz) {
                        Some(t) => request.submitted_at = Some(t),
                        None if has_time => problems.push(Problem::cell(
                            number,
                            "submitted_at",
                            "invalid_date",
                            "Thời điểm trả lời không đọc được; xin ghi theo dạng 2024-05-02T09:30:00+07:00 hoặc 02/05/2024 09:30.",
                        )),
                        None => {}
                    }
                }
                Column::Question(q) => {
                    if let Some(value) = self.answer(&self.questions[*q], cell) {
                        answers.insert(self.questions[*q].code.to_string(), value);
                    }
                }
                Column::Ignored => {}
            }
        }
        if key.is_none() {
            problems.push(Problem::cell(
                number,
                "id",
                "required",
                "Thiếu mã phiếu (cột id): số phiếu giấy, mã phiếu trả lời của tệp xuất, hoặc một mã riêng không trùng.",
            ));
        }
        if !has_time {
            problems.push(Problem::cell(
                number,
                "submitted_at",
                "required",
                "Thiếu thời điểm trả lời (ngày trên phiếu).",
            ));
        }
        request.answers = answers;
        ImportRow {
            number,
            key,
            request,
            problems,
        }
    }

    /// The answer a submission would carry for this cell; `None` when it is empty.
    fn answer(&self, question: &QuestionRef<'_>, cell: Cell) -> Option<Value> {
        match (&question.kind, cell) {
            (_, Cell::Empty) => None,
            (_, Cell::Text(t)) if t.trim().is_empty() => None,
            (QuestionKind::Item(_) | QuestionKind::Expectation(_), cell) => Some(number(cell)),
            (QuestionKind::Choice(choice), cell) => {
                let given = text(&cell)?;
                let wanted = comparable(&given);
                let option = choice.options.iter().find(|o| o.code == given).or_else(|| {
                    let by_label = |o: &&Choice| comparable(&o.label) == wanted;
                    choice.options.iter().find(by_label)
                });
                Some(Value::String(option.map_or(given, |o| o.code.clone())))
            }
            (QuestionKind::Comment(_), Cell::Text(t)) => Some(Value::String(self.unguarded(t))),
            (QuestionKind::Comment(_), cell) => text(&cell).map(Value::String),
        }
    }

    /// The export's CSV writes a comment that looks like a formula with a leading `'`: undone.
    fn unguarded(&self, text: String) -> String {
        match text.strip_prefix('\'') {
            Some(rest) if self.kind == FileKind::Csv && starts_like_formula(rest) => rest.into(),
            _ => text,
        }
    }
}

/// For matching a label: NFC, trimmed, lower case.
fn comparable(text: &str) -> String {
    normalize_text(text.trim()).to_lowercase()
}

/// The text of a cell, trimmed; `None` when empty.
fn text(cell: &Cell) -> Option<String> {
    let text = match cell {
        Cell::Empty => return None,
        Cell::Text(t) => t.trim().to_string(),
        Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
        Cell::Number(n) => n.to_string(),
        Cell::DateTime(t) => t.to_string(),
    };
    (!text.is_empty()).then_some(text)
}

/// A rating: a whole number as JSON (text that is not one is passed on as text, which the
/// submission's rules refuse as `wrong_type`).
fn number(cell: Cell) -> Value {
    let whole = |n: f64| (n.fract() == 0.0 && n.abs() < 1e9).then_some(n as i64);
    match cell {
        Cell::Number(n) => whole(n).map_or(Value::from(n), Value::from),
        Cell::Text(t) => {
            let t = t.trim();
            t.parse::<i64>()
                .ok()
                .or_else(|| t.parse::<f64>().ok().and_then(whole))
                .map_or_else(|| Value::String(t.to_string()), Value::from)
        }
        Cell::DateTime(t) => Value::String(t.to_string()),
        Cell::Empty => Value::Null,
    }
}

/// Local times without an offset, as typed in a spreadsheet.
const LOCAL_FORMATS: [&str; 6] = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
];

/// `submitted_at` as RFC 3339: RFC 3339 text as it is; a local date-time (text, an XLSX date
/// cell, or an Excel serial number) or a date alone (midnight) in the service's time zone.
fn time(cell: &Cell, tz: Tz) -> Option<String> {
    let local = match cell {
        Cell::Empty => return None,
        Cell::Text(t) => {
            let t = t.trim();
            if DateTime::parse_from_rfc3339(t).is_ok() {
                return Some(t.to_string());
            }
            LOCAL_FORMATS
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
                .or_else(|| {
                    ["%Y-%m-%d", "%d/%m/%Y"]
                        .iter()
                        .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
                        .and_then(|d| d.and_hms_opt(0, 0, 0))
                })?
        }
        Cell::DateTime(t) => *t,
        Cell::Number(serial) => excel_serial(*serial)?,
    };
    let at = tz.from_local_datetime(&local).earliest()?;
    Some(
        at.fixed_offset()
            .to_rfc3339_opts(SecondsFormat::Secs, false),
    )
}

/// An Excel date-time serial (days since 1899-12-30, the time as the fraction), to the second.
fn excel_serial(serial: f64) -> Option<NaiveDateTime> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    let seconds = (serial * 86_400.0).round() as i64;
    epoch.checked_add_signed(chrono::TimeDelta::seconds(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TZ: Tz = chrono_tz::Asia::Ho_Chi_Minh;

    #[test]
    fn times() {
        let text = |s: &str| time(&Cell::Text(s.into()), TZ);
        let want = Some("2024-05-02T09:30:00+07:00".to_string());
        assert_eq!(text("2024-05-02T09:30:00+07:00"), want);
        assert_eq!(text("2024-05-02 09:30"), want);
        assert_eq!(text("02/05/2024 09:30:00"), want);
        assert_eq!(
            text("02/05/2024"),
            Some("2024-05-02T00:00:00+07:00".to_string())
        );
        // 2024-05-02 is serial 45414.
        assert_eq!(time(&Cell::Number(45414.0 + 9.5 / 24.0), TZ), want);
        assert_eq!(text("hôm qua"), None);
        assert_eq!(text("31/02/2024"), None);
        assert_eq!(time(&Cell::Number(-3.0), TZ), None);
    }

    #[test]
    fn ratings() {
        assert_eq!(number(Cell::Number(4.0)), Value::from(4));
        assert_eq!(number(Cell::Text(" 5 ".into())), Value::from(5));
        assert_eq!(number(Cell::Text("4.0".into())), Value::from(4));
        assert_eq!(number(Cell::Text("tốt".into())), Value::from("tốt"));
        assert_eq!(number(Cell::Number(4.5)), Value::from(4.5));
    }
}
