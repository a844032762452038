//! Reading an imported file into a grid of cells: CSV (UTF-8, optional BOM, RFC 4180) or XLSX
//! (the first sheet, or the sheet `Phiếu trả lời` of an export). Only the shape of the file is
//! judged here (encoding, a workbook that opens, a header, the number of rows); the cells are
//! judged by `rows`.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDateTime;

use super::{FileKind, Problem, MAX_ROWS};

/// The sheet of an XLSX export that holds the responses.
pub const RESPONSES_SHEET: &str = "Phiếu trả lời";

/// One cell as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// An XLSX date-time cell (local time, as written by the export and the template).
    DateTime(NaiveDateTime),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            Cell::Number(_) | Cell::DateTime(_) => false,
        }
    }
}

/// A data row with its number as a spreadsheet shows it (the header is row 1).
#[derive(Debug, Clone)]
pub struct GridRow {
    pub number: u32,
    pub cells: Vec<Cell>,
}

/// The file as a header and rows of cells.
#[derive(Debug, Clone)]
pub struct Grid {
    pub kind: FileKind,
    pub header: Vec<String>,
    pub rows: Vec<GridRow>,
}

/// Reads a file; a problem of the whole file (encoding, not a workbook, empty, too many rows)
/// is the only problem reported.
pub fn read(kind: FileKind, bytes: &[u8]) -> Result<Grid, Problem> {
    if bytes.is_empty() {
        return Err(Problem::file(
            "empty_file",
            "Tệp trống: không có dòng tiêu đề và không có phiếu nào.",
        ));
    }
    let (header, rows) = match kind {
        FileKind::Csv => read_csv(bytes)?,
        FileKind::Xlsx => read_xlsx(bytes)?,
    };
    if header.iter().all(|h| h.trim().is_empty()) {
        return Err(Problem::file(
            "empty_file",
            "Tệp không có dòng tiêu đề (dòng 1: id, unit, channel, submitted_at và mã các câu hỏi).",
        ));
    }
    let rows: Vec<GridRow> = rows
        .into_iter()
        .filter(|r| !r.cells.iter().all(Cell::is_empty))
        .collect();
    if rows.len() > MAX_ROWS {
        return Err(too_many_rows(rows.len()));
    }
    Ok(Grid { kind, header, rows })
}

fn too_many_rows(rows: usize) -> Problem {
    Problem::file(
        "too_many_rows",
        format!("Tệp có {rows} dòng phiếu; mỗi lần nhập tối đa {MAX_ROWS} dòng. Xin chia tệp ra."),
    )
}

fn read_csv(bytes: &[u8]) -> Result<(Vec<String>, Vec<GridRow>), Problem> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            return Err(Problem {
                row: Some(line as u32),
                column: None,
                code: "not_utf8",
                message: format!(
                    "Tệp không phải UTF-8 (lỗi ở dòng {line}). Trong Excel, xin lưu bằng \"CSV UTF-8 (Comma delimited)\"."
                ),
            });
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = records(text)?.into_iter();
    let header = records
        .next()
        .map(|r| r.into_iter().map(|h| h.trim().to_string()).collect())
        .unwrap_or_default();
    let mut rows = Vec::new();
    // Row numbers as a spreadsheet shows them: a blank line is an (empty) row, a field with line
    // breaks does not add rows.
    for (i, record) in records.enumerate() {
        let cells = record
            .into_iter()
            .map(|c| {
                if c.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(c)
                }
            })
            .collect();
        rows.push(GridRow {
            number: i as u32 + 2,
            cells,
        });
        if rows.len() > MAX_ROWS {
            return Err(too_many_rows(rows.len()));
        }
    }
    Ok((header, rows))
}

/// RFC 4180 records: fields separated by `,`, records by CRLF, LF or CR; a field in double
/// quotes may hold those, a quote doubled. A quote left open is a problem at its record's row.
fn records(text: &str) -> Result<Vec<Vec<String>>, Problem> {
    let mut records = Vec::new();
    let (mut record, mut field) = (Vec::new(), String::new());
    let (mut quoted, mut at_start) = (false, true);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' if at_start => {
                quoted = true;
                at_start = false;
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                at_start = true;
            }
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                at_start = true;
            }
            c => {
                field.push(c);
                at_start = false;
            }
        }
    }
    if quoted {
        return Err(Problem {
            row: Some(records.len() as u32 + 1),
            column: None,
            code: "malformed_csv",
            message: "Tệp CSV sai định dạng: dấu ngoặc kép mở mà không đóng.".to_string(),
        });
    }
    if !record.is_empty() || !field.is_empty() {
        record.push(field);
        records.push(record);
    }
    Ok(records)
}

