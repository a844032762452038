//! Exports of a selection of responses as files: CSV, XLSX and Parquet. Pure: an answers frame
//! (see `analytics::frame`) and the form in, bytes out — no HTTP, no SQL. The HTTP side is
//! `web::api::exports` (`GET /api/v1/exports/{form_id}.{csv|xlsx|parquet}`).
//!
//! # Content
//! One row per response, in storage order: `id`, `unit`, `channel`, `submitted_at`, then one
//! column per question code in form order (`Form::all_questions`). `submitted_at` is the local time
//! in the service's time zone with its offset, RFC 3339 to the second
//! (`2024-12-31T23:30:00+07:00`), the same text in all three formats. Ratings and expectations are
//! integers, choices their option codes, comments their text; an unanswered question is empty
//! (CSV: an empty field; XLSX: a blank cell; Parquet: null). Response weights are not exported:
//! every response is stored with weight 1 today.
//!
//! - **CSV** ([`csv::CsvChunks`]): UTF-8 with a byte order mark (so Excel shows Vietnamese), RFC 4180
//!   quoting, CRLF line ends, one header row of codes; optionally a second header row of Vietnamese
//!   labels. A comment that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is written
//!   with a leading `'` so that a spreadsheet opening the file shows it as text instead of running
//!   it as a formula (citizens type these comments); the XLSX and Parquet files keep the exact text.
//! - **XLSX** ([`xlsx::write`]): sheet `Phiếu trả lời` (the responses, header of codes, frozen),
//!   `Chỉ số` (the index table of the selection, as the ungrouped report), `Câu hỏi` (codes,
//!   Vietnamese labels, answer values, routing). Excel holds at most 1,048,576 rows, so at most
//!   [`xlsx::MAX_RESPONSES`] responses; more is refused ([`ExportError::TooManyRows`]).
//! - **Parquet** ([`parquet::write`]): the same columns, typed: strings, `submitted_at` as the
//!   local RFC 3339 string (as in the other formats), ratings and expectations `Int8`, choices and
//!   comments strings; zstd-compressed row groups of [`parquet::ROWS_PER_GROUP`] rows.
//!
//! # Memory for a million responses
//! The selection is first loaded into the answers frame (`reports::load::load_frame`), the one
//! copy of the data; every writer reads it in place and adds only a bounded amount:
//! - CSV is produced [`csv::ROWS_PER_CHUNK`] rows (~180 KB) at a time while the response is being
//!   sent, each chunk made when the previous one has been taken: a million rows make ~180 MB of
//!   CSV, never more than one chunk of it in memory.
//! - XLSX uses rust_xlsxwriter's constant-memory mode for the responses: each row goes to a
//!   temporary file as soon as the next row starts, strings are written inline (no shared-string
//!   table), and the zip is written straight to the output file. The index sheet needs
//!   `analytics::compute` over the frame, as a report does.
//! - Parquet is written one row group ([`parquet::ROWS_PER_GROUP`] rows) at a time: only that
//!   group's `submitted_at` strings and encoded pages exist besides the frame.
//!
//! Measured on a synthetic million responses of the service form (release build, 2 CPUs): the
//! frame holds ~140 MB of data, but building it with `FrameBuilder` alone peaks at ~730 MB
//! resident (one `String` per text answer before the columns are made; `load_frame` also holds
//! the response heads meanwhile). On top of that, CSV adds ~1 MB (0.9 s to write), Parquet ~20 MB
//! (1.1 s, a 21 MB file), XLSX nothing for the responses sheet but ~160 MB transiently for the
//! index computation (26 s, a 149 MB file). So the cost of an export is the cost of loading its
//! selection; the format does not multiply it. The temporary files (the uncompressed sheet XML,
//! the finished XLSX or Parquet file) are unlinked and go away when the download ends or fails.
//! The freed memory is handed back to the system once the file is made (`memory::release_freed`).
//! Excel itself stops at 1,048,575 responses.

pub mod csv;
pub mod parquet;
pub mod tables;
pub mod xlsx;
mod xlsx_questions;

use chrono::{DateTime, SecondsFormat};
use chrono_tz::Tz;
use polars::prelude::*;

