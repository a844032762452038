//! `GET /healthz`: 200 when the database answers, 503 (JSON error, never a 500) when it does not.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use sipas::forms::FormRegistry;
use sipas::web::state::AppState;

use crate::common::*;

async fn healthz_is_ok(app: TestApp) {
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert!(
        response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json")),
        "JSON content type"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({"status": "ok"}));
}
both_backends!(healthz_is_ok);

/// A running app whose database does not answer (nothing listens on port 1).
fn app_without_database() -> String {
    const NOWHERE: &str = "postgres://postgres@127.0.0.1:1/none";
    let state = AppState::new(
        sipas::store::lazy_pool(NOWHERE, 2),
        FormRegistry::default(),
        Arc::new(test_config(NOWHERE)),
        String::new(),
        sipas::platform::keys::ServerKey::from_bytes([7; 32]),
    );
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let port = listener.local_addr().unwrap().port();
    let server = sipas::startup::run(listener, state).expect("the server starts");
    tokio::spawn(server);
    format!("http://127.0.0.1:{port}")
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_is_503_without_database() {
    let address = app_without_database();
    let response = client()
        .get(format!("{address}/healthz"))
        .send()
        .await
        .expect("an answer, not a hang");
    let body = expect_error(response, 503, "database_unavailable").await;
    assert!(body["error"].get("fields").is_none() || body["error"]["fields"] == json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_calls_are_503_without_database() {
    let address = app_without_database();
    let client = client();

    let response = client
        .get(format!("{address}/api/v1/units"))
        .send()
        .await
        .expect("an answer, not a hang");
    assert!(
        response
            .headers()
            .contains_key(reqwest::header::RETRY_AFTER),
        "503 says when to retry"
    );
    expect_error(response, 503, "database_unavailable").await;

    let response = client
        .post(format!("{address}/api/v1/auth/login"))
        .json(&json!({"username": "ana", "password": "0123456789abcdef"}))
        .send()
        .await
        .expect("an answer, not a hang");
    expect_error(response, 503, "database_unavailable").await;

    let response = client
        .get(format!(
            "{address}/api/v1/responses/{}",
            uuid::Uuid::new_v4()
        ))
        .bearer_auth("some-token")
        .send()
        .await
        .expect("an answer, not a hang");
    expect_error(response, 503, "database_unavailable").await;
}
