//! Single-use invitations (the delegates' survey) through the real HTTP stack, on SQLite and
//! PostgreSQL: issuing them, answering through `/i/{token}` and through the JSON API, the second
//! use refused (also under concurrency), the anonymity of what is stored, the response-rate
//! statistics and the delegates' report.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use reqwest::header::ACCEPT;
use serde_json::{json, Value};
use sipas::domain::Role;
use sipas::store::schema::{invitations, responses};

const DELEGATES: &str = "khao-sat-dai-bieu";
const DELEGATES_TITLE: &str =
    "Phiếu khảo sát ý kiến đại biểu Hội đồng nhân dân và lãnh đạo về công tác cải cách hành chính";
const INVITATIONS: &str = "/api/v1/forms/khao-sat-dai-bieu/invitations";
const STATS: &str = "/api/v1/forms/khao-sat-dai-bieu/invitations/stats";
const RESPONSES: &str = "/api/v1/forms/khao-sat-dai-bieu/responses";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Issues `count` invitations for `group` as `admin`; expects 201 and returns the tokens.
async fn issue(app: &TestApp, admin: &str, count: u32, group: &str) -> Vec<String> {
    let (status, body) = status_and_json(
        post_auth(
            app,
            INVITATIONS,
            Some(admin),
            &json!({"count": count, "group": group}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "invitations issued: {body}");
    body["invitations"]
        .as_array()
        .expect("invitations")
        .iter()
        .map(|i| i["token"].as_str().expect("token").to_string())
        .collect()
}

/// One invitation (group `dai_bieu_hdnd`) issued by a fresh admin.
async fn one_invitation(app: &TestApp) -> String {
    let admin = app.token_for(Role::Admin).await;
    issue(app, &admin, 1, "dai_bieu_hdnd").await.remove(0)
}

/// The root of the default unit tree (the unit without a parent), from `GET /api/v1/units`.
async fn root_unit(app: &TestApp) -> String {
    let response = app.get("/api/v1/units").await;
    assert_eq!(response.status(), 200);
    let units: Value = response.json().await.unwrap();
    let roots: Vec<&str> = units
        .as_array()
        .expect("units")
        .iter()
        .filter(|u| u["parent"].is_null())
        .map(|u| u["code"].as_str().unwrap())
        .collect();
    assert_eq!(roots.len(), 1, "one root: {roots:?}");
    roots[0].to_string()
}

/// Delegates' answers: the group and a few assessments.
fn delegate_answers(nhom: &str, score: i64) -> Value {
    json!({"nhom": nhom, "DB1": score, "DB2": 4, "DB3": 3, "DB15": 5})
}

/// POSTs urlencoded fields to `/i/{token}`, as a plain form or (with `json`) as the page's
/// script does.
async fn post_invitation(
    app: &TestApp,
    token: &str,
    fields: &[(String, String)],
    json: bool,
) -> reqwest::Response {
    post_urlencoded(app, &format!("/i/{token}"), fields, json).await
}

/// A JSON API submission to the delegates' form.
fn api_body(unit: &str, invitation: Option<&str>, answers: Value) -> Value {
    let mut body = json!({
        "client_id": new_client_id(),
        "unit": unit,
        "channel": "web",
        "answers": answers,
    });
    if let Some(token) = invitation {
        body["invitation"] = json!(token);
    }
    body
}

/// Every invitation row: token_hash → (form, group, unit, used).
fn invitation_rows(app: &TestApp) -> BTreeMap<String, (String, String, String, bool)> {
    let rows: Vec<(String, String, String, String, bool)> = invitations::table
        .select((
            invitations::token_hash,
            invitations::form_id,
            invitations::respondent_group,
            invitations::unit,
            invitations::used,
        ))
        .load(&mut app.db())
        .expect("read invitations");
    rows.into_iter()
        .map(|(hash, form, group, unit, used)| (hash, (form, group, unit, used)))
        .collect()
}

/// Whether the service takes the invitation as used: its page answers 409 (200 while unused).
/// The invitation rows themselves never change after they are issued.
async fn is_used(app: &TestApp, token: &str) -> bool {
    assert!(
        invitation_rows(app).contains_key(&sha256_hex(token)),
        "invitation {token} is stored"
    );
    let response = app
        .client
        .get(app.url(&format!("/i/{token}")))
        .header(ACCEPT, "application/json")
        .send()
        .await
        .expect("GET /i/{token}");
    match response.status().as_u16() {
        409 => true,
        200 => false,
        other => panic!("GET /i/{token}: unexpected {other}"),
    }
}

/// Stored response ids, in order.
fn response_ids(app: &TestApp) -> Vec<String> {
    responses::table
        .select(responses::id)
        .order(responses::seq)
        .load(&mut app.db())
        .expect("read responses")
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Cell {
    #[diesel(sql_type = Nullable<Text>)]
    value: Option<String>,
}

/// A connection of the app's own backend, for raw SQL (catalogue queries).
enum RawConn {
    Sqlite(diesel::SqliteConnection),
    Pg(diesel::PgConnection),
}

fn raw_conn(app: &TestApp) -> RawConn {
    match app.backend {
        Backend::Sqlite => RawConn::Sqlite(
            diesel::SqliteConnection::establish(&app.database_url).expect("SQLite connection"),
        ),
        Backend::Postgres => RawConn::Pg(
            diesel::PgConnection::establish(&app.database_url).expect("PostgreSQL connection"),
        ),
    }
}

/// The columns of a table as the database has them (not as `schema.rs` says).
fn table_columns(conn: &mut RawConn, table: &str) -> Vec<String> {
    let rows: Vec<Name> = match conn {
        RawConn::Sqlite(c) => diesel::sql_query(format!(
            "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
        ))
        .load(c),
        RawConn::Pg(c) => diesel::sql_query(
            "SELECT column_name::text AS name FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind::<Text, _>(table)
        .load(c),
    }
    .expect("read the table's columns");
    assert!(!rows.is_empty(), "table {table} exists");
    rows.into_iter().map(|r| r.name).collect()
}

/// Every value of one column of a table, as text (binary values as lowercase hex: PostgreSQL's
/// `bytea` text is `\x…` already).
fn column_values(conn: &mut RawConn, table: &str, column: &str) -> Vec<Option<String>> {
    let rows: Vec<Cell> = match conn {
        RawConn::Sqlite(c) => diesel::sql_query(format!(
            "SELECT CASE WHEN typeof({column}) = 'blob' THEN lower(hex({column})) \
             ELSE CAST({column} AS TEXT) END AS value FROM {table}"
        ))
        .load(c),
        RawConn::Pg(c) => diesel::sql_query(format!(
            "SELECT CAST({column} AS TEXT) AS value FROM {table}"
        ))
        .load(c),
    }
    .expect("read the column");
    rows.into_iter().map(|r| r.value).collect()
}

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

// ---------------------------------------------------------------------------------------------
// Answering through /i/{token}
// ---------------------------------------------------------------------------------------------

async fn invitation_page_is_used_once(app: TestApp) {
    let token = one_invitation(&app).await;
    let root = root_unit(&app).await;

    let page = Page::get(&app, &format!("/i/{token}")).await;
    page.assert_html(200);
    assert_eq!(text(page.one("h1")).trim(), DELEGATES_TITLE);
    let form = page.one("form[method=post]");
    assert_eq!(attr(form, "action"), format!("/i/{token}"));
    assert_eq!(page.hidden("unit"), root);
    assert_eq!(page.hidden("channel"), "web");
    assert!(page.has("fieldset#q-nhom"), "the group question");
    assert!(page.has("fieldset#q-DB1"));
    assert!(!page.has("#idle-warning"), "not a kiosk");

    // Answered without the required group: the form again, the invitation still unused.
    let client_id = page.hidden("client_id");
    let mut incomplete = delegate_answers("dai_bieu_hdnd", 4);
    incomplete.as_object_mut().unwrap().remove("nhom");
    let again = Page::from(
        post_invitation(&app, &token, &client_fields(&client_id, &incomplete), false).await,
    )
    .await;
    again.assert_html(422);
    assert!(again.has("fieldset#q-nhom .err"), "{}", again.body);
    assert_eq!(
        attr(again.one("form[method=post]"), "action"),
        format!("/i/{token}")
    );
    assert_eq!(app.counts(), (0, 0));
    assert!(!is_used(&app, &token).await);

    // Answered.
    let answers = delegate_answers("dai_bieu_hdnd", 4);
    let thanks = Page::from(
        post_invitation(&app, &token, &client_fields(&client_id, &answers), false).await,
    )
    .await;
    thanks.assert_html(201);
    assert!(thanks.body.contains("Cảm ơn"), "{}", thanks.body);
    assert!(!thanks.has("form[method=post]"));
    assert!(!thanks.has("meta[http-equiv=refresh]"), "no kiosk refresh");
    assert!(
        !thanks.body.contains(&format!("/i/{token}")),
        "no link back to the used invitation"
    );
    assert!(is_used(&app, &token).await, "the invitation is used up");
    let ids = response_ids(&app);
    assert_eq!(ids.len(), 1);
    let first_id = ids[0].clone();
    let counts = app.counts();
    assert_eq!(counts, (1, 5));

    // Opening the link again: a friendly 409 page, no form.
    let used = Page::get(&app, &format!("/i/{token}")).await;
    used.assert_html(409);
    assert!(used.body.contains("đã được sử dụng"), "{}", used.body);
    assert!(!used.has("form[method=post]"), "no form to fill in again");
    // And in JSON mode.
    let response = app
        .client
        .get(app.url(&format!("/i/{token}")))
        .header(ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    expect_error(response, 409, "invitation_used").await;

    // A second use with a new client id: 409, as a page and as JSON; nothing stored.
    let other = delegate_answers("lanh_dao_xa", 2);
    let page = Page::from(
        post_invitation(
            &app,
            &token,
            &client_fields(&new_client_id(), &other),
            false,
        )
        .await,
    )
    .await;
    page.assert_html(409);
    assert!(page.body.contains("một lần"), "{}", page.body);
    assert!(!page.has("form[method=post]"));
    expect_error(
        post_invitation(&app, &token, &client_fields(&new_client_id(), &other), true).await,
        409,
        "invitation_used",
    )
    .await;
    // Even with the same answers as the first time.
    expect_error(
        post_invitation(
            &app,
            &token,
            &client_fields(&new_client_id(), &answers),
            true,
        )
        .await,
        409,
        "invitation_used",
    )
    .await;
    assert_eq!(app.counts(), counts, "nothing more stored");

    // The resend of the first answer (same client id, same answers) after a lost
    // acknowledgement: the first id, not a second use.
    let (status, body) = status_and_json(
        post_invitation(&app, &token, &client_fields(&client_id, &answers), true).await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], first_id.as_str());
    // As a page, a thank-you again.
    let page = Page::from(
        post_invitation(&app, &token, &client_fields(&client_id, &answers), false).await,
    )
    .await;
    assert!(
        (200..300).contains(&page.status),
        "{}\n{}",
        page.status,
        page.body
    );
    assert!(page.body.contains("Cảm ơn"));
    assert_eq!(app.counts(), counts, "still one response");
}
both_backends!(invitation_page_is_used_once);

async fn invitation_page_in_json_mode(app: TestApp) {
    let token = one_invitation(&app).await;
    let client_id = new_client_id();
    let answers = delegate_answers("dai_bieu_hdnd", 5);
    let (status, body) = status_and_json(
        post_invitation(&app, &token, &client_fields(&client_id, &answers), true).await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().expect("id");
    assert_eq!(response_ids(&app), [id]);

    let (status, again) = status_and_json(
        post_invitation(&app, &token, &client_fields(&client_id, &answers), true).await,
    )
    .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["id"], id);

    // Same client id, other answers: a conflict, not a second response.
    let (status, conflict) = status_and_json(
        post_invitation(
            &app,
            &token,
            &client_fields(&client_id, &delegate_answers("dai_bieu_hdnd", 1)),
            true,
        )
        .await,
    )
    .await;
    assert_eq!(status, 409, "{conflict}");
    assert_eq!(
        conflict["error"]["code"], "duplicate_conflict",
        "{conflict}"
    );
    assert_eq!(response_ids(&app), [id]);

    // A 422 in JSON mode has the API's error shape.
    let other = one_invitation(&app).await;
    let body = expect_error(
        post_invitation(
            &app,
            &other,
            &client_fields(&new_client_id(), &json!({"DB1": 7})),
            true,
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    let mut got = field_errors(&body);
    got.sort();
    assert_eq!(
        got,
        [
            ("DB1".to_string(), "out_of_range".to_string()),
            ("nhom".to_string(), "required".to_string())
        ],
        "{body}"
    );
    assert!(
        !is_used(&app, &other).await,
        "a refused answer does not use the invitation"
    );
}
both_backends!(invitation_page_in_json_mode);

async fn unknown_invitation_is_a_404_page(app: TestApp) {
    let page = Page::get(&app, "/i/nonsense").await;
    page.assert_html(404);
    assert!(!page.has("form[method=post]"));
    Page::get(&app, &format!("/i/{}", "0".repeat(64)))
        .await
        .assert_html(404);
    let answers = delegate_answers("dai_bieu_hdnd", 4);
    Page::from(
        post_invitation(
            &app,
            "nonsense",
            &client_fields(&new_client_id(), &answers),
            false,
        )
        .await,
    )
    .await
    .assert_html(404);
    expect_error(
        post_invitation(
            &app,
            "nonsense",
            &client_fields(&new_client_id(), &answers),
            true,
        )
        .await,
        404,
        "unknown_invitation",
    )
    .await;
    // A kiosk token is not an invitation, nor the reverse.
    let token = one_invitation(&app).await;
    Page::get(&app, &format!("/k/{token}"))
        .await
        .assert_html(404);
    assert_eq!(app.counts(), (0, 0));
}
both_backends!(unknown_invitation_is_a_404_page);

// ---------------------------------------------------------------------------------------------
// Through the JSON API
// ---------------------------------------------------------------------------------------------

async fn json_api_takes_an_invitation_once(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let tokens = issue(&app, &admin, 3, "lanh_dao_huyen").await;
    let root = root_unit(&app).await;

    let first = api_body(
        &root,
        Some(&tokens[0]),
        delegate_answers("lanh_dao_huyen", 4),
    );
    let (status, body) = status_and_json(app.post_json(RESPONSES, &first).await).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    assert!(is_used(&app, &tokens[0]).await);
    let counts = app.counts();

    // A second use with a new client id.
    let second = api_body(
        &root,
        Some(&tokens[0]),
        delegate_answers("lanh_dao_huyen", 2),
    );
    expect_error(
        app.post_json(RESPONSES, &second).await,
        409,
        "invitation_used",
    )
    .await;
    assert_eq!(app.counts(), counts, "nothing stored");
    // The resend of the first: the first id.
    let (status, again) = status_and_json(app.post_json(RESPONSES, &first).await).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["id"], id.as_str());
    assert_eq!(app.counts(), counts);

    // An unknown token.
    let body = expect_error(
        app.post_json(
            RESPONSES,
            &api_body(
                &root,
                Some("nonsense"),
                delegate_answers("lanh_dao_huyen", 4),
            ),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        field_errors(&body),
        [("invitation".to_string(), "unknown_invitation".to_string())]
    );
    // No invitation.
    let body = expect_error(
        app.post_json(
            RESPONSES,
            &api_body(&root, None, delegate_answers("lanh_dao_huyen", 4)),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        field_errors(&body),
        [("invitation".to_string(), "invitation_required".to_string())]
    );
    // The wrong unit for the invitation.
    let body = expect_error(
        app.post_json(
            RESPONSES,
            &api_body(
                "phuoc-son",
                Some(&tokens[1]),
                delegate_answers("lanh_dao_huyen", 4),
            ),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    let fields = field_errors(&body);
    assert_eq!(fields.len(), 1, "{body}");
    assert_eq!(fields[0].0, "unit", "{body}");
    // An invitation of this form on another form is not an invitation there.
    let mut service = valid_submission();
    service["invitation"] = json!(tokens[2]);
    let body = expect_error(
        app.post_json("/api/v1/forms/sipas-dich-vu/responses", &service)
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        field_errors(&body),
        [("invitation".to_string(), "unknown_invitation".to_string())]
    );

    assert_eq!(
        app.counts(),
        counts,
        "nothing stored by the refused requests"
    );
    assert!(!is_used(&app, &tokens[1]).await, "refused: still unused");
    assert!(!is_used(&app, &tokens[2]).await, "refused: still unused");

    // The unused one still works, through the page too.
    let page = Page::get(&app, &format!("/i/{}", tokens[1])).await;
    page.assert_html(200);
    // And the used one's page says so.
    let page = Page::get(&app, &format!("/i/{}", tokens[0])).await;
    page.assert_html(409);
    assert!(page.body.contains("đã được sử dụng"));
}
both_backends!(json_api_takes_an_invitation_once);

async fn concurrent_uses_store_one_response(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let tokens = issue(&app, &admin, 2, "dai_bieu_hdnd").await;
    let root = root_unit(&app).await;

    // Eight at once through the JSON API, different client ids.
    let sends = (0..8).map(|i| {
        let body = api_body(
            &root,
            Some(&tokens[0]),
            delegate_answers("dai_bieu_hdnd", 1 + i % 5),
        );
        let app = &app;
        async move { status_and_json(app.post_json(RESPONSES, &body).await).await }
    });
    let results = futures::future::join_all(sends).await;
    let created = results.iter().filter(|(s, _)| *s == 201).count();
    let used = results
        .iter()
        .filter(|(s, b)| *s == 409 && b["error"]["code"] == "invitation_used")
        .count();
    assert_eq!((created, used), (1, 7), "{results:?}");
    assert_eq!(response_ids(&app).len(), 1, "exactly one response stored");
    assert!(is_used(&app, &tokens[0]).await);

    // Eight at once through the page's script.
    let sends = (0..8).map(|i| {
        let fields = client_fields(
            &new_client_id(),
            &delegate_answers("dai_bieu_hdnd", 1 + i % 5),
        );
        let app = &app;
        let token = tokens[1].clone();
        async move { status_and_json(post_invitation(app, &token, &fields, true).await).await }
    });
    let results = futures::future::join_all(sends).await;
    let created = results.iter().filter(|(s, _)| *s == 201).count();
    let used = results
        .iter()
        .filter(|(s, b)| *s == 409 && b["error"]["code"] == "invitation_used")
        .count();
    assert_eq!((created, used), (1, 7), "{results:?}");
    assert_eq!(response_ids(&app).len(), 2, "one more response stored");
    let (responses, answers) = app.counts();
    assert_eq!((responses, answers), (2, 10), "no stray answers");
}
both_backends!(concurrent_uses_store_one_response);

// ---------------------------------------------------------------------------------------------
// Anonymity
// ---------------------------------------------------------------------------------------------

async fn responses_keep_no_link_to_their_invitation(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let tokens = issue(&app, &admin, 2, "dai_bieu_hdnd").await;
    let issued = invitation_rows(&app);
    let root = root_unit(&app).await;
    let client_id = new_client_id();
    let answers =
        json!({"nhom": "dai_bieu_hdnd", "DB1": 4, "y_kien": "Cần đẩy mạnh chuyển đổi số."});
    let page = Page::from(
        post_invitation(
            &app,
            &tokens[0],
            &client_fields(&client_id, &answers),
            false,
        )
        .await,
    )
    .await;
    page.assert_html(201);
    let (status, body) = status_and_json(
        app.post_json(
            RESPONSES,
            &api_body(
                &root,
                Some(&tokens[1]),
                delegate_answers("dai_bieu_hdnd", 3),
            ),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(app.counts().0, 2);

    let mut conn = raw_conn(&app);
    let response_columns = table_columns(&mut conn, "responses");
    assert!(
        response_columns
            .iter()
            .all(|c| !c.contains("invit") && !c.contains("token")),
        "no column of responses refers to an invitation: {response_columns:?}"
    );
    let secrets: Vec<String> = tokens
        .iter()
        .flat_map(|t| [t.clone(), sha256_hex(t), sha256_hex(sha256_hex(t))])
        .collect();
    // Neither the response nor the record of the invitation's use holds the token or a plain
    // hash of it (the use is a keyed hash: see the storage tests at the end of this file).
    for table in ["responses", "answers", "invitation_uses"] {
        for column in table_columns(&mut conn, table) {
            for value in column_values(&mut conn, table, &column)
                .into_iter()
                .flatten()
            {
                for secret in &secrets {
                    assert!(
                        !value.contains(secret.as_str()),
                        "{table}.{column} holds an invitation's token or hash: {value}"
                    );
                }
            }
        }
    }

    // The invitations keep whether they were used, not when.
    let invitation_columns: BTreeSet<String> = table_columns(&mut conn, "invitations")
        .into_iter()
        .collect();
    let expected: BTreeSet<String> = [
        "token_hash",
        "form_id",
        "respondent_group",
        "unit",
        "created_at",
        "used",
        "deadline",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(
        invitation_columns, expected,
        "no time of use, no response id"
    );
    assert_eq!(
        invitation_rows(&app),
        issued,
        "the invitation rows are never written after they were issued"
    );
    let use_columns: BTreeSet<String> = table_columns(&mut conn, "invitation_uses")
        .into_iter()
        .collect();
    let expected: BTreeSet<String> = ["use_hash", "form_id", "respondent_group"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(use_columns, expected, "a use holds no time, unit or token");
    assert_eq!(
        column_values(&mut conn, "invitation_uses", "use_hash").len(),
        2
    );
    for token in &tokens {
        assert!(is_used(&app, token).await);
    }
}
both_backends!(responses_keep_no_link_to_their_invitation);

// ---------------------------------------------------------------------------------------------
// Deadlines
// ---------------------------------------------------------------------------------------------

/// Today's local date in the service's time zone.
fn local_today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
        .date_naive()
}

async fn an_invitation_past_its_deadline_is_refused(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let today = local_today();
    let yesterday = today - chrono::Days::new(1);
    // A deadline before today is refused, and nothing is issued.
    let body = json!({"count": 1, "group": "dai_bieu_hdnd", "deadline": yesterday.to_string()});
    let refused = expect_error(
        post_auth(&app, INVITATIONS, Some(&admin), &body).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        field_errors(&refused),
        [("deadline".into(), "in_past".into())]
    );
    assert!(invitation_rows(&app).is_empty());

    // Today's deadline: answerable all day.
    let body = json!({"count": 2, "group": "dai_bieu_hdnd", "deadline": today.to_string()});
    let (status, issued) =
        status_and_json(post_auth(&app, INVITATIONS, Some(&admin), &body).await).await;
    assert_eq!(status, 201, "{issued}");
    let tokens: Vec<String> = issued["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["token"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !is_used(&app, &tokens[0]).await,
        "open until the end of its last day"
    );
    let client_id = new_client_id();
    let fields = client_fields(&client_id, &delegate_answers("dai_bieu_hdnd", 4));
    assert_eq!(
        post_invitation(&app, &tokens[0], &fields, true)
            .await
            .status(),
        201
    );

    // The day after (the deadline moved back, as time would): a polite page, and 410.
    diesel::update(invitations::table)
        .set(invitations::deadline.eq(Some(yesterday)))
        .execute(&mut app.db())
        .unwrap();
    let page = Page::get(&app, &format!("/i/{}", tokens[1])).await;
    page.assert_html(410);
    assert!(page.body.contains("đã hết hạn"), "{}", page.body);
    let json_get = app
        .client
        .get(app.url(&format!("/i/{}", tokens[1])))
        .header(ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    expect_error(json_get, 410, "invitation_expired").await;
    let root = root_unit(&app).await;
    let late = api_body(
        &root,
        Some(&tokens[1]),
        delegate_answers("dai_bieu_hdnd", 3),
    );
    expect_error(
        app.post_json(RESPONSES, &late).await,
        410,
        "invitation_expired",
    )
    .await;
    let late_page = fields_for_new(&delegate_answers("dai_bieu_hdnd", 3));
    let response = post_invitation(&app, &tokens[1], &late_page, true).await;
    expect_error(response, 410, "invitation_expired").await;
    assert_eq!(
        response_ids(&app).len(),
        1,
        "nothing stored after the deadline"
    );
    // A resend of the answer given in time is still answered with its id.
    let again = post_invitation(&app, &tokens[0], &fields, true).await;
    assert_eq!(again.status(), 200);
}
both_backends!(an_invitation_past_its_deadline_is_refused);

fn fields_for_new(answers: &Value) -> Vec<(String, String)> {
    client_fields(&new_client_id(), answers)
}

// ---------------------------------------------------------------------------------------------
// Statistics and the report
// ---------------------------------------------------------------------------------------------

async fn stats_give_the_response_rate_per_group(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let analyst = app.token_for(Role::Analyst).await;

    // Nothing issued yet.
    let (status, empty) = status_and_json(app.get_auth(STATS, &analyst).await).await;
    assert_eq!(status, 200, "{empty}");
    assert_eq!(empty["groups"], json!([]));
    assert_eq!(empty["total"]["issued"], 0);
    assert_eq!(empty["total"]["rate"], 0.0);

    let delegates = issue(&app, &admin, 3, "dai_bieu_hdnd").await;
    issue(&app, &admin, 2, "lanh_dao_xa").await;
    let (status, body) = status_and_json(
        post_invitation(
            &app,
            &delegates[1],
            &client_fields(&new_client_id(), &delegate_answers("dai_bieu_hdnd", 4)),
            true,
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");

    let (status, stats) = status_and_json(app.get_auth(STATS, &analyst).await).await;
    assert_eq!(status, 200, "{stats}");
    assert_eq!(stats["form"], DELEGATES);
    let groups: BTreeMap<String, (i64, i64, f64)> = stats["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            (
                g["group"].as_str().unwrap().to_string(),
                (
                    g["issued"].as_i64().unwrap(),
                    g["used"].as_i64().unwrap(),
                    g["rate"].as_f64().unwrap(),
                ),
            )
        })
        .collect();
    assert_eq!(
        groups,
        BTreeMap::from([
            ("dai_bieu_hdnd".to_string(), (3, 1, 33.33)),
            ("lanh_dao_xa".to_string(), (2, 0, 0.0)),
        ]),
        "{stats}"
    );
    assert_eq!(stats["total"]["issued"], 5, "{stats}");
    assert_eq!(stats["total"]["used"], 1, "{stats}");
    assert_eq!(stats["total"]["rate"], 20.0, "{stats}");

    // Admins may read them too; clerks may not; nobody without a login.
    let (status, by_admin) = status_and_json(app.get_auth(STATS, &admin).await).await;
    assert_eq!(status, 200);
    assert_eq!(by_admin, stats);
    let clerk = app.token_for(Role::Clerk).await;
    expect_error(
        get_opt_auth(&app, STATS, Some(&clerk)).await,
        403,
        "forbidden",
    )
    .await;
    expect_error(
        get_opt_auth(&app, STATS, None).await,
        401,
        "unauthenticated",
    )
    .await;
    expect_error(
        app.get_auth("/api/v1/forms/khong-co-phieu/invitations/stats", &analyst)
            .await,
        404,
        "unknown_form",
    )
    .await;
}
both_backends!(stats_give_the_response_rate_per_group);

async fn delegates_report_uses_its_own_target_and_method(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let tokens = issue(&app, &admin, 3, "dai_bieu_hdnd").await;
    for (token, score) in tokens.iter().zip([5, 3, 4]) {
        let (status, body) = status_and_json(
            post_invitation(
                &app,
                token,
                &client_fields(&new_client_id(), &delegate_answers("dai_bieu_hdnd", score)),
                true,
            )
            .await,
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }

    let analyst = app.token_for(Role::Analyst).await;
    let (status, report) = status_and_json(
        app.get_auth(&format!("/api/v1/reports/{DELEGATES}"), &analyst)
            .await,
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["form"], DELEGATES);
    assert_eq!(report["target"], 80.0, "{report}");
    assert_eq!(report["method"], "score_share", "{report}");
    assert_eq!(report["responses"], 3, "{report}");
    let group = &report["groups"][0];
    assert_eq!(group["responses"], 3, "{report}");
    // score_share: 100·(score − 1)/4, averaged: DB1 = (100 + 50 + 75) / 3 = 75.
    let db1 = group["parts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["elements"].as_array().unwrap())
        .flat_map(|e| e["items"].as_array().unwrap())
        .find(|i| i["code"] == "DB1")
        .expect("DB1 in the report");
    assert_eq!(db1["n"], 3, "{db1}");
    assert_eq!(db1["value"], 75.0, "{db1}");

    let clerk = app.token_for(Role::Clerk).await;
    expect_error(
        app.get_auth(&format!("/api/v1/reports/{DELEGATES}"), &clerk)
            .await,
        403,
        "forbidden",
    )
    .await;
}
both_backends!(delegates_report_uses_its_own_target_and_method);

async fn a_used_invitation_is_refused_before_its_answers_are_checked(app: TestApp) {
    let token = one_invitation(&app).await;
    let first = client_fields(&new_client_id(), &delegate_answers("dai_bieu_hdnd", 4));
    assert_eq!(
        post_invitation(&app, &token, &first, true).await.status(),
        201
    );

    // Incomplete or out-of-range answers through a used invitation: 409, not "fix your form".
    let incomplete = client_fields(&new_client_id(), &json!({"DB1": 9}));
    expect_error(
        post_invitation(&app, &token, &incomplete, true).await,
        409,
        "invitation_used",
    )
    .await;
    let page = post_invitation(&app, &token, &incomplete, false).await;
    assert_eq!(page.status(), 409);
    assert!(page.text().await.unwrap().contains("đã được"));
    let unit = root_unit(&app).await;
    expect_error(
        app.post_json(RESPONSES, &api_body(&unit, Some(&token), json!({"DB1": 9})))
            .await,
        409,
        "invitation_used",
    )
    .await;
    assert_eq!(app.counts().0, 1);
}
both_backends!(a_used_invitation_is_refused_before_its_answers_are_checked);

// ---------------------------------------------------------------------------------------------
// What the database's own storage keeps (someone with the files, the log or old row versions)
// ---------------------------------------------------------------------------------------------

/// Answers `tokens[0]` through its page and `tokens[1]` through the JSON API.
async fn answer_two(app: &TestApp, tokens: &[String]) {
    let body = client_fields(&new_client_id(), &delegate_answers("dai_bieu_hdnd", 4));
    assert_eq!(
        post_invitation(app, &tokens[0], &body, true).await.status(),
        201
    );
    let root = root_unit(app).await;
    let body = api_body(
        &root,
        Some(&tokens[1]),
        delegate_answers("dai_bieu_hdnd", 2),
    );
    let (status, body) = status_and_json(app.post_json(RESPONSES, &body).await).await;
    assert_eq!(status, 201, "{body}");
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[derive(QueryableByName)]
struct Checkpoint {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    busy: i32,
}

/// SQLite keeps every page a commit wrote in its write-ahead log (`…-wal`) until a checkpoint,
/// and the log shows which pages changed together. The invitations are issued and checkpointed
/// into the main file; then two are answered. Everything written since is in the log: the
/// responses and the records of use must be there, and no page of the invitations table or its
/// index — which would show, by the token's SHA-256, which invitation changed in the commit that
/// stored which response.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_files_hold_no_link_between_invitation_and_response() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let admin = app.token_for(Role::Admin).await;
    let tokens = issue(&app, &admin, 40, "dai_bieu_hdnd").await;
    let mut conn = diesel::SqliteConnection::establish(&app.database_url).expect("SQLite");
    let done: Checkpoint = diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)")
        .get_result(&mut conn)
        .expect("checkpoint");
    assert_eq!(done.busy, 0, "the checkpoint ran");
    let wal = format!("{}-wal", app.database_url);
    assert_eq!(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0), 0);

    answer_two(&app, &tokens).await;
    let log = std::fs::read(&wal).expect("the write-ahead log");
    let ids = response_ids(&app);
    assert_eq!(ids.len(), 2);
    let mut raw = raw_conn(&app);
    let uses: Vec<String> = column_values(&mut raw, "invitation_uses", "use_hash")
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(uses.len(), 2);
    for written in ids.iter().chain(&uses) {
        assert!(
            contains(&log, written),
            "the log holds what was written since: {written}"
        );
    }
    for token in &tokens {
        assert!(
            !contains(&log, &sha256_hex(token)) && !contains(&log, token),
            "the log holds a page of the invitations (token {token})"
        );
    }
    let file = std::fs::read(&app.database_url).expect("the database file");
    for token in &tokens {
        assert!(
            contains(&file, &sha256_hex(token)),
            "issued invitations are in the file"
        );
    }
    for used in &uses {
        assert!(
            tokens.iter().all(|t| !used.contains(&sha256_hex(t))),
            "a use record is not the token's SHA-256"
        );
    }
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = Text)]
    xmin: String,
    #[diesel(sql_type = Text)]
    xmax: String,
}

#[derive(QueryableByName)]
struct Xmin {
    #[diesel(sql_type = Text)]
    x: String,
}

/// PostgreSQL keeps old versions of updated rows on the table's pages until VACUUM, each stamped
/// with the transaction that wrote it (`xmin`) and the one that replaced it (`xmax`): a row
/// version of an invitation replaced by the transaction that stored a response would name the
/// invitation the response came through. Read every tuple on the invitations' pages, live or
/// dead (pageinspect): there is one version per invitation, none was ever replaced or locked, and
/// none was written by a transaction that stored a response.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_row_versions_hold_no_link_between_invitation_and_response() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let admin = app.token_for(Role::Admin).await;
    let tokens = issue(&app, &admin, 3, "dai_bieu_hdnd").await;
    answer_two(&app, &tokens).await;

    let mut pg = diesel::PgConnection::establish(&app.database_url).unwrap();
    diesel::sql_query("CREATE EXTENSION IF NOT EXISTS pageinspect")
        .execute(&mut pg)
        .expect("pageinspect (PostgreSQL's contrib) is available");
    let versions: Vec<Version> = diesel::sql_query(
        "SELECT t_xmin::text AS xmin, t_xmax::text AS xmax \
         FROM generate_series(0, (pg_relation_size('invitations') \
                                  / current_setting('block_size')::int)::int - 1) AS blk, \
              LATERAL heap_page_items(get_raw_page('invitations', blk)) \
         WHERE lp_flags = 1",
    )
    .load(&mut pg)
    .expect("read the invitations' pages");
    assert_eq!(versions.len(), 3, "one version per invitation, no old ones");
    assert!(
        versions.iter().all(|v| v.xmax == "0"),
        "never replaced nor locked"
    );
    let issued: BTreeSet<String> = versions.into_iter().map(|v| v.xmin).collect();
    assert_eq!(
        issued.len(),
        1,
        "all written by the one transaction that issued them"
    );

    let stamps = |pg: &mut diesel::PgConnection, sql: &str| -> BTreeSet<String> {
        diesel::sql_query(sql)
            .load::<Xmin>(pg)
            .unwrap()
            .into_iter()
            .map(|r| r.x)
            .collect()
    };
    let responses = stamps(&mut pg, "SELECT xmin::text AS x FROM responses");
    let uses = stamps(&mut pg, "SELECT xmin::text AS x FROM invitation_uses");
    assert_eq!(responses.len(), 2);
    assert!(responses.is_disjoint(&issued));
    // A use is recorded with its response (that is what makes single use atomic); it names no
    // invitation: a keyed hash, not the SHA-256 the invitation rows hold.
    assert_eq!(uses, responses);
    let mut raw = raw_conn(&app);
    for used in column_values(&mut raw, "invitation_uses", "use_hash")
        .into_iter()
        .flatten()
    {
        assert!(tokens.iter().all(|t| used != sha256_hex(t) && used != *t));
    }
}

async fn twenty_concurrent_uses_of_one_invitation_create_one_response(app: TestApp) {
    // Through the HTTP API only: ten distinct answers and ten resends of one of them.
    let token = one_invitation(&app).await;
    let root = root_unit(&app).await;
    let resent = api_body(&root, Some(&token), delegate_answers("dai_bieu_hdnd", 4));
    let bodies: Vec<Value> = (0..20)
        .map(|i| match i % 2 {
            0 => resent.clone(),
            _ => api_body(
                &root,
                Some(&token),
                delegate_answers("dai_bieu_hdnd", 1 + i % 5),
            ),
        })
        .collect();
    let sends = bodies.iter().map(|body| {
        let app = &app;
        async move { status_and_json(app.post_json(RESPONSES, body).await).await }
    });
    let results = futures::future::join_all(sends).await;
    let created: Vec<&Value> = results
        .iter()
        .filter(|(s, _)| *s == 201)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(created.len(), 1, "exactly one 201: {results:?}");
    let id = created[0]["id"].as_str().expect("id");
    for (k, (status, body)) in results.iter().enumerate() {
        match status {
            201 => {}
            // A replay of the one stored answer, for its own client_id only.
            200 => {
                assert_eq!(body["id"], id, "{body}");
                assert_eq!(k % 2, 0, "only resends of the stored answer replay: {body}");
            }
            409 => assert_eq!(body["error"]["code"], "invitation_used", "{body}"),
            _ => panic!("unexpected {status}: {body}"),
        }
    }
    // Whichever answer won, the invitation is used: a new answer is refused over HTTP.
    let again = api_body(&root, Some(&token), delegate_answers("dai_bieu_hdnd", 2));
    let (status, body) = status_and_json(app.post_json(RESPONSES, &again).await).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (409, json!("invitation_used"))
    );
    assert_eq!(app.counts().0, 1, "one response stored");
}
both_backends!(twenty_concurrent_uses_of_one_invitation_create_one_response);
