//! One unit at a time: create, rename, move, close, each with its audit record.

use super::*;

// ---------------------------------------------------------------------------------------------
// One unit at a time
// ---------------------------------------------------------------------------------------------

async fn create_rename_move_and_close_a_unit(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let created = post_auth(
        &app,
        UNITS,
        Some(&admin),
        &json!({"code": "xa-moi", "name": "  Xã Mới ", "level": "xa", "parent": "tuy-phuoc",
                "valid_from": "2025-01-01"}),
    )
    .await;
    let (status, body) = status_and_json(created).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        body,
        json!({"code": "xa-moi", "name": "Xã Mới", "level": "xa", "parent": "tuy-phuoc",
               "valid_from": "2025-01-01", "valid_to": null})
    );
    assert_eq!(unit(&app, "xa-moi").await, body);

    // A code is never reused.
    let again = post_auth(
        &app,
        UNITS,
        Some(&admin),
        &json!({"code": "xa-moi", "name": "Khác", "level": "xa", "parent": "binh-dinh"}),
    )
    .await;
    expect_error(again, 409, "unit_exists").await;

    // Without valid_from: from today (local date).
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
        .date_naive()
        .to_string();
    let (status, body) = status_and_json(
        post_auth(
            &app,
            UNITS,
            Some(&admin),
            &json!({"code": "mot-cua-moi", "name": "Một cửa mới", "level": "mot_cua", "parent": "binh-dinh"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["valid_from"], today);

    // Population, then a rename (decomposed Vietnamese, stored NFC) that keeps it.
    assert_eq!(
        patch(&app, Some(&admin), "xa-moi", &json!({"population": 1200}))
            .await
            .status(),
        204
    );
    let decomposed = "Xa\u{300} Mo\u{31b}\u{301}i";
    assert_eq!(
        patch(&app, Some(&admin), "xa-moi", &json!({"name": decomposed}))
            .await
            .status(),
        204
    );
    let u = unit(&app, "xa-moi").await;
    assert_eq!(u["name"], "Xà Mới");
    assert_eq!(u["population"], 1200);

    // Move, then close (valid_to is the first day it no longer exists).
    assert_eq!(
        patch(
            &app,
            Some(&admin),
            "xa-moi",
            &json!({"parent": "binh-dinh"})
        )
        .await
        .status(),
        204
    );
    assert_eq!(
        patch(
            &app,
            Some(&admin),
            "xa-moi",
            &json!({"valid_to": "2025-07-01"})
        )
        .await
        .status(),
        204
    );
    let u = unit(&app, "xa-moi").await;
    assert_eq!(u["parent"], "binh-dinh");
    assert_eq!(u["valid_to"], "2025-07-01");
    assert_eq!(u["population"], 1200);
    // Reopen with null; clear the population with null.
    assert_eq!(
        patch(
            &app,
            Some(&admin),
            "xa-moi",
            &json!({"valid_to": null, "population": null})
        )
        .await
        .status(),
        204
    );
    let u = unit(&app, "xa-moi").await;
    assert!(
        u["valid_to"].is_null() && u.get("population").is_none(),
        "{u}"
    );

    // Unknown unit; bad bodies.
    expect_error(
        patch(&app, Some(&admin), "nowhere", &json!({"name": "X"})).await,
        404,
        "unknown_unit",
    )
    .await;
    expect_error(
        patch(&app, Some(&admin), "xa-moi", &json!({"code": "other"})).await,
        400,
        "malformed_json",
    )
    .await;

    // Every change was recorded, by an admin, with what changed.
    let creates = ok_audit_rows(&app, "unit.create");
    assert_eq!(creates.len(), 2);
    assert!(creates
        .iter()
        .all(|r| r.role.as_deref() == Some("admin") && r.actor.is_some()));
    let first: Value = serde_json::from_str(creates[1].detail.as_deref().unwrap()).unwrap();
    assert_eq!(creates[1].target.as_deref(), Some("xa-moi"));
    assert_eq!(first["parent"], "tuy-phuoc");
    let updates = ok_audit_rows(&app, "unit.update");
    assert_eq!(updates.len(), 5, "population, rename, move, close, reopen");
    let rename: Value = serde_json::from_str(updates[3].detail.as_deref().unwrap()).unwrap();
    assert_eq!(rename["before"]["name"], "Xã Mới");
    assert_eq!(rename["after"]["name"], "Xà Mới");
}
both_backends!(create_rename_move_and_close_a_unit);

async fn a_new_unit_is_checked(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let before = tree(&app).await;
    let response = post_auth(
        &app,
        UNITS,
        Some(&admin),
        &json!({"code": "Xã Mới", "name": " ", "level": "thon", "parent": "nowhere",
                "valid_from": "2025-01-01"}),
    )
    .await;
    expect_fields(
        response,
        &[
            ("code", "invalid_code"),
            ("name", "required"),
            ("level", "unknown_level"),
        ],
    )
    .await;
    let response = post_auth(
        &app,
        UNITS,
        Some(&admin),
        &json!({"code": "xa-moi", "name": "Xã Mới", "level": "xa", "parent": "nowhere"}),
    )
    .await;
    expect_fields(response, &[("parent", "unknown_unit")]).await;
    // The parent must exist on valid_from.
    let (status, _) = status_and_json(
        post_auth(
            &app,
            UNITS,
            Some(&admin),
            &json!({"code": "huyen-moi", "name": "Huyện Mới", "level": "huyen",
                    "parent": "binh-dinh", "valid_from": "2025-01-01"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201);
    let response = post_auth(
        &app,
        UNITS,
        Some(&admin),
        &json!({"code": "xa-cu", "name": "Xã Cũ", "level": "xa", "parent": "huyen-moi",
                "valid_from": "2024-01-01"}),
    )
    .await;
    let body = expect_fields(response, &[("parent", "parent_not_open")]).await;
    assert!(message_of(&body, "parent").contains("2024-01-01"), "{body}");
    // Not JSON, or unknown fields.
    expect_error(
        post_auth(
            &app,
            UNITS,
            Some(&admin),
            &json!({"code": "a", "name": "A", "level": "xa", "colour": "red"}),
        )
        .await,
        400,
        "malformed_json",
    )
    .await;
    let after: Vec<Value> = tree(&app)
        .await
        .into_iter()
        .filter(|u| u["code"] != "huyen-moi")
        .collect();
    assert_eq!(after, before, "nothing else was stored");
}
both_backends!(a_new_unit_is_checked);

async fn closing_and_moving_are_checked(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let clerk = app.token_for(Role::Clerk).await;
    let before = tree(&app).await;

    // A unit with open children cannot be closed…
    let body = expect_fields(
        patch(
            &app,
            Some(&admin),
            "tuy-phuoc",
            &json!({"valid_to": "2025-07-01"}),
        )
        .await,
        &[("valid_to", "open_children")],
    )
    .await;
    assert!(
        message_of(&body, "valid_to").contains("phuoc-son"),
        "{body}"
    );
    // …nor end before it begins, nor move under its own descendant or itself.
    expect_fields(
        patch(
            &app,
            Some(&admin),
            "phuoc-son",
            &json!({"valid_to": "1999-01-01"}),
        )
        .await,
        &[("valid_to", "before_valid_from")],
    )
    .await;
    expect_fields(
        patch(
            &app,
            Some(&admin),
            "tuy-phuoc",
            &json!({"parent": "phuoc-son"}),
        )
        .await,
        &[("parent", "cycle")],
    )
    .await;
    expect_fields(
        patch(
            &app,
            Some(&admin),
            "tuy-phuoc",
            &json!({"parent": "tuy-phuoc"}),
        )
        .await,
        &[("parent", "cycle")],
    )
    .await;
    expect_fields(
        patch(
            &app,
            Some(&admin),
            "phuoc-son",
            &json!({"parent": "nowhere"}),
        )
        .await,
        &[("parent", "unknown_unit")],
    )
    .await;
    expect_fields(
        patch(&app, Some(&admin), "phuoc-son", &json!({"population": 0})).await,
        &[("population", "out_of_range")],
    )
    .await;

    // Responses keep their unit: its validity must still cover them.
    let answer = json!({
        "client_id": new_client_id(), "unit": "phuoc-son", "channel": "paper",
        "submitted_at": "2024-05-02T09:30:00+07:00", "answers": full_answers(),
    });
    let (status, body) = status_and_json(
        post_auth(
            &app,
            "/api/v1/forms/sipas-dich-vu/responses",
            Some(&clerk),
            &answer,
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    expect_fields(
        patch(
            &app,
            Some(&admin),
            "phuoc-son",
            &json!({"valid_to": "2024-05-02"}),
        )
        .await,
        &[("valid_to", "responses_after")],
    )
    .await;
    expect_fields(
        patch(
            &app,
            Some(&admin),
            "phuoc-son",
            &json!({"valid_from": "2024-05-03"}),
        )
        .await,
        &[("valid_from", "responses_before")],
    )
    .await;
    assert_eq!(tree(&app).await, before, "nothing changed");
    assert!(ok_audit_rows(&app, "unit.update").is_empty());

    // The day after its last response, it can close.
    assert_eq!(
        patch(
            &app,
            Some(&admin),
            "phuoc-son",
            &json!({"valid_to": "2024-05-03"})
        )
        .await
        .status(),
        204
    );
    assert_eq!(unit(&app, "phuoc-son").await["valid_to"], "2024-05-03");
}
both_backends!(closing_and_moving_are_checked);
