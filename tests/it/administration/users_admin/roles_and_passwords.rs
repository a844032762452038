//! Role changes and disabling end sessions; admins cannot lock themselves out, also when
//! demoted concurrently; password resets.

use super::*;

async fn role_changes_and_disabling_revoke_sessions(app: TestApp) {
    let admin_password = app.create_user("quan-tri", Role::Admin);
    let (admin, _) = session(&app, "quan-tri", &admin_password).await;
    let password = app.create_user("hoa", Role::Analyst);
    let id = user_id_of(&app, "hoa");
    let (first, _) = session(&app, "hoa", &password).await;
    let (second, _) = session(&app, "hoa", &password).await;

    // Asking for what already holds changes nothing.
    let response = patch(
        &app,
        &admin,
        &id,
        &json!({"role": "analyst", "disabled": false}),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert!(
        token_works(&app, &first).await,
        "a no-op keeps the sessions"
    );

    let response = patch(&app, &admin, &id, &json!({"role": "clerk"})).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["role"], "clerk");
    assert_eq!(body["id"], id.as_str());
    assert!(!token_works(&app, &first).await, "revoked at once");
    assert!(!token_works(&app, &second).await, "every session");
    let (third, _) = session(&app, "hoa", &password).await;
    let body: Value = login(&app, "hoa", &password).await.json().await.unwrap();
    assert_eq!(body["role"], "clerk", "the new role holds");

    let response = patch(&app, &admin, &id, &json!({"disabled": true})).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["disabled"], true);
    assert!(!token_works(&app, &third).await);
    let refused = login(&app, "hoa", &password).await;
    expect_error(refused, 401, "invalid_credentials").await;
    assert_eq!(
        user_by_name(&list(&app, &admin).await, "hoa")["disabled"],
        true
    );

    let response = patch(&app, &admin, &id, &json!({"disabled": false})).await;
    assert_eq!(response.status(), 200);
    assert_eq!(login(&app, "hoa", &password).await.status(), 200);

    // Bad requests.
    let unknown = uuid::Uuid::new_v4().to_string();
    expect_error(
        patch(&app, &admin, &unknown, &json!({"role": "clerk"})).await,
        404,
        "not_found",
    )
    .await;
    expect_error(
        patch(&app, &admin, "not-a-user-id", &json!({"role": "clerk"})).await,
        404,
        "not_found",
    )
    .await;
    expect_error(
        reset(&app, &admin, &unknown, "Mật khẩu đủ dài 1").await,
        404,
        "not_found",
    )
    .await;
    let body = expect_error(
        patch(&app, &admin, &id, &json!({})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&body)[0].1, "nothing_to_change");
    for body in [
        json!({"role": "boss"}),
        json!({"disabled": "yes"}),
        json!({"username": "doi-ten"}),
    ] {
        expect_error(patch(&app, &admin, &id, &body).await, 400, "malformed_json").await;
    }

    let updates: Vec<Value> = audit_rows(&app)
        .iter()
        .filter(|r| r.action == "user.update")
        .map(|r| {
            assert_eq!(r.outcome, "ok");
            assert_eq!(r.actor.as_deref(), Some("quan-tri"));
            assert_eq!(r.role.as_deref(), Some("admin"));
            assert_eq!(r.target.as_deref(), Some("hoa"));
            assert!(r.address_hash.is_some());
            audit_detail(r)
        })
        .collect();
    assert_eq!(
        updates,
        [
            json!({"id": id, "role": {"from": "analyst", "to": "clerk"}, "sessions_revoked": 2}),
            json!({"id": id, "disabled": {"from": false, "to": true}, "sessions_revoked": 2}),
            json!({"id": id, "disabled": {"from": true, "to": false}, "sessions_revoked": 0}),
        ],
        "one record per change, none for the no-op"
    );
}
both_backends!(role_changes_and_disabling_revoke_sessions);

