//! The administrators' pages (`/admin/…`): session and role checks, the CSRF field of every
//! form, kiosks, invitations, form upload, the audit log and accounts — through the pages as a
//! browser without JavaScript uses them.

use crate::common::*;

use reqwest::header::{CONTENT_TYPE, COOKIE};
use sipas::domain::Role;

mod accounts_and_audit;
mod forms;
mod kiosks_and_invitations;
mod sessions;
mod units;

const PAGES: &[&str] = &[
    "/admin",
    "/admin/users",
    "/admin/units",
    "/admin/forms",
    "/admin/kiosks",
    "/admin/invitations",
    "/admin/audit",
];

/// A 303 after a change, then the page it leads to (GET, as the browser does).
async fn follow(
    app: &TestApp,
    response: reqwest::Response,
    session: &Session,
) -> reqwest::Response {
    assert_eq!(response.status(), 303, "redirect after POST");
    let to = location(&response);
    assert!(to.starts_with('/'), "{to}");
    get_page(app, &to, Some(session)).await
}

async fn get_page(app: &TestApp, path: &str, session: Option<&Session>) -> reqwest::Response {
    let mut request = app.client.get(app.url(path));
    if let Some(s) = session {
        request = request.header(COOKIE, &s.cookie);
    }
    request.send().await.expect("GET")
}

/// POSTs an urlencoded form with the session's cookies; `csrf` adds the hidden field.
async fn post_form(
    app: &TestApp,
    path: &str,
    session: &Session,
    csrf: bool,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut all: Vec<(&str, &str)> = fields.to_vec();
    if csrf {
        all.push(("csrf", &session.csrf));
    }
    app.client
        .post(app.url(path))
        .header(COOKIE, &session.cookie)
        .form(&all)
        .send()
        .await
        .expect("POST")
}

/// POSTs `multipart/form-data` as a browser does for a file input.
async fn post_file(
    app: &TestApp,
    path: &str,
    session: &Session,
    csrf: Option<&str>,
    file_name: &str,
    content: &[u8],
) -> reqwest::Response {
    let boundary = "----sipasTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    if let Some(csrf) = csrf {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    app.client
        .post(app.url(path))
        .header(COOKIE, &session.cookie)
        .header(
            CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .expect("POST multipart")
}

/// Scripts only from the service's own file, no inline style: the strict CSP holds.
fn assert_strict_page(body: &str) {
    for (at, _) in body.match_indices("<script") {
        let tag = &body[at..body[at..].find('>').map_or(body.len(), |end| at + end)];
        assert!(
            tag.contains("src=\"/static/sipas.js?v="),
            "only the service's own script: {tag}"
        );
    }
    assert!(!body.contains("<style"), "no inline style element");
    assert!(!body.contains(" style=\""), "no style attribute");
}

/// Every form that posts carries the CSRF field.
fn assert_forms_carry_csrf(page: &Page, csrf: &str) {
    for form in page.all("form[method=post]") {
        let field = form
            .select(&sel("input[type=hidden][name=csrf]"))
            .next()
            .unwrap_or_else(|| panic!("a csrf field in {}", form.html()));
        assert_eq!(attr(field, "value"), csrf);
    }
}
