//! The staff's browser session: its cookies, the CSRF token bound to it, the `Origin` check of
//! cookie-authenticated changes, and the device cookie of [`crate::auth::device`].
//!
//! **Cookie names.** When cookies are `Secure` (the request came over https, `SIPAS_PUBLIC_URL`
//! is https, or `SIPAS_SECURE_COOKIES`) they are named `__Host-sipas_session`,
//! `__Host-sipas_csrf` and `__Host-sipas_device`: browsers accept such a cookie only with
//! `Secure`, `Path=/` and no `Domain`, so a neighbouring subdomain or a plain-http response cannot
//! plant one. Only those names are read then. On plain http (`http://127.0.0.1:8080` on the
//! office machine) the cookies cannot be `Secure` for every browser and host, so they keep the
//! bare names (`sipas_session`, …) and both names are read.
//!
//! **CSRF.** The token is derived from the session ([`crate::auth::csrf_token`]): the CSRF
//! cookie only hands it to the page's script; what is checked is that the header or form field
//! equals the token of the session presented. Cookie-authenticated changes must also come from
//! this origin ([`same_origin`]).

use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponseBuilder};

use super::error::ApiError;
use crate::auth::{self, device, Session};
use crate::platform::config::Config;
use crate::web::state::AppState;

pub const SESSION_COOKIE: &str = "sipas_session";
pub const CSRF_COOKIE: &str = "sipas_csrf";
pub const DEVICE_COOKIE: &str = "sipas_device";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The prefix of the cookies' names when they are `Secure`.
pub const HOST_PREFIX: &str = "__Host-";

/// Whether cookies get `Secure` (and `__Host-` names): configured (`SIPAS_SECURE_COOKIES`), the
/// request came over https, or the public address is https.
pub fn cookies_secure(req: &HttpRequest, config: &Config) -> bool {
    config.secure_cookies
        || req.connection_info().scheme().eq_ignore_ascii_case("https")
        || config
            .public_url
            .as_deref()
            .is_some_and(|u| u.trim().to_ascii_lowercase().starts_with("https://"))
}

/// The name cookie `base` is set under.
pub fn cookie_name(base: &str, secure: bool) -> String {
    if secure {
        format!("{HOST_PREFIX}{base}")
    } else {
        base.to_string()
    }
}

/// The value of the staff cookie `base`: the `__Host-` one, or — on plain http only — the bare
/// one. Empty values count as absent.
pub fn read_cookie(req: &HttpRequest, config: &Config, base: &str) -> Option<String> {
    let value = |name: &str| {
        req.cookie(name)
            .map(|c| c.value().to_string())
            .filter(|v| !v.is_empty())
    };
    value(&cookie_name(base, true)).or_else(|| {
        if cookies_secure(req, config) {
            None
        } else {
            value(base)
        }
    })
}

/// The session token of the request's cookie, if any.
pub fn session_token(req: &HttpRequest, config: &Config) -> Option<String> {
    read_cookie(req, config, SESSION_COOKIE)
}

/// A staff cookie: path `/`, SameSite=Strict, `Secure` behind TLS; the session one HttpOnly (the
/// CSRF one is read by the page's own requests, so it is not).
pub fn session_cookie<'a>(
    name: &'a str,
    value: String,
    http_only: bool,
    secure: bool,
    max_age: CookieDuration,
) -> Cookie<'a> {
    Cookie::build(name, value)
        .path("/")
        .http_only(http_only)
        .secure(secure)
        .same_site(SameSite::Strict)
        .max_age(max_age)
        .finish()
}

/// Whether `given` is the CSRF token of the session whose token hash is `token_hash`.
pub fn csrf_valid(state: &AppState, token_hash: &str, given: Option<&str>) -> bool {
    given.is_some_and(|g| auth::constant_time_eq(g, &auth::csrf_token(&state.keys, token_hash)))
}

/// The CSRF check of a cookie-authenticated change through the API: the origin, then the
/// `X-CSRF-Token` header against the session of `token` (403 `cross_origin` / `csrf_failed`).
pub fn check_api_change(req: &HttpRequest, state: &AppState, token: &str) -> Result<(), ApiError> {
    same_origin(req, &state.config)?;
    let given = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    if csrf_valid(state, &auth::token_hash(token), given) {
        Ok(())
    } else {
        Err(ApiError::csrf_failed())
    }
}

/// 403 `cross_origin`.
pub fn cross_origin() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "cross_origin",
        "Yêu cầu đến từ một trang web khác nên bị từ chối. Xin mở trang của hệ thống rồi thử lại.",
        "The request comes from another site (Origin / Sec-Fetch-Site) and is refused.",
    )
}

