//! The log is append-only; no record, no data; NUL in any path or query; every action written
//! has a Vietnamese label.

use super::*;

async fn the_log_is_append_only(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let analyst = app.token_for(Role::Analyst).await;
    app.get_auth(&format!("/api/v1/reports/{FORM}"), &analyst)
        .await;
    let count = |app: &TestApp| -> i64 {
        use diesel::prelude::*;
        sipas::store::schema::audit_log::table
            .count()
            .get_result(&mut app.db())
            .unwrap()
    };
    let before = count(&app);
    assert!(before > 0, "records to change");

    // The database refuses changes, whoever asks.
    let mut conn = app.db();
    for sql in [
        "UPDATE audit_log SET actor = 'someone-else'",
        "UPDATE audit_log SET outcome = 'failed' WHERE action = 'report'",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE action = 'report'",
    ] {
        let refused = conn.batch_execute(sql);
        assert!(refused.is_err(), "{sql} must fail");
        assert!(
            refused.unwrap_err().to_string().contains("append-only"),
            "the trigger's message"
        );
    }
    if app.backend == Backend::Postgres {
        assert!(
            conn.batch_execute("TRUNCATE audit_log").is_err(),
            "TRUNCATE must fail"
        );
    }
    assert_eq!(count(&app), before);
    let reports = records(&app, &admin, "action=report").await;
    assert_eq!(reports.len(), 1);
    assert_ne!(reports[0]["actor"], "someone-else");

    // The API offers no way to change a record.
    let id = reports[0]["id"].as_i64().unwrap();
    for method in ["POST", "PUT", "PATCH", "DELETE"] {
        for path in [
            "/api/v1/audit".to_string(),
            "/api/v1/audit.csv".to_string(),
            format!("/api/v1/audit/{id}"),
        ] {
            let response = app
                .client
                .request(method.parse().unwrap(), app.url(&path))
                .bearer_auth(&admin)
                .json(&json!({"actor": "x", "action": "x"}))
                .send()
                .await
                .unwrap();
            assert!(
                [404, 405].contains(&response.status().as_u16()),
                "{method} {path}: {}",
                response.status()
            );
        }
    }
    assert_eq!(count(&app), before);
    let (_, spec) = status_and_json(app.get("/api/v1/openapi.json").await).await;
    for (path, item) in spec["paths"].as_object().unwrap() {
        if path.starts_with("/api/v1/audit") {
            let methods: Vec<&String> = item.as_object().unwrap().keys().collect();
            assert_eq!(methods, ["get"], "{path} is read-only");
        }
    }
}
both_backends!(the_log_is_append_only);

/// Makes every insert into audit_log fail (as a full disk or a broken database would).
fn block_audit_inserts(app: &TestApp) {
    let sql = match app.backend {
        Backend::Sqlite => {
            "CREATE TRIGGER audit_block BEFORE INSERT ON audit_log \
             BEGIN SELECT RAISE(ABORT, 'audit blocked'); END;"
        }
        Backend::Postgres => {
            "CREATE FUNCTION audit_block() RETURNS trigger AS $$ \
             BEGIN RAISE EXCEPTION 'audit blocked'; END; $$ LANGUAGE plpgsql; \
             CREATE TRIGGER audit_block BEFORE INSERT ON audit_log \
             FOR EACH ROW EXECUTE FUNCTION audit_block();"
        }
    };
    app.db().batch_execute(sql).expect("block audit inserts");
}

async fn no_record_no_data(app: TestApp) {
    let analyst = app.token_for(Role::Analyst).await;
    let admin = app.token_for(Role::Admin).await;
    assert_eq!(app.submit(&valid_submission()).await.status(), 201);
    block_audit_inserts(&app);

    for path in [
        format!("/api/v1/exports/{FORM}.csv"),
        format!("/api/v1/exports/{FORM}.xlsx"),
        format!("/api/v1/reports/{FORM}"),
        format!("/api/v1/reports/{FORM}/charts/items.png"),
        "/api/v1/units/phuoc-son/qr.png".to_string(),
    ] {
        let response = app.get_auth(&path, &analyst).await;
        let status = response.status().as_u16();
        assert!(status >= 500, "{path}: {status}");
        let body: Value = response.json().await.expect("a JSON error, not the data");
        assert!(body["error"]["code"].is_string(), "{path}: {body}");
    }
    let response = app.get_auth("/api/v1/audit.csv", &admin).await;
    assert!(response.status().as_u16() >= 500);

    // A change and its record go together: no record, no kiosk, no invitations.
    let response = post_auth(
        &app,
        "/api/v1/kiosks",
        Some(&admin),
        &json!({"name": "Quầy 2", "unit": "phuoc-son"}),
    )
    .await;
    assert!(response.status().as_u16() >= 500);
    let (_, kiosks) = status_and_json(app.get_auth("/api/v1/kiosks", &admin).await).await;
    assert_eq!(kiosks, json!([]), "the kiosk was not kept");
    let response = post_auth(
        &app,
        "/api/v1/forms/khao-sat-dai-bieu/invitations",
        Some(&admin),
        &json!({"count": 2, "group": "dai_bieu_hdnd"}),
    )
    .await;
    assert!(response.status().as_u16() >= 500);
    let (_, stats) = status_and_json(
        app.get_auth("/api/v1/forms/khao-sat-dai-bieu/invitations/stats", &admin)
            .await,
    )
    .await;
    assert_eq!(stats["total"]["issued"], 0, "{stats}");
}
both_backends!(no_record_no_data);

