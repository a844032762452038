//! Importing a tree from CSV or JSON: idempotent, all or nothing.

use super::*;

// ---------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------

/// A new district with a commune listed before it, a rename (quoted, with a comma), and a commune
/// closed and taken over by a new one (`replaces`).
const CSV_TREE: &str = "\u{feff}code,name,level,parent,valid_from,valid_to,replaces\r\n\
nhon-hung,Xã Nhơn Hưng,xa,an-nhon,2000-01-01,,\r\n\
an-nhon,Thị xã An Nhơn,huyen,binh-dinh,2000-01-01,,\r\n\
phuoc-nghia,Xã Phước Nghĩa,xa,tuy-phuoc,2000-01-01,2025-07-01,\r\n\
phuoc-loc,\"Xã Phước Lộc, huyện Tuy Phước\",xa,tuy-phuoc,2000-01-01,,\r\n\
\r\n\
nghia-loc,Xã Nghĩa Lộc,xa,tuy-phuoc,2025-07-01,,phuoc-nghia\r\n";

async fn a_csv_tree_is_imported_once(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let (status, body) = status_and_json(import_csv(&app, &admin, CSV_TREE).await).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["created"],
        json!(["an-nhon", "nghia-loc", "nhon-hung"])
    );
    assert_eq!(body["updated"], json!(["phuoc-nghia", "phuoc-loc"]));
    assert_eq!(body["unchanged"], 0);
    assert_eq!(
        body["mappings_created"],
        json!([{"old": "phuoc-nghia", "new": "nghia-loc", "effective": "2025-07-01"}])
    );
    assert_eq!(unit(&app, "nhon-hung").await["parent"], "an-nhon");
    assert_eq!(
        unit(&app, "phuoc-loc").await["name"],
        "Xã Phước Lộc, huyện Tuy Phước"
    );
    assert_eq!(unit(&app, "phuoc-nghia").await["valid_to"], "2025-07-01");
    assert_eq!(mappings(&app).await.len(), 1);

    // The same file again changes nothing.
    let (units_before, mappings_before) = (tree(&app).await, mappings(&app).await);
    let (status, body) = status_and_json(import_csv(&app, &admin, CSV_TREE).await).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["created"], json!([]));
    assert_eq!(body["updated"], json!([]));
    assert_eq!(body["unchanged"], 5);
    assert_eq!(body["mappings_created"], json!([]));
    assert_eq!(body["mappings_unchanged"], 1);
    assert_eq!(tree(&app).await, units_before);
    assert_eq!(mappings(&app).await, mappings_before);

    // Both imports are in the audit log, with what they did.
    let rows = ok_audit_rows(&app, "units.import");
    assert_eq!(rows.len(), 2);
    let first: Value = serde_json::from_str(rows[1].detail.as_deref().unwrap()).unwrap();
    assert_eq!(first["format"], "csv");
    assert_eq!(
        first["created"],
        json!(["an-nhon", "nghia-loc", "nhon-hung"])
    );
}
both_backends!(a_csv_tree_is_imported_once);

async fn a_json_tree_is_imported_once(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let tree_json = json!({
        "units": [
            {"code": "tuy-phuoc", "name": "Huyện Tuy Phước", "level": "huyen", "parent": "binh-dinh",
             "valid_from": "2000-01-01", "valid_to": "2025-07-01"},
            {"code": "tuy-phuoc-mc", "name": "Bộ phận Một cửa huyện Tuy Phước", "level": "mot_cua",
             "parent": "tuy-phuoc", "valid_from": "2000-01-01", "valid_to": "2025-07-01"},
            {"code": "xa-tuy-phuoc", "name": "Xã Tuy Phước", "level": "xa", "parent": "binh-dinh",
             "valid_from": "2025-07-01"}
        ]
    });
    let mut full = tree_json.clone();
    let communes = [
        "tt-tuy-phuoc",
        "tt-dieu-tri",
        "phuoc-thang",
        "phuoc-hung",
        "phuoc-quang",
        "phuoc-hoa",
        "phuoc-son",
        "phuoc-hiep",
        "phuoc-loc",
        "phuoc-nghia",
        "phuoc-thuan",
        "phuoc-an",
        "phuoc-thanh",
    ];
    let names: std::collections::HashMap<String, Value> = tree(&app)
        .await
        .into_iter()
        .map(|u| (u["code"].as_str().unwrap().to_string(), u["name"].clone()))
        .collect();
    let mut mapping_list = Vec::new();
    for code in communes {
        full["units"].as_array_mut().unwrap().push(json!({
            "code": code, "name": names[code], "level": "xa", "parent": "tuy-phuoc",
            "valid_from": "2000-01-01", "valid_to": "2025-07-01"
        }));
        mapping_list.push(json!({"old": code, "new": "xa-tuy-phuoc", "effective": "2025-07-01"}));
    }
    full["mappings"] = Value::Array(mapping_list);

    // Closing the district alone leaves its communes open: refused, nothing written.
    let before = tree(&app).await;
    let body = expect_fields(
        post_auth(&app, IMPORT, Some(&admin), &tree_json).await,
        &[("units[0].valid_to", "open_children")],
    )
    .await;
    assert!(message_of(&body, "units[0].valid_to").contains("phuoc-son"));
    assert_eq!(tree(&app).await, before);

    let (status, body) = status_and_json(post_auth(&app, IMPORT, Some(&admin), &full).await).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["created"], json!(["xa-tuy-phuoc"]));
    assert_eq!(body["updated"].as_array().unwrap().len(), 15);
    assert_eq!(body["mappings_created"].as_array().unwrap().len(), 13);
    let after = tree(&app).await;
    assert_eq!(after.len(), before.len() + 1, "nothing deleted");
    assert!(after
        .iter()
        .filter(|u| u["parent"] == "tuy-phuoc")
        .all(|u| u["valid_to"] == "2025-07-01"));

    let (status, body) = status_and_json(post_auth(&app, IMPORT, Some(&admin), &full).await).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["created"], json!([]));
    assert_eq!(body["updated"], json!([]));
    assert_eq!(body["unchanged"], 16);
    assert_eq!(body["mappings_unchanged"], 13);
    assert_eq!(tree(&app).await, after);
    let rows = ok_audit_rows(&app, "units.import");
    assert_eq!(rows.len(), 2);
    assert_eq!(
        serde_json::from_str::<Value>(rows[0].detail.as_deref().unwrap()).unwrap()["format"],
        "json"
    );
}
both_backends!(a_json_tree_is_imported_once);

