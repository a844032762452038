//! The analyst dashboard's report page: `GET /dashboard` — the selection form, the index and
//! detail tables, the charts and the export links.
//!
//! The session is the same HttpOnly `sipas_session` cookie as the API's, so the chart images and
//! export links (GET, no CSRF needed) work as plain URLs.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use super::dashboard::{message_page, see_other, session_staff};
use super::dashboard_tables::{detail_table, expectations_table, index_table};
use super::layout::html_response;
use super::layout::page;
use crate::administration::units::{tree_order, Unit};
use crate::domain::Role;
use crate::forms::Form;
use crate::reporting::fragments::{count, pct};
use crate::reporting::reports::{self, RawReportQuery};
use crate::service::reporting::Reporter;
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
    let wanted = param(&query, "form");
    let Some(loaded) = forms
        .iter()
        .find(|f| f.form.id == wanted)
        .or_else(|| forms.first())
        .cloned()
    else {
        return message_page(
            StatusCode::NOT_FOUND,
            "Không có phiếu",
            "Chưa có phiếu nào.",
        );
    };
    let form_id = loaded.form.id.clone();
    let unit = param(&query, "unit").to_string();
    let from = param(&query, "from").to_string();
    let to = param(&query, "to").to_string();
    let group_by = param(&query, "group_by").to_string();
    let period = param(&query, "period").to_string();
    let print = !param(&query, "print").is_empty();
    // Which unit tree: as the responses were given (default) or today's, after reforms.
    let tree_param = match param(&query, "tree") {
        "current" => "current",
        _ => "",
    };
    let kind = match reports::TreeKind::parse((!tree_param.is_empty()).then_some(tree_param)) {
        Ok(kind) => kind,
        Err(e) => {
            return message_page(
                StatusCode::BAD_REQUEST,
                "Yêu cầu không hợp lệ",
                &ApiError::from(e).message,
            )
        }
    };
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let raw = RawReportQuery {
        unit: opt(&unit),
        from: opt(&from),
        to: opt(&to),
        group_by: opt(&group_by),
        period: opt(&period),
    }
    .without_stray_period();
    let ungrouped_raw = RawReportQuery {
        group_by: None,
        period: None,
        ..raw.clone()
    };
    // Numbers shown on the dashboard are a report download like any other: on the record.
    let entry = crate::web::client::audit_entry(&req, &state, Some(&staff), "report")
        .target(loaded.form.id.clone())
        .detail(serde_json::json!({
            "page": "dashboard", "unit": unit, "from": from, "to": to,
            "group_by": group_by, "period": period, "tree": tree_param,
        }));
    if let Err(e) = crate::web::client::record(&state, entry).await {
        return message_page(e.status, "Hệ thống đang bận", &e.message);
    }
    let tz = state.config.tz;
    let form = loaded.clone();
    let cache = state.report_cache.clone();
    let outcome = with_conn(&state, move |conn| {
        let reporter = Reporter {
            cache: cache.as_deref(),
            tz,
        };
        let scope = reporter.scope(conn, kind)?;
        let run = |conn: &mut _, raw: &RawReportQuery| {
            reporter.report(conn, &scope, &form.form, raw.parse(&form.form)?)
        };
        let main = run(conn, &raw).map_err(ApiError::from);
        let whole = if raw.group_by.is_some() {
            run(conn, &ungrouped_raw).map_err(ApiError::from).ok()
        } else {
            None
        };
        Ok::<_, reports::ReportError>((scope.tree, main, whole))
    })
    .await;
    let (tree, main, whole) = match outcome {
        Ok(found) => found,
        Err(e) => return message_page(e.status, "Hệ thống đang bận", &e.message),
    };
    let status = match &main {
        Ok(_) => StatusCode::OK,
        Err(e) => e.status,
    };
    let units: Vec<Unit> = tree.units.clone();
    let filters = filter_query(&[
        ("unit", &unit),
        ("from", &from),
        ("to", &to),
        ("tree", tree_param),
    ]);
    let labelled_filters = filter_query(&[
        ("unit", &unit),
        ("from", &from),
        ("to", &to),
        ("tree", tree_param),
        ("labels", "1"),
    ]);
    let trend_filters = filter_query(&[
        ("unit", &unit),
        ("from", &from),
        ("to", &to),
        ("period", &period),
        ("tree", tree_param),
    ]);
    let print_link = {
        let mut pairs: Vec<(&str, &str)> = vec![
            ("form", &form_id),
            ("unit", &unit),
            ("from", &from),
            ("to", &to),
            ("group_by", &group_by),
            ("period", &period),
            ("tree", tree_param),
        ];
        pairs.push(("print", "1"));
        with_query("/dashboard".to_string(), &filter_query(&pairs))
    };
    let mut charts: Vec<(&str, &str, &str)> = vec![
        ("elements", "Chỉ số theo yếu tố", filters.as_str()),
        ("items", "Chỉ số theo tiêu chí", filters.as_str()),
        ("distribution", "Phân bố mức đánh giá 1–5", filters.as_str()),
        ("trend", "Chỉ số theo kỳ", trend_filters.as_str()),
        (
            "units",
            "Xếp hạng đơn vị phục vụ người dân",
            filters.as_str(),
        ),
    ];
    if !loaded.form.expectations.is_empty() {
        charts.push(("expectations", "Mong muốn cải thiện", filters.as_str()));
    }
    let chart_url = |kind: &str, ext: &str, q: &str| {
        with_query(format!("/api/v1/reports/{form_id}/charts/{kind}.{ext}"), q)
    };
    let selection_text = {
        let unit_name = tree
            .get(&unit)
            .or_else(|| tree.root())
            .map_or_else(|| "toàn bộ".to_string(), |u| u.name.clone());
        let from_text = if from.is_empty() { "đầu" } else { &from };
        let to_text = if to.is_empty() { "nay" } else { &to };
        format!("{unit_name}, từ {from_text} đến {to_text} (không tính ngày cuối)")
    };
    let detail = match (&whole, &main) {
        (Some(w), _) => Some(w),
        (None, Ok(m)) => Some(m),
        _ => None,
    };

    let body = html! {
        div class=(if print { "print-view" } else { "" }) {
        (super::layout::staff_nav(&staff, &csrf, "/dashboard", html! { a href=(print_link) { "In báo cáo" } }))
        h1 { "Báo cáo chỉ số hài lòng – " (loaded.form.title) }
        p { "Phạm vi: " (selection_text) }
        @if print {
            p.noprint { "Dùng lệnh In của trình duyệt (Ctrl+P) để in trang này trên khổ A4." }
            p { a.noprint href=(with_query("/dashboard".to_string(), &filter_query(&[("form", &form_id), ("unit", &unit), ("from", &from), ("to", &to), ("group_by", &group_by), ("period", &period)]))) { "Quay lại bảng điều khiển" } }
        }
        form.card.controls.noprint method="get" action="/dashboard" {
            div {
                label for="form" { "Phiếu khảo sát" }
                select #form name="form" {
                    @for f in &forms {
                        option value=(f.form.id) selected[f.form.id == form_id] {
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
                        option value=(u.code) selected[u.code == unit] { ("\u{a0}".repeat(depth * 3)) (u.name) }
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
                input #from type="date" name="from" value=(from);
            }
            div {
                label for="to" { "Đến ngày (không tính ngày này)" }
                input #to type="date" name="to" value=(to);
            }
            div {
                label for="group_by" { "Nhóm theo" }
                select #group_by name="group_by" { (group_options(&loaded.form, &group_by)) }
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
        @match &main {
            Err(e) => {
                div.error-summary role="alert" {
                    h2 { "Không lập được báo cáo" }
                    p { (e.message) }
                }
            }
            Ok(report) => {
                h2 { "Chỉ số hài lòng" }
                p { "Tổng số phiếu: " strong { (count(report.responses)) } ". Mục tiêu: " (pct(Some(report.target))) "." }
                (index_table(&loaded.form, report, &tree))
            }
        }
        @if let Some(d) = detail {
            h2 { "Yếu tố và tiêu chí (toàn bộ lựa chọn)" }
            (detail_table(&loaded.form, d))
            (expectations_table(d))
        }
        @if main.is_ok() {
            h2 { "Biểu đồ" }
            @for (kind, title, q) in &charts {
                figure {
                    img src=(chart_url(kind, "svg", q)) alt={ (title) " – " (loaded.form.title) ", " (selection_text) } loading="lazy" width="1200" height="700";
                    figcaption {
                        (title)
                        span.noprint {
                            " — tải về: "
                            a href=(chart_url(kind, "png", q)) download { "PNG" }
                            " · "
                            a href=(chart_url(kind, "svg", q)) download { "SVG" }
                        }
                    }
                }
            }
            h2.downloads-h { "Tải dữ liệu" }
            ul.downloads {
                li { a href=(with_query(format!("/api/v1/exports/{form_id}.csv"), &filters)) download { "Dữ liệu phiếu (CSV, mã câu hỏi)" } }
                li { a #csv-labelled href=(with_query(format!("/api/v1/exports/{form_id}.csv"), &labelled_filters)) download { "Dữ liệu phiếu (CSV, có dòng tên câu hỏi tiếng Việt)" } }
                li { a href=(with_query(format!("/api/v1/exports/{form_id}.xlsx"), &filters)) download { "Dữ liệu phiếu (XLSX, Excel)" } }
                li { a href=(with_query(format!("/api/v1/exports/{form_id}.parquet"), &filters)) download { "Dữ liệu phiếu (Parquet)" } }
            }
        }
        }
    };
    html_response(
        status,
        page(
            &format!("Báo cáo – {}", loaded.form.title),
            body,
            Some(super::assets::dashboard_css_href()),
            None,
        ),
    )
}
