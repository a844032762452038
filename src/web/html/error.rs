//! Errors of page handlers. The status, code and message come from the one mapping of errors to
//! HTTP (`web::error`: every layer's error becomes an [`ApiError`]); here they are answered as a
//! page instead of JSON — in the staff layout ([`PageError`]) or the citizens' ([`CitizenError`]).
//!
//! A page handler returns `Result<HttpResponse, PageError>` and uses `?` on service calls; a
//! handler that shows field problems beside the form (422) handles those itself.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};

use maud::html;

use super::assets::dashboard_css_href;
use super::layout::{html_response, page};
use crate::web::error::ApiError;

/// An error answered as a staff page (dashboard, administration).
#[derive(Debug)]
pub struct PageError(pub ApiError);

/// An error answered as a citizens' page (the form, kiosk, invitation).
#[derive(Debug)]
pub struct CitizenError(pub ApiError);

impl<E: Into<ApiError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl<E: Into<ApiError>> From<E> for CitizenError {
    fn from(e: E) -> Self {
        CitizenError(e.into())
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::fmt::Display for CitizenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.0.status
    }

    fn error_response(&self) -> HttpResponse {
        staff_error_page(&self.0)
    }
}

impl ResponseError for CitizenError {
    fn status_code(&self) -> StatusCode {
        self.0.status
    }

    fn error_response(&self) -> HttpResponse {
        citizen_error_page(&self.0)
    }
}

/// A plain page with a heading, a message and a link home.
pub fn message_page(status: StatusCode, title: &str, message: &str) -> HttpResponse {
    let body = html! {
        h1 { (title) }
        p { (message) }
        p { a href="/" { "Về trang đầu" } }
    };
    html_response(status, page(title, body, None, None))
}

/// The page for an error that the API would report as JSON.
pub fn citizen_error_page(e: &ApiError) -> HttpResponse {
    let title = match e.status {
        StatusCode::NOT_FOUND => "Không tìm thấy",
        StatusCode::CONFLICT => "Không thể ghi nhận",
        StatusCode::FORBIDDEN => "Không được phép",
        StatusCode::GONE => "Không còn hoạt động",
        StatusCode::TOO_MANY_REQUESTS => "Xin chờ một chút",
        s if s.is_server_error() => "Hệ thống đang bận",
        _ => "Yêu cầu không hợp lệ",
    };
    let mut response = message_page(e.status, title, &e.message);
    if let Some(seconds) = e.retry_after {
        if let Ok(value) = header::HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
    }
    response
}

/// 404 for an address no route serves.
pub fn not_found_page() -> HttpResponse {
    message_page(
        StatusCode::NOT_FOUND,
        "Không tìm thấy trang",
        "Địa chỉ này không có trên hệ thống.",
    )
}

/// A staff page with a heading and a message (403, errors).
pub fn staff_message(status: StatusCode, title: &str, text: &str) -> HttpResponse {
    let body = html! {
        h1 { (title) }
        p { (text) }
        p { a href="/admin" { "Về trang quản trị" } " · " a href="/login" { "Đăng nhập" } }
    };
    html_response(status, page(title, body, Some(dashboard_css_href()), None))
}

/// An error the API would answer as JSON, as a page.
pub fn staff_error_page(e: &ApiError) -> HttpResponse {
    let title = match e.status {
        StatusCode::NOT_FOUND => "Không tìm thấy",
        StatusCode::FORBIDDEN => "Không được phép",
        s if s.is_server_error() => "Hệ thống đang bận",
        _ => "Yêu cầu không hợp lệ",
    };
    staff_message(e.status, title, &e.message)
}
