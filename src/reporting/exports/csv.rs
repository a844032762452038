//! CSV in chunks: UTF-8 with BOM, RFC 4180 quoting, CRLF line ends.

use std::io::Write;

use super::{Cell, ColumnKind, Table};

/// Rows per chunk: ~180 KB of CSV for the service form.
pub const ROWS_PER_CHUNK: usize = 1_000;

/// The UTF-8 byte order mark; Excel reads a CSV as UTF-8 only with it.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The CSV of a table as an iterator of chunks: first the BOM and the header row (and the labels
/// row when asked), then [`ROWS_PER_CHUNK`] rows at a time. Concatenated, the chunks are the file.
pub struct CsvChunks {
    table: Table,
    labels: bool,
    next_row: Option<usize>,
    rows_per_chunk: usize,
}

impl CsvChunks {
    /// `labels`: add a second header row with the Vietnamese labels.
    pub fn new(table: Table, labels: bool) -> Self {
        CsvChunks {
            table,
            labels,
            next_row: None,
            rows_per_chunk: ROWS_PER_CHUNK,
        }
    }

    pub fn with_rows_per_chunk(mut self, rows: usize) -> Self {
        self.rows_per_chunk = rows.max(1);
        self
    }

    fn header(&self) -> Vec<u8> {
        let mut out = BOM.to_vec();
        write_record(&mut out, self.table.header());
        if self.labels {
            write_record(&mut out, self.table.labels());
        }
        out
    }

    fn rows(&self, start: usize, end: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity((end - start) * 192);
        for i in start..end {
            let row = self.table.row(i);
            write_field(&mut out, row.id);
            for field in [row.unit, row.channel, row.submitted_at.as_str()] {
                out.push(b',');
                write_field(&mut out, field);
            }
            for (question, cell) in row.answers() {
                out.push(b',');
                match cell {
                    Cell::Empty => {}
                    Cell::Number(n) => {
                        // Writing to a Vec cannot fail.
                        let _ = write!(out, "{n}");
                    }
                    Cell::Text(text) if question.kind == ColumnKind::Comment => {
                        write_guarded(&mut out, text)
                    }
                    Cell::Text(text) => write_field(&mut out, text),
                }
            }
            out.extend_from_slice(b"\r\n");
        }
        out
    }
}

impl Iterator for CsvChunks {
    type Item = Vec<u8>;

    fn next(&mut self) -> Option<Vec<u8>> {
        match self.next_row {
            None => {
                self.next_row = Some(0);
                Some(self.header())
            }
            Some(start) if start < self.table.len() => {
                let end = (start + self.rows_per_chunk).min(self.table.len());
                self.next_row = Some(end);
                Some(self.rows(start, end))
            }
            Some(_) => None,
        }
    }
}

/// Text a spreadsheet would read as a formula (OWASP "CSV injection").
pub fn starts_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

fn write_record<'a>(out: &mut Vec<u8>, fields: impl IntoIterator<Item = &'a str>) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_field(out, field);
    }
    out.extend_from_slice(b"\r\n");
}

/// One record of text fields, each guarded against formulas ([`write_guarded`]), CRLF after.
pub fn write_guarded_record<'a>(out: &mut Vec<u8>, fields: impl IntoIterator<Item = &'a str>) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_guarded(out, field);
    }
    out.extend_from_slice(b"\r\n");
}

/// A text field that a spreadsheet would read as a formula gets a leading `'` (then it is written
/// as [`write_field`] writes any field): the one CSV writer of stored or typed text.
pub fn write_guarded(out: &mut Vec<u8>, field: &str) {
    if starts_like_formula(field) {
        // Quoted whole when needed, so the quote mark needs no escaping of its own.
        write_field(out, &format!("'{field}"));
    } else {
        write_field(out, field);
    }
}

/// RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled.
pub fn write_field(out: &mut Vec<u8>, field: &str) {
    if field.contains([',', '"', '\r', '\n']) {
        out.push(b'"');
        for (i, part) in field.split('"').enumerate() {
            if i > 0 {
                out.extend_from_slice(b"\"\"");
            }
            out.extend_from_slice(part.as_bytes());
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(field.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(s: &str) -> String {
        let mut out = Vec::new();
        write_field(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn quoting() {
        assert_eq!(field("Nữ"), "Nữ");
        assert_eq!(field(""), "");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("nói \"tốt\""), "\"nói \"\"tốt\"\"\"");
        assert_eq!(field("dòng 1\ndòng 2"), "\"dòng 1\ndòng 2\"");
        assert_eq!(field("x\r"), "\"x\r\"");
    }

    #[test]
    fn formulas() {
        assert!(starts_like_formula("=1+1"));
        assert!(starts_like_formula("-5"));
        assert!(starts_like_formula("@SUM(A1)"));
        assert!(!starts_like_formula("Cán bộ tốt"));
        assert!(!starts_like_formula(""));
    }
}