/// `scheme://host[:port]` of a URL, lower case, without a path.
fn origin_of(url: &str) -> String {
    let url = url.trim().to_ascii_lowercase();
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
            format!("{scheme}://{authority}")
        }
        None => url,
    }
}

/// A state change made with a browser's credentials (a session cookie, or a login form) must come
/// from this service's own pages: an `Origin` header, when present (and not `null`), must be this
/// request's own origin (scheme and host) or that of `SIPAS_PUBLIC_URL`; otherwise
/// `Sec-Fetch-Site`, when present, must be `same-origin` (or `none`: typed by the user). Clients
/// that send neither (scripts, curl; browsers older than `Sec-Fetch-Site` with `Origin: null`)
/// pass: the session-bound CSRF token and SameSite=Strict still guard their changes. Else 403
/// `cross_origin`.
pub fn same_origin(req: &HttpRequest, config: &Config) -> Result<(), ApiError> {
    let text = |name| req.headers().get(name).map(|v| v.to_str().unwrap_or("?"));
    // `Origin: null` says nothing: browsers send it for this service's own form posts, since
    // its pages set `Referrer-Policy: no-referrer`.
    let origin = text(header::ORIGIN)
        .map(|o| o.trim().to_ascii_lowercase())
        .filter(|o| o != "null");
    if let Some(origin) = origin {
        let info = req.connection_info();
        let own = origin_of(&format!("{}://{}", info.scheme(), info.host()));
        let public = config.public_url.as_deref().map(origin_of);
        return if origin == own || public.as_deref() == Some(origin.as_str()) {
            Ok(())
        } else {
            Err(cross_origin())
        };
    }
    match text(header::HeaderName::from_static("sec-fetch-site")) {
        None => Ok(()),
        Some(site) if matches!(site.trim(), "same-origin" | "none") => Ok(()),
        Some(_) => Err(cross_origin()),
    }
}

/// The CSRF token of the session `token`.
pub fn csrf_for_token(state: &AppState, token: &str) -> String {
    auth::csrf_token(&state.keys, &auth::token_hash(token))
}

/// After a successful login: the HttpOnly session cookie, the script-readable CSRF cookie and a
/// fresh device cookie for the username (all SameSite=Strict). Returns the CSRF token.
pub fn set_login_cookies(
    response: &mut HttpResponseBuilder,
    req: &HttpRequest,
    state: &AppState,
    session: &Session,
) -> Result<String, ApiError> {
    let secure = cookies_secure(req, &state.config);
    let ttl = CookieDuration::seconds(state.config.session_ttl().num_seconds());
    let csrf = csrf_for_token(state, &session.token);
    let now = chrono::Utc::now().timestamp();
    let device = device::issue(&state.keys, &session.username, now)?;
    let device_age = CookieDuration::seconds(device::DEVICE_COOKIE_SECONDS);
    let cookies = [
        (SESSION_COOKIE, session.token.clone(), true, ttl),
        (CSRF_COOKIE, csrf.clone(), false, ttl),
        (DEVICE_COOKIE, device, true, device_age),
    ];
    for (base, value, http_only, max_age) in cookies {
        let name = cookie_name(base, secure);
        response.cookie(session_cookie(&name, value, http_only, secure, max_age).into_owned());
    }
    Ok(csrf)
}

/// Removes the session and CSRF cookies, with the attributes they were set with (the device
/// cookie stays: it is what lets this browser in when its address is throttled).
pub fn clear_session_cookies(response: &mut HttpResponseBuilder, secure: bool) {
    for (base, http_only) in [(SESSION_COOKIE, true), (CSRF_COOKIE, false)] {
        let name = cookie_name(base, secure);
        let mut cookie = session_cookie(
            &name,
            String::new(),
            http_only,
            secure,
            CookieDuration::ZERO,
        )
        .into_owned();
        cookie.make_removal();
        response.cookie(cookie);
    }
}

/// The device id of the request's device cookie when it is valid for `username`.
pub fn device_for(req: &HttpRequest, state: &AppState, username: &str) -> Option<String> {
    let value = read_cookie(req, &state.config, DEVICE_COOKIE)?;
    device::verify(
        &state.keys,
        &value,
        username,
        chrono::Utc::now().timestamp(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_lose_their_paths() {
        assert_eq!(
            origin_of("HTTPS://Khaosat.example.vn/x?y"),
            "https://khaosat.example.vn"
        );
        assert_eq!(origin_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(cookie_name("sipas_csrf", true), "__Host-sipas_csrf");
        assert_eq!(cookie_name("sipas_csrf", false), "sipas_csrf");
    }
}