use crate::forms::{Form, QuestionKind};
use crate::reporting::analytics::frame::{CHANNEL, ID, SUBMITTED_AT, UNIT};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("the selection has {rows} responses; an XLSX sheet holds at most {max}")]
    TooManyRows { rows: usize, max: usize },
    #[error("export failed: {0}")]
    Polars(#[from] PolarsError),
    #[error(transparent)]
    Analytics(#[from] crate::reporting::analytics::AnalyticsError),
    #[error("XLSX export failed: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("export failed: {0}")]
    Io(#[from] std::io::Error),
}

/// A file format of the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    Parquet,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Csv, Format::Xlsx, Format::Parquet];

    /// From a file extension (`csv`, `xlsx`, `parquet`; any case).
    pub fn from_extension(ext: &str) -> Option<Format> {
        Format::ALL
            .into_iter()
            .find(|f| f.extension().eq_ignore_ascii_case(ext))
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Parquet => "parquet",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Parquet => "application/vnd.apache.parquet",
        }
    }
}

/// The download's file name: `sipas-dich-vu_<unit>_<from>_<to>.<ext>`, `all` for a part of the
/// selection that is not limited; anything but ASCII letters, digits, `-` and `.` becomes `-`.
pub fn file_name(
    form_id: &str,
    unit: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    format: Format,
) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    };
    format!(
        "{}_{}_{}_{}.{}",
        clean(form_id),
        clean(unit.unwrap_or("all")),
        clean(from.unwrap_or("all")),
        clean(to.unwrap_or("all")),
        format.extension()
    )
}

/// The fixed columns, before the questions.
pub const FIXED_COLUMNS: [&str; 4] = [ID, UNIT, CHANNEL, SUBMITTED_AT];

/// Vietnamese labels of the fixed columns.
pub const FIXED_LABELS: [&str; 4] = ["Mã phiếu trả lời", "Đơn vị", "Kênh", "Thời điểm trả lời"];

/// What a question column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Choice,
    Item,
    Expectation,
    Comment,
}

enum ColumnData {
    Number(Int8Chunked),
    Text(StringChunked),
}

/// One question column of the export.
pub struct QuestionColumn {
    pub code: String,
    pub label: String,
    pub kind: ColumnKind,
    data: ColumnData,
}

/// One cell of a question column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Empty,
    Number(i64),
    Text(&'a str),
}

/// The rows of an export, taken from an answers frame (cheap: polars arrays are shared, not
/// copied). Owns its data, so it can move to another thread while a response is being sent.
pub struct Table {
    tz: Tz,
    id: StringChunked,
    unit: StringChunked,
    channel: StringChunked,
    submitted_at: Int64Chunked,
    questions: Vec<QuestionColumn>,
}

/// One row of a [`Table`].
pub struct Row<'a> {
    pub id: &'a str,
    pub unit: &'a str,
    pub channel: &'a str,
    /// Local time with offset, RFC 3339 to the second.
    pub submitted_at: String,
    table: &'a Table,
    index: usize,
}

impl<'a> Row<'a> {
    /// The answers, one per question column, in form order.
    pub fn answers(&self) -> impl Iterator<Item = (&'a QuestionColumn, Cell<'a>)> + '_ {
        let index = self.index;
        self.table.questions.iter().map(move |q| {
            let cell = match &q.data {
                ColumnData::Number(ca) => ca
                    .get(index)
                    .map_or(Cell::Empty, |v| Cell::Number(v.into())),
                ColumnData::Text(ca) => ca.get(index).map_or(Cell::Empty, Cell::Text),
            };
            (q, cell)
        })
    }
}

/// `µs` since the epoch (UTC) as local RFC 3339 with offset, to the second.
pub fn local_time(micros: i64, tz: Tz) -> String {
    DateTime::from_timestamp_micros(micros)
        .map(|t| {
            t.with_timezone(&tz)
                .fixed_offset()
                .to_rfc3339_opts(SecondsFormat::Secs, false)
        })
        .unwrap_or_default()
}

