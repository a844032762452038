//! Registering kiosks: the token, the link, who may, what is refused.

use super::*;

// ---------------------------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------------------------

async fn admin_registers_a_kiosk(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let body = register_kiosk(&app, &admin, "Quầy 1", "phuoc-son").await;

    let id = body["id"].as_str().expect("id");
    assert!(uuid::Uuid::parse_str(id).is_ok(), "id is a UUID: {id}");
    assert_eq!(body["name"], "Quầy 1");
    assert_eq!(body["unit"], "phuoc-son");
    assert!(body["revoked_at"].is_null(), "{body}");
    let token = body["token"].as_str().expect("token");
    assert_secret_token(token);
    let url = format!("{}/k/{token}", app.address);
    assert_eq!(body["url"], url.as_str());
    assert_qr_codes(&body, &url);

    // Stored: the SHA-256 of the token, never the token itself.
    let rows = kiosk_rows(&app);
    assert_eq!(
        rows,
        [(
            id.to_string(),
            "Quầy 1".to_string(),
            "phuoc-son".to_string(),
            sha256_hex(token),
            false
        )]
    );
    let (_, name, unit, hash, _) = &rows[0];
    for column in [id, name.as_str(), unit.as_str(), hash.as_str()] {
        assert!(!column.contains(token), "the token is not stored: {column}");
    }

    // Two kiosks get different tokens.
    let second = register_kiosk(&app, &admin, "Quầy 2", "phuoc-son").await;
    assert_ne!(second["token"], body["token"]);
    assert_ne!(second["id"], body["id"]);
    assert_eq!(kiosk_rows(&app).len(), 2);
}
both_backends!(admin_registers_a_kiosk);

async fn kiosk_list_hides_tokens(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let first = register_kiosk(&app, &admin, "Quầy 1", "phuoc-son").await;
    let second = register_kiosk(&app, &admin, "Quầy tiếp dân", "tt-dieu-tri").await;

    let response = app.get_auth("/api/v1/kiosks", &admin).await;
    assert_eq!(response.status(), 200);
    let list: Value = response.json().await.unwrap();
    let list = list.as_array().expect("an array of kiosks");
    assert_eq!(list.len(), 2, "{list:?}");
    let by_id: BTreeMap<String, &Value> = list
        .iter()
        .map(|k| (k["id"].as_str().unwrap().to_string(), k))
        .collect();
    for registered in [&first, &second] {
        let listed = by_id[registered["id"].as_str().unwrap()];
        assert_eq!(listed["name"], registered["name"]);
        assert_eq!(listed["unit"], registered["unit"]);
        assert!(listed["created_at"].is_string(), "{listed}");
        assert!(listed["revoked_at"].is_null(), "{listed}");
        for secret in ["token", "url", "qr_png", "qr_svg"] {
            assert!(
                listed.get(secret).is_none(),
                "{secret} is not shown again: {listed}"
            );
        }
        let text = listed.to_string();
        assert!(!text.contains(registered["token"].as_str().unwrap()));
    }
}
both_backends!(kiosk_list_hides_tokens);

async fn kiosk_administration_is_for_admins(app: TestApp) {
    let (_, id, _) = kiosk_of_phuoc_son(&app).await;
    let body = json!({"name": "Quầy 9", "unit": "phuoc-son"});
    let delete_path = format!("/api/v1/kiosks/{id}");
    for role in [Role::Analyst, Role::Clerk] {
        let token = app.token_for(role).await;
        expect_error(
            post_auth(&app, "/api/v1/kiosks", Some(&token), &body).await,
            403,
            "forbidden",
        )
        .await;
        expect_error(
            get_opt_auth(&app, "/api/v1/kiosks", Some(&token)).await,
            403,
            "forbidden",
        )
        .await;
        expect_error(
            delete_auth(&app, &delete_path, Some(&token)).await,
            403,
            "forbidden",
        )
        .await;
    }
    expect_error(
        post_auth(&app, "/api/v1/kiosks", None, &body).await,
        401,
        "unauthenticated",
    )
    .await;
    expect_error(
        get_opt_auth(&app, "/api/v1/kiosks", None).await,
        401,
        "unauthenticated",
    )
    .await;
    expect_error(
        delete_auth(&app, &delete_path, None).await,
        401,
        "unauthenticated",
    )
    .await;
    expect_error(
        get_opt_auth(&app, "/api/v1/kiosks", Some("not-a-session-token")).await,
        401,
        "unauthenticated",
    )
    .await;

    // Nothing changed: one kiosk, not revoked.
    let rows = kiosk_rows(&app);
    assert_eq!(rows.len(), 1);
    assert!(!rows[0].4, "not revoked");
}
both_backends!(kiosk_administration_is_for_admins);

async fn bad_kiosk_bodies_are_refused(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let post = |body: Value| {
        let app = &app;
        let admin = admin.clone();
        async move { post_auth(app, "/api/v1/kiosks", Some(&admin), &body).await }
    };

    expect_error(
        post(json!({"name": "Quầy 1", "unit": "phuoc-son", "token": "mine"})).await,
        400,
        "malformed_json",
    )
    .await;
    expect_error(post(json!({"name": "Quầy 1"})).await, 400, "malformed_json").await;

    for name in ["", "   "] {
        let body = expect_error(
            post(json!({"name": name, "unit": "phuoc-son"})).await,
            422,
            "validation_failed",
        )
        .await;
        let fields = field_errors(&body);
        assert_eq!(fields.len(), 1, "{body}");
        assert_eq!(fields[0].0, "name", "{body}");
    }
    let long: String = "Q".repeat(101);
    let body = expect_error(
        post(json!({"name": long, "unit": "phuoc-son"})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&body)[0].0, "name");

    expect_error(
        post(json!({"name": "Quầy 1", "unit": "xa-khong-co"})).await,
        404,
        "unknown_unit",
    )
    .await;

    assert!(kiosk_rows(&app).is_empty(), "no kiosk stored");
}
both_backends!(bad_kiosk_bodies_are_refused);
