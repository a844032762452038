//! Cookie sessions: CSRF to change state, Secure behind TLS or when configured, CSRF tokens bound
//! to their session.

use super::*;

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
