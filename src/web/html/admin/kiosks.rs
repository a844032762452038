//! `/admin/kiosks`: the kiosk tablets — list, register (the device link and its QR code are shown
//! once), revoke: the actions of `service::kiosks`, as the JSON API calls them.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use super::{
    admin_form, admin_get, admin_page, already_sent, csrf_field, error_summary, field, local_time,
    mark_sent, notice, once_field, open_units, see_other, today, unit_options, Admin, Problem,
};
use crate::administration::units::Unit;
use crate::platform::qr::Qr;
use crate::service::kiosks as actions;
use crate::service::Actor;
use crate::store::models::KioskRow;
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::ApiError;
use crate::web::html::error::PageError;
use crate::web::links::{kiosk_url, public_base};
use crate::web::state::AppState;

/// A kiosk just registered: its link, shown once.
struct Registered {
    name: String,
    url: String,
    qr_svg: String,
}

/// What the page shows besides the list.
#[derive(Default)]
struct View<'a> {
    registered: Option<Registered>,
    problems: Vec<Problem>,
    name: &'a str,
    unit: &'a str,
    done: Option<&'a str>,
}

fn render(
    status: StatusCode,
    admin: &Admin,
    state: &AppState,
    kiosks: &[KioskRow],
    units: &[Unit],
    view: View<'_>,
) -> HttpResponse {
    let tz = state.config.tz;
    let unit_name = |code: &str| {
        units
            .iter()
            .find(|u| u.code == code)
            .map_or_else(|| code.to_string(), |u| u.name.clone())
    };
    let body = html! {
        h1 { "Máy tính bảng tại quầy" }
        (error_summary("Chưa đăng ký được máy", &view.problems))
        (notice(view.done))
        @if let Some(r) = &view.registered {
            section.card.registered aria-labelledby="registered-title" {
                h2 #registered-title { "Đã đăng ký máy “" (r.name) "”" }
                p { strong { "Đường dẫn và mã QR này chỉ hiện một lần." }
                    " Hãy mở đường dẫn trên máy tính bảng (hoặc dùng máy quét mã QR) ngay bây giờ; dịch vụ chỉ lưu bản băm của nó." }
                p { "Đường dẫn của máy: " a.device-link href=(r.url) { (r.url) } }
                img.qr src=(r.qr_svg) alt={ "Mã QR mở trang khảo sát của máy " (r.name) } width="240" height="240";
            }
        }
        (register_form(admin, units, view.name, view.unit))
        h2 { "Các máy đã đăng ký" }
        @if kiosks.is_empty() {
            p { "Chưa có máy nào." }
        } @else {
            div.table-wrap {
                table #kiosk-table {
                    caption { "Máy tính bảng, mới nhất trước" }
                    thead { tr {
                        th scope="col" { "Tên máy" }
                        th scope="col" { "Đơn vị" }
                        th scope="col" { "Ngày đăng ký" }
                        th scope="col" { "Trạng thái" }
                        th scope="col" { "Thao tác" }
                    } }
                    tbody {
                        @for k in kiosks {
                            tr {
                                th scope="row" { (k.name) }
                                td { (unit_name(&k.unit)) }
                                td { (local_time(k.created_at, tz)) }
                                td {
                                    @if let Some(at) = k.revoked_at {
                                        "Đã thu hồi (" (local_time(at, tz)) ")"
                                    } @else {
                                        "Đang hoạt động"
                                    }
                                }
                                td {
                                    @if k.revoked_at.is_none() {
                                        form.inline method="post" action={ "/admin/kiosks/" (k.id) "/revoke" } {
                                            (csrf_field(admin))
                                            button.secondary type="submit" aria-label={ "Thu hồi máy " (k.name) } { "Thu hồi" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    admin_page(status, "Máy tính bảng", admin, "/admin/kiosks", body)
}

fn register_form(admin: &Admin, units: &[Unit], name: &str, unit: &str) -> Markup {
    html! {
        form.card method="post" action="/admin/kiosks" {
            fieldset {
                legend { "Đăng ký máy mới" }
                (csrf_field(admin))
                (once_field())
                p {
                    label for="name" { strong { "Tên máy" } }
                    span.hint #name-hint { "Tên để cán bộ nhận ra máy, ví dụ “Quầy 1 – Phước Sơn” (tối đa 100 ký tự)." }
                    input #name type="text" name="name" value=(name) maxlength="100" required aria-describedby="name-hint";
                }
                p {
                    label for="unit" { strong { "Đơn vị đặt máy" } }
                    select #unit name="unit" required {
                        option value="" { "— Chọn đơn vị —" }
                        (unit_options(units, unit))
                    }
                }
                p { button type="submit" { "Đăng ký máy" } }
            }
        }
    }
}

/// The kiosks and the units open today.
async fn load(
    state: &web::Data<AppState>,
    actor: Actor,
) -> Result<(Vec<KioskRow>, Vec<Unit>), ApiError> {
    let kiosks = with_conn(state, move |conn| actions::list_kiosks(conn, &actor)).await?;
    let units = open_units(state).await?;
    Ok((kiosks, units))
}

/// The kiosks (admin; session cookie).
#[utoipa::path(
    tag = "admin",
    params(("done" = Option<String>, Query, description = "`revoked`: confirm a revocation")),
    responses(
        (status = 200, content_type = "text/html", description = "the kiosks and the registration form"),
        (status = 303, description = "to /login without a session"),
        (status = 403, content_type = "text/html", description = "not an admin")
    )
)]
#[get("/admin/kiosks")]
pub async fn kiosks_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let admin = match admin_get(&req, &state).await {
        Ok(admin) => admin,
        Err(response) => return Ok(response),
    };
    let (kiosks, units) = load(&state, client::actor(&req, &state, &admin.staff)).await?;
    let done = (field(&query, "done") == "revoked")
        .then_some("Đã thu hồi máy: đường dẫn của máy không còn dùng được.");
    Ok(render(
        StatusCode::OK,
        &admin,
        &state,
        &kiosks,
        &units,
        View {
            done,
            ..View::default()
        },
    ))
}

/// Registers a kiosk (admin; form with `csrf`, `name`, `unit`): the page shows its link and QR
/// code, once.
#[utoipa::path(
    tag = "admin",
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf, name, unit"),
    responses(
        (status = 201, content_type = "text/html", description = "registered: the device link and its QR code, once"),
        (status = 303, description = "to /login without a session"),
        (status = 403, content_type = "text/html", description = "not an admin, or the CSRF field is missing or wrong"),
        (status = 409, content_type = "text/html", description = "already_sent: the same form (its one-time key) sent again; nothing is created again"),
        (status = 422, content_type = "text/html", description = "the form again with its errors")
    )
)]
#[post("/admin/kiosks")]
pub async fn kiosk_register(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let (admin, fields) =
        match admin_form(&req, &state, payload, actions::CREATE_AUDIT_ACTION).await {
            Ok(found) => found,
            Err(response) => return Ok(response),
        };
    if let Some(again) = already_sent(&state, &fields) {
        return Ok(again);
    }
    let name = field(&fields, "name").to_string();
    let unit = field(&fields, "unit").to_string();
    let (by, today) = (client::actor(&req, &state, &admin.staff), today(&state));
    let (n, u) = (name.clone(), unit.clone());
    let outcome = with_conn(&state, move |conn| {
        actions::register_kiosk(conn, &by, &n, &u, today)
    })
    .await;
    let (kiosks, units) = load(&state, client::actor(&req, &state, &admin.staff)).await?;
    let registered = match outcome {
        Ok(registered) => registered,
        Err(e) if e.status.is_client_error() => {
            let view = View {
                problems: Problem::of_unit_form(&e),
                name: &name,
                unit: &unit,
                ..View::default()
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(render(status, &admin, &state, &kiosks, &units, view));
        }
        Err(e) => return Err(e.into()),
    };
    mark_sent(&state, &fields);
    let url = kiosk_url(&public_base(&req, &state.config), &registered.token);
    let qr_svg = Qr::encode(&url)
        .map_err(|_| ApiError::internal())?
        .svg_data_uri();
    let view = View {
        registered: Some(Registered {
            name: registered.kiosk.name,
            url,
            qr_svg,
        }),
        ..View::default()
    };
    Ok(render(
        StatusCode::CREATED,
        &admin,
        &state,
        &kiosks,
        &units,
        view,
    ))
}

/// Revokes a kiosk (admin; form with `csrf`): its link stops working at once.
#[utoipa::path(
    tag = "admin",
    params(("id" = String, Path, description = "kiosk id")),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses(
        (status = 303, description = "back to /admin/kiosks (or to /login without a session)"),
        (status = 403, content_type = "text/html", description = "not an admin, or the CSRF field is missing or wrong"),
        (status = 404, content_type = "text/html", description = "no such kiosk")
    )
)]
#[post("/admin/kiosks/{id}/revoke")]
pub async fn kiosk_revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let (admin, _) = match admin_form(&req, &state, payload, actions::REVOKE_AUDIT_ACTION).await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let (by, id) = (client::actor(&req, &state, &admin.staff), path.into_inner());
    with_conn(&state, move |conn| actions::revoke_kiosk(conn, &by, &id)).await?;
    Ok(see_other("/admin/kiosks?done=revoked"))
}
