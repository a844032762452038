//! Serving the embedded assets (`/static/…`, the favicon, a form's routing stylesheet) with a
//! year-long cache under their content version and `304 Not Modified`.

use actix_web::http::header;
use actix_web::{route, HttpRequest, HttpResponse};

use super::assets::{
    version, CACHE_CONTROL, CSS, CSS_TYPE, CSS_VERSION, DASHBOARD_CSS, ENTRY_JS, ENTRY_JS_VERSION,
    FAVICON, FAVICON_VERSION, JS, JS_TYPE, JS_VERSION, SVG_TYPE,
};

/// The asset with its long cache lifetime; `304 Not Modified` when the browser already has it.
fn asset(
    req: &HttpRequest,
    body: impl Into<String>,
    content_type: &str,
    version: &str,
) -> HttpResponse {
    let etag = format!("\"{version}\"");
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, CACHE_CONTROL));
    if unchanged {
        response.finish()
    } else {
        response.content_type(content_type).body(body.into())
    }
}

/// The citizen pages' stylesheet.
#[utoipa::path(
    method(get, head),
    tag = "pages",
    params(("v" = Option<String>, Query, description = "content version; any value serves the current file")),
    responses(
        (status = 200, content_type = "text/css", description = "the stylesheet, cacheable for a year"),
        (status = 304, description = "unchanged (If-None-Match)")
    )
)]
#[route("/static/sipas.css", method = "GET", method = "HEAD")]
pub async fn stylesheet(req: HttpRequest) -> HttpResponse {
    asset(&req, CSS, CSS_TYPE, &CSS_VERSION)
}

/// The citizen pages' script (progressive enhancement: the pages work without it).
#[utoipa::path(
    method(get, head),
    tag = "pages",
    params(("v" = Option<String>, Query, description = "content version; any value serves the current file")),
    responses(
        (status = 200, content_type = "text/javascript", description = "the script, cacheable for a year"),
        (status = 304, description = "unchanged (If-None-Match)")
    )
)]
#[route("/static/sipas.js", method = "GET", method = "HEAD")]
pub async fn script(req: HttpRequest) -> HttpResponse {
    asset(&req, JS, JS_TYPE, &JS_VERSION)
}

/// The script of `/entry` (progressive enhancement: the page works without it).
#[utoipa::path(
    method(get, head),
    tag = "pages",
    params(("v" = Option<String>, Query, description = "content version; any value serves the current file")),
    responses(
        (status = 200, content_type = "text/javascript", description = "the script, cacheable for a year"),
        (status = 304, description = "unchanged (If-None-Match)")
    )
)]
#[route("/static/entry.js", method = "GET", method = "HEAD")]
pub async fn entry_script(req: HttpRequest) -> HttpResponse {
    asset(&req, ENTRY_JS, JS_TYPE, &ENTRY_JS_VERSION)
}

/// The pages' icon (SVG), linked from every page with its content version.
#[utoipa::path(
    method(get, head),
    tag = "pages",
    params(("v" = Option<String>, Query, description = "content version; any value serves the current file")),
    responses(
        (status = 200, content_type = "image/svg+xml", description = "the icon, cacheable for a year"),
        (status = 304, description = "unchanged (If-None-Match)")
    )
)]
#[route("/static/favicon.svg", method = "GET", method = "HEAD")]
pub async fn favicon(req: HttpRequest) -> HttpResponse {
    asset(&req, FAVICON, SVG_TYPE, &FAVICON_VERSION)
}

/// The same icon where browsers look for one without a link (`/favicon.ico`); SVG content, which
/// browsers recognise whatever the name. Cached for a day: this address carries no version.
#[utoipa::path(
    method(get, head),
    tag = "pages",
    responses(
        (status = 200, content_type = "image/svg+xml", description = "the icon"),
        (status = 304, description = "unchanged (If-None-Match)")
    )
)]
#[route("/favicon.ico", method = "GET", method = "HEAD")]
pub async fn favicon_ico(req: HttpRequest) -> HttpResponse {
    let mut response = asset(&req, FAVICON, SVG_TYPE, &FAVICON_VERSION);
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("public, max-age=86400"),
    );
    response
}

/// The staff pages' stylesheet.
#[utoipa::path(
    method(get, head),
    tag = "pages",
    params(("v" = Option<String>, Query, description = "content version; any value serves the current file")),
    responses((status = 200, content_type = "text/css", description = "the stylesheet"), (status = 304, description = "unchanged"))
)]
#[route("/static/dashboard.css", method = "GET", method = "HEAD")]
pub async fn dashboard_stylesheet(req: HttpRequest) -> HttpResponse {
    asset(&req, DASHBOARD_CSS, CSS_TYPE, &version(DASHBOARD_CSS))
}

/// A form's routing rules: questions shown only after a given answer (CSS `:has()`, so the form
/// needs no script). A file of its own so that no page carries inline style.
#[utoipa::path(
    method(get, head),
    tag = "pages",
    params(("form_id" = String, Path), ("v" = Option<String>, Query, description = "the form's content version")),
    responses((status = 200, content_type = "text/css", description = "the form's routing rules"), (status = 304, description = "unchanged"), (status = 404, description = "unknown form"))
)]
#[route("/static/forms/{form_id}.css", method = "GET", method = "HEAD")]
pub async fn form_stylesheet(
    req: HttpRequest,
    state: actix_web::web::Data<crate::web::state::AppState>,
    path: actix_web::web::Path<String>,
) -> HttpResponse {
    match state.forms.get(&path) {
        Some(loaded) => asset(
            &req,
            super::form::routing_css(&loaded.form),
            CSS_TYPE,
            &loaded.content_hash,
        ),
        None => super::error::not_found_page(),
    }
}
