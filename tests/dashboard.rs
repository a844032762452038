//! The analyst dashboard: login form, session cookie, the report page, logout.

mod common;
use common::*;

use sipas::domain::Role;

/// The `name=value` of a Set-Cookie header for `name`, with the whole header.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<(String, String)> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| {
            let pair = v.split(';').next().unwrap_or("").to_string();
            (pair, v.to_string())
        })
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

async fn login_form(app: &TestApp, username: &str, password: &str) -> reqwest::Response {
    app.client
        .post(app.url("/login"))
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .expect("POST /login")
}

/// Logs in through the form; returns the Cookie header value and the CSRF token.
async fn browser_login(app: &TestApp, role: Role) -> (String, String) {
    let username = format!("{}-dash", role.as_str());
    let password = app.create_user(&username, role);
    let response = login_form(app, &username, &password).await;
    assert_eq!(response.status(), 303);
    let (session, _) = set_cookie(&response, "sipas_session").expect("session cookie");
    let (csrf, _) = set_cookie(&response, "sipas_csrf").expect("csrf cookie");
    let token = csrf.split_once('=').unwrap().1.to_string();
    (format!("{session}; {csrf}"), token)
}

async fn get_with_cookie(app: &TestApp, path: &str, cookie: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .header(reqwest::header::COOKIE, cookie)
        .send()
        .await
        .expect("GET")
}

async fn logout(app: &TestApp, cookie: &str, csrf: Option<&str>) -> reqwest::Response {
    let fields: Vec<(&str, &str)> = csrf.map(|c| ("csrf", c)).into_iter().collect();
    app.client
        .post(app.url("/logout"))
        .header(reqwest::header::COOKIE, cookie)
        .form(&fields)
        .send()
        .await
        .expect("POST /logout")
}

async fn dashboard_requires_login(app: TestApp) {
    let response = app.get("/dashboard").await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/login");

    let page = app.get("/login").await;
    assert_eq!(page.status(), 200);
    let text = page.text().await.unwrap();
    assert!(text.contains("lang=\"vi\""));
    assert!(text.contains("action=\"/login\""));
    assert_no_inline_script(&text);

    // A session cookie that is not valid is no session.
    let response = get_with_cookie(&app, "/dashboard", "sipas_session=nonsense").await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/login");
}
both_backends!(dashboard_requires_login);

async fn wrong_password_is_refused(app: TestApp) {
    app.create_user("analyst-x", Role::Analyst);
    for (user, password) in [("analyst-x", "wrong-password-123"), ("nobody", "x")] {
        let response = login_form(&app, user, password).await;
        assert_eq!(response.status(), 401);
        assert!(response
            .headers()
            .get(reqwest::header::SET_COOKIE)
            .is_none());
        let text = response.text().await.unwrap();
        assert!(text.contains("Tên đăng nhập hoặc mật khẩu không đúng."));
    }
}
both_backends!(wrong_password_is_refused);