/// The local time of `micros` (UTC) as an Excel date-time serial number: days since
/// 1899-12-30 with the time of day as the fraction, whole seconds (as in the text columns).
pub fn excel_local_time(micros: i64, tz: Tz) -> Option<f64> {
    let local = DateTime::from_timestamp(micros.div_euclid(1_000_000), 0)?
        .with_timezone(&tz)
        .naive_local();
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    let seconds = (local - epoch).num_seconds();
    Some(seconds as f64 / 86_400.0)
}

impl Table {
    /// `submitted_at` of row `index` as an Excel local date-time ([`excel_local_time`]).
    pub fn submitted_excel(&self, index: usize) -> Option<f64> {
        self.submitted_at
            .get(index)
            .and_then(|t| excel_local_time(t, self.tz))
    }

    /// The export of an answers frame of `form` (columns as `analytics::frame` describes; other
    /// columns are ignored, missing question columns are an error).
    pub fn new(frame: &DataFrame, form: &Form, tz: Tz) -> Result<Table, ExportError> {
        let text = |name: &str| -> PolarsResult<StringChunked> {
            Ok(frame.column(name)?.str()?.rechunk().into_owned())
        };
        let mut questions = Vec::new();
        for q in form.all_questions() {
            let column = frame.column(q.code)?;
            let (kind, label) = match q.kind {
                QuestionKind::Choice(c) => (ColumnKind::Choice, &c.label),
                QuestionKind::Item(i) => (ColumnKind::Item, &i.label),
                QuestionKind::Expectation(e) => (ColumnKind::Expectation, &e.label),
                QuestionKind::Comment(c) => (ColumnKind::Comment, &c.label),
            };
            let data = match kind {
                ColumnKind::Item | ColumnKind::Expectation => {
                    ColumnData::Number(column.i8()?.rechunk().into_owned())
                }
                ColumnKind::Choice | ColumnKind::Comment => {
                    ColumnData::Text(column.str()?.rechunk().into_owned())
                }
            };
            questions.push(QuestionColumn {
                code: q.code.to_string(),
                label: label.clone(),
                kind,
                data,
            });
        }
        Ok(Table {
            tz,
            id: text(ID)?,
            unit: text(UNIT)?,
            channel: text(CHANNEL)?,
            submitted_at: frame.column(SUBMITTED_AT)?.i64()?.rechunk().into_owned(),
            questions,
        })
    }

    pub fn len(&self) -> usize {
        self.id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
    }

    pub fn questions(&self) -> &[QuestionColumn] {
        &self.questions
    }

    /// The header: the fixed columns, then the question codes.
    pub fn header(&self) -> Vec<&str> {
        FIXED_COLUMNS
            .iter()
            .copied()
            .chain(self.questions.iter().map(|q| q.code.as_str()))
            .collect()
    }

    /// The Vietnamese labels of [`Table::header`].
    pub fn labels(&self) -> Vec<&str> {
        FIXED_LABELS
            .iter()
            .copied()
            .chain(self.questions.iter().map(|q| q.label.as_str()))
            .collect()
    }

