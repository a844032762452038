//! Phúc tra through the real HTTP stack, on SQLite and PostgreSQL: a reproducible sample of the
//! stored paper sheets, the re-check outcomes (a correction is a new version of the response, the
//! old one kept, and reports follow it), error rates per batch and operator, the response rate
//! per unit. The printed batches and entered sheets are set up by `tests/common/paper.rs`.

use crate::common::*;
use serde_json::{json, Value};
use sipas::domain::Role;

mod correcting;
mod numbers;
mod pages;
mod sampling;

/// POSTs a sample request as `token`.
async fn draw(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    post_auth(app, "/api/v1/paper/samples", Some(token), &body).await
}

/// Draws a sample (expects 201) and returns its body.
async fn drawn(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, out) = status_and_json(draw(app, token, body.clone()).await).await;
    assert_eq!(status, 201, "sample {body}: {out}");
    out
}

/// The sheet numbers of a sample body.
fn sheets_of(sample: &Value) -> Vec<String> {
    sample["sheets"]
        .as_array()
        .expect("sheets")
        .iter()
        .map(|s| s["sheet"].as_str().expect("sheet").to_string())
        .collect()
}

/// POSTs a check of `sheet` in `sample` as `token`.
async fn check(app: &TestApp, token: &str, sample: &str, body: Value) -> reqwest::Response {
    let path = format!("/api/v1/paper/samples/{sample}/checks");
    post_auth(app, &path, Some(token), &body).await
}

/// The count of rows of a table, read directly.
fn count_rows(app: &TestApp, table: &str) -> i64 {
    use diesel::prelude::*;
    use diesel::sql_types::BigInt;
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let rows: Vec<N> = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
        .load(&mut app.db())
        .expect("count");
    rows[0].n
}
