//! The import template (`GET /api/v1/imports/{form_id}/template.xlsx`): a workbook whose first
//! sheet `Phiếu trả lời` has the export's header of codes and, for the rows below, drop-down lists
//! (units, channels, the options' labels), whole numbers 1–5 (1–3 for expectations), a date-time
//! format for `submitted_at` and the comment length; sheet `Hướng dẫn` has each column's label and
//! what it takes; sheet `Danh mục` the lists. Filled in and uploaded, it imports as it is.

use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, Format, Formula, Workbook,
    Worksheet, XlsxError,
};

use super::read::RESPONSES_SHEET;
use super::MAX_ROWS;
use crate::forms::model::QuestionRef;
use crate::forms::{Form, QuestionKind};
use crate::reporting::exports::{FIXED_COLUMNS, FIXED_LABELS};

const GUIDE_SHEET: &str = "Hướng dẫn";
const LISTS_SHEET: &str = "Danh mục";

/// The last row (0-based) that data validation covers: the import's row limit.
const LAST_ROW: u32 = MAX_ROWS as u32;

/// An Excel serial of 2000-01-01: `submitted_at` must be a date-time after it.
const YEAR_2000: f64 = 36_526.0;

/// A unit to offer in the template's list: code and name.
pub struct UnitChoice {
    pub code: String,
    pub name: String,
}

/// The template of `form` for these units, as the bytes of an XLSX file.
pub fn template(form: &Form, units: &[UnitChoice]) -> Result<Vec<u8>, XlsxError> {
    let questions = form.all_questions();
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let lists = lists(form, &questions, units);

    let sheet = workbook.add_worksheet();
    sheet.set_name(RESPONSES_SHEET)?;
    responses_sheet(sheet, &questions, &lists, &bold)?;

    let guide = workbook.add_worksheet();
    guide.set_name(GUIDE_SHEET)?;
    guide_sheet(guide, form, &questions, &bold)?;

    let sheet = workbook.add_worksheet();
    sheet.set_name(LISTS_SHEET)?;
    for (col, list) in lists.iter().enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(0, col, &list.title, &bold)?;
        for (row, value) in list.values.iter().enumerate() {
            sheet.write_string(row as u32 + 1, col, value)?;
        }
        sheet.set_column_width(col, 28)?;
    }
    workbook.save_to_buffer()
}

/// A drop-down list on the `Danh mục` sheet: its column's title and values.
struct List {
    /// The column of `Phiếu trả lời` it is for.
    column: String,
    title: String,
    values: Vec<String>,
}

impl List {
    /// `'Danh mục'!$B$2:$B$7` for the list in column `index`.
    fn formula(&self, index: usize) -> Formula {
        let letter = column_letter(index as u16);
        Formula::new(format!(
            "='{LISTS_SHEET}'!${letter}$2:${letter}${}",
            self.values.len().max(1) + 1
        ))
    }
}

