//! The administrators' pages (`/admin/…`): kiosks, invitations, forms, the audit log, users and
//! units. Server-rendered, no script; the session is the dashboard's HttpOnly cookie, and every
//! form that changes something carries the session's CSRF token as a hidden `csrf` field
//! (`web::session`), and must come from this site (`Origin`). Analysts and clerks get 403; without a session, `/login`.
//!
//! Each page calls the same domain functions as the JSON API, and every change writes its audit
//! record in the change's transaction.

pub mod audit;
mod audit_text;
pub mod forms;
pub mod home;
mod invitation_cards;
pub mod invitations;
pub mod kiosks;
pub mod multipart;
pub mod paper;
pub mod paper_checks;
pub mod paper_progress;
pub mod staff;
pub mod units;
mod units_render;
pub mod users;

use std::collections::HashMap;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use super::assets::dashboard_css_href;
use super::error::{staff_error_page as error_page, staff_message as message};
use super::layout::html_response;
use super::layout::{page, staff_home, staff_nav};
use crate::auth::Staff;
use crate::domain::FieldError;
use crate::domain::Role;
use crate::web::error::ApiError;
use crate::web::session;
use crate::web::state::AppState;

/// A staff member of the page's roles (an administrator on `/admin/…`) with a valid session, and
/// the CSRF token their forms carry.
pub struct Admin {
    pub staff: Staff,
    pub csrf: String,
}

/// The sections, as (path, label), in the navigation's order.
pub const SECTIONS: &[(&str, &str)] = &[
    ("/admin", "Tổng quan"),
    ("/admin/users", "Tài khoản"),
    ("/admin/units", "Đơn vị"),
    ("/admin/forms", "Phiếu khảo sát"),
    ("/admin/kiosks", "Máy tính bảng"),
    ("/admin/invitations", "Thư mời"),
    ("/admin/paper", "Phiếu giấy"),
    ("/admin/paper/checks", "Phúc tra"),
    ("/admin/paper/progress", "Tiến độ phiếu giấy"),
    ("/admin/audit", "Nhật ký"),
];

pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

const ADMIN_ONLY: &str = "Trang quản trị chỉ dành cho tài khoản quản trị (admin).";

/// 403 for a staff member of another role: back to a page their role may open, and logout.
pub(crate) fn forbidden(staff: &Staff, csrf: &str, text: &str) -> HttpResponse {
    let home = staff_home(staff.role);
    let back = if home == "/dashboard" {
        "Về bảng điều khiển"
    } else {
        "Về trang cán bộ"
    };
    let body = html! {
        (staff_nav(staff, csrf, "", html! {}))
        h1 { "Không có quyền truy cập" }
        p { (text) }
        p { a href=(home) { (back) } }
    };
    html_response(
        StatusCode::FORBIDDEN,
        page(
            "Không có quyền truy cập",
            body,
            Some(dashboard_css_href()),
            None,
        ),
    )
}

fn csrf_refused() -> HttpResponse {
    message(
        StatusCode::FORBIDDEN,
        "Không thực hiện được",
        "Phiên làm việc không hợp lệ (thiếu mã chống giả mạo). Xin tải lại trang rồi thử lại.",
    )
}

/// Who may use a page: its roles, and the sentence another role reads on the 403 page.
#[derive(Debug, Clone, Copy)]
pub struct Gate {
    pub roles: &'static [Role],
    pub refused: &'static str,
}

/// The administration pages: admins only.
const ADMINS: Gate = Gate {
    roles: &[Role::Admin],
    refused: ADMIN_ONLY,
};

/// The administrator of a page request: a redirect to `/login` without a session, 403 for
/// another role.
pub async fn admin_get(
    req: &HttpRequest,
    state: &web::Data<AppState>,
) -> Result<Admin, HttpResponse> {
    staff_get(req, state, ADMINS).await
}

/// The staff member of a page request whose role `gate` lets in: a redirect to `/login`
/// without a session, 403 for another role.
pub async fn staff_get(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    gate: Gate,
) -> Result<Admin, HttpResponse> {
    let staff = match super::dashboard::session_staff(req, state).await {
        Ok(Some(staff)) => staff,
        Ok(None) => return Err(see_other("/login")),
        Err(e) => return Err(error_page(&e)),
    };
    let csrf = crate::auth::csrf_token(&state.keys, &staff.token_hash);
    if staff.require(gate.roles).is_err() {
        return Err(forbidden(&staff, &csrf, gate.refused));
    }
    Ok(Admin { csrf, staff })
}

