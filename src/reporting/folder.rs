//! `sipas report`'s folder (`reporting::command`): what an analyst can send as it is (README in
//! `reports/`), with the same text as the Word báo cáo (`document::narrative`).
//!
//! ```text
//! DIR/index.html            self-contained: the báo cáo's text, tables, every chart inline as SVG
//! DIR/charts/{kind}.png     the six chart kinds (elements, items, trend, units, distribution,
//! DIR/charts/{kind}.svg     expectations)
//! DIR/tables/chi-so.csv     the index table (UTF-8 with BOM)
//! DIR/tables/mong-muon-cai-thien.csv  the expectations: n and the share of each option
//! DIR/tables/chi-so.xlsx    both tables (sheets "Chỉ số", "Mong muốn cải thiện")
//! DIR/tables/phieu-tra-loi.csv  the responses of the selection (the export's CSV)
//! ```
//!
//! The folder is created if needed; our files in it are overwritten, nothing else is touched.

use std::io::Write;
use std::path::Path;

use chrono_tz::Tz;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::forms::Form;
use crate::reporting::charts::{self, ChartFormat, ChartKind, ChartOptions};
use crate::reporting::document::narrative::{self, target_text};
use crate::reporting::document::{assessment, ReportSet};
use crate::reporting::exports::csv::CsvChunks;
use crate::reporting::exports::tables::{expectations_csv, index_csv, index_rows, index_xlsx};
use crate::reporting::exports::Table;
use crate::reporting::fragments::{
    ci, count, expectation_table, pct, points, verdict_cell, verdict_legend,
};
use crate::reporting::reports::output::{ExpectationOut, GroupOut};
use crate::reporting::reports::{labels, ReportOut};

/// The options of the charts (size and the form's scale labels), their size checked.
pub fn chart_options(form: &Form, width: u32, height: u32) -> Result<ChartOptions, String> {
    let options = ChartOptions {
        width,
        height,
        scale_labels: form.scale.labels.clone(),
        expectation_labels: form
            .expectation_scale
            .as_ref()
            .map(|s| s.labels.clone())
            .unwrap_or_default(),
        ..Default::default()
    };
    options.check_size().map_err(|e| e.to_string())?;
    Ok(options)
}

/// Writes the folder `out` of the reports `set` with the selection's `responses`.
pub fn write(
    out: &Path,
    form: &Form,
    set: &ReportSet,
    responses: Table,
    options: &ChartOptions,
    tz: Tz,
) -> Result<(), String> {
    for sub in ["charts", "tables"] {
        let dir = out.join(sub);
        std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
    }
    let svgs = write_charts(out, set, options)?;
    write_tables(out, form, &set.report, responses)?;
    write_page(out, form, set, &svgs, tz)?;
    println!(
        "wrote {} ({} responses, {} charts)",
        out.display(),
        set.report.responses,
        svgs.len() * 2
    );
    Ok(())
}

/// The message of a file that cannot be written.
fn io_error(path: &Path, e: std::io::Error) -> String {
    format!("cannot write {}: {e}", path.display())
}

/// Writes `bytes` to the file `name` of the folder `out`.
fn write_file(out: &Path, name: &str, bytes: &[u8]) -> Result<(), String> {
    let path = out.join(name);
    std::fs::write(&path, bytes).map_err(|e| io_error(&path, e))
}

