//! The route table: every route the service describes is either one of the documented public
//! ones, or answers 401 (API) / a redirect to the login page (staff pages) without credentials and
//! 403 to every role that is not allowed — on both backends. A new route must be added to `TABLE`
//! (the test fails on any route it does not know), so no route is ever public by accident.

use crate::common::*;
use reqwest::Method;
use serde_json::Value;
use sipas::domain::Role;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Anyone (citizens, kiosks, invitations, health checks, the description itself).
    Public,
    /// Staff with one of these roles, by bearer token (API) …
    Api(&'static [Role]),
    /// … or by session cookie (staff pages: without a session, a redirect to `/login`).
    Page(&'static [Role]),
}

use Access::*;

const ADMIN: &[Role] = &[Role::Admin];
const ANALYSIS: &[Role] = &[Role::Admin, Role::Analyst];
const RECORDERS: &[Role] = &[Role::Admin, Role::Clerk];
const STAFF: &[Role] = &[Role::Admin, Role::Analyst, Role::Clerk];

/// Every route, by method and path as the OpenAPI description spells it.
const TABLE: &[(&str, &str, Access)] = &[
    // Citizens, kiosks, invitations.
    ("get", "/", Public),
    ("get", "/f", Public),
    ("get", "/f/{form_id}", Public),
    ("post", "/f/{form_id}", Public),
    ("get", "/k/{token}", Public),
    ("post", "/k/{token}", Public),
    ("get", "/i/{token}", Public),
    ("post", "/i/{token}", Public),
    ("get", "/static/sipas.css", Public),
    ("get", "/static/sipas.js", Public),
    ("get", "/static/dashboard.css", Public),
    ("get", "/static/entry.js", Public),
    ("get", "/static/forms/{form_id}.css", Public),
    ("get", "/static/favicon.svg", Public),
    ("get", "/favicon.ico", Public),
    // HEAD wherever GET is answered on the citizen pages and their files.
    ("head", "/", Public),
    ("head", "/f", Public),
    ("head", "/f/{form_id}", Public),
    ("head", "/k/{token}", Public),
    ("head", "/i/{token}", Public),
    ("head", "/static/sipas.css", Public),
    ("head", "/static/sipas.js", Public),
    ("head", "/static/dashboard.css", Public),
    ("head", "/static/entry.js", Public),
    ("head", "/static/forms/{form_id}.css", Public),
    ("head", "/static/favicon.svg", Public),
    ("head", "/favicon.ico", Public),
    ("get", "/healthz", Public),
    ("get", "/api/v1/forms", Public),
    ("get", "/api/v1/forms/{form_id}", Public),
    ("post", "/api/v1/forms/{form_id}/responses", Public),
    ("get", "/api/v1/units", Public),
    ("get", "/api/v1/units/mappings", Public),
    ("post", "/api/v1/auth/login", Public),
    ("get", "/login", Public),
    ("post", "/login", Public),
    // Staff.
    ("post", "/api/v1/auth/logout", Api(STAFF)),
    ("post", "/logout", Page(STAFF)),
    ("get", "/api/v1/responses/{id}", Api(ANALYSIS)),
    ("get", "/api/v1/reports/{form_id}", Api(ANALYSIS)),
    (
        "get",
        "/api/v1/reports/{form_id}/charts/{file}",
        Api(ANALYSIS),
    ),
    (
        "get",
        "/api/v1/reports/{form_id}/report.docx",
        Api(ANALYSIS),
    ),
    ("get", "/api/v1/exports/{file}", Api(ANALYSIS)),
    ("post", "/api/v1/imports/{form_id}", Api(RECORDERS)),
    (
        "get",
        "/api/v1/imports/{form_id}/template.xlsx",
        Api(RECORDERS),
    ),
    ("get", "/api/v1/units/{code}/qr.{ext}", Api(STAFF)),
    (
        "get",
        "/api/v1/forms/{form_id}/invitations/stats",
        Api(ANALYSIS),
    ),
    ("get", "/dashboard", Page(ANALYSIS)),
    ("get", "/staff", Page(STAFF)),
    ("post", "/api/v1/paper/batches", Api(RECORDERS)),
    ("get", "/api/v1/paper/batches", Api(RECORDERS)),
    ("get", "/api/v1/paper/batches/{id}.pdf", Api(RECORDERS)),
    ("get", "/admin/paper", Page(RECORDERS)),
    ("post", "/admin/paper", Page(RECORDERS)),
    // Administration.
    ("patch", "/api/v1/units/{code}", Api(ADMIN)),
    ("post", "/api/v1/units", Api(ADMIN)),
    ("post", "/api/v1/units/import", Api(ADMIN)),
    ("post", "/api/v1/units/mappings", Api(ADMIN)),
    ("post", "/api/v1/kiosks", Api(ADMIN)),
    ("get", "/api/v1/kiosks", Api(ADMIN)),
    ("delete", "/api/v1/kiosks/{id}", Api(ADMIN)),
    ("post", "/api/v1/forms/{form_id}/invitations", Api(ADMIN)),
    ("post", "/api/v1/auth/password", Api(STAFF)),
    ("get", "/api/v1/users", Api(ADMIN)),
    ("post", "/api/v1/users", Api(ADMIN)),
    ("patch", "/api/v1/users/{id}", Api(ADMIN)),
    ("post", "/api/v1/users/{id}/password", Api(ADMIN)),
    ("get", "/api/v1/audit", Api(ADMIN)),
    ("get", "/api/v1/audit.csv", Api(ADMIN)),
    ("post", "/api/v1/forms", Api(ADMIN)),
    ("get", "/admin", Page(ADMIN)),
    ("get", "/admin/kiosks", Page(ADMIN)),
    ("post", "/admin/kiosks", Page(ADMIN)),
    ("post", "/admin/kiosks/{id}/revoke", Page(ADMIN)),
    ("get", "/admin/invitations", Page(ADMIN)),
    ("post", "/admin/invitations", Page(ADMIN)),
    ("get", "/admin/forms", Page(ADMIN)),
    ("post", "/admin/forms", Page(ADMIN)),
    ("get", "/admin/audit", Page(ADMIN)),
    ("get", "/admin/users", Page(ADMIN)),
    ("post", "/admin/users", Page(ADMIN)),
    ("post", "/admin/users/{id}/role", Page(ADMIN)),
    ("post", "/admin/users/{id}/disabled", Page(ADMIN)),
    ("post", "/admin/users/{id}/password", Page(ADMIN)),
    ("get", "/admin/units", Page(ADMIN)),
    ("post", "/admin/units", Page(ADMIN)),
    ("post", "/admin/units/import", Page(ADMIN)),
    ("post", "/admin/units/mappings", Page(ADMIN)),
    ("post", "/admin/units/{code}/rename", Page(ADMIN)),
    ("post", "/admin/units/{code}/close", Page(ADMIN)),
    // Paper: phúc tra and progress.
    ("post", "/api/v1/paper/samples", Api(ADMIN)),
    ("get", "/api/v1/paper/samples", Api(RECORDERS)),
    ("get", "/api/v1/paper/samples/{id}", Api(RECORDERS)),
    ("post", "/api/v1/paper/samples/{id}/checks", Api(RECORDERS)),
    ("get", "/api/v1/paper/progress", Api(ADMIN)),
    ("get", "/api/v1/paper/error-rates", Api(ADMIN)),
    ("get", "/api/v1/responses/{id}/versions", Api(ANALYSIS)),
    ("get", "/admin/paper/checks", Page(ADMIN)),
    ("post", "/admin/paper/checks", Page(ADMIN)),
    ("get", "/admin/paper/checks/{id}", Page(ADMIN)),
    ("post", "/admin/paper/checks/{id}", Page(ADMIN)),
    ("get", "/admin/paper/progress", Page(ADMIN)),
    // Paper entry and reconciliation.
    ("post", "/api/v1/paper/entries", Api(RECORDERS)),
    ("get", "/api/v1/paper/sheets", Api(ADMIN)),
    ("post", "/api/v1/paper/sheets/{sheet}/reconcile", Api(ADMIN)),
    ("get", "/api/v1/paper/operators", Api(ADMIN)),
    ("get", "/entry", Page(RECORDERS)),
    ("post", "/entry", Page(RECORDERS)),
    ("get", "/entry/reconcile", Page(ADMIN)),
    ("post", "/entry/reconcile/{sheet}", Page(ADMIN)),
];

const ROLES: [Role; 3] = [Role::Admin, Role::Analyst, Role::Clerk];

fn sample(name: &str) -> &'static str {
    match name {
        "form_id" | "form" => "sipas-dich-vu",
        "id" => "0192f0c4-0000-7000-8000-000000000000",
        "unit" | "code" => "phuoc-son",
        "file" => "sipas-dich-vu.csv",
        "ext" => "png",
        "token" => "0000",
        "sheet" => "phuoc-son-000001",
        _ => "x",
    }
}