async fn analyst_sees_the_dashboard(app: TestApp) {
    for _ in 0..3 {
        assert_eq!(app.submit(&valid_submission()).await.status(), 201);
    }
    let username = "analyst-a";
    let password = app.create_user(username, Role::Analyst);
    let response = login_form(&app, username, &password).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/dashboard");
    let (session, header) = set_cookie(&response, "sipas_session").expect("session cookie");
    assert!(header.contains("HttpOnly"), "{header}");
    assert!(header.contains("SameSite=Strict"), "{header}");
    let (csrf, _) = set_cookie(&response, "sipas_csrf").expect("csrf cookie");
    let cookie = format!("{session}; {csrf}");

    let path = "/dashboard?form=sipas-dich-vu&unit=phuoc-son&from=2020-01-01&to=2100-01-01";
    let response = get_with_cookie(&app, path, &cookie).await;
    assert_eq!(response.status(), 200);
    assert!(response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html")));
    let text = response.text().await.unwrap();
    {
        use diesel::prelude::*;
        use sipas::store::schema::audit_log;
        let recorded: Vec<(Option<String>, Option<String>)> = audit_log::table
            .filter(audit_log::action.eq("report"))
            .select((audit_log::actor, audit_log::target))
            .load(&mut app.db())
            .unwrap();
        assert!(
            recorded
                .iter()
                .any(|(_, target)| target.as_deref() == Some("sipas-dich-vu")),
            "the dashboard's report is on the audit record: {recorded:?}"
        );
    }
    assert!(text.contains("lang=\"vi\""));
    assert!(text.contains("id=\"index-table\""));
    assert!(text.contains("id=\"element-table\""));
    assert!(text.contains("Chưa đủ căn cứ"), "verdict words");
    assert!(text.contains(" %"));
    assert!(text.contains(","), "decimal comma");
    assert_no_inline_script(&text);
    // The print layout (A4) is in the staff stylesheet the page links.
    let at = text
        .find("/static/dashboard.css?v=")
        .expect("the staff stylesheet is linked");
    let href = &text[at..at + text[at..].find('"').unwrap()];
    let css = app.get(href).await.text().await.unwrap();
    assert!(css.contains("@page{size:A4;margin:15mm}"), "{css}");
    let filters = "unit=phuoc-son&amp;from=2020-01-01&amp;to=2100-01-01";
    for kind in ["elements", "items", "distribution", "trend", "units"] {
        let img = format!("<img src=\"/api/v1/reports/sipas-dich-vu/charts/{kind}.svg?{filters}\"");
        assert!(text.contains(&img), "{img}");
        let png = format!("/api/v1/reports/sipas-dich-vu/charts/{kind}.png?{filters}");
        assert!(text.contains(&png), "{png}");
    }
    for ext in ["csv", "xlsx", "parquet"] {
        let link = format!("/api/v1/exports/sipas-dich-vu.{ext}?{filters}");
        assert!(text.contains(&link), "{link}");
    }
    // The links work with the same cookie.
    let chart = get_with_cookie(
        &app,
        "/api/v1/reports/sipas-dich-vu/charts/elements.svg?unit=phuoc-son",
        &cookie,
    )
    .await;
    assert_eq!(chart.status(), 200);
    let csv = get_with_cookie(
        &app,
        "/api/v1/exports/sipas-dich-vu.csv?unit=phuoc-son",
        &cookie,
    )
    .await;
    assert_eq!(csv.status(), 200);

    // Grouped by period: the index table plus the whole selection's elements.
    let response = get_with_cookie(
        &app,
        "/dashboard?form=sipas-dich-vu&group_by=period&period=quarter",
        &cookie,
    )
    .await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(text.contains("id=\"index-table\""));
    assert!(text.contains("id=\"element-table\""));
    assert!(text.contains("period=quarter"));

    // A bad selection is explained on the page, not an error page without the form.
    let response = get_with_cookie(&app, "/dashboard?from=2024-13-01", &cookie).await;
    assert_eq!(response.status(), 400);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("Không lập được báo cáo"));

    // The print view is the same page.
    let response = get_with_cookie(&app, &format!("{path}&print=1"), &cookie).await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("print-view"));
}
both_backends!(analyst_sees_the_dashboard);

async fn clerk_is_forbidden(app: TestApp) {
    let (cookie, _) = browser_login(&app, Role::Clerk).await;
    let response = get_with_cookie(&app, "/dashboard", &cookie).await;
    assert_eq!(response.status(), 403);
    assert!(response.text().await.unwrap().contains("lang=\"vi\""));
}
both_backends!(clerk_is_forbidden);

async fn logout_checks_csrf_and_ends_the_session(app: TestApp) {
    let (cookie, csrf) = browser_login(&app, Role::Analyst).await;
    assert_eq!(
        get_with_cookie(&app, "/dashboard", &cookie).await.status(),
        200
    );

    let response = logout(&app, &cookie, None).await;
    assert_eq!(response.status(), 403);
    let response = logout(&app, &cookie, Some("not-the-token")).await;
    assert_eq!(response.status(), 403);
    assert_eq!(
        get_with_cookie(&app, "/dashboard", &cookie).await.status(),
        200,
        "a refused logout leaves the session"
    );

    let response = logout(&app, &cookie, Some(&csrf)).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/login");
    let (cleared, _) = set_cookie(&response, "sipas_session").expect("cookie removal");
    assert_eq!(cleared, "sipas_session=");

    let response = get_with_cookie(&app, "/dashboard", &cookie).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/login");
    let chart = get_with_cookie(
        &app,
        "/api/v1/reports/sipas-dich-vu/charts/elements.svg",
        &cookie,
    )
    .await;
    assert_eq!(chart.status(), 401);
}
both_backends!(logout_checks_csrf_and_ends_the_session);

/// Scripts only from the service's own file (a strict Content-Security-Policy holds).
fn assert_no_inline_script(text: &str) {
    for (at, _) in text.match_indices("<script") {
        let tag = &text[at..text[at..].find('>').map_or(text.len(), |end| at + end)];
        assert!(
            tag.contains("src=\"/static/sipas.js?v="),
            "only the service's own script file: {tag}"
        );
    }
}
