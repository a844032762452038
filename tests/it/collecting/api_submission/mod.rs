//! `POST /api/v1/forms/{form_id}/responses`: what is refused (and then never stored), what is
//! accepted, and what is stored, over the real HTTP API on SQLite and PostgreSQL.
//! Idempotency, concurrency and transactions are in `api_idempotency.rs`.

use crate::common::*;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};
use sipas::domain::Role;
use unicode_normalization::UnicodeNormalization;

mod channels_and_staff;
mod invalid_answers;
mod refused_requests;
mod required_and_routing;
mod stored;

const SERVICE_FORM: &str = "sipas-dich-vu";
const HOUSEHOLD_FORM: &str = "sipas-ho-gia-dinh";
const DELEGATES_FORM: &str = "khao-sat-dai-bieu";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn responses_path(form: &str) -> String {
    format!("/api/v1/forms/{form}/responses")
}

/// A submission body with a fresh client_id for unit `phuoc-son`.
fn submission(channel: &str, answers: Value) -> Value {
    json!({
        "client_id": uuid::Uuid::new_v4().to_string(),
        "unit": "phuoc-son",
        "channel": channel,
        "answers": answers,
    })
}

/// A household-form submission (web channel).
fn household(answers: Value) -> Value {
    submission("web", answers)
}

async fn post_to(
    app: &TestApp,
    form: &str,
    body: &Value,
    token: Option<&str>,
) -> reqwest::Response {
    let mut request = app.client.post(app.url(&responses_path(form))).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("POST")
}

async fn post_raw(
    app: &TestApp,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    app.client
        .post(app.url(&responses_path(SERVICE_FORM)))
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .expect("POST")
}

/// Asserts a 201 with `{"id"}` and returns the id.
async fn expect_created(send: impl std::future::Future<Output = reqwest::Response>) -> String {
    let response = send.await;
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(status, 201, "expected 201 Created, got {status}: {body}");
    body["id"].as_str().expect("id in the 201 body").to_string()
}

/// Sends a request, expects the error `status`/`code`, and checks that nothing was stored.
async fn refused(
    app: &TestApp,
    status: u16,
    code: &str,
    send: impl std::future::Future<Output = reqwest::Response>,
) -> Value {
    let before = app.counts();
    let body = expect_error(send.await, status, code).await;
    assert_eq!(
        app.counts(),
        before,
        "nothing may be stored by a refused request ({body})"
    );
    body
}

/// After a refused request, the same client (and its pooled keep-alive connection) can still
/// submit: the server did not leave an unread body behind on the connection.
async fn next_submission_is_stored(app: &TestApp) {
    let before = app.counts().0;
    expect_created(app.submit(&valid_submission())).await;
    assert_eq!(app.counts().0, before + 1, "the next submission is stored");
}

/// Submits `body` to `form` (optionally as staff), expects 422 `validation_failed` and returns the
/// (field, code) pairs; checks that nothing was stored and that every field error has messages.
async fn invalid(
    app: &TestApp,
    form: &str,
    body: &Value,
    token: Option<&str>,
) -> Vec<(String, String)> {
    let error = refused(
        app,
        422,
        "validation_failed",
        post_to(app, form, body, token),
    )
    .await;
    for field in error["error"]["fields"]
        .as_array()
        .expect("fields in a 422 body")
    {
        for key in ["message", "message_en"] {
            assert!(
                field[key].as_str().is_some_and(|m| !m.is_empty()),
                "{key} of field error {field}"
            );
        }
    }
    field_errors(&error)
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(f, c)| (f.to_string(), c.to_string()))
        .collect()
}

/// Asserts that the 422 for `body` reports exactly these (field, code) pairs, in any order.
async fn expect_fields(app: &TestApp, form: &str, body: &Value, expected: &[(&str, &str)]) {
    let mut got = invalid(app, form, body, None).await;
    let mut want = pairs(expected);
    got.sort();
    want.sort();
    assert_eq!(got, want, "field errors for {body}");
}

/// A stored response as an analyst reads it through `GET /api/v1/responses/{id}`.
async fn read_back(app: &TestApp, id: &str) -> Value {
    let token = app.token_for(Role::Analyst).await;
    let response = app
        .get_auth(&format!("/api/v1/responses/{id}"), &token)
        .await;
    assert_eq!(response.status(), 200, "GET the stored response {id}");
    response.json().await.expect("stored response JSON")
}

fn instant(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .expect("RFC 3339 time")
        .with_timezone(&Utc)
}
