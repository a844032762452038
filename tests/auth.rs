//! Staff authentication over HTTP: login, roles, expiry, logout, cookies with CSRF, disabled
//! accounts (API.md, "HTTP: staff (login)").

mod common;

use std::time::Duration;

use diesel::prelude::*;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, SET_COOKIE};
use serde_json::{json, Value};
use sipas::domain::Role;
use sipas::store::schema::users;

use common::*;

const LOGIN: &str = "/api/v1/auth/login";
const LOGOUT: &str = "/api/v1/auth/logout";

/// Logs in; returns the raw response.
async fn login(app: &TestApp, username: &str, password: &str) -> reqwest::Response {
    app.post_json(LOGIN, &json!({"username": username, "password": password}))
        .await
}

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

async fn login_returns_token_role_and_cookies(app: TestApp) {
    let password = app.create_user("lan", Role::Analyst);
    let before = chrono::Utc::now();
    let response = login(&app, "lan", &password).await;
    assert_eq!(response.status(), 200);
    let cookies = set_cookies(&response);
    let body: Value = response.json().await.expect("JSON body");

    let token = body["token"].as_str().expect("token");
    assert!(token.len() >= 32, "a long random token: {token}");
    assert_eq!(body["role"], "analyst");
    let csrf = body["csrf_token"].as_str().expect("csrf_token");
    assert!(!csrf.is_empty());
    assert_ne!(csrf, token, "the CSRF token is not the session token");
    let expires_at = body["expires_at"].as_str().expect("expires_at");
    let expires_at = chrono::DateTime::parse_from_rfc3339(expires_at)
        .unwrap_or_else(|e| panic!("expires_at {expires_at} is not RFC 3339: {e}"));
    assert!(
        expires_at > before,
        "expires_at {expires_at} is in the future"
    );
    assert!(
        expires_at <= before + chrono::TimeDelta::seconds(3600 + 60),
        "expires_at {expires_at} follows session_seconds (1 h)"
    );

    let session = cookie_header(&cookies, "sipas_session")
        .unwrap_or_else(|| panic!("a sipas_session cookie in {cookies:?}"));
    assert_eq!(cookie_value(session), token, "the cookie carries the token");
    assert!(has_attribute(session, "HttpOnly"), "HttpOnly in {session}");
    assert!(
        has_attribute(session, "SameSite=Strict"),
        "SameSite=Strict in {session}"
    );
    let csrf_cookie = cookie_header(&cookies, "sipas_csrf")
        .unwrap_or_else(|| panic!("a sipas_csrf cookie in {cookies:?}"));
    assert_eq!(cookie_value(csrf_cookie), csrf);
    assert!(
        !has_attribute(csrf_cookie, "HttpOnly"),
        "scripts must be able to read the CSRF cookie: {csrf_cookie}"
    );
    assert!(has_attribute(csrf_cookie, "SameSite=Strict"));

    // The role is the user's own.
    let admin = login_as(&app, "quan-tri", Role::Admin).await;
    assert_eq!(admin["role"], "admin");
    let clerk = login_as(&app, "van-thu", Role::Clerk).await;
    assert_eq!(clerk["role"], "clerk");
}
both_backends!(login_returns_token_role_and_cookies);

