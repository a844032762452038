//! Middleware that refuses a request before any handler: a NUL in the path or query, a `Host`
//! that is not allowed. JSON under `/api/`, a Vietnamese page elsewhere.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest, ResponseError};

use crate::web::error::ApiError;
use crate::web::links;
use crate::web::state::AppState;

/// Middleware: a path or query string that decodes to a NUL character (`%00`) is refused with
/// 400 `bad_query` before any route sees it — PostgreSQL cannot store or compare NUL in text, and
/// nothing legitimate contains one. JSON under `/api/`, a Vietnamese page elsewhere.
pub async fn refuse_nul(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let has_nul = |text: &str| text.contains("%00");
    if !has_nul(req.uri().path()) && !has_nul(req.query_string()) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    let error = ApiError::new(
        StatusCode::BAD_REQUEST,
        "bad_query",
        "Địa chỉ hoặc tham số truy vấn có ký tự NUL (%00) không hợp lệ.",
        "The path or query contains a NUL character (%00).",
    );
    let response = if req.path().starts_with("/api/") {
        actix_web::ResponseError::error_response(&error)
    } else {
        crate::web::html::error::citizen_error_page(&error)
    };
    Ok(req.into_response(response).map_into_right_body())
}

/// 400 `host_not_allowed`: JSON under `/api/`, a Vietnamese page elsewhere.
fn host_refused(req: &HttpRequest) -> actix_web::HttpResponse {
    let e = ApiError::new(
        StatusCode::BAD_REQUEST,
        "host_not_allowed",
        "Địa chỉ máy chủ (Host) của yêu cầu không được cấu hình cho hệ thống này.",
        "The request's Host is not one of the allowed hosts (SIPAS_ALLOWED_HOSTS).",
    );
    if req.path().starts_with("/api/") {
        e.error_response()
    } else {
        crate::web::html::error::message_page(e.status, "Yêu cầu không hợp lệ", &e.message)
    }
}

/// Middleware: requests naming a host that is not allowed get 400 before any handler (so no
/// kiosk, invitation or QR link is ever made from a forged `Host`).
pub async fn allowed_host(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    // The stylesheet and script make no links: the refusal page itself is styled.
    let allowed = req.path().starts_with("/static/")
        || req
            .app_data::<web::Data<AppState>>()
            .is_none_or(|state| links::host_allowed(req.request(), &state.config));
    if allowed {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let response = host_refused(req.request());
    Ok(req.into_response(response).map_into_right_body())
}
