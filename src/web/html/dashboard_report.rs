//! The analyst dashboard's report page: `GET /dashboard` — the selection form, the index and
//! detail tables, the charts and the export links.
//!
//! The session is the same HttpOnly `sipas_session` cookie as the API's, so the chart images and
//! export links (GET, no CSRF needed) work as plain URLs.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use super::dashboard::{message_page, see_other, session_staff};
use super::dashboard_tables::{detail_table, expectations_table, index_table};
use super::layout::html_response;
use super::layout::page;
use crate::administration::units::{tree_order, Unit};
use crate::auth::Staff;
use crate::domain::Role;
use crate::forms::{Form, LoadedForm};
use crate::reporting::fragments::{count, pct};
use crate::reporting::reports::{self, RawReportQuery, ReportOut};
use crate::service::reporting::{self, Reporter};
use crate::web::db::with_conn;
use crate::web::error::ApiError;
use crate::web::state::AppState;

/// The selection as query parameters (without the grouping), for charts and exports.
fn filter_query(params: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = params
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .copied()
        .collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

fn with_query(path: String, query: &str) -> String {
    if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    }
}

fn param<'a>(query: &'a HashMap<String, String>, name: &str) -> &'a str {
    query.get(name).map_or("", |s| s.trim())
}

fn group_options(form: &Form, selected: &str) -> Markup {
    html! {
        option value="" selected[selected.is_empty()] { "Không nhóm" }
        option value="unit" selected[selected == "unit"] { "Theo đơn vị trực thuộc" }
        option value="period" selected[selected == "period"] { "Theo kỳ" }
        option value="channel" selected[selected == "channel"] { "Theo kênh trả lời" }
        @for q in &form.questions {
            option value=(q.code) selected[selected == q.code] { "Theo: " (q.label) }
        }
    }
}

/// The dashboard's selection, read from the query string.
struct Selection {
    loaded: Arc<LoadedForm>,
    form_id: String,
    unit: String,
    from: String,
    to: String,
    group_by: String,
    period: String,
    print: bool,
    /// Which unit tree: `""` as the responses were given (default), `current` today's.
    tree_param: &'static str,
    kind: reports::TreeKind,
}

/// The reports the page shows, and the unit tree they were read in.
struct Reports {
    tree: reports::Tree,
    /// The selection's report (grouped as asked), or why there is none.
    main: Result<ReportOut, ApiError>,
    /// The whole selection without its grouping (only when grouped).
    whole: Option<ReportOut>,
}

/// The query strings and links made from the selection.
struct Links {
    filters: String,
    labelled_filters: String,
    trend_filters: String,
    print_link: String,
}

/// The analyst dashboard (analyst, admin; session cookie).
#[utoipa::path(
    tag = "pages",
    params(RawReportQuery, ("form" = Option<String>, Query), ("print" = Option<String>, Query)),
    responses(
        (status = 200, content_type = "text/html", description = "the dashboard"),
        (status = 303, description = "to /login without a session"),
        (status = 403, content_type = "text/html", description = "not an analyst")
    )
)]
#[get("/dashboard")]
pub async fn dashboard(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
) -> HttpResponse {
    let staff = match session_staff(&req, &state).await {
        Ok(Some(staff)) => staff,
        Ok(None) => return see_other("/login"),
        Err(e) => return message_page(e.status, "Hệ thống đang bận", &e.message),
    };
    let csrf = crate::auth::csrf_token(&state.keys, &staff.token_hash);
    if staff.require(&[Role::Analyst, Role::Admin]).is_err() {
        return super::admin::forbidden(
            &staff,
            &csrf,
            "Trang phân tích chỉ dành cho cán bộ phân tích và quản trị.",
        );
    }

    let mut forms: Vec<_> = state.forms.all().collect();
    forms.sort_by(|a, b| {
        (a.form.invitation_only, &a.form.id).cmp(&(b.form.invitation_only, &b.form.id))
    });
    let sel = match parse_selection(&query, &forms) {
        Ok(sel) => sel,
        Err(page) => return *page,
    };
    let reports = match read_reports(&req, &state, &staff, &sel).await {
        Ok(reports) => reports,
        Err(page) => return page,
    };
    let status = match &reports.main {
        Ok(_) => StatusCode::OK,
        Err(e) => e.status,
    };
    let body = dashboard_body(&staff, &csrf, &forms, &sel, &reports);
    html_response(
        status,
        page(
            &format!("Báo cáo – {}", sel.loaded.form.title),
            body,
            Some(super::assets::dashboard_css_href()),
            None,
        ),
    )
}

