//! Staff authentication over HTTP: login, roles, expiry, logout, cookies with CSRF, disabled
//! accounts (API.md, "HTTP: staff (login)").

use std::time::Duration;

use diesel::prelude::*;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, SET_COOKIE};
use serde_json::{json, Value};
use sipas::domain::Role;
use sipas::store::schema::users;

use crate::common::*;

mod accounts;
mod cookies;
mod login;
mod origins_and_hosts;

const LOGIN: &str = "/api/v1/auth/login";
const LOGOUT: &str = "/api/v1/auth/logout";

/// Creates a user of this role, logs in and returns the login body.
async fn login_as(app: &TestApp, username: &str, role: Role) -> Value {
    let password = app.create_user(username, role);
    let response = login(app, username, &password).await;
    assert_eq!(response.status(), 200, "login of {username}");
    response.json().await.expect("login body is JSON")
}

/// Stores one valid response and returns its id.
async fn stored_response(app: &TestApp) -> String {
    let response = app.submit(&valid_submission()).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let body: Value = response.json().await.unwrap();
    body["id"].as_str().expect("id").to_string()
}

/// The raw `Set-Cookie` headers of a response.
fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().expect("ASCII Set-Cookie").to_string())
        .collect()
}

/// The `Set-Cookie` header that sets `name`, if any.
fn cookie_header<'a>(cookies: &'a [String], name: &str) -> Option<&'a String> {
    cookies.iter().find(|c| c.starts_with(&format!("{name}=")))
}

/// The value a `Set-Cookie` header gives its cookie.
fn cookie_value(header: &str) -> &str {
    let pair = header.split(';').next().unwrap();
    pair.split_once('=').unwrap().1
}

/// Whether a `Set-Cookie` header carries this attribute (case-insensitive, exact attribute).
fn has_attribute(header: &str, attribute: &str) -> bool {
    header
        .split(';')
        .skip(1)
        .any(|a| a.trim().eq_ignore_ascii_case(attribute))
}

const KIOSKS: &str = "/api/v1/kiosks";

/// How many kiosks are registered (read with a bearer token).
async fn kiosk_count(app: &TestApp, bearer: &str) -> usize {
    let response = app.get_auth(KIOSKS, bearer).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body.as_array()
        .or_else(|| body["kiosks"].as_array())
        .expect("a list of kiosks")
        .len()
}

/// `POST /api/v1/kiosks` with cookies, an optional CSRF header and extra headers.
async fn register_with_cookies(
    app: &TestApp,
    cookies: &str,
    csrf: Option<&str>,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url(KIOSKS))
        .header(COOKIE, cookies)
        .json(&json!({"name": "Quầy 1", "unit": "phuoc-son"}));
    if let Some(csrf) = csrf {
        request = request.header("X-CSRF-Token", csrf);
    }
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    request.send().await.unwrap()
}
