//! The citizen pages' stylesheet and script, embedded in the binary and served at
//! `/static/sipas.css` and `/static/sipas.js`. Pages link them with `?v=` and the first 12 hex
//! digits of the content's SHA-256, so the year-long `immutable` cache never serves an old version.

use std::sync::LazyLock;

use sha2::{Digest, Sha256};

/// The stylesheet (the per-form routing rules stay inline: they differ from form to form).
pub const CSS: &str = include_str!("../assets/sipas.css");
/// The script: sending through an outbox, kiosk resets. The pages work without it.
pub const JS: &str = include_str!("../assets/sipas.js");

/// The script of `/entry`: keyboard-first paper entry (the page works without it).
pub const ENTRY_JS: &str = include_str!("../assets/entry.js");

/// The icon of every page (a browser tab, a home-screen shortcut): the SIPAS check mark.
pub const FAVICON: &str = include_str!("../assets/favicon.svg");
pub const SVG_TYPE: &str = "image/svg+xml";

/// The staff pages' additions (dashboard, login, administration; print layout for reports).
pub const DASHBOARD_CSS: &str = include_str!("../assets/dashboard.css");

pub const CSS_TYPE: &str = "text/css; charset=utf-8";
pub const JS_TYPE: &str = "text/javascript; charset=utf-8";
pub const CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// The first 12 hex digits of the SHA-256 of `content`.
pub fn version(content: &str) -> String {
    hex::encode(Sha256::digest(content.as_bytes()))[..12].to_string()
}

pub(super) static CSS_VERSION: LazyLock<String> = LazyLock::new(|| version(CSS));
pub(super) static JS_VERSION: LazyLock<String> = LazyLock::new(|| version(JS));
static CSS_HREF: LazyLock<String> =
    LazyLock::new(|| format!("/static/sipas.css?v={}", *CSS_VERSION));
static DASHBOARD_CSS_HREF: LazyLock<String> =
    LazyLock::new(|| format!("/static/dashboard.css?v={}", version(DASHBOARD_CSS)));
pub(super) static FAVICON_VERSION: LazyLock<String> = LazyLock::new(|| version(FAVICON));
static FAVICON_HREF: LazyLock<String> =
    LazyLock::new(|| format!("/static/favicon.svg?v={}", *FAVICON_VERSION));
pub(super) static ENTRY_JS_VERSION: LazyLock<String> = LazyLock::new(|| version(ENTRY_JS));
static ENTRY_JS_SRC: LazyLock<String> =
    LazyLock::new(|| format!("/static/entry.js?v={}", *ENTRY_JS_VERSION));
static JS_SRC: LazyLock<String> = LazyLock::new(|| format!("/static/sipas.js?v={}", *JS_VERSION));

/// `/static/sipas.css?v=…`, for `<link rel="stylesheet">`.
pub fn css_href() -> &'static str {
    &CSS_HREF
}

/// `/static/dashboard.css?v=…`.
pub fn dashboard_css_href() -> &'static str {
    &DASHBOARD_CSS_HREF
}

/// `/static/forms/{form_id}.css?v=…`: a form's routing rules, versioned by the form's content.
pub fn form_css_href(form: &crate::forms::LoadedForm) -> String {
    format!(
        "/static/forms/{}.css?v={}",
        form.form.id,
        &form.content_hash[..12.min(form.content_hash.len())]
    )
}

/// `/static/favicon.svg?v=…`, for `<link rel="icon">`.
pub fn favicon_href() -> &'static str {
    &FAVICON_HREF
}

/// `/static/sipas.js?v=…`, for `<script src defer>`.
pub fn js_src() -> &'static str {
    &JS_SRC
}

/// `/static/entry.js?v=…`, for `/entry`'s `<script src defer>`.
pub fn entry_js_src() -> &'static str {
    &ENTRY_JS_SRC
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_carry_the_content_version() {
        assert_eq!(version(CSS).len(), 12);
        assert!(version(CSS).chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(version(CSS), version(JS));
        assert!(css_href().ends_with(&version(CSS)));
        assert!(js_src().ends_with(&version(JS)));
    }
}