async fn admins_cannot_lock_themselves_out(app: TestApp) {
    let password = app.create_user("quan-tri", Role::Admin);
    let (admin, _) = session(&app, "quan-tri", &password).await;
    let me = user_id_of(&app, "quan-tri");
    for body in [
        json!({"disabled": true}),
        json!({"role": "analyst"}),
        json!({"role": "clerk", "disabled": true}),
    ] {
        let body = expect_error(patch(&app, &admin, &me, &body).await, 409, "own_account").await;
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("chính mình"));
    }
    // Re-stating one's own role and state is harmless.
    let response = patch(
        &app,
        &admin,
        &me,
        &json!({"role": "admin", "disabled": false}),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert!(token_works(&app, &admin).await);

    // With a second admin, each may demote the other — but not themselves.
    let other_password = app.create_user("quan-tri-2", Role::Admin);
    let other_id = user_id_of(&app, "quan-tri-2");
    let (other, _) = session(&app, "quan-tri-2", &other_password).await;
    expect_error(
        patch(&app, &other, &other_id, &json!({"role": "analyst"})).await,
        409,
        "own_account",
    )
    .await;
    let response = patch(&app, &other, &me, &json!({"role": "analyst"})).await;
    assert_eq!(response.status(), 200);
    assert!(
        !token_works(&app, &admin).await,
        "the demoted admin's session ended"
    );
    let (demoted, _) = session(&app, "quan-tri", &password).await;
    expect_error(
        patch(&app, &demoted, &other_id, &json!({"disabled": true})).await,
        403,
        "forbidden",
    )
    .await;

    let refusals: Vec<(String, Value)> = audit_rows(&app)
        .iter()
        .filter(|r| r.action == "user.update" && r.outcome == "denied")
        .map(|r| {
            (
                r.actor.clone().unwrap_or_default(),
                audit_detail(r)["reason"].clone(),
            )
        })
        .collect();
    assert_eq!(refusals.len(), 5, "{refusals:?}");
    assert_eq!(refusals[0], ("quan-tri".to_string(), json!("own_account")));
    assert_eq!(
        refusals[3],
        ("quan-tri-2".to_string(), json!("own_account"))
    );
    assert_eq!(
        refusals[4].1,
        Value::Null,
        "the refused role has no rule reason"
    );

    // The last enabled admin is kept even by a caller the API could not produce (a session
    // opened before the caller's own account changed): checked in the store transaction.
    let ghost = sipas::auth::Staff {
        id: UserId(uuid::Uuid::new_v4().to_string()),
        username: "ghost".into(),
        role: Role::Admin,
        token_hash: String::new(),
    };
    let entry = sipas::platform::audit::Entry::new("user.update")
        .by_name(&ghost.username)
        .with_role(Some(ghost.role.as_str()));
    for (role, disabled) in [(Some(Role::Clerk), None), (None, Some(true))] {
        let refused = sipas::auth::accounts::update_account(
            &mut app.db(),
            &ghost,
            &other_id,
            role,
            disabled,
            &entry,
        );
        assert!(
            matches!(refused, Err(sipas::auth::accounts::AccountError::LastAdmin)),
            "{refused:?}"
        );
    }
    // Nothing was left without an enabled admin.
    assert_eq!(
        sipas::store::users::count_enabled_admins(&mut app.db()).unwrap(),
        1
    );
    assert!(token_works(&app, &other).await);
}
both_backends!(admins_cannot_lock_themselves_out);

