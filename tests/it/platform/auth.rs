//! Staff authentication over HTTP: login, roles, expiry, logout, cookies with CSRF, disabled
//! accounts (API.md, "HTTP: staff (login)").

use crate::common;

use std::time::Duration;

use diesel::prelude::*;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, SET_COOKIE};
use serde_json::{json, Value};
use sipas::domain::Role;
use sipas::store::schema::users;

use common::*;

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
    // Another session's token (in the header and planted as the CSRF cookie) is refused.
    let other = login_as(&app, "thu-2", Role::Analyst).await;
    let other_csrf = other["csrf_token"].as_str().unwrap();
    assert_ne!(other_csrf, csrf);
    let response = app
        .client
        .post(app.url(LOGOUT))
        .header(
            COOKIE,
            format!("sipas_session={token}; sipas_csrf={other_csrf}"),
        )
        .header("X-CSRF-Token", other_csrf)
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

async fn change_password(
    app: &TestApp,
    token: &str,
    current: &str,
    new: &str,
) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/auth/password"))
        .bearer_auth(token)
        .json(&json!({"current_password": current, "new_password": new}))
        .send()
        .await
        .unwrap()
}

async fn password_change_revokes_every_session(app: TestApp) {
    let id = stored_response(&app).await;
    let path = format!("/api/v1/responses/{id}");
    let password = app.create_user("phuong", Role::Analyst);
    let first: Value = login(&app, "phuong", &password).await.json().await.unwrap();
    let second: Value = login(&app, "phuong", &password).await.json().await.unwrap();
    let token = first["token"].as_str().unwrap();
    let other = second["token"].as_str().unwrap();
    let new_password = "Một mật khẩu mới 2026";

    // Wrong current password: 422 naming that field only; nothing changes.
    let body = expect_error(
        change_password(&app, token, "not-the-password-1", new_password).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        field_errors(&body),
        [("current_password".to_string(), "wrong_password".to_string())]
    );
    // The policy, before anything else.
    for (weak, code) in [
        ("short-1", "too_short"),
        ("abcdefghijklmnop", "too_simple"),
        ("aaaaaaaaaaaa1", "too_simple"),
    ] {
        let body = expect_error(
            change_password(&app, token, &password, weak).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(
            field_errors(&body),
            [("new_password".to_string(), code.to_string())],
            "{weak}"
        );
    }
    let body = expect_error(
        change_password(&app, token, &password, &password).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        field_errors(&body),
        [("new_password".to_string(), "unchanged".to_string())]
    );
    // A body of the wrong shape.
    let response = app
        .client
        .post(app.url("/api/v1/auth/password"))
        .bearer_auth(token)
        .json(&json!({"new_password": new_password}))
        .send()
        .await
        .unwrap();
    expect_error(response, 400, "malformed_json").await;
    assert_eq!(app.get_auth(&path, token).await.status(), 200);
    assert_eq!(app.get_auth(&path, other).await.status(), 200);

    let response = change_password(&app, token, &password, new_password).await;
    assert_eq!(response.status(), 204);
    let cookies = set_cookies(&response);
    let gone = cookie_header(&cookies, "sipas_session")
        .unwrap_or_else(|| panic!("the session cookie is removed: {cookies:?}"));
    assert_eq!(cookie_value(gone), "");
    assert!(has_attribute(gone, "HttpOnly") && has_attribute(gone, "SameSite=Strict"));

    // Every session ended, this one included.
    expect_error(app.get_auth(&path, token).await, 401, "unauthenticated").await;
    expect_error(app.get_auth(&path, other).await, 401, "unauthenticated").await;
    assert_eq!(login(&app, "phuong", &password).await.status(), 401);
    assert_eq!(login(&app, "phuong", new_password).await.status(), 200);

    let rows = audit_rows(&app);
    let changes: Vec<_> = rows
        .iter()
        .filter(|r| r.action == "password.change")
        .collect();
    assert_eq!(changes.len(), 2, "one refusal, one change: {changes:?}");
    assert_eq!(changes[0].outcome, "denied");
    assert_eq!(audit_detail(changes[0])["reason"], "wrong_current_password");
    assert_eq!(changes[1].outcome, "ok");
    assert_eq!(changes[1].actor.as_deref(), Some("phuong"));
    assert_eq!(audit_detail(changes[1])["sessions_revoked"], 2);
    for row in &rows {
        let text = format!("{row:?}");
        assert!(
            !text.contains(new_password) && !text.contains(&password),
            "no password in the audit log: {text}"
        );
    }

    // Without a session: 401; with a cookie but no CSRF header: 403.
    let response = app
        .client
        .post(app.url("/api/v1/auth/password"))
        .json(&json!({"current_password": new_password, "new_password": "x"}))
        .send()
        .await
        .unwrap();
    expect_error(response, 401, "unauthenticated").await;
    let fresh: Value = login(&app, "phuong", new_password)
        .await
        .json()
        .await
        .unwrap();
    let response = app
        .client
        .post(app.url("/api/v1/auth/password"))
        .header(
            COOKIE,
            format!(
                "sipas_session={}; sipas_csrf={}",
                fresh["token"].as_str().unwrap(),
                fresh["csrf_token"].as_str().unwrap()
            ),
        )
        .json(&json!({"current_password": new_password, "new_password": "Khác hẳn 12345"}))
        .send()
        .await
        .unwrap();
    expect_error(response, 403, "csrf_failed").await;
}
both_backends!(password_change_revokes_every_session);

/// Login and logout answers' cookies, by whether they carry `Secure`.
async fn cookie_security(app: &TestApp, headers: &[(&str, &str)]) -> Vec<(String, bool)> {
    let password = format!("pw-{}-0123456789", "bao");
    if sipas::store::users::find_by_username(&mut app.db(), "bao")
        .unwrap()
        .is_none()
    {
        app.create_user("bao", Role::Analyst);
    }
    let mut request = app
        .client
        .post(app.url(LOGIN))
        .json(&json!({"username": "bao", "password": password}));
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    let mut out = Vec::new();
    let login_cookies = set_cookies(&response);
    let body: Value = response.json().await.unwrap();
    let mut request = app
        .client
        .post(app.url(LOGOUT))
        .bearer_auth(body["token"].as_str().unwrap());
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 204);
    for header in login_cookies.iter().chain(set_cookies(&response).iter()) {
        assert!(has_attribute(header, "SameSite=Strict"), "{header}");
        assert!(has_attribute(header, "Path=/"), "{header}");
        assert!(!header.to_ascii_lowercase().contains("domain="), "{header}");
        let secure = has_attribute(header, "Secure");
        // Secure cookies have `__Host-` names, the others the bare ones.
        assert_eq!(header.starts_with("__Host-"), secure, "{header}");
        let name = header.trim_start_matches("__Host-");
        if name.starts_with("sipas_session=") || name.starts_with("sipas_device=") {
            assert!(has_attribute(header, "HttpOnly"), "{header}");
        }
        out.push((header.clone(), secure));
    }
    assert_eq!(
        out.len(),
        5,
        "three cookies set (session, CSRF, device), two removed: {out:?}"
    );
    out
}

