//! XLSX through rust_xlsxwriter: the responses in constant-memory mode, the index table of the
//! selection, and the questions with their Vietnamese labels.

use std::io::Write;

use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::{xlsx_questions, Cell, ColumnKind, ExportError, Table, FIXED_COLUMNS};
use crate::forms::{Form, IndexMethod};
use crate::reporting::analytics::Verdict;
use crate::reporting::reports::labels;
use crate::reporting::reports::output::{GroupOut, IndexOut, ReportOut};

pub const RESPONSES_SHEET: &str = "Phiếu trả lời";
pub const INDEX_SHEET: &str = "Chỉ số";
pub const QUESTIONS_SHEET: &str = "Câu hỏi";

/// Excel's 1,048,576 rows less the header row.
pub const MAX_RESPONSES: usize = 1_048_575;

/// Writes the workbook: [`RESPONSES_SHEET`] (one row per response, header of codes, frozen),
/// [`INDEX_SHEET`] (the ungrouped report of the same selection) and [`QUESTIONS_SHEET`].
/// The responses sheet is in constant-memory mode (rows go to a temporary file as they are
/// written); the zip is written straight to `writer`.
pub fn write<W: Write + Send>(
    table: &Table,
    form: &Form,
    report: &ReportOut,
    writer: W,
) -> Result<(), ExportError> {
    if table.len() > MAX_RESPONSES {
        return Err(ExportError::TooManyRows {
            rows: table.len(),
            max: MAX_RESPONSES,
        });
    }
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let date_time = Format::new().set_num_format("dd/mm/yyyy hh:mm:ss");

    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name(RESPONSES_SHEET)?;
    responses_sheet(sheet, table, (&bold, &date_time))?;

    let sheet = workbook.add_worksheet();
    sheet.set_name(INDEX_SHEET)?;
    index_sheet(sheet, form, report, &bold)?;

    let sheet = workbook.add_worksheet();
    sheet.set_name(QUESTIONS_SHEET)?;
    xlsx_questions::questions_sheet(sheet, table, form, &bold)?;

    workbook.save_to_writer(writer)?;
    Ok(())
}

/// The responses; `submitted_at` is a date-time cell in local time (`formats`: bold for the
/// header, the date-time format).
fn responses_sheet(
    sheet: &mut Worksheet,
    table: &Table,
    (bold, date_time): (&Format, &Format),
) -> Result<(), XlsxError> {
    let header = table.header();
    let last_col = (header.len() - 1) as u16;
    for (col, code) in header.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *code, bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (col, width) in [(0, 38.0), (1, 16.0), (2, 9.0), (3, 20.0)] {
        sheet.set_column_width(col, width)?;
    }
    for (i, q) in table.questions().iter().enumerate() {
        let width = match q.kind {
            ColumnKind::Comment => 50.0,
            ColumnKind::Choice => 14.0,
            ColumnKind::Item | ColumnKind::Expectation => 6.0,
        };
        sheet.set_column_width((FIXED_COLUMNS.len() + i) as u16, width)?;
    }
    for i in 0..table.len() {
        let r = (i + 1) as u32;
        let row = table.row(i);
        sheet.write_string(r, 0, row.id)?;
        sheet.write_string(r, 1, row.unit)?;
        sheet.write_string(r, 2, row.channel)?;
        match table.submitted_excel(i) {
            Some(serial) => sheet.write_number_with_format(r, 3, serial, date_time)?,
            None => sheet.write_string(r, 3, row.submitted_at.as_str())?,
        };
        for (c, (_, cell)) in row.answers().enumerate() {
            let c = (FIXED_COLUMNS.len() + c) as u16;
            match cell {
                Cell::Empty => {}
                Cell::Number(n) => {
                    sheet.write_number(r, c, n as f64)?;
                }
                Cell::Text(text) => {
                    sheet.write_string(r, c, text)?;
                }
            }
        }
    }
    sheet.autofilter(0, 0, table.len() as u32, last_col)?;
    Ok(())
}

fn verdict_label(v: Verdict) -> &'static str {
    match v {
        Verdict::Dat => "Đạt",
        Verdict::KhongDat => "Không đạt",
        Verdict::ChuaDuCanCu => "Chưa đủ căn cứ",
    }
}

fn reason_label(reason: &str) -> &str {
    match reason {
        "few_responses" => "Dưới 30 phiếu: chưa đủ căn cứ để kết luận",
        "no_answers" => "Không có câu trả lời",
        other => other,
    }
}