async fn wrong_password_and_unknown_user_look_the_same(app: TestApp) {
    let password = app.create_user("minh", Role::Admin);
    let wrong = login(&app, "minh", &format!("{password}x")).await;
    assert_eq!(wrong.status(), 401);
    assert!(
        cookie_header(&set_cookies(&wrong), "sipas_session").is_none(),
        "no session cookie for a failed login"
    );
    let wrong = wrong.bytes().await.unwrap();
    let unknown = login(&app, "khong-ton-tai", &password).await;
    assert_eq!(unknown.status(), 401);
    let unknown = unknown.bytes().await.unwrap();
    assert_eq!(
        wrong, unknown,
        "the same body whether the user exists or not"
    );
    let body: Value = serde_json::from_slice(&wrong).unwrap();
    assert_eq!(body["error"]["code"], "invalid_credentials");
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    assert!(body["error"]["message_en"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
}
both_backends!(wrong_password_and_unknown_user_look_the_same);

async fn malformed_login_bodies_are_refused(app: TestApp) {
    let response = app
        .client
        .post(app.url(LOGIN))
        .header(CONTENT_TYPE, "application/json")
        .body(r#"{"username": "minh", "password": "#)
        .send()
        .await
        .unwrap();
    expect_error(response, 400, "malformed_json").await;

    // Valid JSON, wrong shape.
    let response = app.post_json(LOGIN, &json!({"username": "minh"})).await;
    expect_error(response, 400, "malformed_json").await;
    let response = app
        .post_json(LOGIN, &json!({"username": 5, "password": "0123456789abc"}))
        .await;
    expect_error(response, 400, "malformed_json").await;

    let response = app
        .client
        .post(app.url(LOGIN))
        .header(CONTENT_TYPE, "text/plain")
        .body(r#"{"username": "minh", "password": "0123456789abc"}"#)
        .send()
        .await
        .unwrap();
    expect_error(response, 415, "unsupported_media_type").await;
}
both_backends!(malformed_login_bodies_are_refused);

async fn reading_a_response_needs_analyst_or_admin(app: TestApp) {
    let id = stored_response(&app).await;
    let path = format!("/api/v1/responses/{id}");

    expect_error(app.get(&path).await, 401, "unauthenticated").await;

    let clerk = app.token_for(Role::Clerk).await;
    expect_error(app.get_auth(&path, &clerk).await, 403, "forbidden").await;

    for role in [Role::Analyst, Role::Admin] {
        let token = app.token_for(role).await;
        let response = app.get_auth(&path, &token).await;
        assert_eq!(response.status(), 200, "{role} may read responses");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["id"], id.as_str());
        assert_eq!(body["form"], "sipas-dich-vu");
        assert_eq!(body["unit"], "phuoc-son");
        assert_eq!(body["answers"]["TC1"], 5);
    }

    let analyst = app.token_for(Role::Analyst).await;
    let unknown = format!("/api/v1/responses/{}", uuid::Uuid::new_v4());
    expect_error(app.get_auth(&unknown, &analyst).await, 404, "not_found").await;

    let garbage = app.get_auth(&path, "not-a-real-token").await;
    expect_error(garbage, 401, "unauthenticated").await;
    let not_bearer = app
        .client
        .get(app.url(&path))
        .header(AUTHORIZATION, format!("Basic {analyst}"))
        .send()
        .await
        .unwrap();
    expect_error(not_bearer, 401, "unauthenticated").await;
}
both_backends!(reading_a_response_needs_analyst_or_admin);

async fn tokens_expire(app: TestApp) {
    let id = stored_response(&app).await;
    let path = format!("/api/v1/responses/{id}");
    let body = login_as(&app, "hoa", Role::Analyst).await;
    let token = body["token"].as_str().unwrap();
    let expires_at = chrono::DateTime::parse_from_rfc3339(body["expires_at"].as_str().unwrap())
        .expect("RFC 3339");
    assert!(
        expires_at <= chrono::Utc::now() + chrono::TimeDelta::seconds(2),
        "a 1 s session expires within 1 s: {expires_at}"
    );
    assert_eq!(
        app.get_auth(&path, token).await.status(),
        200,
        "the token works at once"
    );
    tokio::time::sleep(Duration::from_millis(2100)).await;
    expect_error(app.get_auth(&path, token).await, 401, "unauthenticated").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_expire_sqlite() {
    if let Some(app) = TestApp::spawn_with(Backend::Sqlite, |c| c.session_seconds = 1).await {
        tokens_expire(app).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_expire_postgres() {
    if let Some(app) = TestApp::spawn_with(Backend::Postgres, |c| c.session_seconds = 1).await {
        tokens_expire(app).await;
    }
}

async fn logout_revokes_the_token(app: TestApp) {
    let id = stored_response(&app).await;
    let path = format!("/api/v1/responses/{id}");
    let password = app.create_user("tuan", Role::Analyst);
    let first: Value = login(&app, "tuan", &password).await.json().await.unwrap();
    let second: Value = login(&app, "tuan", &password).await.json().await.unwrap();
    let token = first["token"].as_str().unwrap();
    let other = second["token"].as_str().unwrap();
    assert_ne!(token, other, "every login opens its own session");

    let response = app
        .client
        .post(app.url(LOGOUT))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let cookies = set_cookies(&response);
    let gone = cookie_header(&cookies, "sipas_session")
        .unwrap_or_else(|| panic!("logout removes the session cookie: {cookies:?}"));
    assert_eq!(cookie_value(gone), "", "removal cookie: {gone}");

    expect_error(app.get_auth(&path, token).await, 401, "unauthenticated").await;
    let again = app
        .client
        .post(app.url(LOGOUT))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    expect_error(again, 401, "unauthenticated").await;
    assert_eq!(
        app.get_auth(&path, other).await.status(),
        200,
        "the user's other session is not affected"
    );

    let anonymous = app.client.post(app.url(LOGOUT)).send().await.unwrap();
    expect_error(anonymous, 401, "unauthenticated").await;
}
both_backends!(logout_revokes_the_token);

async fn cookie_sessions_need_csrf_to_change_state(app: TestApp) {
    let id = stored_response(&app).await;
    let path = format!("/api/v1/responses/{id}");
    let body = login_as(&app, "thu", Role::Analyst).await;
    let token = body["token"].as_str().unwrap();
    let csrf = body["csrf_token"].as_str().unwrap();
    let session_cookie = format!("sipas_session={token}");
    let both_cookies = format!("sipas_session={token}; sipas_csrf={csrf}");

    // Reads need no CSRF token.
    let response = app
        .client
        .get(app.url(&path))
        .header(COOKIE, &session_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "the session cookie authenticates");
    let read: Value = response.json().await.unwrap();
    assert_eq!(read["id"], id.as_str());

    // Changes do.
    let response = app
        .client
        .post(app.url(LOGOUT))
        .header(COOKIE, &session_cookie)
        .send()
        .await
        .unwrap();
    expect_error(response, 403, "csrf_failed").await;
    let response = app
        .client
        .post(app.url(LOGOUT))
        .header(COOKIE, &both_cookies)
        .send()
        .await
        .unwrap();
    expect_error(response, 403, "csrf_failed").await;
    let response = app
        .client
        .post(app.url(LOGOUT))
        .header(COOKIE, &both_cookies)
        .header("X-CSRF-Token", format!("{csrf}0"))
        .send()
        .await
        .unwrap();
    expect_error(response, 403, "csrf_failed").await;
    // A header without the cookie to compare with is refused as well.
    let response = app
        .client
        .post(app.url(LOGOUT))
        .header(COOKIE, &session_cookie)
        .header("X-CSRF-Token", csrf)
        .send()
        .await
        .unwrap();
    expect_error(response, 403, "csrf_failed").await;
    assert_eq!(
        app.get_auth(&path, token).await.status(),
        200,
        "refused logouts did not end the session"
    );

    let response = app
        .client
        .post(app.url(LOGOUT))
        .header(COOKIE, &both_cookies)
        .header("X-CSRF-Token", csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let response = app
        .client
        .get(app.url(&path))
        .header(COOKIE, &session_cookie)
        .send()
        .await
        .unwrap();
    expect_error(response, 401, "unauthenticated").await;
}
both_backends!(cookie_sessions_need_csrf_to_change_state);

fn set_disabled(app: &TestApp, username: &str) {
    let changed = diesel::update(users::table.filter(users::username.eq(username)))
        .set(users::disabled.eq(true))
        .execute(&mut app.db())
        .expect("disable the user");
    assert_eq!(changed, 1);
}

async fn disabled_users_cannot_log_in(app: TestApp) {
    let id = stored_response(&app).await;
    let path = format!("/api/v1/responses/{id}");
    let password = app.create_user("khoa", Role::Admin);
    let body: Value = login(&app, "khoa", &password).await.json().await.unwrap();
    let token = body["token"].as_str().unwrap().to_string();
    assert_eq!(app.get_auth(&path, &token).await.status(), 200);

    set_disabled(&app, "khoa");

    let refused = login(&app, "khoa", &password).await;
    assert_eq!(refused.status(), 401);
    let refused = refused.bytes().await.unwrap();
    let unknown = login(&app, "khong-co-ai", &password)
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(
        refused, unknown,
        "a disabled account looks like an unknown one"
    );
    let refused: Value = serde_json::from_slice(&refused).unwrap();
    assert_eq!(refused["error"]["code"], "invalid_credentials");

    // A session opened before the account was disabled stops working too.
    expect_error(app.get_auth(&path, &token).await, 401, "unauthenticated").await;
}
both_backends!(disabled_users_cannot_log_in);
