//! Units administration over HTTP on SQLite and PostgreSQL: create, rename, move, close, import a
//! tree from CSV or JSON (idempotent, all or nothing), old → new mappings, roles, and the audit
//! record each change writes in its own transaction.

use crate::common;

use common::*;
use serde_json::{json, Value};
use sipas::domain::Role;

const UNITS: &str = "/api/v1/units";
const IMPORT: &str = "/api/v1/units/import";
const MAPPINGS: &str = "/api/v1/units/mappings";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

async fn patch(app: &TestApp, token: Option<&str>, code: &str, body: &Value) -> reqwest::Response {
    let mut request = app
        .client
        .patch(app.url(&format!("{UNITS}/{code}")))
        .json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("PATCH")
}

async fn import_csv(app: &TestApp, token: &str, csv: &str) -> reqwest::Response {
    app.client
        .post(app.url(IMPORT))
        .bearer_auth(token)
        .header("Content-Type", "text/csv; charset=utf-8")
        .body(csv.to_string())
        .send()
        .await
        .expect("POST CSV")
}

/// The tree as `GET /api/v1/units` shows it.
async fn tree(app: &TestApp) -> Vec<Value> {
    let (status, body) = status_and_json(app.get(UNITS).await).await;
    assert_eq!(status, 200);
    body.as_array().expect("an array").clone()
}

async fn unit(app: &TestApp, code: &str) -> Value {
    tree(app)
        .await
        .into_iter()
        .find(|u| u["code"] == code)
        .unwrap_or_else(|| panic!("unit {code} in the tree"))
}

async fn mappings(app: &TestApp) -> Vec<Value> {
    let (status, body) = status_and_json(app.get(MAPPINGS).await).await;
    assert_eq!(status, 200, "{body}");
    body.as_array().expect("an array").clone()
}

fn ok_audit_rows(app: &TestApp, action: &str) -> Vec<sipas::store::models::AuditRow> {
    audit_rows_of(app, action)
        .into_iter()
        .filter(|r| r.outcome == "ok")
        .collect()
}

/// Asserts a 422 whose fields include every (field, code) of `expected`; returns the body.
async fn expect_fields(response: reqwest::Response, expected: &[(&str, &str)]) -> Value {
    let body = expect_error(response, 422, "validation_failed").await;
    let got = field_errors(&body);
    for (field, code) in expected {
        assert!(
            got.iter().any(|(f, c)| f == field && c == code),
            "{field}: {code} in {got:?}"
        );
    }
    body
}

fn message_of(body: &Value, field: &str) -> String {
    body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == field)
        .map(|f| format!("{} / {}", f["message"], f["message_en"]))
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Roles
// ---------------------------------------------------------------------------------------------

async fn only_admins_change_units(app: TestApp) {
    let analyst = app.token_for(Role::Analyst).await;
    let clerk = app.token_for(Role::Clerk).await;
    let new_unit =
        json!({"code": "xa-moi", "name": "Xã Mới", "level": "xa", "parent": "tuy-phuoc"});
    let mapping = json!([{"old": "phuoc-son", "new": "phuoc-hiep", "effective": "2025-07-01"}]);
    let import = json!({"units": [{"code": "xa-moi", "name": "Xã Mới", "level": "xa",
        "parent": "tuy-phuoc", "valid_from": "2025-01-01"}]});
    for token in [None, Some(analyst.as_str()), Some(clerk.as_str())] {
        let (status, code) = match token {
            None => (401, "unauthenticated"),
            Some(_) => (403, "forbidden"),
        };
        expect_error(post_auth(&app, UNITS, token, &new_unit).await, status, code).await;
        expect_error(
            patch(&app, token, "phuoc-son", &json!({"name": "X"})).await,
            status,
            code,
        )
        .await;
        expect_error(post_auth(&app, IMPORT, token, &import).await, status, code).await;
        expect_error(
            post_auth(&app, MAPPINGS, token, &mapping).await,
            status,
            code,
        )
        .await;
    }
    // Nothing changed; the refusals of a role are recorded.
    assert!(tree(&app).await.iter().all(|u| u["code"] != "xa-moi"));
    assert_eq!(unit(&app, "phuoc-son").await["name"], "Xã Phước Sơn");
    assert!(mappings(&app).await.is_empty());
    for action in [
        "unit.create",
        "unit.update",
        "units.import",
        "unit_mapping.create",
    ] {
        assert!(ok_audit_rows(&app, action).is_empty(), "{action}");
        let denied = audit_rows_of(&app, action);
        assert_eq!(denied.len(), 2, "analyst and clerk refused: {action}");
        assert!(denied.iter().all(|r| r.outcome == "denied"));
    }
    // The tree and the mappings are public.
    assert_eq!(app.get(MAPPINGS).await.status(), 200);
}
both_backends!(only_admins_change_units);

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