/// The selection of the query (the first form when none or an unknown one is asked), or the
/// error page (no form at all, an unknown tree).
fn parse_selection(
    query: &HashMap<String, String>,
    forms: &[Arc<LoadedForm>],
) -> Result<Selection, Box<HttpResponse>> {
    let wanted = param(query, "form");
    let Some(loaded) = forms
        .iter()
        .find(|f| f.form.id == wanted)
        .or_else(|| forms.first())
        .cloned()
    else {
        return Err(Box::new(message_page(
            StatusCode::NOT_FOUND,
            "Không có phiếu",
            "Chưa có phiếu nào.",
        )));
    };
    // Which unit tree: as the responses were given (default) or today's, after reforms.
    let tree_param = match param(query, "tree") {
        "current" => "current",
        _ => "",
    };
    let kind = match reports::TreeKind::parse((!tree_param.is_empty()).then_some(tree_param)) {
        Ok(kind) => kind,
        Err(e) => {
            return Err(Box::new(message_page(
                StatusCode::BAD_REQUEST,
                "Yêu cầu không hợp lệ",
                &ApiError::from(e).message,
            )))
        }
    };
    Ok(Selection {
        form_id: loaded.form.id.clone(),
        loaded,
        unit: param(query, "unit").to_string(),
        from: param(query, "from").to_string(),
        to: param(query, "to").to_string(),
        group_by: param(query, "group_by").to_string(),
        period: param(query, "period").to_string(),
        print: !param(query, "print").is_empty(),
        tree_param,
        kind,
    })
}

impl Selection {
    /// The selection as a report query (a period only where grouped by period).
    fn raw(&self) -> RawReportQuery {
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        RawReportQuery {
            unit: opt(&self.unit),
            from: opt(&self.from),
            to: opt(&self.to),
            group_by: opt(&self.group_by),
            period: opt(&self.period),
        }
        .without_stray_period()
    }
}

/// The selection's report (and, when grouped, the whole selection's), recorded as `report`
/// (`service::reporting::dashboard_reports`); the error page when the record or the database
/// fails.
async fn read_reports(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    staff: &Staff,
    sel: &Selection,
) -> Result<Reports, HttpResponse> {
    let raw = sel.raw();
    let detail = serde_json::json!({
        "page": "dashboard", "unit": sel.unit, "from": sel.from, "to": sel.to,
        "group_by": sel.group_by, "period": sel.period, "tree": sel.tree_param,
    });
    let actor = crate::web::client::actor(req, state, staff);
    let (tz, cache) = (state.config.tz, state.report_cache.clone());
    let (form, kind) = (sel.loaded.clone(), sel.kind);
    let outcome = with_conn(state, move |conn| {
        let reporter = Reporter {
            cache: cache.as_deref(),
            tz,
        };
        reporting::dashboard_reports(conn, &actor, reporter, &form.form, &raw, kind, detail)
    })
    .await;
    match outcome {
        Ok(r) => Ok(Reports {
            tree: r.tree,
            main: r.main.map_err(ApiError::from),
            whole: r.whole,
        }),
        Err(e) => Err(message_page(e.status, "Hệ thống đang bận", &e.message)),
    }
}

/// The chart and export query strings of the selection, and the link to its print view.
fn links(sel: &Selection) -> Links {
    let (unit, from, to, tree_param) = (&sel.unit, &sel.from, &sel.to, sel.tree_param);
    let filters = filter_query(&[
        ("unit", unit),
        ("from", from),
        ("to", to),
        ("tree", tree_param),
    ]);
    let labelled_filters = filter_query(&[
        ("unit", unit),
        ("from", from),
        ("to", to),
        ("tree", tree_param),
        ("labels", "1"),
    ]);
    let trend_filters = filter_query(&[
        ("unit", unit),
        ("from", from),
        ("to", to),
        ("period", &sel.period),
        ("tree", tree_param),
    ]);
    let print_link = {
        let mut pairs: Vec<(&str, &str)> = vec![
            ("form", &sel.form_id),
            ("unit", unit),
            ("from", from),
            ("to", to),
            ("group_by", &sel.group_by),
            ("period", &sel.period),
            ("tree", tree_param),
        ];
        pairs.push(("print", "1"));
        with_query("/dashboard".to_string(), &filter_query(&pairs))
    };
    Links {
        filters,
        labelled_filters,
        trend_filters,
        print_link,
    }
}

