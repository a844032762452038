//! Cross-site logins and changes refused, hosts not allowed refused, links on the public URL.

use super::*;

async fn cross_site_logins_and_changes_are_refused(app: TestApp) {
    let password = app.create_user("quan-tri", Role::Admin);
    let body = json!({"username": "quan-tri", "password": password});
    let login_with = |headers: Vec<(&'static str, String)>| {
        let mut request = app.client.post(app.url(LOGIN)).json(&body);
        for (k, v) in headers {
            request = request.header(k, v);
        }
        request.send()
    };
    // A login posted from another site (login CSRF) is refused before any password check.
    let response = login_with(vec![("Origin", "https://evil.example".into())])
        .await
        .unwrap();
    assert!(set_cookies(&response).is_empty());
    expect_error(response, 403, "cross_origin").await;
    // `Origin: null` (what browsers send under `Referrer-Policy: no-referrer`) defers to
    // `Sec-Fetch-Site`.
    let null_from = |site: &str| {
        vec![
            ("Origin", "null".to_string()),
            ("Sec-Fetch-Site", site.to_string()),
        ]
    };
    let response = login_with(null_from("cross-site")).await.unwrap();
    expect_error(response, 403, "cross_origin").await;
    let response = login_with(null_from("same-origin")).await.unwrap();
    assert_eq!(response.status(), 200);
    let response = login_with(vec![("Sec-Fetch-Site", "cross-site".into())])
        .await
        .unwrap();
    expect_error(response, 403, "cross_origin").await;
    let response = login_with(vec![("Sec-Fetch-Site", "same-site".into())])
        .await
        .unwrap();
    expect_error(response, 403, "cross_origin").await;
    // The service's own pages, and clients that send neither header, log in.
    let own = app.address.clone();
    let response = login_with(vec![("Origin", own.clone())]).await.unwrap();
    assert_eq!(response.status(), 200);
    let response = login_with(vec![("Sec-Fetch-Site", "same-origin".into())])
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let session: Value = login_with(vec![]).await.unwrap().json().await.unwrap();
    let token = session["token"].as_str().unwrap();
    let csrf = session["csrf_token"].as_str().unwrap();
    let cookies = format!("sipas_session={token}; sipas_csrf={csrf}");

    // A cookie-authenticated change from another site: refused even with the right token.
    for (k, v) in [
        ("Origin", "https://evil.example"),
        ("Sec-Fetch-Site", "cross-site"),
    ] {
        let response = register_with_cookies(&app, &cookies, Some(csrf), &[(k, v)]).await;
        expect_error(response, 403, "cross_origin").await;
    }
    assert_eq!(kiosk_count(&app, token).await, 0);
    let response = register_with_cookies(&app, &cookies, Some(csrf), &[("Origin", &own)]).await;
    assert_eq!(response.status(), 201);
    // Bearer tokens are not cookie-authenticated: no Origin or CSRF check.
    let response = app
        .client
        .post(app.url(KIOSKS))
        .bearer_auth(token)
        .header("Origin", "https://evil.example")
        .json(&json!({"name": "Quầy 2", "unit": "phuoc-son"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);

    // The HTML login and the admin pages' forms alike.
    let response = app
        .client
        .post(app.url("/login"))
        .header("Origin", "https://evil.example")
        .form(&[("username", "quan-tri"), ("password", password.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(
        set_cookies(&response).is_empty(),
        "no session for a cross-site login"
    );
    let page = response.text().await.unwrap();
    assert!(page.contains("trang web khác"), "{page}");
    let response = app
        .client
        .post(app.url("/admin/kiosks"))
        .header(COOKIE, &cookies)
        .header("Origin", "https://evil.example")
        .form(&[("csrf", csrf), ("name", "Quầy 3"), ("unit", "phuoc-son")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let response = app
        .client
        .post(app.url("/logout"))
        .header(COOKIE, &cookies)
        .header("Sec-Fetch-Site", "cross-site")
        .form(&[("csrf", csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(
        kiosk_count(&app, token).await,
        2,
        "only the two allowed registrations"
    );
    assert_eq!(
        app.get_auth(KIOSKS, token).await.status(),
        200,
        "still logged in"
    );
}
both_backends!(cross_site_logins_and_changes_are_refused);

async fn hosts_not_allowed_are_refused(app: TestApp) {
    use reqwest::header::HOST;
    let admin = app.token_for(Role::Admin).await;
    let register = |headers: Vec<(reqwest::header::HeaderName, &'static str)>| {
        let mut request = app
            .client
            .post(app.url(KIOSKS))
            .bearer_auth(&admin)
            .json(&json!({"name": "Quầy 1", "unit": "phuoc-son"}));
        for (k, v) in headers {
            request = request.header(k, v);
        }
        request.send()
    };
    let forwarded = reqwest::header::HeaderName::from_static("x-forwarded-host");
    for headers in [
        vec![(HOST, "evil.example")],
        vec![(HOST, "127.0.0.1:1")],
        vec![(forwarded.clone(), "evil.example")],
    ] {
        let response = register(headers).await.unwrap();
        let body = expect_error(response, 400, "host_not_allowed").await;
        assert!(!body.to_string().contains("/k/"), "no link: {body}");
    }
    assert_eq!(kiosk_count(&app, &admin).await, 0);
    // Pages too, in Vietnamese.
    let response = app
        .client
        .get(app.url("/"))
        .header(HOST, "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("không được cấu hình"));
    // The default hosts: the bind address, localhost, with the port.
    let localhost: &'static str = Box::leak(format!("localhost:{}", app.port).into_boxed_str());
    for headers in [vec![], vec![(HOST, localhost)]] {
        let expected = headers
            .first()
            .map_or(app.address.clone(), |(_, h)| format!("http://{h}"));
        let response = register(headers).await.unwrap();
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        let link = body.to_string();
        assert!(
            link.contains(&format!("{expected}/k/")),
            "{expected} in {link}"
        );
    }
}
both_backends!(hosts_not_allowed_are_refused);

async fn links_use_the_public_url_and_its_host_is_allowed(app: TestApp) {
    use reqwest::header::HOST;
    let admin = app.token_for(Role::Admin).await;
    for host in [None, Some("khaosat.example.gov.vn")] {
        let mut request = app
            .client
            .post(app.url(KIOSKS))
            .bearer_auth(&admin)
            .json(&json!({"name": "Quầy 1", "unit": "phuoc-son"}));
        if let Some(host) = host {
            request = request.header(HOST, host);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        let text = body.to_string();
        assert!(text.contains("https://khaosat.example.gov.vn/k/"), "{text}");
        assert!(!text.contains("127.0.0.1"), "{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_use_the_public_url_and_its_host_is_allowed_sqlite() {
    let public = |c: &mut sipas::platform::config::Config| {
        c.public_url = Some("https://khaosat.example.gov.vn".into())
    };
    if let Some(app) = TestApp::spawn_with(Backend::Sqlite, public).await {
        links_use_the_public_url_and_its_host_is_allowed(app).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_use_the_public_url_and_its_host_is_allowed_postgres() {
    let public = |c: &mut sipas::platform::config::Config| {
        c.public_url = Some("https://khaosat.example.gov.vn".into())
    };
    if let Some(app) = TestApp::spawn_with(Backend::Postgres, public).await {
        links_use_the_public_url_and_its_host_is_allowed(app).await;
    }
}
