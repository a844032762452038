//! `POST /api/v1/imports/{form_id}` and `GET /api/v1/imports/{form_id}/template.xlsx`: an export
//! imported into a fresh service gives the same report; the same file twice stores nothing new;
//! a dry run stores nothing and lists every problem by row and column; every kind of bad file
//! is refused whole (nothing stored); the template, filled in, imports.

use serde_json::{json, Value};
use sipas::domain::Role;

use crate::common::*;

mod bad_files;
mod large;
mod roundtrip;
mod template;

const FORM: &str = "sipas-dich-vu";
const CSV: &str = "text/csv";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// POSTs a file to the import route (`query` e.g. `?dry_run=true`).
async fn import(
    app: &TestApp,
    token: &str,
    query: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/imports/{FORM}{query}")))
        .bearer_auth(token)
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .expect("POST import")
}

/// The `(row, column, code)` of each problem in a dry run's body or a 422's `error`.
fn problems(list: &Value) -> Vec<(Option<u64>, Option<String>, String)> {
    list.as_array()
        .expect("problems is a list")
        .iter()
        .map(|p| {
            assert!(
                p["message"].as_str().is_some_and(|m| !m.is_empty()),
                "a message for {p}"
            );
            (
                p["row"].as_u64(),
                p["column"].as_str().map(str::to_string),
                p["code"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn cell(row: u64, column: &str, code: &str) -> (Option<u64>, Option<String>, String) {
    (Some(row), Some(column.to_string()), code.to_string())
}

/// The export's header for the service form, from the app itself (an empty export).
async fn export_header(app: &TestApp, token: &str) -> String {
    let response = app
        .get_auth(&format!("/api/v1/exports/{FORM}.csv"), token)
        .await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    text.trim_start_matches('\u{feff}')
        .lines()
        .next()
        .expect("a header")
        .to_string()
}

/// A CSV row for `header` with these cells by column (others empty).
fn csv_row(header: &str, cells: &Value) -> String {
    header
        .split(',')
        .map(|column| match &cells[column] {
            Value::Null => String::new(),
            Value::String(s) if s.contains([',', '"', '\n']) => {
                format!("\"{}\"", s.replace('"', "\"\""))
            }
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A complete, valid row of the service form (phone channel) named `id`.
fn valid_cells(id: &str) -> Value {
    let mut cells = full_answers();
    cells["id"] = json!(id);
    cells["unit"] = json!("phuoc-son");
    cells["channel"] = json!("phone");
    cells["submitted_at"] = json!("2024-05-02T09:30:00+07:00");
    cells
}

fn csv_file(header: &str, rows: &[Value]) -> String {
    let mut out = format!("{header}\r\n");
    for row in rows {
        out.push_str(&csv_row(header, row));
        out.push_str("\r\n");
    }
    out
}

/// Tokens of a fresh clerk (imports) and analyst (reports, exports).
async fn tokens(app: &TestApp) -> (String, String) {
    (
        app.token_for(Role::Clerk).await,
        app.token_for(Role::Analyst).await,
    )
}