/// Writes every chart kind as PNG and SVG in `charts/`; returns the SVGs for the page.
fn write_charts(
    out: &Path,
    reports: &ReportSet,
    options: &ChartOptions,
) -> Result<Vec<(ChartKind, String)>, String> {
    let mut svgs = Vec::new();
    for kind in ChartKind::ALL {
        let source = match kind {
            ChartKind::Trend => &reports.trend,
            ChartKind::Units => &reports.by_unit,
            _ => &reports.report,
        };
        for format in [ChartFormat::Png, ChartFormat::Svg] {
            let bytes = charts::render(kind, format, source, options).map_err(|e| e.to_string())?;
            let name = format!("charts/{}.{}", kind.as_str(), format.as_str());
            write_file(out, &name, &bytes)?;
            if format == ChartFormat::Svg {
                svgs.push((kind, String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
    }
    Ok(svgs)
}

/// Writes `tables/`: the index and expectation tables (CSV and XLSX) of `report` and the
/// responses as CSV.
fn write_tables(
    out: &Path,
    form: &Form,
    report: &ReportOut,
    responses: Table,
) -> Result<(), String> {
    let rows = index_rows(form, report);
    let expectations: &[ExpectationOut] = report
        .groups
        .first()
        .map_or(&[], |g| g.expectations.as_slice());
    write_file(out, "tables/chi-so.csv", &index_csv(&rows))?;
    let csv = expectations_csv(expectations);
    write_file(out, "tables/mong-muon-cai-thien.csv", &csv)?;
    let xlsx_path = out.join("tables/chi-so.xlsx");
    index_xlsx(&rows, expectations, &xlsx_path)
        .map_err(|e| format!("{}: {e}", xlsx_path.display()))?;
    let csv_path = out.join("tables/phieu-tra-loi.csv");
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(&csv_path).map_err(|e| io_error(&csv_path, e))?,
    );
    for chunk in CsvChunks::new(responses, true) {
        file.write_all(&chunk).map_err(|e| io_error(&csv_path, e))?;
    }
    file.flush().map_err(|e| io_error(&csv_path, e))
}

/// Writes `index.html`: the reports' tables with the `svgs` inline, made now in `tz`.
fn write_page(
    out: &Path,
    form: &Form,
    reports: &ReportSet,
    svgs: &[(ChartKind, String)],
    tz: Tz,
) -> Result<(), String> {
    let context = charts::default_context(&reports.report, &|c: &str| reports.name_of(c));
    let generated = chrono::Utc::now()
        .with_timezone(&tz)
        .format("%d/%m/%Y %H:%M")
        .to_string();
    let page = Page {
        form,
        set: reports,
        context: &context,
        generated: &generated,
        svgs,
    };
    write_file(out, "index.html", page.render().into_string().as_bytes())
}

/// HTML5 needs no namespace on inline SVG; dropping it keeps the page free of any URL.
fn inline_svg(svg: &str) -> String {
    let svg = svg.trim_start();
    let svg = match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    };
    svg.replace(" xmlns=\"http://www.w3.org/2000/svg\"", "")
}

const CSS: &str = r#"
body{font-family:"DejaVu Sans","Noto Sans",Arial,sans-serif;color:#1b1f23;margin:0;background:#fff;line-height:1.45}
main{max-width:72rem;margin:0 auto;padding:1rem 1.5rem}
h1{font-size:1.5rem;margin:.5rem 0}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem;border-bottom:1px solid #c4c9cf}
p.context{color:#4a4f55;margin:0 0 1rem}
table{border-collapse:collapse;width:100%;margin:0 0 1rem;font-size:.9rem}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border:1px solid #c4c9cf;padding:.3rem .5rem;text-align:left;vertical-align:top}
td.num{text-align:right;white-space:nowrap}
th{background:#eef0f3}
tr.section th{background:#dde1e6}
.v-dat{font-weight:700;color:#0a5c2b}
.v-khong-dat{font-weight:700;color:#9c1c1c}
.v-chua{font-style:italic;color:#4a4f55}
figure{margin:0 0 1.5rem}
figure svg{max-width:100%;height:auto;display:block}
figcaption{font-size:.9rem;color:#4a4f55}
footer{font-size:.85rem;color:#4a4f55;margin-top:2rem}
@page{size:A4;margin:15mm}
@media print{
  main{max-width:none;padding:0}
  table{font-size:9pt}
  tr,figure{break-inside:avoid;page-break-inside:avoid}
  thead{display:table-header-group}
  h2{break-after:avoid;page-break-after:avoid}
  figure svg{width:100%}
}
"#;

struct Page<'a> {
    form: &'a Form,
    set: &'a ReportSet,
    context: &'a str,
    generated: &'a str,
    svgs: &'a [(ChartKind, String)],
}

impl Page<'_> {
    fn group_label(&self, g: &GroupOut) -> String {
        labels::group_key(self.form, &g.key, &self.set.unit_names)
    }

    fn group_rows(&self, heading: &str, report: &ReportOut) -> Markup {
        html! {
            tr.section { th colspan="7" scope="rowgroup" { (heading) } }
            @for g in &report.groups {
                tr {
                    th scope="row" { (self.group_label(g)) }
                    td.num { (count(g.responses)) }
                    td.num { (pct(g.index.value)) }
                    td.num { (ci(&g.index)) }
                    (verdict_cell(&g.index))
                    td.num { (points(g.index.gap)) }
                    td.num {
                        @if let Some(c) = &g.change {
                            (points(c.delta)) " (so với " (labels::period(&c.previous)) ")"
                            @if c.significant == Some(true) { br; small { "có ý nghĩa thống kê" } }
                        } @else { "—" }
                    }
                }
            }
        }
    }

    fn index_table(&self) -> Markup {
        html! {
            table #index-table {
                caption { "Chỉ số hài lòng — Mục tiêu " (target_text(self.set.report.target)) }
                thead { tr {
                    th scope="col" { "Nhóm" }
                    th scope="col" { "Số phiếu" }
                    th scope="col" { "Chỉ số" }
                    th scope="col" { "Khoảng tin cậy 95 %" }
                    th scope="col" { "Kết luận" }
                    th scope="col" { "Chênh lệch so với mục tiêu (điểm %)" }
                    th scope="col" { "Thay đổi so với kỳ trước (điểm %)" }
                } }
                tbody {
                    (self.group_rows("Toàn bộ lựa chọn", &self.set.report))
                    @if !self.set.by_unit.groups.is_empty() {
                        (self.group_rows("Theo đơn vị phục vụ người dân", &self.set.by_unit))
                    }
                    @if !self.set.trend.groups.is_empty() {
                        (self.group_rows("Theo quý", &self.set.trend))
                    }
                }
            }
        }
    }

    fn detail_table(&self) -> Markup {
        let rows = index_rows(self.form, &self.set.report);
        if rows.is_empty() {
            return html! { p { "Không có dữ liệu trong lựa chọn này." } };
        }
        html! {
            table #element-table {
                caption { "Chỉ số theo yếu tố và tiêu chí" }
                thead { tr {
                    th scope="col" { "Cấp" }
                    th scope="col" { "Mã" }
                    th scope="col" { "Nội dung" }
                    th scope="col" { "Số trả lời" }
                    th scope="col" { "Chỉ số" }
                    th scope="col" { "Khoảng tin cậy 95 %" }
                    th scope="col" { "Kết luận" }
                    th scope="col" { "Chênh lệch (điểm %)" }
                } }
                tbody {
                    @for r in &rows {
                        tr {
                            td { (r.level) }
                            td { (r.code) }
                            @if r.level == "Tiêu chí" { td { (r.label) } } @else { th scope="row" { (r.label) } }
                            td.num { (count(r.n)) }
                            td.num { (pct(r.index.value)) }
                            td.num { (ci(&r.index)) }
                            (verdict_cell(&r.index))
                            td.num { (points(r.index.gap)) }
                        }
                    }
                }
            }
        }
    }

    fn expectations_table(&self) -> Markup {
        let Some(g) = self
            .set
            .report
            .groups
            .first()
            .filter(|g| !g.expectations.is_empty())
        else {
            return html! {};
        };
        html! {
            h2 { "Mong muốn cải thiện" }
            (expectation_table(g, "Tỷ lệ người trả lời theo mức độ mong muốn cải thiện (trong ngoặc: số người chọn)"))
        }
    }

    /// The báo cáo's text (`document::narrative`), as in the Word file.
    fn paragraphs(texts: &[String]) -> Markup {
        html! { @for t in texts { p { (t) } } }
    }

    fn text_before(&self) -> Markup {
        let (form, set) = (self.form, self.set);
        html! {
            h2 { "Mục đích, phạm vi" }
            (Self::paragraphs(&narrative::purpose(form, set)))
            h2 { "Phương pháp" }
            (Self::paragraphs(&narrative::method(form, set)))
            h2 { "Kết quả" }
            (Self::paragraphs(&[narrative::overall(self.form, &self.set.report)]))
            (Self::paragraphs(&assessment::units(set)))
            (Self::paragraphs(&[narrative::change_sentence(form, set)]))
            (Self::paragraphs(&assessment::delegates(set)))
        }
    }

    fn assessment(&self) -> Markup {
        html! {
            h2 { "Đánh giá" }
            (Self::paragraphs(&assessment::assessment(self.form, self.set)))
        }
    }

    fn render(&self) -> Markup {
        let title = format!("Báo cáo chỉ số hài lòng — {}", self.context);
        html! {
            (DOCTYPE)
            html lang="vi" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) }
                    style { (PreEscaped(CSS)) }
                }
                body { main {
                    h1 { "Báo cáo chỉ số hài lòng: " (self.set.report.form_title) }
                    p.context { (self.context) " · Mục tiêu " (target_text(self.set.report.target)) }
                    (self.text_before())
                    h2 { "Chỉ số hài lòng" }
                    (self.index_table())
                    (verdict_legend())
                    h2 { "Yếu tố và tiêu chí" }
                    (self.detail_table())
                    (verdict_legend())
                    (self.expectations_table())
                    h2 { "Biểu đồ" }
                    @for (kind, svg) in self.svgs {
                        figure {
                            (PreEscaped(inline_svg(svg)))
                            figcaption { (kind.title()) " — tệp: charts/" (kind.as_str()) ".png, charts/" (kind.as_str()) ".svg" }
                        }
                    }
                    (self.assessment())
                    footer {
                        p { "Bảng số liệu: tables/chi-so.csv, tables/mong-muon-cai-thien.csv, tables/chi-so.xlsx; phiếu trả lời: tables/phieu-tra-loi.csv." }
                        p { "Lập ngày " (self.generated) " bằng sipas report." }
                    }
                } }
            }
        }
    }
}