async fn nul_in_any_path_or_query_is_400(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let before = records(&app, &admin, "").await.len();
    for path in [
        "/api/v1/audit?actor=%00",
        "/api/v1/audit?action=login%00x",
        "/api/v1/audit.csv?actor=%00",
        "/api/v1/reports/sipas-dich-vu?unit=%00",
        "/api/v1/responses/%00",
        "/api/v1/units/phuoc-son%00/qr.png?form=sipas-dich-vu",
    ] {
        let response = app.get_auth(path, &admin).await;
        let body = expect_error(response, 400, "bad_query").await;
        assert!(
            body["error"]["message"].as_str().unwrap().contains("NUL"),
            "{path}: {body}"
        );
    }
    for path in [
        "/admin/audit?actor=%00",
        "/f/sipas-dich-vu?unit=%00&channel=web",
        "/k/%00",
    ] {
        let page = Page::from(app.get_auth(path, &admin).await).await;
        page.assert_html(400);
        assert!(page.body.contains("NUL"), "{path}: {}", page.body);
    }
    // A literal "%00" in text (sent as %2500) is only text: the filter just matches nothing.
    let (status, body) =
        status_and_json(app.get_auth("/api/v1/audit?actor=%2500", &admin).await).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["records"], json!([]));
    // Nothing was exported or recorded by the refused requests.
    assert_eq!(records(&app, &admin, "").await.len(), before);
}
both_backends!(nul_in_any_path_or_query_is_400);

/// Every action code a call writes in `src/`: the first string literal of each
/// `audit_entry(…)`, `require_role(…)`, `admin_form(…)`, `admin_multipart(…)`, `Entry::new(…)`, `actor.entry(…)`,
/// and each `AUDIT_ACTION` constant.
fn action_codes_in_src() -> std::collections::BTreeSet<String> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let calls = [
        "audit_entry(",
        "require_role(",
        "admin_form(",
        "admin_multipart(",
        "Entry::new(",
        ".entry(",
        "AUDIT_ACTION: &str =",
    ];
    let mut codes = std::collections::BTreeSet::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        for call in calls {
            for (at, _) in source.match_indices(call) {
                let rest = &source[at + call.len()..];
                // The call's arguments: up to its end (a definition ends at `{` with no literal).
                let end = rest.find([';', '{']).unwrap_or(rest.len());
                let args = &rest[..end];
                let Some(open) = args.find('"') else { continue };
                let Some(close) = args[open + 1..].find('"') else {
                    continue;
                };
                let code = &args[open + 1..open + 1 + close];
                if !code.is_empty()
                    && code
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
                {
                    codes.insert(code.to_string());
                }
            }
        }
    }
    codes
}

#[test]
fn every_action_written_has_a_vietnamese_label() {
    let codes = action_codes_in_src();
    // The scan finds what the service writes (a scan that found nothing would prove nothing).
    for known in [
        "login",
        "logout",
        "kiosk.revoke",
        "unit.create",
        "form.upload",
        "comments.purge",
    ] {
        assert!(
            codes.contains(known),
            "{known} not found by the scan: {codes:?}"
        );
    }
    let missing: Vec<&String> = codes
        .iter()
        .filter(|c| sipas::platform::audit::action_label(c).is_none())
        .collect();
    assert!(missing.is_empty(), "actions without a label: {missing:?}");
    // And the table holds nothing the service never writes.
    for (code, label) in sipas::platform::audit::ACTIONS {
        assert!(codes.contains(*code), "{code} ({label}) is written nowhere");
        assert!(!label.is_empty());
    }
}
