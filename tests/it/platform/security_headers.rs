//! Security headers on every kind of answer, no inline script or style in any page, user text
//! escaped, and the per-address limit on anonymous submissions.

use crate::common::*;
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use serde_json::json;
use sipas::domain::Role;

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("{name} on {}", response.url()))
        .to_string()
}

/// The headers every answer carries, HTML or not.
fn assert_security_headers(response: &reqwest::Response) {
    let csp = header(response, "content-security-policy");
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
    ] {
        assert!(csp.contains(directive), "{directive} in {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(!csp.contains("unsafe-eval"), "{csp}");
    assert_eq!(header(response, "x-content-type-options"), "nosniff");
    assert_eq!(header(response, "referrer-policy"), "no-referrer");
    assert_eq!(header(response, "x-frame-options"), "DENY");
}

/// No inline script, no style element or attribute, no inline event handler.
fn assert_no_inline_code(path: &str, html: &str) {
    let lower = html.to_lowercase();
    assert!(!lower.contains("<style"), "{path}: a <style> element");
    assert!(!lower.contains(" style="), "{path}: a style attribute");
    assert!(!lower.contains("javascript:"), "{path}: a javascript: link");
    for handler in [
        " onclick=",
        " onload=",
        " onsubmit=",
        " onchange=",
        " onerror=",
    ] {
        assert!(!lower.contains(handler), "{path}: {handler}");
    }
    for (at, _) in lower.match_indices("<script") {
        let tag = &lower[at..lower[at..].find('>').map_or(lower.len(), |e| at + e)];
        assert!(
            tag.contains(" src=\"/static/"),
            "{path}: inline script {tag}"
        );
    }
}

/// The page path of a freshly registered kiosk.
async fn kiosk_page(app: &TestApp) -> String {
    let admin = app.token_for(Role::Admin).await;
    let kiosk = register_kiosk(app, &admin, "Quầy 1", "phuoc-son").await;
    format!("/k/{}", kiosk["token"].as_str().unwrap())
}

async fn every_page_has_the_headers_and_no_inline_code(app: TestApp) {
    let kiosk = kiosk_page(&app).await;
    let analyst = app.token_for(Role::Analyst).await;
    let mut pages = vec![
        "/".to_string(),
        "/f/sipas-dich-vu?unit=phuoc-son&channel=phone".to_string(),
        "/f/sipas-ho-gia-dinh?unit=phuoc-son&channel=web".to_string(),
        "/f/khao-sat-dai-bieu?unit=phuoc-son".to_string(),
        "/i/not-an-invitation".to_string(),
        "/login".to_string(),
        "/no/such/page".to_string(),
    ];
    pages.push(kiosk);
    for path in &pages {
        let response = app.get(path).await;
        assert_security_headers(&response);
        let html = response.text().await.unwrap();
        assert_no_inline_code(path, &html);
    }
    // The dashboard, through the session cookie.
    let response = app
        .client
        .get(app.url("/dashboard?form=sipas-dich-vu"))
        .header("Cookie", format!("sipas_session={analyst}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_security_headers(&response);
    assert_no_inline_code("/dashboard", &response.text().await.unwrap());

    // JSON, static files and errors carry them too.
    for path in [
        "/api/v1/forms",
        "/api/v1/nothing",
        "/healthz",
        "/static/sipas.css",
        "/static/sipas.js",
        "/static/dashboard.css",
        "/static/forms/sipas-dich-vu.css",
    ] {
        let response = app.get(path).await;
        assert!(response.status().is_success() || response.status() == 404);
        assert_security_headers(&response);
    }
}
both_backends!(every_page_has_the_headers_and_no_inline_code);

async fn routing_rules_are_a_stylesheet_of_their_own(app: TestApp) {
    let page = app
        .get("/f/sipas-dich-vu?unit=phuoc-son&channel=phone")
        .await
        .text()
        .await
        .unwrap();
    let at = page
        .find("/static/forms/sipas-dich-vu.css?v=")
        .expect("the form links its routing rules");
    let href = &page[at..at + page[at..].find('"').unwrap()];
    let response = app.get(href).await;
    assert_eq!(response.status(), 200);
    assert!(header(&response, "content-type").starts_with("text/css"));
    let css = response.text().await.unwrap();
    assert!(
        css.contains(":has(input[name=\"da_pakn\"][value=\"co\"]:checked)"),
        "{css}"
    );
    assert_eq!(app.get("/static/forms/khong-co.css").await.status(), 404);
}
both_backends!(routing_rules_are_a_stylesheet_of_their_own);

async fn user_text_is_escaped(app: TestApp) {
    // A comment that tries to close the textarea and run a script comes back as text.
    let attack = "</textarea><script>alert(1)</script><img src=x onerror=alert(2)>";
    let body = serde_urlencoded::to_string([
        ("unit", "phuoc-son"),
        ("channel", "phone"),
        ("client_id", &new_client_id()),
        ("TC1", "5"),
        ("y_kien", attack),
    ])
    .unwrap();
    let response = app
        .client
        .post(app.url("/f/sipas-dich-vu"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422, "required answers are missing");
    let html = response.text().await.unwrap();
    assert!(!html.contains("<script>alert(1)"), "{html}");
    assert!(!html.contains("<img src=x"), "{html}");
    assert!(html.contains("&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
}
both_backends!(user_text_is_escaped);

async fn anonymous_submissions_are_limited_per_address(app: TestApp) {
    let first = {
        let mut body = valid_submission();
        body["client_id"] = json!(new_client_id());
        body
    };
    assert_eq!(app.submit(&first).await.status(), 201);
    // A resend of a stored answer and a refused answer do not count.
    for _ in 0..5 {
        assert_eq!(app.submit(&first).await.status(), 200);
        let mut bad = valid_submission();
        bad["answers"]["TC1"] = json!(9);
        assert_eq!(app.submit(&bad).await.status(), 422);
    }
    for _ in 0..2 {
        let mut body = valid_submission();
        body["client_id"] = json!(new_client_id());
        assert_eq!(app.submit(&body).await.status(), 201);
    }
    // The fourth new answer from this address within the burst of 3: refused, nothing stored.
    let before = app.counts();
    let mut body = valid_submission();
    body["client_id"] = json!(new_client_id());
    let response = app.submit(&body).await;
    let wait: u64 = header(&response, RETRY_AFTER.as_str()).parse().unwrap();
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    expect_error(response, 429, "too_many_requests").await;
    // The HTML form shares the address's limit.
    let form = serde_urlencoded::to_string([
        ("unit", "phuoc-son"),
        ("channel", "web"),
        ("client_id", &new_client_id()),
        ("da_pakn", "khong"),
    ])
    .unwrap();
    let page = app
        .client
        .post(app.url("/f/sipas-dich-vu"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 429);
    assert!(page.headers().contains_key(RETRY_AFTER));
    assert_eq!(app.counts(), before);

    // Staff entering paper forms have a limit of their own, not the address's.
    let clerk = app.token_for(Role::Clerk).await;
    for _ in 0..3 {
        let mut body = valid_submission();
        body["client_id"] = json!(new_client_id());
        body["channel"] = json!("paper");
        let response = app
            .client
            .post(app.url("/api/v1/forms/sipas-dich-vu/responses"))
            .bearer_auth(&clerk)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_submissions_are_limited_per_address_sqlite() {
    limited(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_submissions_are_limited_per_address_postgres() {
    limited(Backend::Postgres).await;
}

async fn limited(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.public_burst = 3;
        c.public_per_hour = 60;
    })
    .await
    else {
        return;
    };
    anonymous_submissions_are_limited_per_address(app).await;
}

// ---------------------------------------------------------------------------------------------
// Slow bodies: a deadline, and no limit token held while a body trickles in
// ---------------------------------------------------------------------------------------------

/// The body timeout of `trickling_bodies_neither_hold_the_limit_nor_the_connection`.
const BODY_TIMEOUT_SECONDS: u32 = 2;

/// Opens a connection, sends a request head announcing 4,000 bytes, then one byte every 200 ms
/// (at most 40: 8 s, far past the timeout). Returns what the server answered and when the
/// connection ended (the answer complete or the connection closed), after at most 10 s.
fn trickle(port: u16, path: &str, content_type: &str) -> (String, std::time::Duration) {
    use std::io::{Read, Write};
    let started = std::time::Instant::now();
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {content_type}\r\nContent-Length: 4000\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).expect("head");
    let mut writer = stream.try_clone().expect("clone");
    let trickler = std::thread::spawn(move || {
        for _ in 0..40 {
            if writer.write_all(b"a").is_err() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    });
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&chunk[..n]),
        }
        let text = String::from_utf8_lossy(&answer);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head.lines().find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
            });
            if length.is_some_and(|n| body.len() >= n) {
                break;
            }
        }
    }
    let elapsed = started.elapsed();
    let _ = stream.shutdown(std::net::Shutdown::Both);
    let _ = trickler.join();
    (String::from_utf8_lossy(&answer).into_owned(), elapsed)
}

async fn trickling_bodies_neither_hold_the_limit_nor_the_connection(app: TestApp) {
    // Twice the address's burst of slow submissions, to the page and to the JSON API.
    let port = app.port;
    let slow: Vec<_> = (0..6)
        .map(|k| {
            let (path, content_type) = if k % 2 == 0 {
                ("/f/sipas-dich-vu", "application/x-www-form-urlencoded")
            } else {
                ("/api/v1/forms/sipas-dich-vu/responses", "application/json")
            };
            tokio::task::spawn_blocking(move || trickle(port, path, content_type))
        })
        .collect();
    // While they trickle, the office's real submissions go through.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let response = app.submit(&valid_submission()).await;
    assert_eq!(response.status(), 201, "{:?}", response.text().await);
    let mut fields = vec![
        ("unit".to_string(), "phuoc-son".to_string()),
        ("channel".to_string(), "web".to_string()),
        ("client_id".to_string(), new_client_id()),
    ];
    fields.extend(answer_fields(&full_answers()));
    let page = post_urlencoded(&app, "/f/sipas-dich-vu", &fields, false).await;
    assert_eq!(page.status(), 201, "{:?}", page.text().await);
    let limit = std::time::Duration::from_secs(u64::from(BODY_TIMEOUT_SECONDS) + 3);
    for handle in slow {
        let (answer, elapsed) = handle.await.expect("trickler");
        assert!(
            elapsed < limit,
            "a slow body ends within the timeout, not after {elapsed:?}: {answer:?}"
        );
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
            "408 or the connection closed: {answer:?}"
        );
    }
    assert_eq!(
        app.counts().0,
        2,
        "only the two real submissions are stored"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickling_bodies_neither_hold_the_limit_nor_the_connection_sqlite() {
    slow_bodies(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickling_bodies_neither_hold_the_limit_nor_the_connection_postgres() {
    slow_bodies(Backend::Postgres).await;
}

async fn slow_bodies(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.public_burst = 3;
        c.public_per_hour = 60;
        c.body_timeout_seconds = BODY_TIMEOUT_SECONDS;
    })
    .await
    else {
        return;
    };
    trickling_bodies_neither_hold_the_limit_nor_the_connection(app).await;
}
