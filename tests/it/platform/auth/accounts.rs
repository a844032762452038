//! Disabled accounts, and a password change that ends every session.

use super::*;

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
