//! `sipas report`: a report folder an analyst can send as it is (README in `reports/`).
//!
//! ```text
//! DIR/index.html            self-contained: tables, every chart inline as SVG, method note
//! DIR/charts/{kind}.png     the six chart kinds (elements, items, trend, units, distribution,
//! DIR/charts/{kind}.svg     expectations)
//! DIR/tables/chi-so.csv     the index table (UTF-8 with BOM)
//! DIR/tables/mong-muon-cai-thien.csv  the expectations: n and the share of each option
//! DIR/tables/chi-so.xlsx    both tables (sheets "Chỉ số", "Mong muốn cải thiện")
//! DIR/tables/phieu-tra-loi.csv  the responses of the selection (the export's CSV)
//! ```
//!
//! The folder is created if needed; our files in it are overwritten, nothing else is touched.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::reporting::fragments::{
    ci, count, expectation_table, pct, points, verdict_cell, verdict_legend,
};
use chrono::NaiveDate;
use chrono_tz::Tz;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::forms::{self, Form, IndexMethod};
use crate::platform::config::Config;
use crate::reporting::charts::{self, ChartFormat, ChartKind, ChartOptions};
use crate::reporting::exports::csv::CsvChunks;
use crate::reporting::exports::tables::{expectations_csv, index_csv, index_rows, index_xlsx};
use crate::reporting::exports::Table;
use crate::reporting::reports::output::{
    ExpectationOut, GroupOut, MIN_RESPONSES_FOR_COMPOSITE_VERDICT,
};
use crate::reporting::reports::{self, labels, GroupBy, PeriodKind, ReportOut, ReportQuery, Tree};
use crate::store;

/// What `sipas report` was asked for.
#[derive(Debug, Clone)]
pub struct ReportArgs {
    pub form: String,
    pub from: String,
    pub to: String,
    pub unit: Option<String>,
    pub out: PathBuf,
    /// Size of the PNG and SVG charts in pixels.
    pub width: u32,
    pub height: u32,
}

/// Parses a `--from`/`--to` date.
pub fn parse_date(name: &str, value: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
        format!("--{name} must be a date YYYY-MM-DD (e.g. 2024-01-01), not \"{value}\"")
    })
}

/// Runs the command: computes the reports and writes the folder.
pub fn run(config: &Config, args: &ReportArgs) -> Result<(), String> {
    let from = parse_date("from", &args.from)?;
    let to = parse_date("to", &args.to)?;
    if from >= to {
        return Err(format!(
            "--from ({from}) must be before --to ({to}); --to is exclusive"
        ));
    }
    let loaded = forms::load_dir(&config.forms_dir).map_err(|e| e.to_string())?;
    let form = find_form(&loaded, &args.form, &config.forms_dir)?;
    let mut options = chart_options(form, args)?;
    let (reports, responses) = compute(config, form, args.unit.clone(), (from, to))?;
    options.unit_names = reports.unit_names.clone();
    let out = &args.out;
    for sub in ["charts", "tables"] {
        let dir = out.join(sub);
        std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
    }
    let svgs = write_charts(out, &reports, &options)?;
    write_tables(out, form, &reports.report, responses)?;
    write_page(out, form, &reports, &svgs, config.tz)?;
    println!(
        "wrote {} ({} responses, {} charts)",
        out.display(),
        reports.report.responses,
        svgs.len() * 2
    );
    Ok(())
}

/// The form `id` among the forms `loaded` from `forms_dir`.
fn find_form<'a>(loaded: &'a [Form], id: &str, forms_dir: &Path) -> Result<&'a Form, String> {
    loaded.iter().find(|f| f.id == id).ok_or_else(|| {
        let known: Vec<&str> = loaded.iter().map(|f| f.id.as_str()).collect();
        let (dir, known) = (forms_dir.display(), known.join(", "));
        format!("unknown form \"{id}\" (forms in {dir}: {known})")
    })
}