/// The path with every `{param}` replaced by a sample value.
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').map_or(rest.len(), |e| start + e);
        out.push_str(&rest[..start]);
        out.push_str(sample(&rest[start + 1..end]));
        rest = &rest[(end + 1).min(rest.len())..];
    }
    out.push_str(rest);
    out
}

/// The required query parameters of an operation, with sample values.
fn query(op: &Value) -> Vec<(String, String)> {
    op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == "query" && p["required"] == true)
        .filter_map(|p| p["name"].as_str())
        .map(|name| (name.to_string(), sample(name).to_string()))
        .collect()
}

enum Credentials<'a> {
    None,
    Bearer(&'a str),
    /// A session cookie and that session's CSRF token.
    Cookie(&'a str, &'a str),
}

/// A fresh user of `role`, logged in: (bearer token, the session's CSRF token).
async fn session_for(app: &TestApp, role: Role) -> (String, String) {
    let username = format!("{}-rt", role.as_str());
    let password = app.create_user(&username, role);
    let response = app
        .post_json(
            "/api/v1/auth/login",
            &serde_json::json!({"username": username, "password": password}),
        )
        .await;
    assert_eq!(response.status(), 200, "login of {username}");
    let body: Value = response.json().await.unwrap();
    (
        body["token"].as_str().expect("token").to_string(),
        body["csrf_token"].as_str().expect("csrf_token").to_string(),
    )
}

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    op: &Value,
    page: bool,
    credentials: Credentials<'_>,
) -> reqwest::Response {
    let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    let mut request = app
        .client
        .request(method.clone(), app.url(&concrete(path)))
        .query(&query(op));
    let csrf = match credentials {
        Credentials::Cookie(_, csrf) => csrf,
        _ => "route-table",
    };
    request = match credentials {
        Credentials::None => request,
        Credentials::Bearer(token) => request.bearer_auth(token),
        // The session's CSRF token too: the check under test is the role, not the CSRF token.
        Credentials::Cookie(token, csrf) => request
            .header(
                "Cookie",
                format!("sipas_session={token}; sipas_csrf={csrf}"),
            )
            .header("X-CSRF-Token", csrf),
    };
    if method != Method::GET && method != Method::DELETE {
        request = if page {
            request
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(format!("csrf={csrf}"))
        } else {
            request
                .header("Content-Type", "application/json")
                .body("{}")
        };
    }
    request.send().await.expect("the request is answered")
}

