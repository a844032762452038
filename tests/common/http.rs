//! Requests the tests send again and again: with or without a bearer token, urlencoded forms as
//! the citizen pages post them, and the kiosk registration.

use reqwest::header::{ACCEPT, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use serde_json::{json, Value};

use super::TestApp;

/// POSTs `body` as JSON, with a bearer token when there is one.
pub async fn post_auth(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    let mut request = app.client.post(app.url(path)).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("POST")
}

/// GETs `path`, with a bearer token when there is one.
pub async fn get_opt_auth(app: &TestApp, path: &str, token: Option<&str>) -> reqwest::Response {
    match token {
        Some(token) => app.get_auth(path, token).await,
        None => app.get(path).await,
    }
}

/// DELETEs `path`, with a bearer token when there is one.
pub async fn delete_auth(app: &TestApp, path: &str, token: Option<&str>) -> reqwest::Response {
    let mut request = app.client.delete(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("DELETE")
}

/// The response's status and JSON body.
pub async fn status_and_json(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = response.json().await.expect("JSON body");
    (status, body)
}

/// The answers of a JSON answer set as urlencoded fields: strings as they are, numbers as text.
pub fn answer_fields(answers: &Value) -> Vec<(String, String)> {
    answers
        .as_object()
        .expect("answers object")
        .iter()
        .map(|(code, value)| {
            let value = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (code.clone(), value)
        })
        .collect()
}

/// POSTs urlencoded `fields` to `path`, as a plain form or, with `json`, the way the pages'
/// script does (`Accept: application/json`).
pub async fn post_urlencoded(
    app: &TestApp,
    path: &str,
    fields: &[(String, String)],
    json: bool,
) -> reqwest::Response {
    let body = serde_urlencoded::to_string(fields).expect("urlencode");
    let mut request = app
        .client
        .post(app.url(path))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body);
    if json {
        request = request.header(ACCEPT, "application/json");
    }
    request.send().await.expect("POST")
}

/// Registers a kiosk as `admin`; expects 201 and returns the body (with its `id` and `token`).
pub async fn register_kiosk(app: &TestApp, admin: &str, name: &str, unit: &str) -> Value {
    let (status, body) = status_and_json(
        post_auth(
            app,
            "/api/v1/kiosks",
            Some(admin),
            &json!({"name": name, "unit": unit}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "kiosk registered: {body}");
    body
}

/// Logs in through the JSON API; returns the raw response.
pub async fn login(app: &TestApp, username: &str, password: &str) -> reqwest::Response {
    app.post_json(
        "/api/v1/auth/login",
        &json!({"username": username, "password": password}),
    )
    .await
}

/// The `Location` of a response (empty when it has none).
pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// The `Retry-After` of a response, in seconds; fails when it is absent or not a number.
pub fn retry_after(response: &reqwest::Response) -> u64 {
    let value = response
        .headers()
        .get(RETRY_AFTER)
        .unwrap_or_else(|| panic!("Retry-After on {}", response.status()))
        .to_str()
        .unwrap();
    value
        .parse()
        .unwrap_or_else(|_| panic!("Retry-After is whole seconds: {value:?}"))
}

/// The `id` of a created resource's JSON body.
pub fn id_of(body: &Value) -> String {
    body["id"]
        .as_str()
        .unwrap_or_else(|| panic!("id in {body}"))
        .to_string()
}

/// Submits `body` to the service form's JSON API; returns the status and the JSON body.
pub async fn send_submission(app: &TestApp, body: &Value) -> (u16, Value) {
    status_and_json(app.submit(body).await).await
}

/// The answers of the stored response `id`, read through the API with `token` (an analyst's or
/// an admin's); expects 200.
pub async fn response_answers(app: &TestApp, token: &str, id: &str) -> Value {
    let (status, body) = status_and_json(
        app.get_auth(&format!("/api/v1/responses/{id}"), token)
            .await,
    )
    .await;
    assert_eq!(status, 200, "GET the stored response {id}: {body}");
    body["answers"].clone()
}

/// The urlencoded fields of a kiosk's or an invitation's page: the client id, then the answers
/// (numbers as text).
pub fn client_fields(client_id: &str, answers: &Value) -> Vec<(String, String)> {
    let mut out = vec![("client_id".to_string(), client_id.to_string())];
    out.extend(answer_fields(answers));
    out
}
