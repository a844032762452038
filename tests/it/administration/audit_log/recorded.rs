//! What is recorded: reads of the log by admins only, downloads before the data leaves, refusals
//! as denied, kiosk and invitation changes without their tokens.

use super::*;

async fn only_admins_read_the_audit_log(app: TestApp) {
    let analyst = app.token_for(Role::Analyst).await;
    let clerk = app.token_for(Role::Clerk).await;
    let admin = app.token_for(Role::Admin).await;
    for path in ["/api/v1/audit", "/api/v1/audit.csv"] {
        expect_error(app.get(path).await, 401, "unauthenticated").await;
        expect_error(app.get_auth(path, &analyst).await, 403, "forbidden").await;
        expect_error(app.get_auth(path, &clerk).await, 403, "forbidden").await;
        assert_eq!(app.get_auth(path, &admin).await.status(), 200, "{path}");
    }
    // The refusals are themselves recorded.
    let denied = records(&app, &admin, "action=audit.read").await;
    assert_eq!(denied.len(), 2, "{denied:?}");
    for record in &denied {
        assert_eq!(record["outcome"], "denied");
        assert_eq!(record["detail"]["route"], "/api/v1/audit");
    }
    let roles: Vec<&str> = denied.iter().filter_map(|r| r["role"].as_str()).collect();
    assert_eq!(roles, ["clerk", "analyst"], "newest first");
}
both_backends!(only_admins_read_the_audit_log);

