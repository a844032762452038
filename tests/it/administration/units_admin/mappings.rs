//! Old → new unit mappings.

use super::*;

// ---------------------------------------------------------------------------------------------
// Mappings
// ---------------------------------------------------------------------------------------------

async fn mappings_are_checked(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let post = |body: Value| {
        let app = &app;
        let admin = admin.clone();
        async move { post_auth(app, MAPPINGS, Some(&admin), &body).await }
    };
    // Unknown codes; an old unit still open; a new one not yet open; the same unit.
    expect_fields(
        post(json!([{"old": "nowhere", "new": "elsewhere", "effective": "2025-07-01"}])).await,
        &[
            ("mappings[0].old", "unknown_unit"),
            ("mappings[0].new", "unknown_unit"),
        ],
    )
    .await;
    expect_fields(
        post(json!([{"old": "phuoc-son", "new": "phuoc-hiep", "effective": "2025-07-01"}])).await,
        &[("mappings[0].old", "old_not_closed")],
    )
    .await;
    expect_fields(
        post(json!([{"old": "phuoc-son", "new": "phuoc-son", "effective": "2025-07-01"}])).await,
        &[("mappings[0].new", "same_unit")],
    )
    .await;
    expect_error(post(json!({"old": "a"})).await, 400, "malformed_json").await;
    expect_fields(post(json!([])).await, &[("mappings", "required")]).await;

    // A merger: phuoc-son and phuoc-hiep close on 2025-07-01, xa-moi opens then.
    let created = post_auth(
        &app,
        UNITS,
        Some(&admin),
        &json!({"code": "xa-moi", "name": "Xã Mới", "level": "xa", "parent": "tuy-phuoc",
                "valid_from": "2025-07-01"}),
    )
    .await;
    assert_eq!(created.status(), 201);
    for code in ["phuoc-son", "phuoc-hiep"] {
        let r = patch(&app, Some(&admin), code, &json!({"valid_to": "2025-07-01"})).await;
        assert_eq!(r.status(), 204, "close {code}");
    }
    // Not open on the effective day; two successors for one unit.
    expect_fields(
        post(json!([{"old": "phuoc-son", "new": "xa-moi", "effective": "2025-06-30"}])).await,
        &[
            ("mappings[0].old", "old_not_closed"),
            ("mappings[0].new", "new_not_open"),
        ],
    )
    .await;
    expect_fields(
        post(json!([
            {"old": "phuoc-son", "new": "xa-moi", "effective": "2025-07-01"},
            {"old": "phuoc-son", "new": "phuoc-hiep", "effective": "2025-07-01"}
        ]))
        .await,
        &[("mappings[1].old", "duplicate")],
    )
    .await;
    assert!(mappings(&app).await.is_empty());

    let merger = json!([
        {"old": "phuoc-hiep", "new": "xa-moi", "effective": "2025-07-01"},
        {"old": "phuoc-son", "new": "xa-moi", "effective": "2025-07-01"}
    ]);
    let (status, body) = status_and_json(post(merger.clone()).await).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["created"], merger);
    assert_eq!(mappings(&app).await, merger.as_array().unwrap().clone());
    // Again: no change (200); another successor: refused.
    let (status, body) = status_and_json(post(merger.clone()).await).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["unchanged"], 2);
    expect_fields(
        post(json!([{"old": "phuoc-son", "new": "tuy-phuoc", "effective": "2025-07-01"}])).await,
        &[("mappings[0].old", "already_mapped")],
    )
    .await;
    // A mapped unit cannot be reopened, nor its successor start later.
    expect_fields(
        patch(&app, Some(&admin), "phuoc-son", &json!({"valid_to": null})).await,
        &[("valid_to", "breaks_mapping")],
    )
    .await;
    expect_fields(
        patch(
            &app,
            Some(&admin),
            "xa-moi",
            &json!({"valid_from": "2025-08-01"}),
        )
        .await,
        &[("valid_from", "breaks_mapping")],
    )
    .await;

    // A cycle: x → y → x (x and y both closed in 2020).
    for code in ["x", "y"] {
        let r = post_auth(
            &app,
            UNITS,
            Some(&admin),
            &json!({"code": code, "name": code, "level": "xa", "parent": "binh-dinh",
                    "valid_from": "2010-01-01"}),
        )
        .await;
        assert_eq!(r.status(), 201);
        let r = patch(&app, Some(&admin), code, &json!({"valid_to": "2020-01-01"})).await;
        assert_eq!(r.status(), 204);
    }
    expect_fields(
        post(json!([
            {"old": "x", "new": "y", "effective": "2020-01-01"},
            {"old": "y", "new": "x", "effective": "2020-01-01"}
        ]))
        .await,
        &[("mappings[0].new", "cycle"), ("mappings[1].new", "cycle")],
    )
    .await;
    assert_eq!(mappings(&app).await.len(), 2);

    // Only the successful request that created mappings… and the unchanged repeat are recorded.
    let rows = ok_audit_rows(&app, "unit_mapping.create");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].target.as_deref(), Some("phuoc-hiep,phuoc-son"));
    assert_eq!(rows[1].role.as_deref(), Some("admin"));
}
both_backends!(mappings_are_checked);

async fn the_routes_are_described(app: TestApp) {
    let (status, spec) = status_and_json(app.get("/api/v1/openapi.json").await).await;
    assert_eq!(status, 200);
    for (method, path) in [
        ("post", "/api/v1/units"),
        ("patch", "/api/v1/units/{code}"),
        ("post", "/api/v1/units/import"),
        ("post", "/api/v1/units/mappings"),
    ] {
        let op = &spec["paths"][path][method];
        assert_eq!(op["tags"], json!(["units"]), "{method} {path}");
        assert_eq!(op["security"], json!([{"bearer": []}]), "{method} {path}");
        for status in ["401", "403", "422"] {
            assert!(
                op["responses"][status].is_object(),
                "{method} {path} {status}"
            );
        }
    }
    let import = &spec["paths"]["/api/v1/units/import"]["post"]["requestBody"]["content"];
    assert!(
        import["application/json"].is_object() && import["text/csv"].is_object(),
        "{import}"
    );
    assert_eq!(
        spec["paths"]["/api/v1/units/mappings"]["get"]["tags"],
        json!(["units"])
    );
    // The report's query documents the tree.
    let params = spec["paths"]["/api/v1/reports/{form_id}"]["get"]["parameters"]
        .as_array()
        .unwrap();
    assert!(params
        .iter()
        .any(|p| p["name"] == "tree" && p["in"] == "query"));
}
both_backends!(the_routes_are_described);

async fn concurrent_changes_do_not_collide(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    // Eight creations at once, two of them of the same code: one wins, the other is told so.
    let codes = ["c-1", "c-2", "c-3", "c-4", "c-5", "c-6", "c-7", "c-7"];
    let bodies: Vec<Value> = codes
        .iter()
        .map(|code| {
            json!({"code": code, "name": code, "level": "xa", "parent": "binh-dinh",
                   "valid_from": "2025-01-01"})
        })
        .collect();
    let requests = bodies
        .iter()
        .map(|body| post_auth(&app, UNITS, Some(&admin), body));
    let mut statuses: Vec<u16> = futures::future::join_all(requests)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    statuses.sort();
    assert_eq!(statuses, [201, 201, 201, 201, 201, 201, 201, 409]);
    assert_eq!(ok_audit_rows(&app, "unit.create").len(), 7);
}
both_backends!(concurrent_changes_do_not_collide);
