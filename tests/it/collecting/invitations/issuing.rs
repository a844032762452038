//! Issuing invitations: what the admin gets, and the requests that are refused.

use super::*;

// ---------------------------------------------------------------------------------------------
// Issuing invitations
// ---------------------------------------------------------------------------------------------

async fn admin_issues_invitations(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let (status, body) = status_and_json(
        post_auth(
            &app,
            INVITATIONS,
            Some(&admin),
            &json!({"count": 3, "group": "dai_bieu_hdnd"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let issued = body["invitations"].as_array().expect("invitations");
    assert_eq!(issued.len(), 3);

    let mut tokens = BTreeSet::new();
    for invitation in issued {
        let token = invitation["token"].as_str().expect("token");
        assert_secret_token(token);
        let url = format!("{}/i/{token}", app.address);
        assert_eq!(invitation["url"], url.as_str());

        assert_qr_codes(invitation, &url);
        tokens.insert(token.to_string());
    }
    assert_eq!(tokens.len(), 3, "distinct tokens");

    // Stored: only the hashes, for this form and group, at the root unit, unused.
    let root = root_unit(&app).await;
    let rows = invitation_rows(&app);
    let expected: BTreeMap<String, (String, String, String, bool)> = tokens
        .iter()
        .map(|t| {
            (
                sha256_hex(t),
                (
                    DELEGATES.to_string(),
                    "dai_bieu_hdnd".to_string(),
                    root.clone(),
                    false,
                ),
            )
        })
        .collect();
    assert_eq!(rows, expected);
    let mut conn = raw_conn(&app);
    for column in table_columns(&mut conn, "invitations") {
        for value in column_values(&mut conn, "invitations", &column)
            .into_iter()
            .flatten()
        {
            for token in &tokens {
                assert!(
                    !value.contains(token.as_str()),
                    "the token is not stored ({column} = {value})"
                );
            }
        }
    }
    // Issued on a day, not at a time that could be matched with anything.
    let created: Vec<chrono::NaiveDateTime> = invitations::table
        .select(invitations::created_at)
        .load(&mut app.db())
        .unwrap();
    assert!(
        created.iter().all(|t| t.time() == chrono::NaiveTime::MIN),
        "{created:?}"
    );
}
both_backends!(admin_issues_invitations);

async fn invitation_requests_are_checked(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let post = |body: Value| {
        let app = &app;
        let admin = admin.clone();
        async move { post_auth(app, INVITATIONS, Some(&admin), &body).await }
    };

    for count in [0, 1001] {
        let body = expect_error(
            post(json!({"count": count, "group": "dai_bieu_hdnd"})).await,
            422,
            "validation_failed",
        )
        .await;
        let fields = field_errors(&body);
        assert_eq!(fields.len(), 1, "{body}");
        assert_eq!(fields[0].0, "count", "{body}");
    }
    for group in ["Đại biểu", "", "DAI_BIEU", "dai bieu", "can_bo_khac"] {
        let body = expect_error(
            post(json!({"count": 3, "group": group})).await,
            422,
            "validation_failed",
        )
        .await;
        let fields = field_errors(&body);
        assert_eq!(fields.len(), 1, "{group:?}: {body}");
        assert_eq!(fields[0].0, "group", "{body}");
    }
    // A group the form does not define: its own stable code.
    let body = expect_error(
        post(json!({"count": 3, "group": "can_bo_khac"})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        field_errors(&body),
        vec![("group".to_string(), "unknown_group".to_string())],
        "{body}"
    );
    assert!(
        sipas::store::invitations::stats(&mut app.db(), "khao-sat-dai-bieu")
            .unwrap()
            .is_empty(),
        "nothing issued"
    );
    expect_error(
        post(json!({"count": -1, "group": "x"})).await,
        400,
        "malformed_json",
    )
    .await;
    expect_error(
        post(json!({"count": 1, "group": "x", "used": true})).await,
        400,
        "malformed_json",
    )
    .await;
    expect_error(
        post(json!({"count": 1, "group": "dai_bieu_hdnd", "unit": "xa-khong-co"})).await,
        404,
        "unknown_unit",
    )
    .await;
    expect_error(
        post_auth(
            &app,
            "/api/v1/forms/khong-co-phieu/invitations",
            Some(&admin),
            &json!({"count": 1, "group": "dai_bieu_hdnd"}),
        )
        .await,
        404,
        "unknown_form",
    )
    .await;

    let valid = json!({"count": 1, "group": "dai_bieu_hdnd"});
    for role in [Role::Analyst, Role::Clerk] {
        let token = app.token_for(role).await;
        expect_error(
            post_auth(&app, INVITATIONS, Some(&token), &valid).await,
            403,
            "forbidden",
        )
        .await;
    }
    expect_error(
        post_auth(&app, INVITATIONS, None, &valid).await,
        401,
        "unauthenticated",
    )
    .await;

    assert!(invitation_rows(&app).is_empty(), "nothing issued");

    // The limits themselves are fine: 1 and 1000.
    assert_eq!(issue(&app, &admin, 1, "lanh_dao_xa").await.len(), 1);
    let many = issue(&app, &admin, 1000, "dai_bieu_hdnd").await;
    assert_eq!(many.iter().collect::<BTreeSet<_>>().len(), 1000);
    assert_eq!(invitation_rows(&app).len(), 1001);
}
both_backends!(invitation_requests_are_checked);
