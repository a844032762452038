//! Staff accounts over HTTP (admin): list, create, change role, disable, reset a password; the
//! rules that keep an admin in charge; sessions revoked at once; every change in the audit log.

use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use serde_json::{json, Value};
use sipas::domain::{Role, UserId};

use crate::common::*;

mod managing;
mod roles_and_passwords;

const USERS: &str = "/api/v1/users";

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    request.send().await.unwrap()
}

async fn create(app: &TestApp, admin: &str, body: &Value) -> reqwest::Response {
    send(app, reqwest::Method::POST, USERS, admin, Some(body)).await
}

async fn patch(app: &TestApp, admin: &str, id: &str, body: &Value) -> reqwest::Response {
    let path = format!("{USERS}/{id}");
    send(app, reqwest::Method::PATCH, &path, admin, Some(body)).await
}

async fn reset(app: &TestApp, admin: &str, id: &str, password: &str) -> reqwest::Response {
    let path = format!("{USERS}/{id}/password");
    let body = json!({"new_password": password});
    send(app, reqwest::Method::POST, &path, admin, Some(&body)).await
}

async fn list(app: &TestApp, admin: &str) -> Vec<Value> {
    let response = app.get_auth(USERS, admin).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Logs in; returns (token, csrf token).
async fn session(app: &TestApp, username: &str, password: &str) -> (String, String) {
    let response = login(app, username, password).await;
    assert_eq!(response.status(), 200, "login of {username}");
    let body: Value = response.json().await.unwrap();
    (
        body["token"].as_str().unwrap().to_string(),
        body["csrf_token"].as_str().unwrap().to_string(),
    )
}

/// A path only staff may read (200 with a valid token of any role, 401 without).
const WHOAMI_PROBE: &str = "/api/v1/users";

/// Whether the token still authenticates (403 for a non-admin still means "authenticated").
async fn token_works(app: &TestApp, token: &str) -> bool {
    match app.get_auth(WHOAMI_PROBE, token).await.status().as_u16() {
        200 | 403 => true,
        401 => false,
        other => panic!("unexpected status {other}"),
    }
}

fn user_by_name<'a>(users: &'a [Value], username: &str) -> &'a Value {
    users
        .iter()
        .find(|u| u["username"] == username)
        .unwrap_or_else(|| panic!("{username} in {users:?}"))
}

fn user_id_of(app: &TestApp, username: &str) -> String {
    sipas::store::users::find_by_username(&mut app.db(), username)
        .unwrap()
        .expect("the user exists")
        .id
}