/// The charts shown: kind, title and query string.
fn charts<'a>(sel: &Selection, links: &'a Links) -> Vec<(&'static str, &'static str, &'a str)> {
    let filters = links.filters.as_str();
    let mut charts: Vec<(&str, &str, &str)> = vec![
        ("elements", "Chỉ số theo yếu tố", filters),
        ("items", "Chỉ số theo tiêu chí", filters),
        ("distribution", "Phân bố mức đánh giá 1–5", filters),
        ("trend", "Chỉ số theo kỳ", links.trend_filters.as_str()),
        ("units", "Xếp hạng đơn vị phục vụ người dân", filters),
    ];
    if !sel.loaded.form.expectations.is_empty() {
        charts.push(("expectations", "Mong muốn cải thiện", filters));
    }
    charts
}

/// The address of a chart picture.
fn chart_url(form_id: &str, kind: &str, ext: &str, q: &str) -> String {
    with_query(format!("/api/v1/reports/{form_id}/charts/{kind}.{ext}"), q)
}

/// The selection in words: unit and dates.
fn selection_text(sel: &Selection, tree: &reports::Tree) -> String {
    let unit_name = tree
        .get(&sel.unit)
        .or_else(|| tree.root())
        .map_or_else(|| "toàn bộ".to_string(), |u| u.name.clone());
    let from_text = if sel.from.is_empty() {
        "đầu"
    } else {
        &sel.from
    };
    let to_text = if sel.to.is_empty() { "nay" } else { &sel.to };
    format!("{unit_name}, từ {from_text} đến {to_text} (không tính ngày cuối)")
}

/// The page's body: heading, selection form and results.
fn dashboard_body(
    staff: &Staff,
    csrf: &str,
    forms: &[Arc<LoadedForm>],
    sel: &Selection,
    reports: &Reports,
) -> Markup {
    let links = links(sel);
    let selection_text = selection_text(sel, &reports.tree);
    html! {
        div class=(if sel.print { "print-view" } else { "" }) {
        (super::layout::staff_nav(staff, csrf, "/dashboard", html! { a href=(links.print_link) { "In báo cáo" } }))
        h1 { "Báo cáo chỉ số hài lòng – " (sel.loaded.form.title) }
        p { "Phạm vi: " (selection_text) }
        @if sel.print {
            p.noprint { "Dùng lệnh In của trình duyệt (Ctrl+P) để in trang này trên khổ A4." }
            p { a.noprint href=(with_query("/dashboard".to_string(), &filter_query(&[("form", &sel.form_id), ("unit", &sel.unit), ("from", &sel.from), ("to", &sel.to), ("group_by", &sel.group_by), ("period", &sel.period)]))) { "Quay lại bảng điều khiển" } }
        }
        (controls(forms, sel, &reports.tree))
        (report_tables(sel, reports))
        @if reports.main.is_ok() {
            (charts_and_downloads(sel, &links, &selection_text))
        }
        }
    }
}

