//! `/admin/kiosks`: the kiosk tablets — list, register (the device link and its QR code are shown
//! once), revoke.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde_json::json;

use super::{
    admin_form, admin_get, admin_page, already_sent, csrf_field, error_page, error_summary, field,
    local_time, mark_sent, notice, once_field, open_units, see_other, today, unit_options, Admin,
    Problem,
};
use crate::administration::units::Unit;
use crate::collecting::access;
use crate::platform::qr::Qr;
use crate::store::models::KioskRow;
use crate::store::{kiosks, now_utc};
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::ApiError;
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

async fn load(state: &web::Data<AppState>) -> Result<(Vec<KioskRow>, Vec<Unit>), ApiError> {
    let kiosks = with_conn(state, kiosks::list).await?;
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
) -> HttpResponse {
    let admin = match admin_get(&req, &state).await {
        Ok(admin) => admin,
        Err(response) => return response,
    };
    let (kiosks, units) = match load(&state).await {
        Ok(found) => found,
        Err(e) => return error_page(&e),
    };
    let done = (field(&query, "done") == "revoked")
        .then_some("Đã thu hồi máy: đường dẫn của máy không còn dùng được.");
    render(
        StatusCode::OK,
        &admin,
        &state,
        &kiosks,
        &units,
        View {
            done,
            ..View::default()
        },
    )
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
) -> HttpResponse {
    let (admin, fields) = match admin_form(&req, &state, payload, "kiosk.create").await {
        Ok(found) => found,
        Err(response) => return response,
    };
    if let Some(again) = already_sent(&state, &fields) {
        return again;
    }
    let name = field(&fields, "name").to_string();
    let unit = field(&fields, "unit").to_string();
    let today = today(&state);
    let entry = client::audit_entry(&req, &state, Some(&admin.staff), "kiosk.create");
    let (n, u) = (name.clone(), unit.clone());
    let outcome = with_conn(&state, move |conn| {
        crate::service::in_transaction(conn, |c| {
            let registered = access::register_kiosk(c, &n, &u, today, now_utc())?;
            let entry = entry
                .target(registered.kiosk.id.clone())
                .detail(json!({"unit": registered.kiosk.unit, "name": registered.kiosk.name}));
            Ok::<_, ApiError>((registered, entry))
        })
    })
    .await;
    let (kiosks, units) = match load(&state).await {
        Ok(found) => found,
        Err(e) => return error_page(&e),
    };
    let registered = match outcome {
        Ok(registered) => registered,
        Err(e) if e.status.is_client_error() => {
            let problems = Problem::of(&e, |f| Some(f.field.clone()));
            let problems = if e.code == "unknown_unit" {
                vec![Problem::new(
                    Some("unit"),
                    "Hãy chọn một đơn vị trong danh sách.",
                )]
            } else {
                problems
            };
            return render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &admin,
                &state,
                &kiosks,
                &units,
                View {
                    problems,
                    name: &name,
                    unit: &unit,
                    ..View::default()
                },
            );
        }
        Err(e) => return error_page(&e),
    };
    mark_sent(&state, &fields);
    tracing::info!(kiosk = %registered.kiosk.id, unit = %registered.kiosk.unit, by = %admin.staff.username, "kiosk registered");
    let url = kiosk_url(&public_base(&req, &state.config), &registered.token);
    let qr_svg = match Qr::encode(&url) {
        Ok(qr) => qr.svg_data_uri(),
        Err(_) => return error_page(&ApiError::internal()),
    };
    render(
        StatusCode::CREATED,
        &admin,
        &state,
        &kiosks,
        &units,
        View {
            registered: Some(Registered {
                name: registered.kiosk.name,
                url,
                qr_svg,
            }),
            ..View::default()
        },
    )
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
) -> HttpResponse {
    let (admin, _) = match admin_form(&req, &state, payload, "kiosk.revoke").await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let id = path.into_inner();
    let entry =
        client::audit_entry(&req, &state, Some(&admin.staff), "kiosk.revoke").target(id.clone());
    let lookup = id.clone();
    let outcome = with_conn(&state, move |conn| {
        crate::service::in_transaction(conn, |c| {
            let Some(kiosk) = kiosks::list(c)?.into_iter().find(|k| k.id == lookup) else {
                return Err(ApiError::not_found());
            };
            kiosks::revoke(c, &lookup, now_utc())?;
            let detail = json!({
                "unit": kiosk.unit,
                "name": kiosk.name,
                "already_revoked": kiosk.revoked_at.is_some(),
            });
            Ok(((), entry.detail(detail)))
        })
    })
    .await;
    match outcome {
        Ok(()) => {
            tracing::info!(kiosk = %id, by = %admin.staff.username, "kiosk revoked");
            see_other("/admin/kiosks?done=revoked")
        }
        Err(e) => error_page(&e),
    }
}
