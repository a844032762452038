//! Single-use invitations (the delegates' survey) through the real HTTP stack, on SQLite and
//! PostgreSQL: issuing them, answering through `/i/{token}` and through the JSON API, the second
//! use refused (also under concurrency), the anonymity of what is stored, the response-rate
//! statistics and the delegates' report.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::*;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use reqwest::header::ACCEPT;
use serde_json::{json, Value};
use sipas::domain::Role;
use sipas::store::schema::{invitations, responses};

mod anonymity;
mod answering;
mod deadlines_and_stats;
mod issuing;
mod json_api;

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
