//! The page shell: the shared stylesheet and script (`/static/…`, cached for a year under a
//! content version) and no inline script anywhere, so that a strict Content-Security-Policy holds.

use maud::{html, Markup, DOCTYPE};

use super::assets;

/// A complete page. `extra_stylesheet` is the address of a second stylesheet (a form's routing
/// rules, the staff pages' layout);
/// `refresh` is a kiosk's return to a fresh form without JavaScript (seconds, URL).
pub fn page(
    title: &str,
    body: Markup,
    extra_stylesheet: Option<&str>,
    refresh: Option<(u32, &str)>,
) -> String {
    html! {
        (DOCTYPE)
        html lang="vi" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                @if let Some((seconds, url)) = refresh {
                    meta http-equiv="refresh" content={ (seconds) "; url=" (url) };
                }
                title { (title) }
                link rel="icon" type="image/svg+xml" href=(assets::favicon_href());
                link rel="stylesheet" href=(assets::css_href());
                @if let Some(href) = extra_stylesheet { link rel="stylesheet" href=(href); }
                script src=(assets::js_src()) defer {}
            }
            body {
                header.site { p { "Khảo sát sự hài lòng của người dân, tổ chức (SIPAS)" } }
                main #main { (body) }
            }
        }
    }
    .into_string()
}