/// Two admins demote each other at the same moment: one wins, the other is refused, and an
/// enabled admin remains.
async fn concurrent_demotions_leave_an_admin(app: TestApp) {
    for round in 0..3 {
        let a_name = format!("admin-a-{round}");
        let b_name = format!("admin-b-{round}");
        let a_password = app.create_user(&a_name, Role::Admin);
        let b_password = app.create_user(&b_name, Role::Admin);
        let (a, _) = session(&app, &a_name, &a_password).await;
        let (b, _) = session(&app, &b_name, &b_password).await;
        let (a_id, b_id) = (user_id_of(&app, &a_name), user_id_of(&app, &b_name));
        // Every other admin of earlier rounds is demoted first, so these two are the only ones.
        let mut conn = app.db();
        for user in sipas::store::users::list(&mut conn).unwrap() {
            if user.role == "admin" && user.id != a_id && user.id != b_id {
                sipas::store::users::set_role_and_disabled(&mut conn, &user.id, "clerk", false)
                    .unwrap();
            }
        }
        let demote = json!({"role": "analyst"});
        let demote_b = patch(&app, &a, &b_id, &demote);
        let demote_a = patch(&app, &b, &a_id, &demote);
        let (ra, rb) = tokio::join!(demote_b, demote_a);
        let statuses = [ra.status().as_u16(), rb.status().as_u16()];
        assert!(
            statuses.contains(&200) && !statuses.iter().all(|s| *s == 200),
            "exactly one demotion wins: {statuses:?}"
        );
        for status in statuses {
            assert!(
                [200, 401, 409].contains(&status),
                "the loser is refused (last_admin) or already logged out: {statuses:?}"
            );
        }
        assert_eq!(
            sipas::store::users::count_enabled_admins(&mut conn).unwrap(),
            1
        );
    }
}
both_backends!(concurrent_demotions_leave_an_admin);

async fn admins_reset_passwords(app: TestApp) {
    let admin_password = app.create_user("quan-tri", Role::Admin);
    let (admin, admin_csrf) = session(&app, "quan-tri", &admin_password).await;
    let password = app.create_user("tuan", Role::Analyst);
    let id = user_id_of(&app, "tuan");
    let (token, _) = session(&app, "tuan", &password).await;

    let body = expect_error(
        reset(&app, &admin, &id, "ngan").await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        field_errors(&body),
        [("new_password".to_string(), "too_short".to_string())]
    );
    assert!(token_works(&app, &token).await);

    let response = reset(&app, &admin, &id, "Mật khẩu tạm thời 7").await;
    assert_eq!(response.status(), 204);
    assert!(
        response.headers().get(SET_COOKIE).is_none(),
        "the admin's own cookies stay"
    );
    assert!(
        !token_works(&app, &token).await,
        "the user's sessions ended"
    );
    assert_eq!(login(&app, "tuan", &password).await.status(), 401);
    assert_eq!(
        login(&app, "tuan", "Mật khẩu tạm thời 7").await.status(),
        200
    );
    assert!(token_works(&app, &admin).await);

    // Cookie-authenticated: the CSRF header is needed.
    let me = user_id_of(&app, "quan-tri");
    let path = format!("{USERS}/{me}/password");
    let cookies = format!("sipas_session={admin}; sipas_csrf={admin_csrf}");
    let without = app
        .client
        .post(app.url(&path))
        .header(COOKIE, &cookies)
        .json(&json!({"new_password": "Quản trị mới 2026"}))
        .send()
        .await
        .unwrap();
    expect_error(without, 403, "csrf_failed").await;
    // Resetting one's own password ends one's own sessions and removes the cookies.
    let response = app
        .client
        .post(app.url(&path))
        .header(COOKIE, &cookies)
        .header("X-CSRF-Token", &admin_csrf)
        .json(&json!({"new_password": "Quản trị mới 2026"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let removed: Vec<String> = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert!(
        removed.iter().any(|c| c.starts_with("sipas_session=;")),
        "{removed:?}"
    );
    assert!(!token_works(&app, &admin).await);
    assert_eq!(
        login(&app, "quan-tri", "Quản trị mới 2026").await.status(),
        200
    );

    let resets: Vec<_> = audit_rows(&app)
        .into_iter()
        .filter(|r| r.action == "user.password_reset")
        .collect();
    assert_eq!(resets.len(), 2);
    assert_eq!(resets[0].target.as_deref(), Some("tuan"));
    assert_eq!(resets[0].actor.as_deref(), Some("quan-tri"));
    assert_eq!(audit_detail(&resets[0])["sessions_revoked"], 1);
    assert_eq!(resets[1].target.as_deref(), Some("quan-tri"));
    for row in audit_rows(&app) {
        let text = format!("{row:?}");
        assert!(!text.contains("tạm thời") && !text.contains("Quản trị mới"));
    }
}
both_backends!(admins_reset_passwords);
