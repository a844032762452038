//! The questions sheet of the XLSX export ([`super::xlsx::QUESTIONS_SHEET`]): codes, kinds,
//! Vietnamese labels, answer values and routing.

use rust_xlsxwriter::{Format, Worksheet, XlsxError};

use super::{Table, FIXED_COLUMNS, FIXED_LABELS};
use crate::forms::{Form, QuestionKind};
use crate::reporting::reports::labels;

fn scale_text(labels: &[String]) -> String {
    labels
        .iter()
        .enumerate()
        .map(|(i, l)| format!("{} = {l}", i + 1))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The questions: codes, kinds, groups, Vietnamese labels, answer values and routing.
pub(super) fn questions_sheet(
    sheet: &mut Worksheet,
    table: &Table,
    form: &Form,
    bold: &Format,
) -> Result<(), XlsxError> {
    let header = [
        "Mã",
        "Loại",
        "Khía cạnh / yếu tố",
        "Nội dung",
        "Giá trị",
        "Điều kiện hiển thị",
    ];
    for (c, name) in header.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (c, width) in [
        (0, 14.0),
        (1, 14.0),
        (2, 30.0),
        (3, 70.0),
        (4, 60.0),
        (5, 22.0),
    ] {
        sheet.set_column_width(c, width)?;
    }
    let r = fixed_rows(sheet)?;
    question_rows(sheet, r, table, form)
}

/// The rows of the fixed columns (`id`, `unit`, `channel`, `submitted_at`) from row 1; returns
/// the row after them.
fn fixed_rows(sheet: &mut Worksheet) -> Result<u32, XlsxError> {
    let channels = crate::domain::Channel::ALL
        .iter()
        .map(|c| format!("{c} = {}", labels::channel(c.as_str())))
        .collect::<Vec<_>>()
        .join("; ");
    let fixed_values = [
        "UUID",
        "Mã đơn vị (xem GET /api/v1/units)",
        channels.as_str(),
        "Ngày giờ địa phương (ngày/tháng/năm giờ:phút:giây)",
    ];
    let mut r: u32 = 1;
    for ((code, label), values) in FIXED_COLUMNS.iter().zip(FIXED_LABELS).zip(fixed_values) {
        sheet.write_string(r, 0, *code)?;
        sheet.write_string(r, 1, "Thông tin phiếu")?;
        sheet.write_string(r, 3, label)?;
        sheet.write_string(r, 4, values)?;
        r += 1;
    }
    Ok(r)
}

/// The rows of the form's questions from row `r`, one per column of `table`.
fn question_rows(
    sheet: &mut Worksheet,
    mut r: u32,
    table: &Table,
    form: &Form,
) -> Result<(), XlsxError> {
    let expectation_scale = form
        .expectation_scale
        .as_ref()
        .map(|s| scale_text(&s.labels))
        .unwrap_or_default();
    let rating_scale = scale_text(&form.scale.labels);
    for (q, column) in form.all_questions().iter().zip(table.questions()) {
        let (kind, group, values) = describe(form, &q.kind, (&rating_scale, &expectation_scale));
        sheet.write_string(r, 0, q.code)?;
        sheet.write_string(r, 1, kind)?;
        if !group.is_empty() {
            sheet.write_string(r, 2, group)?;
        }
        sheet.write_string(r, 3, &column.label)?;
        sheet.write_string(r, 4, values)?;
        let conditions = q
            .conditions
            .iter()
            .map(|c| format!("{} = {}", c.question, c.equals))
            .collect::<Vec<_>>()
            .join(" và ");
        if !conditions.is_empty() {
            sheet.write_string(r, 5, conditions)?;
        }
        r += 1;
    }
    Ok(())
}

/// A question's kind, its part / element (items only) and its answer values (`scales`: the
/// rating scale, the expectation scale).
fn describe(
    form: &Form,
    kind: &QuestionKind<'_>,
    (rating_scale, expectation_scale): (&str, &str),
) -> (&'static str, String, String) {
    match *kind {
        QuestionKind::Choice(c) => (
            "Lựa chọn",
            String::new(),
            c.options
                .iter()
                .map(|o| format!("{} = {}", o.code, o.label))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        QuestionKind::Item(i) => {
            let group = form
                .parts
                .iter()
                .flat_map(|p| p.elements.iter().map(move |e| (p, e)))
                .find(|(_, e)| e.items.iter().any(|x| x.code == i.code))
                .map(|(p, e)| format!("{} / {}", p.code, e.code))
                .unwrap_or_default();
            ("Tiêu chí", group, rating_scale.to_string())
        }
        QuestionKind::Expectation(_) => ("Kỳ vọng", String::new(), expectation_scale.to_string()),
        QuestionKind::Comment(c) => (
            "Ý kiến",
            String::new(),
            format!("Văn bản tự do, tối đa {} ký tự", c.max_length),
        ),
    }
}
