//! The page shell: the shared stylesheet and script (`/static/…`, cached for a year under a
//! content version) and no inline script anywhere, so that a strict Content-Security-Policy holds.

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;
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

/// The staff pages a role may open, as (path, label), in the navigation's order.
pub fn staff_links(role: crate::domain::Role) -> &'static [(&'static str, &'static str)] {
    use crate::domain::Role;
    match role {
        Role::Admin => &[("/dashboard", "Báo cáo"), ("/admin", "Quản trị")],
        Role::Analyst => &[("/dashboard", "Báo cáo")],
        Role::Clerk => &[("/staff", "Trang cán bộ")],
    }
}

/// The page a role lands on after logging in, and is sent back to from a page it may not open.
pub fn staff_home(role: crate::domain::Role) -> &'static str {
    staff_links(role)[0].0
}

fn role_words(role: crate::domain::Role) -> &'static str {
    use crate::domain::Role;
    match role {
        Role::Admin => "quản trị",
        Role::Analyst => "phân tích",
        Role::Clerk => "văn thư, nhập phiếu",
    }
}

/// The staff navigation of every staff page: who is logged in, the pages the role may open
/// (`current` marked), `extra` links of the page, and the logout button (with the CSRF field).
pub fn staff_nav(staff: &crate::auth::Staff, csrf: &str, current: &str, extra: Markup) -> Markup {
    html! {
        nav.staff.noprint aria-label="Tài khoản" {
            span { "Đăng nhập: " strong { (staff.username) } " (" (role_words(staff.role)) ")" }
            @for (path, label) in staff_links(staff.role) {
                @if *path == current {
                    a href=(path) aria-current="page" { (label) }
                } @else {
                    a href=(path) { (label) }
                }
            }
            (extra)
            form method="post" action="/logout" {
                input type="hidden" name="csrf" value=(csrf);
                button type="submit" { "Đăng xuất" }
            }
        }
    }
}

/// An HTML answer that no cache keeps.
pub fn html_response(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}
