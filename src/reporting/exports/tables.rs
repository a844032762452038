//! The tables of a report as files (the report folder's `tables/`): the index table of the
//! form, parts, elements and criteria, and the expectations ("mong muốn cải thiện"), as CSV
//! (UTF-8 with BOM, numbers with a decimal point for spreadsheets) and XLSX.

use std::path::Path;

use crate::forms::Form;
use crate::reporting::analytics::Verdict;
use crate::reporting::reports::labels;
use crate::reporting::reports::output::{ExpectationOut, IndexOut};
use crate::reporting::reports::ReportOut;

/// The verdict in words.
pub fn verdict_text(index: &IndexOut) -> &'static str {
    match index.verdict {
        Some(Verdict::Dat) => "Đạt",
        Some(Verdict::KhongDat) => "Không đạt",
        Some(Verdict::ChuaDuCanCu) => "Chưa đủ căn cứ",
        None => "Không có dữ liệu",
    }
}

/// One row of the index table.
#[derive(Debug, Clone)]
pub struct IndexRow {
    /// `Chỉ số chung`, `Phần`, `Yếu tố` or `Tiêu chí`.
    pub level: &'static str,
    pub code: String,
    pub label: String,
    pub n: u64,
    pub index: IndexOut,
}

/// The ungrouped report as rows: the form, its parts, elements and items.
pub fn index_rows(form: &Form, report: &ReportOut) -> Vec<IndexRow> {
    let Some(g) = report.groups.first() else {
        return Vec::new();
    };
    let mut rows = vec![IndexRow {
        level: "Chỉ số chung",
        code: form.id.clone(),
        label: form.title.clone(),
        n: g.responses,
        index: g.index.clone(),
    }];
    for part in &g.parts {
        if g.parts.len() > 1 {
            rows.push(IndexRow {
                level: "Phần",
                code: part.code.clone(),
                label: part.label.clone(),
                n: part.n,
                index: part.index.clone(),
            });
        }
        for e in &part.elements {
            rows.push(IndexRow {
                level: "Yếu tố",
                code: e.code.clone(),
                label: e.label.clone(),
                n: e.n,
                index: e.index.clone(),
            });
            for item in &e.items {
                rows.push(IndexRow {
                    level: "Tiêu chí",
                    code: item.code.clone(),
                    label: labels::item_text(form, &item.code).to_string(),
                    n: item.n,
                    index: item.index.clone(),
                });
            }
        }
    }
    rows
}

/// Two decimals, rounded half away from zero as the JSON rounds (`labels::decimal`).
fn num2(v: Option<f64>) -> String {
    v.map(|v| format!("{:.2}", (v * 100.0).round() / 100.0))
        .unwrap_or_default()
}

const INDEX_HEADER: [&str; 8] = [
    "Cấp",
    "Mã",
    "Nội dung",
    "Số trả lời (n)",
    "Chỉ số (%)",
    "KTC 95% dưới",
    "KTC 95% trên",
    "Kết luận",
];

/// The index table as CSV: UTF-8 with BOM, CRLF, numbers with a decimal point (two decimals).
pub fn index_csv(rows: &[IndexRow]) -> Vec<u8> {
    let mut out = super::csv::BOM.to_vec();
    let mut record = |fields: &[&str]| {
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            super::csv::write_guarded(&mut out, f);
        }
        out.extend_from_slice(b"\r\n");
    };
    record(&INDEX_HEADER);
    for r in rows {
        let (low, high) = r.index.ci95.unzip();
        record(&[
            r.level,
            &r.code,
            &r.label,
            &r.n.to_string(),
            &num2(r.index.value),
            &num2(low),
            &num2(high),
            verdict_text(&r.index),
        ]);
    }
    out
}

/// The index table and the expectations as a workbook (sheets `Chỉ số`, `Mong muốn cải thiện`).
pub fn index_xlsx(
    rows: &[IndexRow],
    expectations: &[ExpectationOut],
    path: &Path,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let two = Format::new().set_num_format("0.00");
    let sheet = workbook.add_worksheet();
    sheet.set_name("Chỉ số")?;
    for (col, h) in INDEX_HEADER.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *h, &bold)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, r.level)?;
        sheet.write_string(row, 1, &r.code)?;
        sheet.write_string(row, 2, &r.label)?;
        sheet.write_number(row, 3, r.n as f64)?;
        if let Some(v) = r.index.value {
            sheet.write_number_with_format(row, 4, v, &two)?;
        }
        if let Some((low, high)) = r.index.ci95 {
            sheet.write_number_with_format(row, 5, low, &two)?;
            sheet.write_number_with_format(row, 6, high, &two)?;
        }
        sheet.write_string(row, 7, verdict_text(&r.index))?;
    }
    let legend_row = rows.len() as u32 + 2;
    sheet.write_string(legend_row, 0, labels::TARGET_LEGEND)?;
    sheet.set_column_width(2, 50)?;
    sheet.set_freeze_panes(1, 0)?;
    let sheet = workbook.add_worksheet();
    sheet.set_name("Mong muốn cải thiện")?;
    for (col, h) in expectation_header(expectations).iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, h, &bold)?;
    }
    for (i, e) in expectations.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, &e.code)?;
        sheet.write_string(row, 1, &e.label)?;
        sheet.write_number(row, 2, e.n as f64)?;
        for (k, o) in e.options.iter().enumerate() {
            let col = 3 + 2 * k as u16;
            sheet.write_number(row, col, o.n as f64)?;
            if let Some(share) = o.share {
                sheet.write_number_with_format(row, col + 1, share, &two)?;
            }
        }
        if let Some(v) = e.value {
            let col = 3 + 2 * e.options.len() as u16;
            sheet.write_number_with_format(row, col, v, &two)?;
        }
    }
    sheet.set_column_width(1, 50)?;
    sheet.set_freeze_panes(1, 0)?;
    workbook.save(path)
}

fn expectation_header(expectations: &[ExpectationOut]) -> Vec<String> {
    let mut header: Vec<String> = ["Mã", "Nội dung", "Số trả lời (n)"]
        .map(String::from)
        .to_vec();
    if let Some(first) = expectations.first() {
        for o in &first.options {
            header.push(format!("{} {} (số người)", o.code, o.label));
            header.push(format!("{} {} (%)", o.code, o.label));
        }
    }
    header.push("Nhiều hoặc rất nhiều (%)".to_string());
    header
}

/// The expectations of the ungrouped report as CSV: per question, n answered, and per option
/// the number and share (%) choosing it, then the share choosing Nhiều or Rất nhiều.
pub fn expectations_csv(expectations: &[ExpectationOut]) -> Vec<u8> {
    let mut out = super::csv::BOM.to_vec();
    let mut record = |fields: &[String]| {
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            super::csv::write_guarded(&mut out, f);
        }
        out.extend_from_slice(b"\r\n");
    };
    record(&expectation_header(expectations));
    for e in expectations {
        let mut fields = vec![e.code.clone(), e.label.clone(), e.n.to_string()];
        for o in &e.options {
            fields.push(o.n.to_string());
            fields.push(num2(o.share));
        }
        fields.push(num2(e.value));
        record(&fields);
    }
    out
}