/// The selection form: form, unit, tree, dates, grouping and period.
fn controls(forms: &[Arc<LoadedForm>], sel: &Selection, tree: &reports::Tree) -> Markup {
    let (form_id, unit, tree_param, period) =
        (&sel.form_id, &sel.unit, sel.tree_param, &sel.period);
    let units: Vec<Unit> = tree.units.clone();
    html! {
        form.card.controls.noprint method="get" action="/dashboard" {
            div {
                label for="form" { "Phiếu khảo sát" }
                select #form name="form" {
                    @for f in forms {
                        option value=(f.form.id) selected[&f.form.id == form_id] {
                            (f.form.title) @if f.form.invitation_only { " (theo thư mời)" }
                        }
                    }
                }
            }
            div {
                label for="unit" { "Đơn vị" }
                select #unit name="unit" {
                    option value="" selected[unit.is_empty()] { "— Toàn bộ —" }
                    @for (depth, u) in tree_order(&units) {
                        option value=(u.code) selected[&u.code == unit] { ("\u{a0}".repeat(depth * 3)) (u.name) }
                    }
                }
            }
            div {
                label for="tree" { "Địa giới đơn vị" }
                select #tree name="tree" {
                    option value="" selected[tree_param.is_empty()] { "Như khi người dân trả lời" }
                    option value="current" selected[tree_param == "current"] { "Theo địa giới hiện nay (sau sắp xếp)" }
                }
            }
            div {
                label for="from" { "Từ ngày" }
                input #from type="date" name="from" value=(sel.from);
            }
            div {
                label for="to" { "Đến ngày (không tính ngày này)" }
                input #to type="date" name="to" value=(sel.to);
            }
            div {
                label for="group_by" { "Nhóm theo" }
                select #group_by name="group_by" { (group_options(&sel.loaded.form, &sel.group_by)) }
            }
            div {
                label for="period" { "Kỳ (khi nhóm theo kỳ)" }
                select #period name="period" {
                    option value="year" selected[period.is_empty() || period == "year"] { "Năm" }
                    option value="quarter" selected[period == "quarter"] { "Quý" }
                    option value="month" selected[period == "month"] { "Tháng" }
                }
            }
            div { button type="submit" { "Xem báo cáo" } }
        }
    }
}

/// The index table (or why there is no report) and the detail of the whole selection.
fn report_tables(sel: &Selection, reports: &Reports) -> Markup {
    let form = &sel.loaded.form;
    let detail = match (&reports.whole, &reports.main) {
        (Some(w), _) => Some(w),
        (None, Ok(m)) => Some(m),
        _ => None,
    };
    html! {
        @match &reports.main {
            Err(e) => {
                div.error-summary role="alert" {
                    h2 { "Không lập được báo cáo" }
                    p { (e.message) }
                }
            }
            Ok(report) => {
                h2 { "Chỉ số hài lòng" }
                p { "Tổng số phiếu: " strong { (count(report.responses)) } ". Mục tiêu: " (pct(Some(report.target))) "." }
                (index_table(form, report, &reports.tree))
            }
        }
        @if let Some(d) = detail {
            h2 { "Yếu tố và tiêu chí (toàn bộ lựa chọn)" }
            (detail_table(form, d))
            (expectations_table(d))
        }
    }
}

/// The charts (pictures and their downloads) and the export links.
fn charts_and_downloads(sel: &Selection, links: &Links, selection_text: &str) -> Markup {
    let form_id = &sel.form_id;
    let title_of_form = &sel.loaded.form.title;
    let filters = &links.filters;
    html! {
        h2 { "Biểu đồ" }
        @for (kind, title, q) in &charts(sel, links) {
            figure {
                img src=(chart_url(form_id, kind, "svg", q)) alt={ (title) " – " (title_of_form) ", " (selection_text) } loading="lazy" width="1200" height="700";
                figcaption {
                    (title)
                    span.noprint {
                        " — tải về: "
                        a href=(chart_url(form_id, kind, "png", q)) download { "PNG" }
                        " · "
                        a href=(chart_url(form_id, kind, "svg", q)) download { "SVG" }
                    }
                }
            }
        }
        h2.downloads-h { "Tải dữ liệu" }
        ul.downloads {
            li { a href=(with_query(format!("/api/v1/exports/{form_id}.csv"), filters)) download { "Dữ liệu phiếu (CSV, mã câu hỏi)" } }
            li { a #csv-labelled href=(with_query(format!("/api/v1/exports/{form_id}.csv"), &links.labelled_filters)) download { "Dữ liệu phiếu (CSV, có dòng tên câu hỏi tiếng Việt)" } }
            li { a href=(with_query(format!("/api/v1/exports/{form_id}.xlsx"), filters)) download { "Dữ liệu phiếu (XLSX, Excel)" } }
            li { a href=(with_query(format!("/api/v1/exports/{form_id}.parquet"), filters)) download { "Dữ liệu phiếu (Parquet)" } }
        }
        h2.downloads-h { "Báo cáo" }
        @if sel.from.is_empty() || sel.to.is_empty() {
            p #word-report-hint { "Chọn «Từ ngày» và «Đến ngày» để tải báo cáo Word (theo Nghị định 30/2020) của kỳ đó." }
        } @else {
            ul.downloads {
                li { a #word-report href=(with_query(format!("/api/v1/reports/{form_id}/report.docx"), filters)) download { "Tải báo cáo (Word)" } }
            }
        }
    }
}