/// Index table columns.
const INDEX_HEADER: [&str; 12] = [
    "Cấp",
    "Mã",
    "Nội dung",
    "Số trả lời (n)",
    "Số hài lòng",
    "Chỉ số (%)",
    "KTC 95% dưới",
    "KTC 95% trên",
    "Điểm trung bình",
    "Đạt mục tiêu",
    "Kết luận",
    "Ghi chú",
];

struct IndexRow<'a> {
    level: &'a str,
    code: &'a str,
    label: &'a str,
    n: Option<u64>,
    satisfied: Option<u64>,
    index: &'a IndexOut,
    mean_score: Option<f64>,
}

fn write_index_row(
    sheet: &mut Worksheet,
    r: u32,
    row: IndexRow<'_>,
    two_decimals: &Format,
) -> Result<(), XlsxError> {
    sheet.write_string(r, 0, row.level)?;
    sheet.write_string(r, 1, row.code)?;
    sheet.write_string(r, 2, row.label)?;
    if let Some(n) = row.n {
        sheet.write_number(r, 3, n as f64)?;
    }
    if let Some(s) = row.satisfied {
        sheet.write_number(r, 4, s as f64)?;
    }
    if let Some(v) = row.index.value {
        sheet.write_number_with_format(r, 5, v, two_decimals)?;
    }
    if let Some((low, high)) = row.index.ci95 {
        sheet.write_number_with_format(r, 6, low, two_decimals)?;
        sheet.write_number_with_format(r, 7, high, two_decimals)?;
    }
    if let Some(m) = row.mean_score {
        sheet.write_number_with_format(r, 8, m, two_decimals)?;
    }
    if let Some(meets) = row.index.meets_target {
        sheet.write_string(r, 9, if meets { "Có" } else { "Không" })?;
    }
    if let Some(v) = row.index.verdict {
        sheet.write_string(r, 10, verdict_label(v))?;
    }
    if let Some(reason) = row.index.reason {
        sheet.write_string(r, 11, reason_label(reason))?;
    }
    Ok(())
}

/// The index table of the selection: the selection and method, then one row per index.
fn index_sheet(
    sheet: &mut Worksheet,
    form: &Form,
    report: &ReportOut,
    bold: &Format,
) -> Result<(), XlsxError> {
    let two_decimals = Format::new().set_num_format("0.00");
    let left = Format::new().set_align(FormatAlign::Left);
    let group: Option<&GroupOut> = report.groups.first();
    let mut r = selection_rows(sheet, report, group, (bold, &left))?;
    r += 1;
    index_header(sheet, r, bold)?;
    r += 1;
    let Some(group) = group else {
        sheet.write_string(r, 0, "Không có phiếu trả lời nào trong lựa chọn này.")?;
        return Ok(());
    };
    r = index_rows(sheet, r, form, group, &two_decimals)?;
    r = expectation_rows(sheet, r, form, group, &two_decimals)?;
    sheet.write_string(r + 1, 0, labels::TARGET_LEGEND)?;
    Ok(())
}

/// The title and the selection of the report (`formats`: bold for names, left for numbers)
/// from row 0; returns the row after them.
fn selection_rows(
    sheet: &mut Worksheet,
    report: &ReportOut,
    group: Option<&GroupOut>,
    (bold, left): (&Format, &Format),
) -> Result<u32, XlsxError> {
    sheet.write_string_with_format(0, 0, &report.form_title, bold)?;
    let method = match report.method {
        IndexMethod::Top2Share => "top2_share: tỷ lệ câu trả lời mức 4–5",
        IndexMethod::ScoreShare => "score_share: tỷ lệ điểm đạt được trên điểm tối đa",
    };
    let text = |s: Option<&String>, default: &str| s.map_or(default.to_string(), String::clone);
    let selection = [
        ("Phiếu khảo sát", report.form.clone()),
        (
            "Đơn vị",
            text(
                report
                    .selection
                    .unit_name
                    .as_ref()
                    .or(report.selection.unit.as_ref()),
                "tất cả",
            ),
        ),
        ("Mã đơn vị", text(report.selection.unit.as_ref(), "—")),
        ("Từ ngày", text(report.selection.from.as_ref(), "—")),
        (
            "Đến ngày (không gồm)",
            text(report.selection.to.as_ref(), "—"),
        ),
        ("Phương pháp", method.to_string()),
    ];
    let mut r: u32 = 1;
    for (name, value) in selection {
        sheet.write_string_with_format(r, 0, name, bold)?;
        sheet.write_string(r, 1, value)?;
        r += 1;
    }
    for (name, value) in [
        ("Mục tiêu (%)", report.target),
        ("Số phiếu", report.responses as f64),
    ] {
        sheet.write_string_with_format(r, 0, name, bold)?;
        sheet.write_number_with_format(r, 1, value, left)?;
        r += 1;
    }
    if let Some(sample) = group.and_then(|g| g.sample.as_ref()) {
        sheet.write_string_with_format(r, 0, "Cỡ mẫu tối thiểu", bold)?;
        sheet.write_number_with_format(r, 1, sample.required as f64, left)?;
        sheet.write_string(
            r,
            2,
            if sample.adequate {
                "đủ"
            } else {
                "chưa đủ"
            },
        )?;
        r += 1;
    }
    Ok(r)
}

