//! The audit log: who downloaded or changed what, readable and exportable by administrators only,
//! recorded before the data leaves (no record, no data), append-only in the database itself.

use crate::common;

use diesel::connection::SimpleConnection;
use diesel::Connection;
use serde_json::{json, Value};
use sipas::domain::Role;

use common::*;

const FORM: &str = "sipas-dich-vu";

/// The records `GET /api/v1/audit?{query}` lists, as admin.
async fn records(app: &TestApp, admin: &str, query: &str) -> Vec<Value> {
    let (status, body) =
        status_and_json(app.get_auth(&format!("/api/v1/audit?{query}"), admin).await).await;
    assert_eq!(status, 200, "audit page: {body}");
    body["records"].as_array().expect("records").clone()
}

/// The newest record of `action`.
async fn newest(app: &TestApp, admin: &str, action: &str) -> Value {
    let found = records(app, admin, &format!("action={action}&limit=1")).await;
    assert_eq!(found.len(), 1, "a record of {action}");
    found[0].clone()
}

/// The local (Hà Nội) date of today, shifted by `days`.
fn local_day(days: i64) -> String {
    (chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
        .date_naive()
        + chrono::TimeDelta::days(days))
    .to_string()
}

fn assert_address_hash(record: &Value) {
    let hash = record["address_hash"].as_str().expect("an address hash");
    assert_eq!(hash.len(), 32, "16 bytes of hex: {hash}");
    assert!(hash.chars().all(|c| c.is_ascii_hexdigit()), "{hash}");
    assert!(
        !record.to_string().contains("127.0.0.1"),
        "no address: {record}"
    );
}

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

async fn filters_and_pages(app: TestApp) {
    let analyst_name = "minh-analyst";
    let password = app.create_user(analyst_name, Role::Analyst);
    let response = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"username": analyst_name, "password": password}),
        )
        .await;
    let analyst = response.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let admin = app.token_for(Role::Admin).await;
    for _ in 0..5 {
        let r = app
            .get_auth(&format!("/api/v1/reports/{FORM}"), &analyst)
            .await;
        assert_eq!(r.status(), 200);
    }
    // Pages of two, backwards.
    let (status, first) = status_and_json(
        app.get_auth("/api/v1/audit?action=report&limit=2", &admin)
            .await,
    )
    .await;
    assert_eq!(status, 200);
    let page = first["records"].as_array().unwrap();
    assert_eq!(page.len(), 2);
    let next = first["next_before_id"].as_i64().expect("a next page");
    assert_eq!(next, page[1]["id"].as_i64().unwrap());
    let (_, second) = status_and_json(
        app.get_auth(
            &format!("/api/v1/audit?action=report&limit=2&before_id={next}"),
            &admin,
        )
        .await,
    )
    .await;
    assert_eq!(second["records"].as_array().unwrap().len(), 2);
    assert!(second["records"][0]["id"].as_i64().unwrap() < next);
    let last = second["next_before_id"].as_i64().unwrap();
    let (_, third) = status_and_json(
        app.get_auth(
            &format!("/api/v1/audit?action=report&limit=2&before_id={last}"),
            &admin,
        )
        .await,
    )
    .await;
    assert_eq!(third["records"].as_array().unwrap().len(), 1);
    assert!(third["next_before_id"].is_null(), "the last page: {third}");

    // By actor; by local date (`to` exclusive).
    assert_eq!(
        records(&app, &admin, &format!("actor={analyst_name}&action=report"))
            .await
            .len(),
        5
    );
    assert!(records(&app, &admin, "actor=nobody").await.is_empty());
    let (today, tomorrow) = (local_day(0), local_day(1));
    assert_eq!(
        records(
            &app,
            &admin,
            &format!("action=report&from={today}&to={tomorrow}")
        )
        .await
        .len(),
        5
    );
    assert!(
        records(&app, &admin, &format!("action=report&from={tomorrow}"))
            .await
            .is_empty()
    );
    assert!(records(&app, &admin, &format!("action=report&to={today}"))
        .await
        .is_empty());
    // A record's time is local, with its offset.
    let at = records(&app, &admin, "action=report&limit=1").await[0]["at"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(at.starts_with(&today) && at.ends_with("+07:00"), "{at}");

    for bad in [
        "limit=0",
        "limit=1001",
        "limit=ten",
        "before_id=abc",
        "before_id=-3",
        "from=2026-13-01",
        "to=yesterday",
        "from=2026-02-01&to=2026-01-01",
        "from=2026-01-01&to=2026-01-01",
    ] {
        for path in ["/api/v1/audit", "/api/v1/audit.csv"] {
            expect_error(
                app.get_auth(&format!("{path}?{bad}"), &admin).await,
                400,
                "bad_query",
            )
            .await;
        }
    }
}
both_backends!(filters_and_pages);

async fn the_csv_holds_every_match_and_is_itself_recorded(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    // A name a spreadsheet would run as a formula (e.g. a failed login's username).
    let formula = "=HYPERLINK(\"http://evil.example\",\"x\")";
    app.db()
        .transaction(|conn| {
            for i in 0..1_205 {
                let entry = sipas::platform::audit::Entry::new("test.bulk")
                    .by_name(if i == 0 { formula } else { "bulk" })
                    .target(format!("t{i}"))
                    .detail(json!({"i": i, "note": "a, \"quoted\"\nline"}));
                sipas::platform::audit::record(conn, &entry).unwrap();
            }
            Ok::<_, diesel::result::Error>(())
        })
        .unwrap();
    let today = local_day(0);
    let response = app
        .get_auth(
            &format!("/api/v1/audit.csv?action=test.bulk&from={today}"),
            &admin,
        )
        .await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert_eq!(
        response.headers()["content-disposition"],
        format!("attachment; filename=\"audit_{today}_all.csv\"").as_str()
    );
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM");
    let mut reader = csv::ReaderBuilder::new().from_reader(&bytes[3..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "id",
            "at",
            "actor",
            "role",
            "action",
            "target",
            "outcome",
            "detail",
            "address_hash"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(
        rows.len(),
        1_205,
        "every match, past one page of the database"
    );
    let ids: Vec<i64> = rows.iter().map(|r| r[0].parse().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first");
    let targets: std::collections::HashSet<&str> = rows.iter().map(|r| r.get(5).unwrap()).collect();
    assert_eq!(targets.len(), 1_205, "each record once");
    let oldest = rows.last().unwrap();
    assert_eq!(
        &oldest[2],
        format!("'{formula}"),
        "a formula is written as text"
    );
    assert_eq!(&oldest[4], "test.bulk");
    assert_eq!(&oldest[6], "ok");
    let detail: Value = serde_json::from_str(&oldest[7]).unwrap();
    assert_eq!(detail["note"], "a, \"quoted\"\nline");
    assert!(oldest[1].ends_with("+07:00"), "local time: {}", &oldest[1]);

    // The download is recorded, with its filters.
    let export = newest(&app, &admin, "audit.export").await;
    assert_eq!(export["role"], "admin");
    assert_eq!(export["detail"]["action"], "test.bulk");
    assert_eq!(export["detail"]["from"], today.as_str());
    assert_address_hash(&export);
}
both_backends!(the_csv_holds_every_match_and_is_itself_recorded);

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
/// `audit_entry(…)`, `require_role(…)`, `admin_form(…)`, `admin_multipart(…)`, `Entry::new(…)`,
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
