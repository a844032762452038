//! Staff sessions as a browser holds them: the login form, the session and CSRF cookies.

use reqwest::header::SET_COOKIE;
use sipas::domain::Role;

use super::{location, TestApp};

/// A browser session: the Cookie header and the CSRF token.
pub struct Session {
    pub cookie: String,
    pub csrf: String,
    /// Where the login sent the browser.
    pub landing: String,
    pub username: String,
}

/// The `name=value` of the response's `Set-Cookie` for `name`, with the whole header.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<(String, String)> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| {
            let pair = v.split(';').next().unwrap_or("").to_string();
            (pair, v.to_string())
        })
}

/// The `name=value` of the response's `Set-Cookie` for `name`; fails when there is none.
pub fn cookie_pair(response: &reqwest::Response, name: &str) -> String {
    set_cookie(response, name)
        .unwrap_or_else(|| panic!("{name} cookie"))
        .0
}

/// Posts the login form (`POST /login`); returns the raw response.
pub async fn login_form(app: &TestApp, username: &str, password: &str) -> reqwest::Response {
    app.client
        .post(app.url("/login"))
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .expect("POST /login")
}

/// Creates a user with this role and logs in through the login form.
pub async fn page_login(app: &TestApp, role: Role) -> Session {
    let username = format!(
        "{}-{}",
        role.as_str(),
        &uuid::Uuid::new_v4().simple().to_string()[..6]
    );
    let password = app.create_user(&username, role);
    let response = login_form(app, &username, &password).await;
    assert_eq!(response.status(), 303, "login");
    let session = cookie_pair(&response, "sipas_session");
    let csrf = cookie_pair(&response, "sipas_csrf");
    Session {
        cookie: format!("{session}; {csrf}"),
        csrf: csrf.split_once('=').unwrap().1.to_string(),
        landing: location(&response),
        username,
    }
}
