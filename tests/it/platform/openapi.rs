//! The OpenAPI description at `/api/v1/openapi.json`: valid OpenAPI 3, complete, and in step with
//! the routes the server really answers.

use reqwest::header::CONTENT_TYPE;
use reqwest::Method;
use serde_json::Value;

use crate::common::*;

const SPEC: &str = "/api/v1/openapi.json";
const FORM: &str = "sipas-dich-vu";

/// The operations API.md and the citizen pages promise, as (method, path).
const EXPECTED: &[(&str, &str)] = &[
    ("get", "/api/v1/forms"),
    ("get", "/api/v1/forms/{form_id}"),
    ("post", "/api/v1/forms/{form_id}/responses"),
    ("get", "/api/v1/responses/{id}"),
    ("get", "/api/v1/units"),
    ("patch", "/api/v1/units/{code}"),
    ("post", "/api/v1/units"),
    ("post", "/api/v1/units/import"),
    ("get", "/api/v1/units/mappings"),
    ("post", "/api/v1/units/mappings"),
    ("get", "/api/v1/units/{code}/qr.{ext}"),
    ("get", "/api/v1/reports/{form_id}"),
    ("get", "/api/v1/exports/{file}"),
    ("post", "/api/v1/imports/{form_id}"),
    ("get", "/api/v1/imports/{form_id}/template.xlsx"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/logout"),
    ("post", "/api/v1/auth/password"),
    ("get", "/api/v1/users"),
    ("post", "/api/v1/users"),
    ("patch", "/api/v1/users/{id}"),
    ("post", "/api/v1/users/{id}/password"),
    ("get", "/healthz"),
    ("get", "/"),
    ("get", "/f"),
    ("get", "/f/{form_id}"),
    ("post", "/f/{form_id}"),
    ("get", "/static/sipas.css"),
    ("get", "/static/sipas.js"),
    ("post", "/api/v1/kiosks"),
    ("get", "/api/v1/kiosks"),
    ("delete", "/api/v1/kiosks/{id}"),
    ("post", "/api/v1/paper/batches"),
    ("get", "/api/v1/paper/batches"),
    ("get", "/api/v1/paper/batches/{id}.pdf"),
    ("post", "/api/v1/forms/{form_id}/invitations"),
    ("get", "/api/v1/forms/{form_id}/invitations/stats"),
    ("get", "/k/{token}"),
    ("post", "/k/{token}"),
    ("get", "/i/{token}"),
    ("post", "/i/{token}"),
    ("get", "/api/v1/audit"),
    ("get", "/api/v1/audit.csv"),
    ("post", "/api/v1/forms"),
    ("get", "/admin"),
    ("get", "/staff"),
    ("get", "/admin/kiosks"),
    ("post", "/admin/kiosks"),
    ("post", "/admin/kiosks/{id}/revoke"),
    ("get", "/admin/invitations"),
    ("post", "/admin/invitations"),
    ("get", "/admin/forms"),
    ("post", "/admin/forms"),
    ("get", "/admin/audit"),
    ("get", "/admin/paper"),
    ("post", "/admin/paper"),
    ("get", "/admin/users"),
    ("post", "/admin/users"),
    ("post", "/admin/users/{id}/role"),
    ("post", "/admin/users/{id}/disabled"),
    ("post", "/admin/users/{id}/password"),
    ("get", "/admin/units"),
    ("post", "/admin/units"),
    ("post", "/admin/units/import"),
    ("post", "/admin/units/mappings"),
    ("post", "/admin/units/{code}/rename"),
    ("post", "/admin/units/{code}/close"),
    ("post", "/api/v1/paper/samples"),
    ("get", "/api/v1/paper/samples"),
    ("get", "/api/v1/paper/samples/{id}"),
    ("post", "/api/v1/paper/samples/{id}/checks"),
    ("get", "/api/v1/paper/progress"),
    ("get", "/api/v1/paper/error-rates"),
    ("get", "/api/v1/responses/{id}/versions"),
    ("get", "/admin/paper/checks"),
    ("post", "/admin/paper/checks"),
    ("get", "/admin/paper/checks/{id}"),
    ("post", "/admin/paper/checks/{id}"),
    ("get", "/admin/paper/progress"),
    ("post", "/api/v1/paper/entries"),
    ("get", "/api/v1/paper/sheets"),
    ("post", "/api/v1/paper/sheets/{sheet}/reconcile"),
    ("get", "/api/v1/paper/operators"),
    ("get", "/entry"),
    ("post", "/entry"),
    ("get", "/entry/reconcile"),
    ("post", "/entry/reconcile/{sheet}"),
    ("get", "/static/entry.js"),
];

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

async fn spec(app: &TestApp) -> Value {
    let response = app.get(SPEC).await;
    assert_eq!(
        response.status(),
        200,
        "{SPEC} is served: {}",
        response.text().await.unwrap()
    );
    assert!(
        response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json")),
        "JSON content type"
    );
    response.json().await.expect("the description is JSON")
}

/// Every `$ref` anywhere in `value`.
fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// Every (method, path, operation) of the description.
fn operations(spec: &Value) -> Vec<(String, String, &Value)> {
    let paths = spec["paths"].as_object().expect("paths is an object");
    let mut out = Vec::new();
    for (path, item) in paths {
        let item = item.as_object().expect("a path item is an object");
        for (method, op) in item {
            if METHODS.contains(&method.as_str()) {
                out.push((method.clone(), path.clone(), op));
            }
        }
    }
    out
}

async fn the_description_is_valid_openapi_3(app: TestApp) {
    let spec = spec(&app).await;
    let version = spec["openapi"].as_str().expect("an openapi version field");
    assert!(version.starts_with("3."), "OpenAPI 3, not {version}");
    assert!(spec["info"]["title"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
    assert!(spec["info"]["version"].as_str().is_some());
    let ops = operations(&spec);
    assert!(!ops.is_empty(), "the description lists operations");
    for (method, path, op) in &ops {
        assert!(path.starts_with('/'), "path {path} starts with /");
        let responses = op["responses"]
            .as_object()
            .unwrap_or_else(|| panic!("{method} {path} has responses"));
        assert!(
            !responses.is_empty(),
            "{method} {path} documents a response"
        );
        for status in responses.keys() {
            assert!(
                status == "default"
                    || (status.len() == 3 && status.chars().all(|c| c.is_ascii_digit())),
                "{method} {path}: response key {status}"
            );
        }
        // Every {param} in the path is declared as a required path parameter.
        // A parameter is a whole segment or part of one (`qr.{ext}`).
        for segment in path.split('/') {
            if let Some((name, _)) = segment.split_once('{').and_then(|(_, s)| s.split_once('}')) {
                let declared = op["parameters"].as_array().is_some_and(|ps| {
                    ps.iter()
                        .any(|p| p["name"] == name && p["in"] == "path" && p["required"] == true)
                });
                assert!(
                    declared,
                    "{method} {path} declares the path parameter {name}"
                );
            }
        }
    }

    // Every reference resolves.
    let mut all = Vec::new();
    refs(&spec, &mut all);
    assert!(!all.is_empty());
    for r in all {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("local reference: {r}"));
        assert!(
            spec.pointer(pointer).is_some(),
            "the reference {r} resolves"
        );
    }
}
both_backends!(the_description_is_valid_openapi_3);

async fn the_description_lists_the_contract(app: TestApp) {
    let spec = spec(&app).await;
    for (method, path) in EXPECTED {
        assert!(
            spec["paths"][path][method].is_object(),
            "{} {path} is described; paths: {:?}",
            method.to_uppercase(),
            spec["paths"]
                .as_object()
                .map(|p| p.keys().collect::<Vec<_>>())
        );
    }
    let submit = &spec["paths"]["/api/v1/forms/{form_id}/responses"]["post"];
    for status in ["201", "400", "404", "409", "413", "415", "422"] {
        assert!(
            submit["responses"][status].is_object(),
            "the submission documents {status}"
        );
    }
    assert!(
        submit["requestBody"]["content"]["application/json"].is_object(),
        "the submission takes JSON"
    );
    let schemas = &spec["components"]["schemas"];
    for name in ["ErrorBody", "SubmissionRequest"] {
        assert!(schemas[name].is_object(), "component schema {name}");
    }
    assert!(
        spec["components"]["securitySchemes"]["bearer"].is_object(),
        "the bearer scheme is described"
    );
}
both_backends!(the_description_lists_the_contract);

/// A value for a path or query parameter that routes to something real.
fn sample(name: &str) -> String {
    match name {
        "form_id" | "form" => FORM.to_string(),
        "id" => uuid::Uuid::new_v4().to_string(),
        "unit" | "code" => "phuoc-son".to_string(),
        "file" => format!("{FORM}.csv"),
        "channel" => "web".to_string(),
        "ext" => "png".to_string(),
        _ => "x".to_string(),
    }
}

async fn send(app: &TestApp, method: &str, path: &str, op: &Value) -> reqwest::Response {
    let concrete: Vec<String> = path
        .split('/')
        .map(|segment| {
            match segment
                .split_once('{')
                .and_then(|(before, s)| Some((before, s.split_once('}')?)))
            {
                Some((before, (name, after))) => format!("{before}{}{after}", sample(name)),
                None => segment.to_string(),
            }
        })
        .collect();
    let mut url = app.url(&concrete.join("/"));
    let query: Vec<(String, String)> = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == "query" && p["required"] == true)
        .filter_map(|p| p["name"].as_str())
        .map(|name| (name.to_string(), sample(name)))
        .collect();
    if !query.is_empty() {
        url.push('?');
        url.push_str(&serde_urlencoded::to_string(&query).unwrap());
    }
    let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    let mut request = app.client.request(method, url);
    let content = &op["requestBody"]["content"];
    if content["application/json"].is_object() {
        request = request.header(CONTENT_TYPE, "application/json").body("{}");
    } else if content["application/x-www-form-urlencoded"].is_object() {
        request = request
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body("unit=phuoc-son&channel=web");
    }
    request.send().await.expect("an answer")
}

async fn every_described_path_is_routed(app: TestApp) {
    let spec = spec(&app).await;
    // What an unrouted path looks like, under /api/ and elsewhere.
    let unrouted_page = app
        .get(&format!("/no-such-page-{}", uuid::Uuid::new_v4().simple()))
        .await;
    assert_eq!(unrouted_page.status(), 404);
    let unrouted_page = unrouted_page.bytes().await.unwrap();
    let unrouted_api = app
        .get(&format!(
            "/api/v1/no-such-{}",
            uuid::Uuid::new_v4().simple()
        ))
        .await;
    expect_error(unrouted_api, 404, "not_found").await;

    let ops = operations(&spec);
    for (method, path, op) in &ops {
        let response = send(&app, method, path, op).await;
        let status = response.status().as_u16();
        let body = response.bytes().await.unwrap();
        let what = format!(
            "{} {path} answered {status}: {}",
            method.to_uppercase(),
            String::from_utf8_lossy(&body)
        );
        if path == "/api/v1/responses/{id}" && method == "get" {
            assert_eq!(status, 401, "without credentials: {what}");
            continue;
        }
        if status != 404 {
            continue;
        }
        if path.starts_with("/api/") {
            let error: Value =
                serde_json::from_slice(&body).unwrap_or_else(|_| panic!("a JSON error: {what}"));
            assert_ne!(error["error"]["code"], "not_found", "not routed: {what}");
        } else {
            assert_ne!(body, unrouted_page, "not routed: {what}");
        }
    }
    // The expected operations were all among those checked (see the_description_lists_the_contract).
    assert!(ops.len() >= EXPECTED.len());
}
both_backends!(every_described_path_is_routed);
