//! The analyst dashboard: `GET|POST /login`, `POST /logout`, `GET /dashboard` (the report page
//! is in [`super::dashboard_report`]).
//!
//! Server-rendered, no JavaScript. The session is the same HttpOnly `sipas_session` cookie as the
//! API's, so the chart images and export links (GET, no CSRF needed) work as plain URLs.

use std::collections::HashMap;

use actix_web::http::{header, StatusCode};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use maud::html;

use super::layout::html_response;
use super::layout::page;
use crate::auth::throttle::wait_in_words;
use crate::auth::{self, Staff};
use crate::service::{sessions, Actor};
use crate::web::client;
use crate::web::db::with_conn;
use crate::web::error::ApiError;
use crate::web::extract::read_body;
use crate::web::login::attempt_login;
use crate::web::session::{self, clear_session_cookies, cookies_secure, set_login_cookies};
use crate::web::state::AppState;

const BAD_LOGIN: &str = "Tên đăng nhập hoặc mật khẩu không đúng.";

pub(super) fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

pub(super) fn message_page(status: StatusCode, title: &str, message: &str) -> HttpResponse {
    let body = html! {
        h1 { (title) }
        p { (message) }
        p { a href="/login" { "Về trang đăng nhập" } }
    };
    html_response(
        status,
        page(title, body, Some(super::assets::dashboard_css_href()), None),
    )
}

/// The staff member of the session cookie: `Ok(None)` without a (valid) session.
pub(crate) async fn session_staff(
    req: &HttpRequest,
    state: &web::Data<AppState>,
) -> Result<Option<Staff>, ApiError> {
    let Some(token) = session::session_token(req, &state.config) else {
        return Ok(None);
    };
    match with_conn(state, move |conn| auth::authenticate_token(conn, &token)).await {
        Ok(staff) => Ok(Some(staff)),
        Err(e) if e.status == StatusCode::UNAUTHORIZED => Ok(None),
        Err(e) => Err(e),
    }
}

fn login_page(status: StatusCode, error: Option<&str>, username: &str) -> HttpResponse {
    let body = html! {
        h1 { "Đăng nhập cán bộ phân tích" }
        @if let Some(message) = error {
            div.error-summary role="alert" {
                h2 { "Không đăng nhập được" }
                p { (message) }
            }
        }
        form.card method="post" action="/login" {
            p {
                label for="username" { strong { "Tên đăng nhập" } }
                input #username type="text" name="username" value=(username) autocomplete="username" required;
            }
            p {
                label for="password" { strong { "Mật khẩu" } }
                input #password type="password" name="password" autocomplete="current-password" required;
            }
            p { button type="submit" { "Đăng nhập" } }
        }
    };
    html_response(
        status,
        page(
            "Đăng nhập",
            body,
            Some(super::assets::dashboard_css_href()),
            None,
        ),
    )
}

/// The login form.
#[utoipa::path(tag = "pages", responses((status = 200, content_type = "text/html", description = "login form")))]
#[get("/login")]
pub async fn login_form() -> HttpResponse {
    login_page(StatusCode::OK, None, "")
}

/// The login form's submission: sets the session and CSRF cookies and goes to the dashboard.
#[utoipa::path(
    tag = "pages",
    request_body(content_type = "application/x-www-form-urlencoded", description = "username, password"),
    responses(
        (status = 303, description = "to the role's page: /dashboard (analyst, admin), /staff (clerk)"),
        (status = 401, content_type = "text/html", description = "the form again"),
        (status = 415, description = "not application/x-www-form-urlencoded"),
        (status = 429, content_type = "text/html", description = "the form again, saying how long to wait (Retry-After)")
    )
)]
#[post("/login")]
pub async fn login_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> HttpResponse {
    let fields = match read_body(&req, payload, "application/x-www-form-urlencoded").await {
        Ok(body) => {
            serde_urlencoded::from_bytes::<HashMap<String, String>>(&body).unwrap_or_default()
        }
        Err(e) => return message_page(e.status, "Yêu cầu không hợp lệ", &e.message),
    };
    let username = fields.get("username").cloned().unwrap_or_default();
    let password = fields.get("password").cloned().unwrap_or_default();
    let session = match attempt_login(&req, &state, &username, password).await {
        Ok(session) => session,
        Err(e) if e.status == StatusCode::TOO_MANY_REQUESTS => {
            let seconds = e.retry_after.unwrap_or(1);
            let message = format!(
                "Đã nhập sai quá nhiều lần. Xin chờ {} rồi thử lại.",
                wait_in_words(seconds)
            );
            let mut response = login_page(
                StatusCode::TOO_MANY_REQUESTS,
                Some(&message),
                username.trim(),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
            return response;
        }
        Err(e) if e.status == StatusCode::FORBIDDEN => {
            return message_page(e.status, "Không thực hiện được", &e.message)
        }
        Err(e) if e.status.is_client_error() => {
            return login_page(StatusCode::UNAUTHORIZED, Some(BAD_LOGIN), username.trim())
        }
        Err(e) => return message_page(e.status, "Hệ thống đang bận", &e.message),
    };
    let mut response = HttpResponse::SeeOther();
    response.insert_header((header::LOCATION, super::layout::staff_home(session.role)));
    if let Err(e) = set_login_cookies(&mut response, &req, &state, &session) {
        return message_page(e.status, "Hệ thống đang bận", &e.message);
    }
    response.finish()
}

/// Log out (form with the session's `csrf` field, from this site's own page).
#[utoipa::path(
    tag = "pages",
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 303, description = "to /login"), (status = 403, content_type = "text/html", description = "CSRF or Origin check failed"))
)]
#[post("/logout")]
pub async fn logout_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> HttpResponse {
    let fields = match read_body(&req, payload, "application/x-www-form-urlencoded").await {
        Ok(body) => {
            serde_urlencoded::from_bytes::<HashMap<String, String>>(&body).unwrap_or_default()
        }
        Err(e) => return message_page(e.status, "Yêu cầu không hợp lệ", &e.message),
    };
    let token = session::session_token(&req, &state.config).unwrap_or_default();
    let given = fields.get("csrf").map(String::as_str);
    let origin = session::same_origin(&req, &state.config);
    if origin.is_err() || !session::csrf_valid(&state, &auth::token_hash(&token), given) {
        return message_page(
            StatusCode::FORBIDDEN,
            "Không thực hiện được",
            "Phiên làm việc không hợp lệ. Xin tải lại trang rồi thử lại.",
        );
    }
    match session_staff(&req, &state).await {
        Ok(Some(staff)) => {
            let actor = Actor::staff(&staff, client::address_hash(&req, &state));
            let ended = with_conn(&state, move |conn| {
                sessions::logout(conn, &actor, &staff.token_hash)
            })
            .await;
            if let Err(e) = ended {
                return message_page(e.status, "Hệ thống đang bận", &e.message);
            }
        }
        Ok(None) => {}
        Err(e) => return message_page(e.status, "Hệ thống đang bận", &e.message),
    }
    let mut response = HttpResponse::SeeOther();
    response.insert_header((header::LOCATION, "/login"));
    clear_session_cookies(&mut response, cookies_secure(&req, &state.config));
    response.finish()
}
