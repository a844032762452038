//! `/admin/audit`: the latest audit records (200 at most) with filters, and the link to the CSV
//! export of every matching record.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use super::audit_text::{action_vi, detail_lines, role_vi};
use super::{admin_get, admin_page, error_summary, field, local_time, Problem};
use crate::platform::audit::ACTIONS;
use crate::service::audit::{self, Selection};
use crate::service::Actor;
use crate::store::models::AuditRow;
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::ApiError;
use crate::web::html::error::PageError;
use crate::web::state::AppState;

/// Records shown on the page.
pub const PAGE_RECORDS: i64 = 200;

fn outcome_vi(outcome: &str) -> &str {
    match outcome {
        "ok" => "Thành công",
        "denied" => "Bị từ chối",
        "failed" => "Thất bại",
        other => other,
    }
}

/// The audit log (admin; session cookie).
#[utoipa::path(
    tag = "admin",
    params(
        ("from" = Option<String>, Query, description = "first local date YYYY-MM-DD"),
        ("to" = Option<String>, Query, description = "last local date, exclusive"),
        ("action" = Option<String>, Query, description = "exact action, e.g. login"),
        ("actor" = Option<String>, Query, description = "exact username")
    ),
    responses(
        (status = 200, content_type = "text/html", description = "the latest 200 matching records"),
        (status = 303, description = "to /login without a session"),
        (status = 400, content_type = "text/html", description = "a filter that is not valid"),
        (status = 403, content_type = "text/html", description = "not an admin")
    )
)]
#[get("/admin/audit")]
pub async fn audit_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let admin = match admin_get(&req, &state).await {
        Ok(admin) => admin,
        Err(response) => return Ok(response),
    };
    let filters = Filters {
        from: field(&query, "from"),
        to: field(&query, "to"),
        action: field(&query, "action"),
        actor: field(&query, "actor"),
    };
    let opt = |v: &str| (!v.is_empty()).then(|| v.to_string());
    let selection = Selection {
        from: opt(filters.from),
        to: opt(filters.to),
        action: opt(filters.action),
        actor: opt(filters.actor),
        before_id: None,
        limit: Some(PAGE_RECORDS.to_string()),
    };
    let actor = Actor::staff(&admin.staff, client::address_hash(&req, &state));
    let tz = state.config.tz;
    let listed = with_conn(&state, move |conn| {
        audit::list(conn, &actor, &selection, tz)
    })
    .await;
    let (status, rows, problems) = match listed {
        Ok(page) => (StatusCode::OK, page.rows, Vec::new()),
        Err(e) if e.status == StatusCode::BAD_REQUEST => {
            (StatusCode::BAD_REQUEST, Vec::new(), vec![filter_problem(e)])
        }
        Err(e) => return Err(e.into()),
    };
    let body = html! {
        h1 { "Nhật ký hoạt động" }
        p { "Ai đã làm gì, khi nào: đăng nhập (cả lần sai), tải dữ liệu, thay đổi của quản trị, các lần bị từ chối. Nhật ký chỉ ghi thêm, không sửa hay xoá được. Địa chỉ máy chỉ lưu dưới dạng băm, đổi khoá mỗi ngày." }
        (error_summary("Bộ lọc chưa hợp lệ", &problems))
        (filter_form(&filters))
        p { a #audit-csv href=(filters.csv_href()) download { "Tải toàn bộ bản ghi khớp bộ lọc (CSV)" } }
        (records_table(&rows, tz))
    };
    Ok(admin_page(status, "Nhật ký", &admin, "/admin/audit", body))
}

/// The filters of the page, as given (trimmed; empty: not filtered).
struct Filters<'a> {
    from: &'a str,
    to: &'a str,
    action: &'a str,
    actor: &'a str,
}

impl Filters<'_> {
    /// The CSV export of every record these filters match.
    fn csv_href(&self) -> String {
        let filters: Vec<(&str, &str)> = [
            ("from", self.from),
            ("to", self.to),
            ("action", self.action),
            ("actor", self.actor),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        match serde_urlencoded::to_string(&filters).unwrap_or_default() {
            q if q.is_empty() => "/api/v1/audit.csv".to_string(),
            q => format!("/api/v1/audit.csv?{q}"),
        }
    }
}

/// A filter that is not valid, beside the date field it names (else the first).
fn filter_problem(e: ApiError) -> Problem {
    let anchor = ["from", "to"]
        .into_iter()
        .find(|f| e.message.contains(f))
        .unwrap_or("from");
    Problem::new(Some(anchor), e.message)
}

fn filter_form(filters: &Filters<'_>) -> Markup {
    let (from, to, action, actor) = (filters.from, filters.to, filters.action, filters.actor);
    html! {
        form.card.controls method="get" action="/admin/audit" {
            div {
                label for="from" { "Từ ngày" }
                input #from type="date" name="from" value=(from);
            }
            div {
                label for="to" { "Đến ngày (không tính ngày này)" }
                input #to type="date" name="to" value=(to);
            }
            div {
                label for="action" { "Hành động" }
                select #action name="action" {
                    option value="" selected[action.is_empty()] { "— Mọi hành động —" }
                    @for (code, label) in ACTIONS {
                        option value=(code) selected[*code == action] { (label) }
                    }
                }
            }
            div {
                label for="actor" { "Người thực hiện" }
                input #actor type="text" name="actor" value=(actor);
            }
            div { button type="submit" { "Lọc" } }
        }
    }
}

fn records_table(rows: &[AuditRow], tz: chrono_tz::Tz) -> Markup {
    html! {
        @if rows.is_empty() {
            p { "Không có bản ghi nào." }
        } @else {
            div.table-wrap {
                table #audit-table {
                    caption { (rows.len()) " bản ghi mới nhất (tối đa " (PAGE_RECORDS) ")" }
                    thead { tr {
                        th scope="col" { "Thời điểm" }
                        th scope="col" { "Người thực hiện" }
                        th scope="col" { "Vai trò" }
                        th scope="col" { "Hành động" }
                        th scope="col" { "Đối tượng" }
                        th scope="col" { "Kết quả" }
                        th scope="col" { "Chi tiết" }
                        th scope="col" { "Địa chỉ (băm)" }
                    } }
                    tbody {
                        @for r in rows {
                            tr {
                                td { (local_time(r.at, tz)) }
                                td { (actor_label(r.actor.as_deref())) }
                                td { (role_vi(r.role.as_deref().unwrap_or(""))) }
                                td.action { (action_vi(&r.action)) }
                                td { (r.target.as_deref().unwrap_or("")) }
                                td { (outcome_vi(&r.outcome)) }
                                td.detail {
                                    @for (i, line) in detail_lines(r.detail.as_deref()).iter().enumerate() {
                                        @if i > 0 { br; }
                                        (line)
                                    }
                                }
                                td { (r.address_hash.as_deref().map_or("", |h| &h[..h.len().min(12)])) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Who acted, as an admin reads it: the username, or the command line in words.
fn actor_label(actor: Option<&str>) -> &str {
    match actor {
        None => "—",
        Some("(command line)") => "(dòng lệnh trên máy chủ)",
        Some(name) => name,
    }
}