async fn cookies_are_secure_behind_tls(app: TestApp) {
    // Plain http on its own: not Secure (the browser would drop them).
    for (header, secure) in cookie_security(&app, &[]).await {
        assert!(!secure, "plain http: {header}");
    }
    // The request came over https (a TLS-terminating proxy says so).
    for (header, secure) in cookie_security(&app, &[("X-Forwarded-Proto", "https")]).await {
        assert!(secure, "https: {header}");
    }
    for (header, secure) in cookie_security(&app, &[("Forwarded", "proto=https")]).await {
        assert!(secure, "https: {header}");
    }
}
both_backends!(cookies_are_secure_behind_tls);

async fn cookies_are_secure_when_configured(app: TestApp) {
    for (header, secure) in cookie_security(&app, &[]).await {
        assert!(secure, "configured: {header}");
    }
    // The HTML login too.
    let response = app
        .client
        .post(app.url("/login"))
        .form(&[("username", "bao"), ("password", "pw-bao-0123456789")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let cookies = set_cookies(&response);
    assert_eq!(cookies.len(), 3);
    for header in &cookies {
        assert!(has_attribute(header, "Secure"), "{header}");
        assert!(has_attribute(header, "SameSite=Strict"), "{header}");
    }
    let session = cookie_header(&cookies, "__Host-sipas_session").unwrap();
    assert!(has_attribute(session, "HttpOnly"));
    let csrf = cookie_value(cookie_header(&cookies, "__Host-sipas_csrf").unwrap()).to_string();
    // Secure: a bare-named session cookie (which anyone could plant) is not read.
    let bare = format!("sipas_session={}", cookie_value(session));
    let response = app
        .client
        .post(app.url("/logout"))
        .header(COOKIE, &bare)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403, "no __Host- session: no session");
    let response = app
        .client
        .post(app.url("/logout"))
        .header(
            COOKIE,
            format!("__Host-sipas_session={}", cookie_value(session)),
        )
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let removed = set_cookies(&response);
    assert_eq!(removed.len(), 2, "{removed:?}");
    for header in &removed {
        assert!(has_attribute(header, "Secure"), "{header}");
        assert!(has_attribute(header, "SameSite=Strict"), "{header}");
        assert_eq!(cookie_value(header), "");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookies_are_secure_when_configured_sqlite() {
    if let Some(app) = TestApp::spawn_with(Backend::Sqlite, |c| c.secure_cookies = true).await {
        cookies_are_secure_when_configured(app).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookies_are_secure_when_configured_postgres() {
    if let Some(app) = TestApp::spawn_with(Backend::Postgres, |c| c.secure_cookies = true).await {
        cookies_are_secure_when_configured(app).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookies_are_secure_with_an_https_public_url_sqlite() {
    let https = |c: &mut sipas::platform::config::Config| {
        c.public_url = Some("https://khaosat.example.gov.vn".into())
    };
    if let Some(app) = TestApp::spawn_with(Backend::Sqlite, https).await {
        for (header, secure) in cookie_security(&app, &[]).await {
            assert!(secure, "public URL https: {header}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookies_are_secure_with_an_https_public_url_postgres() {
    let https = |c: &mut sipas::platform::config::Config| {
        c.public_url = Some("https://khaosat.example.gov.vn".into())
    };
    if let Some(app) = TestApp::spawn_with(Backend::Postgres, https).await {
        for (header, secure) in cookie_security(&app, &[]).await {
            assert!(secure, "public URL https: {header}");
        }
    }
}

async fn logins_and_logouts_are_audited(app: TestApp) {
    let password = app.create_user("linh", Role::Admin);
    assert_eq!(login(&app, "linh", "wrong-password-1").await.status(), 401);
    assert_eq!(login(&app, "ai-do", "wrong-password-1").await.status(), 401);
    // A name that cannot be stored as it is (NUL, very long) is still recorded, cleaned.
    let odd = format!("x\u{0}y{}", "z".repeat(200));
    assert_eq!(login(&app, &odd, "wrong-password-1").await.status(), 401);
    let body: Value = login(&app, "linh", &password).await.json().await.unwrap();
    let token = body["token"].as_str().unwrap();
    let response = app
        .client
        .post(app.url(LOGOUT))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);

    let rows: Vec<_> = audit_rows(&app)
        .into_iter()
        .filter(|r| r.action == "login" || r.action == "logout")
        .collect();
    let summary: Vec<(&str, Option<&str>, Option<&str>, &str)> = rows
        .iter()
        .map(|r| {
            (
                r.action.as_str(),
                r.actor.as_deref(),
                r.role.as_deref(),
                r.outcome.as_str(),
            )
        })
        .collect();
    let cleaned = format!("x\u{FFFD}y{}", "z".repeat(61));
    assert_eq!(
        summary,
        [
            ("login", Some("linh"), None, "denied"),
            ("login", Some("ai-do"), None, "denied"),
            ("login", Some(cleaned.as_str()), None, "denied"),
            ("login", Some("linh"), Some("admin"), "ok"),
            ("logout", Some("linh"), Some("admin"), "ok"),
        ]
    );
    for row in &rows {
        let hash = row.address_hash.as_deref().expect("an address hash");
        assert!(
            !hash.contains("127.0.0.1") && hash.len() == 32,
            "hashed: {hash}"
        );
        assert!(!format!("{row:?}").contains("wrong-password-1"));
    }
    assert_eq!(audit_detail(&rows[0])["reason"], "invalid_credentials");
    assert_eq!(
        audit_detail(&rows[0]),
        audit_detail(&rows[1]),
        "a wrong password and an unknown user are recorded alike"
    );
}
both_backends!(logins_and_logouts_are_audited);

async fn the_html_logout_is_audited(app: TestApp) {
    let password = app.create_user("nga", Role::Analyst);
    let response = app
        .client
        .post(app.url("/login"))
        .form(&[("username", "nga"), ("password", password.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let cookies = set_cookies(&response);
    let session = cookie_value(cookie_header(&cookies, "sipas_session").unwrap()).to_string();
    let csrf = cookie_value(cookie_header(&cookies, "sipas_csrf").unwrap()).to_string();
    let response = app
        .client
        .post(app.url("/logout"))
        .header(
            COOKIE,
            format!("sipas_session={session}; sipas_csrf={csrf}"),
        )
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    for header in set_cookies(&response) {
        assert_eq!(cookie_value(&header), "", "removed: {header}");
        assert!(has_attribute(&header, "SameSite=Strict"), "{header}");
        assert!(!has_attribute(&header, "Secure"), "plain http: {header}");
    }
    let actions: Vec<(String, String)> = audit_rows(&app)
        .into_iter()
        .map(|r| (r.action, r.outcome))
        .collect();
    assert_eq!(
        actions,
        [
            ("login".to_string(), "ok".to_string()),
            ("logout".to_string(), "ok".to_string())
        ]
    );
}
both_backends!(the_html_logout_is_audited);

async fn an_empty_csrf_cookie_proves_nothing(app: TestApp) {
    let body = login_as(&app, "dung", Role::Analyst).await;
    let token = body["token"].as_str().unwrap();
    let response = app
        .client
        .post(app.url(LOGOUT))
        .header(COOKIE, format!("sipas_session={token}; sipas_csrf="))
        .header("X-CSRF-Token", "")
        .send()
        .await
        .unwrap();
    expect_error(response, 403, "csrf_failed").await;
    let response = app
        .client
        .post(app.url("/api/v1/auth/password"))
        .header(COOKIE, format!("sipas_session={token}; sipas_csrf="))
        .header("X-CSRF-Token", "")
        .json(&json!({"current_password": "x", "new_password": "Mật khẩu mới 2026"}))
        .send()
        .await
        .unwrap();
    expect_error(response, 403, "csrf_failed").await;
}
both_backends!(an_empty_csrf_cookie_proves_nothing);

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

async fn csrf_tokens_are_bound_to_their_session(app: TestApp) {
    let admin = login_as(&app, "quan-tri", Role::Admin).await;
    let token = admin["token"].as_str().unwrap();
    let csrf = admin["csrf_token"].as_str().unwrap();
    // The attacker's own session gives a token that is valid — for that session only.
    let attacker = login_as(&app, "ke-gian", Role::Analyst).await;
    let planted = attacker["csrf_token"].as_str().unwrap();
    let cookies = format!("sipas_session={token}; sipas_csrf={planted}");
    let response = register_with_cookies(&app, &cookies, Some(planted), &[]).await;
    expect_error(response, 403, "csrf_failed").await;
    // A made-up value planted in the cookie and the header alike.
    let cookies = format!("sipas_session={token}; sipas_csrf=abcdef");
    let response = register_with_cookies(&app, &cookies, Some("abcdef"), &[]).await;
    expect_error(response, 403, "csrf_failed").await;
    // Two CSRF cookies (a planted one first): the session decides, not the cookie.
    let cookies = format!("sipas_csrf={planted}; sipas_session={token}; sipas_csrf={csrf}");
    let response = register_with_cookies(&app, &cookies, Some(planted), &[]).await;
    expect_error(response, 403, "csrf_failed").await;
    assert_eq!(kiosk_count(&app, token).await, 0, "nothing registered");
    // The session's own token works, with or without the cookie.
    let response =
        register_with_cookies(&app, &format!("sipas_session={token}"), Some(csrf), &[]).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    assert_eq!(kiosk_count(&app, token).await, 1);
    let again = login_as(&app, "quan-tri-2", Role::Admin).await;
    assert_ne!(
        again["csrf_token"], admin["csrf_token"],
        "one token per session"
    );
}
both_backends!(csrf_tokens_are_bound_to_their_session);

async fn cross_site_logins_and_changes_are_refused(app: TestApp) {
    let password = app.create_user("quan-tri", Role::Admin);
    let body = json!({"username": "quan-tri", "password": password});
    let login_with = |headers: Vec<(&'static str, String)>| {
        let mut request = app.client.post(app.url(LOGIN)).json(&body);
        for (k, v) in headers {
            request = request.header(k, v);
        }
        request.send()
    };
    // A login posted from another site (login CSRF) is refused before any password check.
    let response = login_with(vec![("Origin", "https://evil.example".into())])
        .await
        .unwrap();
    assert!(set_cookies(&response).is_empty());
    expect_error(response, 403, "cross_origin").await;
    // `Origin: null` (what browsers send under `Referrer-Policy: no-referrer`) defers to
    // `Sec-Fetch-Site`.
    let null_from = |site: &str| {
        vec![
            ("Origin", "null".to_string()),
            ("Sec-Fetch-Site", site.to_string()),
        ]
    };
    let response = login_with(null_from("cross-site")).await.unwrap();
    expect_error(response, 403, "cross_origin").await;
    let response = login_with(null_from("same-origin")).await.unwrap();
    assert_eq!(response.status(), 200);
    let response = login_with(vec![("Sec-Fetch-Site", "cross-site".into())])
        .await
        .unwrap();
    expect_error(response, 403, "cross_origin").await;
    let response = login_with(vec![("Sec-Fetch-Site", "same-site".into())])
        .await
        .unwrap();
    expect_error(response, 403, "cross_origin").await;
    // The service's own pages, and clients that send neither header, log in.
    let own = app.address.clone();
    let response = login_with(vec![("Origin", own.clone())]).await.unwrap();
    assert_eq!(response.status(), 200);
    let response = login_with(vec![("Sec-Fetch-Site", "same-origin".into())])
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let session: Value = login_with(vec![]).await.unwrap().json().await.unwrap();
    let token = session["token"].as_str().unwrap();
    let csrf = session["csrf_token"].as_str().unwrap();
    let cookies = format!("sipas_session={token}; sipas_csrf={csrf}");

    // A cookie-authenticated change from another site: refused even with the right token.
    for (k, v) in [
        ("Origin", "https://evil.example"),
        ("Sec-Fetch-Site", "cross-site"),
    ] {
        let response = register_with_cookies(&app, &cookies, Some(csrf), &[(k, v)]).await;
        expect_error(response, 403, "cross_origin").await;
    }
    assert_eq!(kiosk_count(&app, token).await, 0);
    let response = register_with_cookies(&app, &cookies, Some(csrf), &[("Origin", &own)]).await;
    assert_eq!(response.status(), 201);
    // Bearer tokens are not cookie-authenticated: no Origin or CSRF check.
    let response = app
        .client
        .post(app.url(KIOSKS))
        .bearer_auth(token)
        .header("Origin", "https://evil.example")
        .json(&json!({"name": "Quầy 2", "unit": "phuoc-son"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);

    // The HTML login and the admin pages' forms alike.
    let response = app
        .client
        .post(app.url("/login"))
        .header("Origin", "https://evil.example")
        .form(&[("username", "quan-tri"), ("password", password.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(
        set_cookies(&response).is_empty(),
        "no session for a cross-site login"
    );
    let page = response.text().await.unwrap();
    assert!(page.contains("trang web khác"), "{page}");
    let response = app
        .client
        .post(app.url("/admin/kiosks"))
        .header(COOKIE, &cookies)
        .header("Origin", "https://evil.example")
        .form(&[("csrf", csrf), ("name", "Quầy 3"), ("unit", "phuoc-son")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let response = app
        .client
        .post(app.url("/logout"))
        .header(COOKIE, &cookies)
        .header("Sec-Fetch-Site", "cross-site")
        .form(&[("csrf", csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(
        kiosk_count(&app, token).await,
        2,
        "only the two allowed registrations"
    );
    assert_eq!(
        app.get_auth(KIOSKS, token).await.status(),
        200,
        "still logged in"
    );
}
both_backends!(cross_site_logins_and_changes_are_refused);

async fn hosts_not_allowed_are_refused(app: TestApp) {
    use reqwest::header::HOST;
    let admin = app.token_for(Role::Admin).await;
    let register = |headers: Vec<(reqwest::header::HeaderName, &'static str)>| {
        let mut request = app
            .client
            .post(app.url(KIOSKS))
            .bearer_auth(&admin)
            .json(&json!({"name": "Quầy 1", "unit": "phuoc-son"}));
        for (k, v) in headers {
            request = request.header(k, v);
        }
        request.send()
    };
    let forwarded = reqwest::header::HeaderName::from_static("x-forwarded-host");
    for headers in [
        vec![(HOST, "evil.example")],
        vec![(HOST, "127.0.0.1:1")],
        vec![(forwarded.clone(), "evil.example")],
    ] {
        let response = register(headers).await.unwrap();
        let body = expect_error(response, 400, "host_not_allowed").await;
        assert!(!body.to_string().contains("/k/"), "no link: {body}");
    }
    assert_eq!(kiosk_count(&app, &admin).await, 0);
    // Pages too, in Vietnamese.
    let response = app
        .client
        .get(app.url("/"))
        .header(HOST, "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("không được cấu hình"));
    // The default hosts: the bind address, localhost, with the port.
    let localhost: &'static str = Box::leak(format!("localhost:{}", app.port).into_boxed_str());
    for headers in [vec![], vec![(HOST, localhost)]] {
        let expected = headers
            .first()
            .map_or(app.address.clone(), |(_, h)| format!("http://{h}"));
        let response = register(headers).await.unwrap();
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        let link = body.to_string();
        assert!(
            link.contains(&format!("{expected}/k/")),
            "{expected} in {link}"
        );
    }
}
both_backends!(hosts_not_allowed_are_refused);

async fn links_use_the_public_url_and_its_host_is_allowed(app: TestApp) {
    use reqwest::header::HOST;
    let admin = app.token_for(Role::Admin).await;
    for host in [None, Some("khaosat.example.gov.vn")] {
        let mut request = app
            .client
            .post(app.url(KIOSKS))
            .bearer_auth(&admin)
            .json(&json!({"name": "Quầy 1", "unit": "phuoc-son"}));
        if let Some(host) = host {
            request = request.header(HOST, host);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        let text = body.to_string();
        assert!(text.contains("https://khaosat.example.gov.vn/k/"), "{text}");
        assert!(!text.contains("127.0.0.1"), "{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_use_the_public_url_and_its_host_is_allowed_sqlite() {
    let public = |c: &mut sipas::platform::config::Config| {
        c.public_url = Some("https://khaosat.example.gov.vn".into())
    };
    if let Some(app) = TestApp::spawn_with(Backend::Sqlite, public).await {
        links_use_the_public_url_and_its_host_is_allowed(app).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_use_the_public_url_and_its_host_is_allowed_postgres() {
    let public = |c: &mut sipas::platform::config::Config| {
        c.public_url = Some("https://khaosat.example.gov.vn".into())
    };
    if let Some(app) = TestApp::spawn_with(Backend::Postgres, public).await {
        links_use_the_public_url_and_its_host_is_allowed(app).await;
    }
}
