//! Absolute links for QR codes, kiosks and invitations.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest, ResponseError};

use crate::platform::config::Config;
use crate::web::error::ApiError;
use crate::web::state::AppState;

/// Whether the hosts this request names (`Host`, and what `connection_info` takes from
/// `Forwarded` / `X-Forwarded-Host`) are all allowed (`SIPAS_ALLOWED_HOSTS`). An empty list means
/// the application was not started by `Application::build` (in-process use): nothing to check.
pub fn host_allowed(req: &HttpRequest, config: &Config) -> bool {
    if config.allowed_hosts.is_empty() {
        return true;
    }
    let raw = req
        .headers()
        .get(header::HOST)
        .map(|v| v.to_str().unwrap_or("\u{0}"));
    raw.is_none_or(|h| config.host_allowed(h)) && config.host_allowed(req.connection_info().host())
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
        crate::web::html::submit::message_page(e.status, "Yêu cầu không hợp lệ", &e.message)
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
            .is_none_or(|state| host_allowed(req.request(), &state.config));
    if allowed {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let response = host_refused(req.request());
    Ok(req.into_response(response).map_into_right_body())
}

/// The service's public base URL without a trailing slash: `SIPAS_PUBLIC_URL` when set (the
/// address citizens' phones reach, e.g. behind a reverse proxy), else the scheme and host this
/// request came to.
pub fn public_base(req: &HttpRequest, config: &Config) -> String {
    match config.public_url.as_deref().map(str::trim) {
        Some(url) if !url.is_empty() => url.trim_end_matches('/').to_string(),
        _ => {
            let info = req.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        }
    }
}

/// `{base}/f/{form}?unit=…&channel=phone`: the phone form of a unit (counter QR sheets).
pub fn phone_form_url(base: &str, form_id: &str, unit: &str) -> String {
    format!(
        "{base}/f/{form_id}?{}",
        serde_urlencoded::to_string([("unit", unit), ("channel", "phone")]).unwrap_or_default()
    )
}

/// `{base}/k/{token}`: the page a kiosk tablet keeps open.
pub fn kiosk_url(base: &str, token: &str) -> String {
    format!("{base}/k/{token}")
}

/// `{base}/i/{token}`: an invitation's form.
pub fn invitation_url(base: &str, token: &str) -> String {
    format!("{base}/i/{token}")
}