async fn every_route_is_public_by_design_or_guarded(app: TestApp) {
    let spec: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    let mut tokens = Vec::new();
    for role in ROLES {
        tokens.push((role, session_for(&app, role).await));
    }
    let mut unknown = Vec::new();
    let mut checked = 0;
    // Logging out ends the session under test: those routes go last.
    let mut operations: Vec<(&String, &String, &Value)> = spec["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .expect("operations")
                .iter()
                .map(move |(method, op)| (path, method, op))
        })
        .collect();
    operations.sort_by_key(|(path, _, _)| path.ends_with("logout"));
    {
        for (path, method, op) in operations {
            let Some(&(_, _, access)) = TABLE.iter().find(|(m, p, _)| m == method && p == path)
            else {
                unknown.push(format!("{} {path}", method.to_uppercase()));
                continue;
            };
            checked += 1;
            let (allowed, cookie) = match access {
                Public => continue,
                Api(roles) => (roles, false),
                Page(roles) => (roles, true),
            };
            let anonymous = call(&app, method, path, op, cookie, Credentials::None).await;
            if cookie {
                // A page's POST without a session fails its CSRF check (403) before anything
                // else; a GET redirects to the login page.
                assert!(
                    matches!(anonymous.status().as_u16(), 303 | 401 | 403),
                    "{method} {path} without a session: {}",
                    anonymous.status()
                );
                if anonymous.status() == 303 {
                    assert_eq!(anonymous.headers()["location"], "/login", "{method} {path}");
                }
            } else {
                expect_error(anonymous, 401, "unauthenticated").await;
            }
            for (role, (token, csrf)) in &tokens {
                let credentials = if cookie {
                    Credentials::Cookie(token, csrf)
                } else {
                    Credentials::Bearer(token)
                };
                let response = call(&app, method, path, op, cookie, credentials).await;
                let status = response.status().as_u16();
                if allowed.contains(role) {
                    assert!(
                        status != 401 && status != 403,
                        "{method} {path} is allowed to {role:?}, got {status}"
                    );
                } else if cookie {
                    assert_eq!(status, 403, "{method} {path} refuses {role:?}");
                } else {
                    expect_error(response, 403, "forbidden").await;
                }
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "routes missing from the route table (decide who may call them): {unknown:#?}"
    );
    assert_eq!(
        checked,
        TABLE.len(),
        "every row of the table is a described route"
    );
}
both_backends!(every_route_is_public_by_design_or_guarded);
