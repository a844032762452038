//! Units administration over HTTP on SQLite and PostgreSQL: create, rename, move, close, import a
//! tree from CSV or JSON (idempotent, all or nothing), old → new mappings, roles, and the audit
//! record each change writes in its own transaction.

use crate::common::*;
use serde_json::{json, Value};
use sipas::domain::Role;

mod import;
mod mappings;
mod one_unit;
mod roles;

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