fn lists(form: &Form, questions: &[QuestionRef<'_>], units: &[UnitChoice]) -> Vec<List> {
    let mut lists = vec![
        List {
            column: "unit".into(),
            title: "unit (Đơn vị)".into(),
            values: units.iter().map(|u| u.code.clone()).collect(),
        },
        List {
            column: "channel".into(),
            title: "channel (Kênh)".into(),
            values: form
                .channels
                .iter()
                .map(|c| c.as_str().to_string())
                .collect(),
        },
    ];
    for q in questions {
        if let QuestionKind::Choice(choice) = q.kind {
            lists.push(List {
                column: q.code.to_string(),
                title: q.code.to_string(),
                values: choice.options.iter().map(|o| o.label.clone()).collect(),
            });
        }
    }
    lists
}

fn responses_sheet(
    sheet: &mut Worksheet,
    questions: &[QuestionRef<'_>],
    lists: &[List],
    bold: &Format,
) -> Result<(), XlsxError> {
    let header = FIXED_COLUMNS
        .iter()
        .copied()
        .chain(questions.iter().map(|q| q.code));
    for (col, code) in header.enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(0, col, code, bold)?;
        sheet.set_column_width(col, if col < 4 { 20 } else { 12 })?;
        let validation = match lists.iter().position(|l| l.column == code) {
            Some(i) => Some(
                DataValidation::new()
                    .allow_list_formula(lists[i].formula(i))
                    .set_error_message("Chọn một giá trị trong danh sách (trang Danh mục).")?,
            ),
            None => validation_of(code, questions)?,
        };
        if let Some(v) = validation {
            sheet.add_data_validation(1, col, LAST_ROW, col, &v)?;
        }
    }
    let date_time = Format::new().set_num_format("dd/mm/yyyy hh:mm");
    sheet.set_column_format(3, &date_time)?;
    sheet.set_freeze_panes(1, 1)?;
    sheet.set_active(true);
    Ok(())
}

/// The validation of a column without a list: ratings, time, comments.
fn validation_of(
    code: &str,
    questions: &[QuestionRef<'_>],
) -> Result<Option<DataValidation>, XlsxError> {
    if code == "submitted_at" {
        return Ok(Some(
            DataValidation::new()
                .allow_decimal_number(DataValidationRule::GreaterThan(YEAR_2000))
                .set_error_message("Nhập ngày giờ, ví dụ 02/05/2024 09:30.")?,
        ));
    }
    let Some(q) = questions.iter().find(|q| q.code == code) else {
        return Ok(None);
    };
    let whole = |max: i32| -> Result<DataValidation, XlsxError> {
        DataValidation::new()
            .allow_whole_number(DataValidationRule::Between(1, max))
            .set_error_message(format!("Nhập một số nguyên từ 1 đến {max}, hoặc để trống."))
    };
    Ok(match q.kind {
        QuestionKind::Item(_) => Some(whole(5)?),
        QuestionKind::Expectation(_) => Some(whole(3)?),
        QuestionKind::Comment(c) => Some(
            DataValidation::new()
                .allow_text_length(DataValidationRule::LessThanOrEqualTo(c.max_length as u32))
                .set_error_style(DataValidationErrorStyle::Warning)
                .set_error_message(format!("Tối đa {} ký tự.", c.max_length))?,
        ),
        QuestionKind::Choice(_) => None,
    })
}

fn guide_sheet(
    sheet: &mut Worksheet,
    form: &Form,
    questions: &[QuestionRef<'_>],
    bold: &Format,
) -> Result<(), XlsxError> {
    for (col, title) in ["Cột (mã)", "Nội dung", "Giá trị"].iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *title, bold)?;
    }
    let fixed_values = [
        "Bắt buộc, không trùng: số phiếu giấy (vd. phuoc-son-000123), mã phiếu trả lời của tệp xuất, hoặc một mã riêng.",
        "Mã đơn vị (danh sách ở trang Danh mục).",
        "Kênh: kiosk, phone, web hoặc paper (những kênh phiếu này nhận).",
        "Ngày giờ trả lời (giờ địa phương), ví dụ 02/05/2024 09:30.",
    ];
    let mut row = 1;
    for ((code, label), values) in FIXED_COLUMNS.iter().zip(FIXED_LABELS).zip(fixed_values) {
        sheet.write_string(row, 0, *code)?;
        sheet.write_string(row, 1, label)?;
        sheet.write_string(row, 2, values)?;
        row += 1;
    }
    for q in questions {
        let (label, values) = match q.kind {
            QuestionKind::Choice(c) => (
                &c.label,
                c.options
                    .iter()
                    .map(|o| format!("{} = {}", o.code, o.label))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            QuestionKind::Item(i) => (&i.label, scale_text(&form.scale.labels)),
            QuestionKind::Expectation(e) => (
                &e.label,
                form.expectation_scale
                    .as_ref()
                    .map_or_else(|| "1–3".to_string(), |s| scale_text(&s.labels)),
            ),
            QuestionKind::Comment(c) => {
                (&c.label, format!("Văn bản, tối đa {} ký tự.", c.max_length))
            }
        };
        sheet.write_string(row, 0, q.code)?;
        sheet.write_string(row, 1, label)?;
        sheet.write_string(row, 2, values)?;
        row += 1;
    }
    sheet.write_string(
        row + 1,
        0,
        "Để trống câu không trả lời hoặc không áp dụng. Lựa chọn: ghi mã hoặc nội dung của lựa chọn.",
    )?;
    sheet.set_column_width(0, 16)?;
    sheet.set_column_width(1, 60)?;
    sheet.set_column_width(2, 60)?;
    Ok(())
}

fn scale_text(labels: &[String]) -> String {
    labels
        .iter()
        .enumerate()
        .map(|(i, l)| format!("{} = {l}", i + 1))
        .collect::<Vec<_>>()
        .join("; ")
}

/// `A`, `B`, …, `Z`, `AA`, … for a 0-based column.
fn column_letter(col: u16) -> String {
    let mut n = u32::from(col) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push((b'A' + rem) as char);
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
    }
}