/// The header of the index table in row `r`, frozen, and the column widths.
fn index_header(sheet: &mut Worksheet, r: u32, bold: &Format) -> Result<(), XlsxError> {
    for (c, name) in INDEX_HEADER.iter().enumerate() {
        sheet.write_string_with_format(r, c as u16, *name, bold)?;
    }
    sheet.set_freeze_panes(r + 1, 0)?;
    for (c, width) in [(0, 12.0), (1, 14.0), (2, 60.0), (10, 16.0), (11, 40.0)] {
        sheet.set_column_width(c, width)?;
    }
    for c in 3..10 {
        sheet.set_column_width(c, 12.0)?;
    }
    Ok(())
}

/// The rows of the form's index, its parts, elements and items from row `r`; returns the row
/// after them.
fn index_rows(
    sheet: &mut Worksheet,
    mut r: u32,
    form: &Form,
    group: &GroupOut,
    two_decimals: &Format,
) -> Result<u32, XlsxError> {
    let row = IndexRow {
        level: "Chỉ số chung",
        code: &form.id,
        label: &form.title,
        n: Some(group.responses),
        satisfied: None,
        index: &group.index,
        mean_score: None,
    };
    write_index_row(sheet, r, row, two_decimals)?;
    r += 1;
    for part in &group.parts {
        let row = IndexRow {
            level: "Khía cạnh",
            code: &part.code,
            label: &part.label,
            n: None,
            satisfied: None,
            index: &part.index,
            mean_score: None,
        };
        write_index_row(sheet, r, row, two_decimals)?;
        r += 1;
        for element in &part.elements {
            let row = IndexRow {
                level: "Yếu tố",
                code: &element.code,
                label: &element.label,
                n: None,
                satisfied: None,
                index: &element.index,
                mean_score: None,
            };
            write_index_row(sheet, r, row, two_decimals)?;
            r += 1;
            for item in &element.items {
                let label = labels::item_text(form, &item.code);
                let row = IndexRow {
                    level: "Tiêu chí",
                    code: &item.code,
                    label,
                    n: Some(item.n),
                    satisfied: Some(item.satisfied),
                    index: &item.index,
                    mean_score: item.mean_score,
                };
                write_index_row(sheet, r, row, two_decimals)?;
                r += 1;
            }
        }
    }
    Ok(r)
}

/// The rows of the expectations from row `r`: n, index and the share of each option; returns
/// the row after them.
fn expectation_rows(
    sheet: &mut Worksheet,
    mut r: u32,
    form: &Form,
    group: &GroupOut,
    two_decimals: &Format,
) -> Result<u32, XlsxError> {
    for e in &group.expectations {
        sheet.write_string(r, 0, "Kỳ vọng")?;
        sheet.write_string(r, 1, &e.code)?;
        let label = form
            .expectations
            .iter()
            .find(|x| x.code == e.code)
            .map_or("", |x| x.label.as_str());
        sheet.write_string(r, 2, label)?;
        sheet.write_number(r, 3, e.n as f64)?;
        if let Some(v) = e.value {
            sheet.write_number_with_format(r, 5, v, two_decimals)?;
        }
        let options = e
            .options
            .iter()
            .map(|o| format!("{} {}", o.label, labels::percent(o.share)))
            .collect::<Vec<_>>()
            .join(" · ");
        sheet.write_string(
            r,
            11,
            format!("Tỷ lệ mong muốn cải thiện Nhiều hoặc Rất nhiều; {options}"),
        )?;
        r += 1;
    }
    Ok(r)
}