    /// Row `index` (`< len()`).
    pub fn row(&self, index: usize) -> Row<'_> {
        Row {
            id: self.id.get(index).unwrap_or_default(),
            unit: self.unit.get(index).unwrap_or_default(),
            channel: self.channel.get(index).unwrap_or_default(),
            submitted_at: self
                .submitted_at
                .get(index)
                .map(|t| local_time(t, self.tz))
                .unwrap_or_default(),
            table: self,
            index,
        }
    }

    /// Rows `[offset, offset + len)` as a frame of the export's columns (Parquet).
    fn frame_slice(&self, offset: usize, len: usize) -> PolarsResult<DataFrame> {
        let at = offset as i64;
        let times: Vec<Option<String>> = self
            .submitted_at
            .slice(at, len)
            .iter()
            .map(|t| t.map(|t| local_time(t, self.tz)))
            .collect();
        let mut columns = vec![
            self.id.slice(at, len).with_name(ID.into()).into_column(),
            self.unit
                .slice(at, len)
                .with_name(UNIT.into())
                .into_column(),
            self.channel
                .slice(at, len)
                .with_name(CHANNEL.into())
                .into_column(),
            Column::new(SUBMITTED_AT.into(), times),
        ];
        for q in &self.questions {
            let name = PlSmallStr::from(q.code.as_str());
            columns.push(match &q.data {
                ColumnData::Number(ca) => ca.slice(at, len).with_name(name).into_column(),
                ColumnData::Text(ca) => ca.slice(at, len).with_name(name).into_column(),
            });
        }
        DataFrame::new(len, columns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reporting::analytics::{FrameBuilder, ResponseFields};

    fn service_form() -> Form {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("survey-forms");
        crate::forms::load::load_dir(&dir)
            .expect("the shipped forms load")
            .into_iter()
            .find(|f| f.id == "sipas-dich-vu")
            .expect("the service form")
    }

    fn table(form: &Form, rows: usize) -> Table {
        let mut b = FrameBuilder::new(form, rows);
        for i in 0..rows {
            let id = format!("id-{i}");
            let row = b.push_response(ResponseFields {
                id: &id,
                unit: "phuoc-son",
                channel: "web",
                submitted_at_micros: 1_735_662_600_000_000 + i as i64,
                local_year: 2024,
                local_month: 12,
                weight: 1.0,
            });
            b.set_answer(row, "TC1", Some(i as i32 % 5 + 1), None);
            b.set_answer(row, "y_kien", None, Some("Tốt, \"rất\" tốt"));
        }
        Table::new(&b.finish().unwrap(), form, chrono_tz::Asia::Ho_Chi_Minh).unwrap()
    }

    #[test]
    fn excel_time_is_local() {
        // 2024-12-31T16:30:00Z = 23:30 local; 2024-12-31 is serial 45657.
        let tz = chrono_tz::Asia::Ho_Chi_Minh;
        let v = excel_local_time(1_735_662_600_999_999, tz).unwrap();
        assert!((v - (45657.0 + 23.5 / 24.0)).abs() < 1e-9, "{v}");
    }

    #[test]
    fn local_time_has_the_offset() {
        // 2024-12-31T16:30:00Z
        let tz = chrono_tz::Asia::Ho_Chi_Minh;
        assert_eq!(
            local_time(1_735_662_600_000_000, tz),
            "2024-12-31T23:30:00+07:00"
        );
        assert_eq!(
            local_time(1_735_662_600_999_999, tz),
            "2024-12-31T23:30:00+07:00"
        );
    }

    #[test]
    fn chunks_concatenate_to_the_whole_file() {
        let form = service_form();
        let whole: Vec<u8> = csv::CsvChunks::new(table(&form, 5), false)
            .flatten()
            .collect();
        let chunks: Vec<Vec<u8>> = csv::CsvChunks::new(table(&form, 5), false)
            .with_rows_per_chunk(2)
            .collect();
        assert_eq!(chunks.len(), 4, "header, 2 + 2 + 1 rows");
        assert_eq!(chunks.concat(), whole);
        let text = String::from_utf8(whole).unwrap();
        let first = text.lines().nth(1).unwrap();
        assert!(first.starts_with("id-0,phuoc-son,web,2024-12-31T23:30:00+07:00,,"));
        assert!(first.ends_with(",\"Tốt, \"\"rất\"\" tốt\""));
        let empty: Vec<u8> = csv::CsvChunks::new(table(&form, 0), true)
            .flatten()
            .collect();
        assert_eq!(String::from_utf8(empty).unwrap().lines().count(), 2);
    }

    #[test]
    fn file_names() {
        assert_eq!(
            file_name(
                "sipas-dich-vu",
                Some("phuoc-son"),
                Some("2024-01-01"),
                Some("2025-01-01"),
                Format::Csv
            ),
            "sipas-dich-vu_phuoc-son_2024-01-01_2025-01-01.csv"
        );
        assert_eq!(
            file_name("a\"b", None, None, None, Format::Parquet),
            "a-b_all_all_all.parquet"
        );
        assert_eq!(Format::from_extension("XLSX"), Some(Format::Xlsx));
        assert_eq!(Format::from_extension("xls"), None);
    }
}
