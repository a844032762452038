//! Login and logout over the API and the pages: tokens, roles, expiry, and their audit records.

use super::*;

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
