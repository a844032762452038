//! `/admin/paper/progress`: the paper response rate of a form per unit — sheets printed,
//! returned (entered at least once), stored (agreed or reconciled), pending, re-checked — with
//! the totals and the re-check error rates per batch and operator (`service::paper::check`).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use super::{admin_get, admin_page, field};
use crate::reporting::paper_checks::{ProgressRow, Rate};
use crate::service::paper::check::{self as actions, ErrorRatesOut, Progress};
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::ApiError;
use crate::web::html::error::PageError;

const PATH: &str = "/admin/paper/progress";

/// A percentage with one decimal and a comma (Vietnamese), "–" when there is none.
fn percent(value: Option<f64>) -> String {
    value.map_or_else(
        || "–".to_string(),
        |v| format!("{v:.1} %").replace('.', ","),
    )
}

fn progress_row(row: &ProgressRow, total: bool) -> Markup {
    html! {
        tr.total[total] {
            th scope="row" { (row.name) }
            td { (row.printed) }
            td { (row.returned) }
            td { (row.stored) }
            td { (row.pending) }
            td { (row.checked) }
            td { (percent(row.returned_percent)) }
            td { (percent(row.stored_percent)) }
        }
    }
}

fn rate_cells(rate: &Rate) -> Markup {
    let interval = match (rate.ci_low, rate.ci_high) {
        (Some(low), Some(high)) => format!("{} – {}", percent(Some(low)), percent(Some(high))),
        _ => "–".to_string(),
    };
    html! {
        td { (rate.checked) }
        td { (rate.wrong) }
        td { (percent(rate.rate_percent)) }
        td { (interval) }
    }
}

fn rates_table(id: &str, caption: &str, first: &str, rows: Vec<(String, &Rate)>) -> Markup {
    html! {
        div.table-wrap {
            table #(id) {
                caption { (caption) }
                thead { tr {
                    th scope="col" { (first) }
                    th scope="col" { "Đã phúc tra" }
                    th scope="col" { "Sai" }
                    th scope="col" { "Tỉ lệ sai" }
                    th scope="col" { "Khoảng tin cậy 95 % (Wilson)" }
                } }
                tbody {
                    @for (name, rate) in rows {
                        tr { th scope="row" { (name) } (rate_cells(rate)) }
                    }
                }
            }
        }
    }
}

fn body(forms: &[(String, String)], progress: &Progress, rates: &ErrorRatesOut) -> Markup {
    html! {
        h1 { "Tiến độ phiếu giấy" }
        form.inline method="get" action=(PATH) {
            label for="form" { "Phiếu khảo sát" }
            select #form name="form" {
                @for (id, title) in forms {
                    option value=(id) selected[*id == progress.form] { (title) }
                }
            }
            button type="submit" { "Xem" }
        }
        h2 { "Tỉ lệ thu hồi theo đơn vị" }
        p.hint { "Đã in: tổng số phiếu của các đợt in. Đã thu: phiếu đã nhập ít nhất một lần. Đã lưu: phiếu đã khớp hoặc đã đối chiếu (được tính vào báo cáo). Đang chờ: chờ nhập lần hai hoặc còn chênh lệch. Đã phúc tra: phiếu có kết quả phúc tra." }
        @if progress.units.is_empty() {
            p { "Chưa có đợt in nào của phiếu này." }
        } @else {
            div.table-wrap {
                table #progress-table {
                    caption { "Phiếu giấy theo đơn vị" }
                    thead { tr {
                        th scope="col" { "Đơn vị" }
                        th scope="col" { "Đã in" }
                        th scope="col" { "Đã thu" }
                        th scope="col" { "Đã lưu" }
                        th scope="col" { "Đang chờ" }
                        th scope="col" { "Đã phúc tra" }
                        th scope="col" { "Tỉ lệ thu / in" }
                        th scope="col" { "Tỉ lệ lưu / in" }
                    } }
                    tbody { @for row in &progress.units { (progress_row(row, false)) } }
                    tfoot { (progress_row(&progress.total, true)) }
                }
            }
        }
        h2 { "Tỉ lệ sai khi phúc tra" }
        p.hint { "Mỗi phiếu tính một lần (lần phúc tra sau cùng). Phiếu sai tính cho đợt in của nó, và cho người nhập nào có bản nhập khác với phiếu đã sửa." }
        @if rates.total.checked == 0 {
            p { "Chưa có phiếu nào được phúc tra." }
        } @else {
            p { "Tất cả: " (rates.total.wrong) " sai trên " (rates.total.checked) " phiếu đã phúc tra (" (percent(rates.total.rate_percent)) ")." }
            (rates_table("batch-rates", "Theo đợt in", "Đợt in",
                rates.batches.iter().map(|b| (format!("{} ({}, số {}–{})", b.batch, b.unit, b.first_serial, b.last_serial), &b.rate)).collect()))
            (rates_table("operator-rates", "Theo người nhập", "Người nhập",
                rates.operators.iter().map(|o| (o.operator.clone(), &o.rate)).collect()))
        }
    }
}

/// The paper response rate and re-check error rates of a form (admin; `?form=`, default the
/// service form).
#[utoipa::path(
    tag = "admin",
    params(("form" = Option<String>, Query, description = "form id (default sipas-dich-vu)")),
    responses(
        (status = 200, content_type = "text/html", description = "the progress table"),
        (status = 303, description = "to /login without a session"),
        (status = 403, content_type = "text/html", description = "not an admin"),
        (status = 404, content_type = "text/html", description = "unknown_form")
    )
)]
#[get("/admin/paper/progress")]
pub async fn progress_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let admin = match admin_get(&req, &state).await {
        Ok(admin) => admin,
        Err(response) => return Ok(response),
    };
    let form = match field(&query, "form") {
        "" => "sipas-dich-vu".to_string(),
        f => f.to_string(),
    };
    if state.forms.get(&form).is_none() {
        return Err(ApiError::unknown_form(&form).into());
    }
    let mut forms: Vec<(String, String)> = state
        .forms
        .all()
        .map(|f| (f.form.id.clone(), f.form.title.clone()))
        .collect();
    forms.sort();
    let actor = client::actor(&req, &state, &admin.staff);
    let (progress, rates) = with_conn(&state, move |conn| {
        let progress = actions::progress(conn, &actor, &form)?;
        let rates = actions::error_rates(conn, &actor, &form)?;
        Ok::<_, crate::service::ServiceError>((progress, rates))
    })
    .await?;
    let page = body(&forms, &progress, &rates);
    Ok(admin_page(
        StatusCode::OK,
        "Tiến độ phiếu giấy",
        &admin,
        PATH,
        page,
    ))
}

use crate::web::state::AppState;
