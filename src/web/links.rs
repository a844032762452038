//! Absolute links for QR codes, kiosks and invitations.

use actix_web::HttpRequest;

use crate::config::Config;

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