async fn downloads_are_recorded_before_the_data_leaves(app: TestApp) {
    let analyst_name = "lan-analyst";
    let password = app.create_user(analyst_name, Role::Analyst);
    let (status, login) = status_and_json(
        app.post_json(
            "/api/v1/auth/login",
            &json!({"username": analyst_name, "password": password}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{login}");
    let analyst = login["token"].as_str().unwrap().to_string();
    let clerk = app.token_for(Role::Clerk).await;
    let admin = app.token_for(Role::Admin).await;
    assert_eq!(app.submit(&valid_submission()).await.status(), 201);

    let response = app
        .get_auth(
            &format!(
                "/api/v1/exports/{FORM}.csv?unit=phuoc-son&from=2024-01-01&to=2030-01-01&labels=1"
            ),
            &analyst,
        )
        .await;
    assert_eq!(response.status(), 200);
    response.bytes().await.unwrap();
    let export = newest(&app, &admin, "export").await;
    assert_eq!(export["actor"], analyst_name);
    assert_eq!(export["role"], "analyst");
    assert_eq!(export["target"], FORM);
    assert_eq!(export["outcome"], "ok");
    for (key, value) in [
        ("format", json!("csv")),
        ("unit", json!("phuoc-son")),
        ("from", json!("2024-01-01")),
        ("to", json!("2030-01-01")),
        ("labels", json!(true)),
    ] {
        assert_eq!(
            export["detail"][key], value,
            "{key} in {}",
            export["detail"]
        );
    }
    assert_address_hash(&export);

    let response = app
        .get_auth(
            &format!("/api/v1/reports/{FORM}?group_by=unit&from=2024-01-01"),
            &analyst,
        )
        .await;
    assert_eq!(response.status(), 200);
    let report = newest(&app, &admin, "report").await;
    assert_eq!(report["actor"], analyst_name);
    assert_eq!(report["target"], FORM);
    assert_eq!(report["detail"]["group_by"], "unit");
    assert_eq!(report["detail"]["from"], "2024-01-01");

    let response = app
        .get_auth(
            &format!("/api/v1/reports/{FORM}/charts/elements.svg?width=800&height=600"),
            &analyst,
        )
        .await;
    assert_eq!(response.status(), 200);
    let chart = newest(&app, &admin, "chart").await;
    assert_eq!(chart["target"], FORM);
    assert_eq!(chart["detail"]["chart"], "elements.svg");
    assert_eq!(chart["detail"]["width"], 800);

    let response = app.get_auth("/api/v1/units/phuoc-son/qr.svg", &clerk).await;
    assert_eq!(response.status(), 200);
    let sheet = newest(&app, &admin, "qr_sheet").await;
    assert_eq!(sheet["role"], "clerk");
    assert_eq!(sheet["target"], "phuoc-son");
    assert_eq!(sheet["detail"], json!({"form": FORM, "format": "svg"}));

    // Newest first, each once.
    let all = records(&app, &admin, "limit=1000").await;
    let order: Vec<&str> = all
        .iter()
        .filter_map(|r| r["action"].as_str())
        .filter(|a| ["export", "report", "chart", "qr_sheet"].contains(a))
        .collect();
    assert_eq!(order, ["qr_sheet", "chart", "report", "export"]);
    let ids: Vec<i64> = all.iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");

    // Failed requests (unknown form, bad query) are not downloads.
    let before = all.len();
    app.get_auth("/api/v1/reports/khong-co", &analyst).await;
    app.get_auth(&format!("/api/v1/exports/{FORM}.csv?from=x"), &analyst)
        .await;
    let after = records(&app, &admin, "limit=1000").await;
    assert_eq!(after.len(), before, "no record of a refused query");
}
both_backends!(downloads_are_recorded_before_the_data_leaves);

async fn refused_roles_are_recorded_as_denied(app: TestApp) {
    let clerk = app.token_for(Role::Clerk).await;
    let analyst = app.token_for(Role::Analyst).await;
    let admin = app.token_for(Role::Admin).await;
    expect_error(
        app.get_auth(&format!("/api/v1/exports/{FORM}.csv"), &clerk)
            .await,
        403,
        "forbidden",
    )
    .await;
    expect_error(
        post_auth(
            &app,
            "/api/v1/kiosks",
            Some(&analyst),
            &json!({"name": "Quầy 1", "unit": "phuoc-son"}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let export = newest(&app, &admin, "export").await;
    assert_eq!(export["outcome"], "denied");
    assert_eq!(export["role"], "clerk");
    assert_eq!(export["detail"]["route"], "/api/v1/exports/{file}");
    let kiosk = newest(&app, &admin, "kiosk.create").await;
    assert_eq!(kiosk["outcome"], "denied");
    assert_eq!(kiosk["role"], "analyst");
    assert_eq!(kiosk["detail"]["method"], "POST");
}
both_backends!(refused_roles_are_recorded_as_denied);

async fn kiosk_and_invitation_changes_are_recorded_without_tokens(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let kiosk = register_kiosk(&app, &admin, "Quầy 1 – Phước Sơn", "phuoc-son").await;
    let (id, token) = (
        kiosk["id"].as_str().unwrap(),
        kiosk["token"].as_str().unwrap(),
    );
    let created = newest(&app, &admin, "kiosk.create").await;
    assert_eq!(created["target"], id);
    assert_eq!(created["outcome"], "ok");
    assert_eq!(created["role"], "admin");
    assert_eq!(created["detail"]["unit"], "phuoc-son");
    assert_eq!(created["detail"]["name"], "Quầy 1 – Phước Sơn");

    let path = format!("/api/v1/kiosks/{id}");
    assert_eq!(delete_auth(&app, &path, Some(&admin)).await.status(), 204);
    let revoked = newest(&app, &admin, "kiosk.revoke").await;
    assert_eq!(revoked["target"], id);
    assert_eq!(revoked["detail"]["unit"], "phuoc-son");
    assert_eq!(revoked["detail"]["already_revoked"], false);
    // An unknown kiosk: 404, nothing recorded.
    let unknown = format!("/api/v1/kiosks/{}", uuid::Uuid::new_v4());
    assert_eq!(
        delete_auth(&app, &unknown, Some(&admin)).await.status(),
        404
    );
    assert_eq!(records(&app, &admin, "action=kiosk.revoke").await.len(), 1);

    let (status, issued) = status_and_json(
        post_auth(
            &app,
            "/api/v1/forms/khao-sat-dai-bieu/invitations",
            Some(&admin),
            &json!({"count": 3, "group": "dai_bieu_hdnd"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{issued}");
    let invitations = newest(&app, &admin, "invitations.create").await;
    assert_eq!(invitations["target"], "khao-sat-dai-bieu");
    assert_eq!(invitations["detail"]["group"], "dai_bieu_hdnd");
    assert_eq!(invitations["detail"]["count"], 3);

    // No token anywhere in the log, in JSON or CSV.
    let everything = app
        .get_auth("/api/v1/audit?limit=1000", &admin)
        .await
        .text()
        .await
        .unwrap();
    let csv = app
        .get_auth("/api/v1/audit.csv", &admin)
        .await
        .text()
        .await
        .unwrap();
    let mut secrets = vec![token.to_string()];
    for invitation in issued["invitations"].as_array().unwrap() {
        secrets.push(invitation["token"].as_str().unwrap().to_string());
    }
    for secret in &secrets {
        assert!(!everything.contains(secret.as_str()), "a token in the log");
        assert!(!csv.contains(secret.as_str()), "a token in the CSV");
    }
}
both_backends!(kiosk_and_invitation_changes_are_recorded_without_tokens);