/// The staff member of a form's submission: as [`staff_get`] (a refused role is recorded as
/// `action`, `denied`), checked before the body is read; a form sent from another site is
/// refused (403).
async fn staff_post(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    gate: Gate,
    action: &str,
) -> Result<Admin, HttpResponse> {
    if let Err(e) = session::same_origin(req, &state.config) {
        return Err(error_page(&e));
    }
    let staff = match super::dashboard::session_staff(req, state).await {
        Ok(Some(staff)) => staff,
        Ok(None) => return Err(see_other("/login")),
        Err(e) => return Err(error_page(&e)),
    };
    if crate::web::client::require_role(req, state, &staff, gate.roles, action)
        .await
        .is_err()
    {
        let csrf = crate::auth::csrf_token(&state.keys, &staff.token_hash);
        return Err(forbidden(&staff, &csrf, gate.refused));
    }
    Ok(Admin {
        csrf: crate::auth::csrf_token(&state.keys, &staff.token_hash),
        staff,
    })
}

/// Whether the form's `csrf` field is the CSRF token of the administrator's session.
fn csrf_matches(state: &AppState, admin: &Admin, given: Option<&str>) -> bool {
    session::csrf_valid(state, &admin.staff.token_hash, given)
}

/// An urlencoded form's submission by an administrator: the session (else `/login`), the role
/// (else 403, recorded as `action`), then the body (64 KiB at most) and its `csrf` field (else
/// 403).
pub async fn admin_form(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    payload: web::Payload,
    action: &str,
) -> Result<(Admin, HashMap<String, String>), HttpResponse> {
    staff_form(req, state, payload, ADMINS, action).await
}

/// An urlencoded form's submission by a staff member whose role `gate` lets in: as
/// [`admin_form`].
pub async fn staff_form(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    payload: web::Payload,
    gate: Gate,
    action: &str,
) -> Result<(Admin, HashMap<String, String>), HttpResponse> {
    let admin = staff_post(req, state, gate, action).await?;
    let fields = super::submit::read_fields(req, payload)
        .await
        .map_err(|e| error_page(&e))?;
    if !csrf_matches(state, &admin, fields.get("csrf").map(String::as_str)) {
        return Err(csrf_refused());
    }
    Ok((admin, fields))
}

/// A file form's (`multipart/form-data`) submission by an administrator: as [`admin_form`].
pub async fn admin_multipart(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    payload: web::Payload,
    action: &str,
    limit: usize,
) -> Result<(Admin, multipart::Parts), HttpResponse> {
    let admin = staff_post(req, state, ADMINS, action).await?;
    let parts = multipart::read_multipart(req, payload, limit)
        .await
        .map_err(|e| error_page(&e))?;
    if !csrf_matches(state, &admin, parts.text("csrf").as_deref()) {
        return Err(csrf_refused());
    }
    Ok((admin, parts))
}

/// The field `name`, trimmed ("" when absent).
pub fn field<'a>(fields: &'a HashMap<String, String>, name: &str) -> &'a str {
    fields.get(name).map_or("", |v| v.trim())
}

/// The hidden CSRF field of every form that changes something.
pub fn csrf_field(admin: &Admin) -> Markup {
    html! { input type="hidden" name="csrf" value=(admin.csrf); }
}

/// A fresh one-time key for a form that creates something shown once (see `limits::OnceKeys`).
pub fn once_field() -> Markup {
    html! { input type="hidden" name="once" value=(uuid::Uuid::new_v4().simple()); }
}

/// The page for such a form sent again (its key already used): nothing is created again.
pub fn already_sent(state: &AppState, fields: &HashMap<String, String>) -> Option<HttpResponse> {
    let key = field(fields, "once");
    (!key.is_empty() && state.once_keys.used(key)).then(|| {
        error_page(&ApiError::new(
            StatusCode::CONFLICT,
            "already_sent",
            "Biểu mẫu này đã được gửi và đã tạo xong; đường dẫn chỉ hiện một lần nên không hiện lại. Mở lại trang để tạo thêm.",
            "This form was sent already and its result was shown once; open the page again to create more.",
        ))
    })
}

/// Records that the form's one-time key created something.
pub fn mark_sent(state: &AppState, fields: &HashMap<String, String>) {
    let key = field(fields, "once");
    if !key.is_empty() {
        state.once_keys.mark(key, std::time::Instant::now());
    }
}

/// A problem to show in the error summary: its message and the id of the field it concerns.
pub struct Problem {
    pub anchor: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn new(anchor: Option<&str>, message: impl Into<String>) -> Problem {
        Problem {
            anchor: anchor.map(str::to_string),
            message: message.into(),
        }
    }