fn not_a_workbook() -> Problem {
    Problem::file(
        "not_xlsx",
        "Tệp không phải bảng tính XLSX (Excel 2007 trở lên) đọc được.",
    )
}

fn read_xlsx(bytes: &[u8]) -> Result<(Vec<String>, Vec<GridRow>), Problem> {
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| not_a_workbook())?;
    let names = workbook.sheet_names();
    let name = names
        .iter()
        .find(|n| n.as_str() == RESPONSES_SHEET)
        .or_else(|| names.first())
        .cloned()
        .ok_or_else(not_a_workbook)?;
    let range = workbook
        .worksheet_range(&name)
        .map_err(|_| not_a_workbook())?;
    // Row and column numbers of the range are where its first used cell is.
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut lines = range.rows();
    let pad = first_col as usize;
    let header: Vec<String> = match lines.next() {
        Some(cells) if first_row == 0 && first_col == 0 => cells.iter().map(text_of).collect(),
        Some(cells) => std::iter::repeat_n(String::new(), pad)
            .chain(cells.iter().map(text_of))
            .collect(),
        None => Vec::new(),
    };
    if first_row != 0 {
        return Err(Problem::file(
            "missing_header",
            "Dòng 1 của trang tính phải là dòng tiêu đề (mã các cột).",
        ));
    }
    let mut rows = Vec::new();
    for (i, cells) in lines.enumerate() {
        let cells: Vec<Cell> = std::iter::repeat_n(Cell::Empty, pad)
            .chain(cells.iter().map(cell_of))
            .collect();
        rows.push(GridRow {
            number: first_row + i as u32 + 2,
            cells,
        });
        if rows.len() > MAX_ROWS {
            return Err(too_many_rows(rows.len()));
        }
    }
    Ok((header, rows))
}

fn text_of(cell: &Data) -> String {
    match cell_of(cell) {
        Cell::Text(t) => t.trim().to_string(),
        Cell::Number(n) => n.to_string(),
        Cell::DateTime(t) => t.to_string(),
        Cell::Empty => String::new(),
    }
}

fn cell_of(cell: &Data) -> Cell {
    match cell {
        Data::Empty => Cell::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Text(b.to_string()),
        Data::DateTime(t) => match t.as_datetime() {
            Some(t) => Cell::DateTime(t),
            None => Cell::Number(t.as_f64()),
        },
        Data::Error(e) => Cell::Text(format!("#{e:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_bom_and_quotes() {
        let grid = read(
            FileKind::Csv,
            "\u{feff}id,unit,y_kien\r\na,phuoc-son,\"x, \"\"y\"\"\"\r\n\r\nb,,\r\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(grid.header, ["id", "unit", "y_kien"]);
        assert_eq!(grid.rows.len(), 2, "the blank line is skipped");
        assert_eq!(grid.rows[0].number, 2);
        assert_eq!(grid.rows[0].cells[2], Cell::Text("x, \"y\"".into()));
        assert_eq!(grid.rows[1].number, 4);
        assert_eq!(grid.rows[1].cells[1], Cell::Empty);
    }

    #[test]
    fn records_as_rfc_4180() {
        let r = records("a,\"b\r\nc\",\"\"\r\n\nx\ry,\"q\"\"\"").unwrap();
        assert_eq!(
            r,
            [
                vec!["a", "b\r\nc", ""],
                vec![""],
                vec!["x"],
                vec!["y", "q\""],
            ]
        );
        assert_eq!(records("a\r\n\"b,c\r\n").unwrap_err().row, Some(2));
    }

    #[test]
    fn latin1_is_not_utf8() {
        let problem = read(FileKind::Csv, b"id,unit\r\na,Ph\xf9\r\n").unwrap_err();
        assert_eq!(problem.code, "not_utf8");
        assert_eq!(problem.row, Some(2));
    }

    #[test]
    fn not_a_workbook_and_empty() {
        assert_eq!(
            read(FileKind::Xlsx, b"id,unit\r\n").unwrap_err().code,
            "not_xlsx"
        );
        assert_eq!(read(FileKind::Csv, b"").unwrap_err().code, "empty_file");
        assert_eq!(
            read(FileKind::Csv, "\u{feff}".as_bytes()).unwrap_err().code,
            "empty_file"
        );
    }
}
