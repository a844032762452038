//! Absolute links for QR codes, kiosks and invitations.

use actix_web::http::header;
use actix_web::HttpRequest;

use crate::platform::config::Config;

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