    /// The problems of an API error: one per field, or its message.
    pub fn of(e: &ApiError, anchor_of: impl Fn(&FieldError) -> Option<String>) -> Vec<Problem> {
        if e.fields.is_empty() {
            return vec![Problem::new(None, e.message.clone())];
        }
        e.fields
            .iter()
            .map(|f| Problem {
                anchor: anchor_of(f),
                message: f.message.clone(),
            })
            .collect()
    }

    /// The problems of a refused form whose unit is picked from a list (kiosks, invitations):
    /// an unknown unit is the list's (`unit`), the rest as [`Problem::of`], beside their fields.
    pub fn of_unit_form(e: &ApiError) -> Vec<Problem> {
        if e.code == "unknown_unit" {
            return vec![Problem::new(
                Some("unit"),
                "Hãy chọn một đơn vị trong danh sách.",
            )];
        }
        Problem::of(e, |f| Some(f.field.clone()))
    }
}

/// The error summary at the top of a page, as on the citizen form: a heading, then each problem
/// as a link to its field.
pub fn error_summary(title: &str, problems: &[Problem]) -> Markup {
    html! {
        @if !problems.is_empty() {
            div.error-summary role="alert" tabindex="-1" aria-labelledby="error-summary-title" {
                h2 #error-summary-title { (title) }
                ul {
                    @for p in problems {
                        li {
                            @if let Some(anchor) = &p.anchor {
                                a href={ "#" (anchor) } { (p.message) }
                            } @else {
                                (p.message)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A confirmation after a change (`role="status"`).
pub fn notice(text: Option<&str>) -> Markup {
    html! {
        @if let Some(text) = text {
            div.notice role="status" { p { (text) } }
        }
    }
}

/// A complete administration page: the account bar, the sections, then `body`.
pub fn admin_page(
    status: StatusCode,
    title: &str,
    admin: &Admin,
    current: &str,
    body: Markup,
) -> HttpResponse {
    let body = html! {
        (staff_nav(&admin.staff, &admin.csrf, "", html! {}))
        nav.admin.noprint aria-label="Quản trị" {
            ul {
                @for (path, label) in SECTIONS {
                    li {
                        @if *path == current {
                            a href=(path) aria-current="page" { (label) }
                        } @else {
                            a href=(path) { (label) }
                        }
                    }
                }
            }
        }
        (body)
    };
    html_response(
        status,
        page(
            &format!("{title} – Quản trị SIPAS"),
            body,
            Some(dashboard_css_href()),
            None,
        ),
    )
}

/// "2026-03-01 14:05" in the service's time zone.
pub fn local_time(at: chrono::NaiveDateTime, tz: chrono_tz::Tz) -> String {
    at.and_utc()
        .with_timezone(&tz)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Today in the service's time zone.
pub fn today(state: &AppState) -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&state.config.tz)
        .date_naive()
}

/// The units open today, in tree order, as `<option>`s (`selected` chosen).
pub fn unit_options(units: &[crate::administration::units::Unit], selected: &str) -> Markup {
    html! {
        @for (depth, u) in crate::administration::units::tree_order(units) {
            option value=(u.code) selected[u.code == selected] { ("\u{a0}".repeat(depth * 3)) (u.name) }
        }
    }
}

/// Every unit open today.
pub async fn open_units(
    state: &web::Data<AppState>,
) -> Result<Vec<crate::administration::units::Unit>, ApiError> {
    let today = today(state);
    crate::web::db::with_conn(state, move |conn| {
        Ok::<_, ApiError>(
            crate::store::units::list(conn)?
                .into_iter()
                .map(crate::administration::units::Unit::from)
                .filter(|u| u.is_valid_on(today))
                .collect(),
        )
    })
    .await
}

/// Whether a unit of this level serves citizens at a counter (communes and one-stop offices), so
/// that its counter QR sheet is offered.
pub fn serves_citizens(level: &str) -> bool {
    matches!(level, "xa" | "mot_cua")
}

/// The links to a unit's counter QR sheet (`/api/v1/units/{code}/qr.png|svg`), PNG and SVG.
pub fn qr_sheet_links(code: &str, name: &str) -> Markup {
    html! {
        a href={ "/api/v1/units/" (code) "/qr.png" } download aria-label={ "Tờ mã QR của " (name) " (PNG)" } { "Tờ mã QR (PNG)" }
        " · "
        a href={ "/api/v1/units/" (code) "/qr.svg" } download aria-label={ "Tờ mã QR của " (name) " (SVG)" } { "SVG" }
    }
}