async fn an_import_with_errors_changes_nothing(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let before = tree(&app).await;

    // Problems of form: every one, with the line.
    let csv = "code,name,level,parent,valid_from,valid_to\n\
        good,Xã Tốt,xa,binh-dinh,2025-01-01,\n\
        bad-date,Xã Ngày,xa,binh-dinh,2025-02-30,\n\
        short,Xã Thiếu,xa\n";
    let body = expect_fields(
        import_csv(&app, &admin, csv).await,
        &[
            ("units[1].valid_from", "invalid_date"),
            ("units[2]", "bad_row"),
        ],
    )
    .await;
    assert!(message_of(&body, "units[2]").contains("Line 4"), "{body}");
    expect_fields(
        import_csv(&app, &admin, "code,name,level\n").await,
        &[("header", "missing_column")],
    )
    .await;

    // Problems of the tree: every one, nothing written (not even the good rows).
    let csv = "code,name,level,parent,valid_from,valid_to,replaces\n\
        good,Xã Tốt,xa,binh-dinh,2025-01-01,,\n\
        orphan,Xã Mồ Côi,xa,nowhere,2025-01-01,,\n\
        Bad Code,Xã Sai,xa,binh-dinh,2025-01-01,,\n\
        tuy-phuoc,Huyện Tuy Phước,huyen,binh-dinh,2000-01-01,2025-07-01,\n\
        odd,Xã Lạ,thon,binh-dinh,2025-01-01,2024-01-01,\n\
        taker,Xã Nhận,xa,binh-dinh,2025-01-01,,phuoc-son;nowhere\n\
        good,Xã Tốt Lần Hai,xa,binh-dinh,2025-01-01,,\n";
    expect_fields(
        import_csv(&app, &admin, csv).await,
        &[
            ("units[1].parent", "unknown_unit"),
            ("units[2].code", "invalid_code"),
            ("units[3].valid_to", "open_children"),
            ("units[4].level", "unknown_level"),
            ("units[4].valid_to", "before_valid_from"),
            ("units[5].replaces", "old_not_closed"),
            ("units[5].replaces", "unknown_unit"),
            ("units[6].code", "duplicate"),
        ],
    )
    .await;
    let body = expect_fields(
        post_auth(
            &app,
            IMPORT,
            Some(&admin),
            &json!({"units": [{"code": "good", "name": "Xã Tốt", "level": "xa", "parent": "binh-dinh",
                               "valid_from": "2025-01-01"}],
                    "mappings": [{"old": "phuoc-son", "new": "good", "effective": "2025-01-01"}]}),
        )
        .await,
        &[("mappings[0].old", "old_not_closed")],
    )
    .await;
    assert_eq!(field_errors(&body).len(), 1, "{body}");
    assert_eq!(tree(&app).await, before);
    assert!(mappings(&app).await.is_empty());
    assert!(ok_audit_rows(&app, "units.import").is_empty());

    // Other media types, broken JSON, nothing to import.
    let response = app
        .client
        .post(app.url(IMPORT))
        .bearer_auth(&admin)
        .header("Content-Type", "text/plain")
        .body("code,name")
        .send()
        .await
        .unwrap();
    expect_error(response, 415, "unsupported_media_type").await;
    let response = app
        .client
        .post(app.url(IMPORT))
        .bearer_auth(&admin)
        .header("Content-Type", "application/json")
        .body("{\"units\": [")
        .send()
        .await
        .unwrap();
    expect_error(response, 400, "malformed_json").await;
    expect_fields(
        post_auth(&app, IMPORT, Some(&admin), &json!({"units": []})).await,
        &[("units", "required")],
    )
    .await;
    expect_fields(
        import_csv(&app, &admin, "code,name,level,parent,valid_from,valid_to\n").await,
        &[("units", "required")],
    )
    .await;
    assert_eq!(tree(&app).await, before);
}
both_backends!(an_import_with_errors_changes_nothing);