/// The options of the charts (size and the form's scale labels), their size checked.
fn chart_options(form: &Form, args: &ReportArgs) -> Result<ChartOptions, String> {
    let options = ChartOptions {
        width: args.width,
        height: args.height,
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

/// The three reports of the folder and the names of the units.
struct Reports {
    /// The selection, ungrouped.
    report: ReportOut,
    /// By unit that serves citizens.
    by_unit: ReportOut,
    /// By quarter.
    trend: ReportOut,
    unit_names: HashMap<String, String>,
}

/// Computes the reports of `form` for `unit` from `from` to `to` (exclusive) and reads the
/// responses of that selection.
fn compute(
    config: &Config,
    form: &Form,
    unit: Option<String>,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<(Reports, Table), String> {
    let pool = store::open_pool(&config.database_url, 1).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    store::run_migrations(&mut conn).map_err(|e| e.to_string())?;
    let tree = Tree::load(&mut conn).map_err(|e| e.to_string())?;
    let query = ReportQuery {
        unit,
        from: Some(from),
        to: Some(to),
        group_by: None,
    };
    let query = reports::resolve_unit(query, &tree).map_err(|e| e.to_string())?;
    let tz = config.tz;
    let compute = |conn: &mut store::DbConnection, q: ReportQuery| {
        reports::report(conn, form, &q, &tree, tz).map_err(|e| e.to_string())
    };
    let grouped = |group_by| ReportQuery {
        group_by: Some(group_by),
        ..query.clone()
    };
    let report = compute(&mut conn, query.clone())?;
    // The units that serve citizens, not the single district under a province.
    let ranked = ReportQuery {
        unit: query.unit.as_ref().map(|u| tree.ranking_unit(u)),
        ..grouped(GroupBy::Unit)
    };
    let by_unit = compute(&mut conn, ranked)?;
    let trend = compute(&mut conn, grouped(GroupBy::Period(PeriodKind::Quarter)))?;
    let frame =
        reports::load::load_frame(&mut conn, form, &query, &tree, tz).map_err(|e| e.to_string())?;
    let responses = Table::new(&frame, form, tz).map_err(|e| e.to_string())?;
    drop(frame);
    let unit_names: HashMap<String, String> = tree
        .units
        .iter()
        .map(|u| (u.code.clone(), u.name.clone()))
        .collect();
    let reports = Reports {
        report,
        by_unit,
        trend,
        unit_names,
    };
    Ok((reports, responses))
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
    reports: &Reports,
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
    reports: &Reports,
    svgs: &[(ChartKind, String)],
    tz: Tz,
) -> Result<(), String> {
    let unit_names = &reports.unit_names;
    let context = charts::default_context(&reports.report, &|c: &str| {
        unit_names.get(c).cloned().unwrap_or_else(|| c.to_string())
    });
    let generated = chrono::Utc::now()
        .with_timezone(&tz)
        .format("%d/%m/%Y %H:%M")
        .to_string();
    let page = Page {
        form,
        report: &reports.report,
        by_unit: &reports.by_unit,
        trend: &reports.trend,
        unit_names,
        context: &context,
        generated: &generated,
        svgs,
    };
    write_file(out, "index.html", page.render().into_string().as_bytes())
}

/// "90 %" or "92,5 %" for a target.
fn target_text(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{} %", s.replace('.', ","))
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
    report: &'a ReportOut,
    by_unit: &'a ReportOut,
    trend: &'a ReportOut,
    unit_names: &'a HashMap<String, String>,
    context: &'a str,
    generated: &'a str,
    svgs: &'a [(ChartKind, String)],
}

impl Page<'_> {
    fn group_label(&self, g: &GroupOut) -> String {
        labels::group_key(self.form, &g.key, self.unit_names)
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
                caption { "Chỉ số hài lòng — Mục tiêu " (target_text(self.report.target)) }
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
                    (self.group_rows("Toàn bộ lựa chọn", self.report))
                    @if !self.by_unit.groups.is_empty() {
                        (self.group_rows("Theo đơn vị phục vụ người dân", self.by_unit))
                    }
                    @if !self.trend.groups.is_empty() {
                        (self.group_rows("Theo quý", self.trend))
                    }
                }
            }
        }
    }

    fn detail_table(&self) -> Markup {
        let rows = index_rows(self.form, self.report);
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

    fn method(&self) -> Markup {
        let share = match self.form.index_method {
            IndexMethod::Top2Share => {
                "Chỉ số của một tiêu chí là tỷ lệ câu trả lời ở mức 4 hoặc 5 (hài lòng, rất hài lòng) trên thang 1–5; chỉ số yếu tố, phần và chỉ số chung tổng hợp các tiêu chí theo phương pháp của biểu mẫu."
            }
            IndexMethod::ScoreShare => {
                "Chỉ số của một tiêu chí là tỷ lệ điểm đạt được trên điểm tối đa (Σ(mức − 1) / Σ 4 trên thang 1–5); chỉ số yếu tố, phần và chỉ số chung tổng hợp các tiêu chí theo phương pháp của biểu mẫu."
            }
        };
        html! {
            p { (share)
                " Khoảng tin cậy 95 % của tiêu chí tính theo phương pháp Wilson; của yếu tố, phần và chỉ số chung theo phương pháp tuyến tính hoá (xấp xỉ chuẩn)."
                " Kết luận so với mục tiêu " (target_text(self.report.target)) ": «Đạt» khi cận dưới của khoảng tin cậy đạt mục tiêu, «Không đạt» khi cận trên thấp hơn mục tiêu, còn lại «Chưa đủ căn cứ»."
                " Chỉ số tổng hợp dựa trên dưới " (MIN_RESPONSES_FOR_COMPOSITE_VERDICT) " phiếu luôn được kết luận «Chưa đủ căn cứ», vì khoảng tin cậy khi đó chưa ổn định."
                " Kỳ báo cáo tính theo ngày địa phương, ngày cuối không tính." }
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
                    h1 { "Báo cáo chỉ số hài lòng: " (self.report.form_title) }
                    p.context { (self.context) " · Mục tiêu " (target_text(self.report.target)) }
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
                    h2 { "Phương pháp" }
                    (self.method())
                    footer {
                        p { "Bảng số liệu: tables/chi-so.csv, tables/mong-muon-cai-thien.csv, tables/chi-so.xlsx; phiếu trả lời: tables/phieu-tra-loi.csv." }
                        p { "Lập ngày " (self.generated) " bằng sipas report." }
                    }
                } }
            }
        }
    }
}
