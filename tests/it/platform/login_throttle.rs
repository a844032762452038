//! Login throttling over HTTP: per username and per client address, exponential backoff,
//! 429 `too_many_attempts` with `Retry-After` before any password is checked, the same for
//! existing and unknown usernames, on the JSON API, the HTML login and the password change.

use std::time::{Duration, Instant};

use reqwest::header::SET_COOKIE;
use serde_json::{json, Value};
use sipas::domain::Role;
use sipas::platform::config::Config;

use crate::common::*;

const LOGIN: &str = "/api/v1/auth/login";

/// Small numbers: 3 failures per username, waits of 1 s, 2 s, capped at 2 s (the address
/// limit out of the way: every test client has the same address).
fn small(c: &mut Config) {
    c.login_max_failures = 3;
    c.login_address_max_failures = 100;
    c.login_window_seconds = 60;
    c.login_max_delay_seconds = 2;
}

/// Like [`small`] with 6 failures per address, taken from `X-Forwarded-For`.
fn small_behind_proxy(c: &mut Config) {
    small(c);
    c.login_address_max_failures = 6;
    c.trust_proxy = true;
}

async fn login_from(
    app: &TestApp,
    address: &str,
    username: &str,
    password: &str,
) -> reqwest::Response {
    app.client
        .post(app.url(LOGIN))
        .header("X-Forwarded-For", address)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
}

/// Asserts a 429 `too_many_attempts` answer; returns its Retry-After and body.
async fn expect_throttled(response: reqwest::Response) -> (u64, Value) {
    let wait = retry_after(&response);
    assert!(
        response.headers().get(SET_COOKIE).is_none(),
        "no cookie for a refused attempt"
    );
    let body = expect_error(response, 429, "too_many_attempts").await;
    (wait, body)
}

async fn failures_back_off_and_a_success_clears_them(app: TestApp) {
    let password = app.create_user("lan", Role::Analyst);
    for _ in 0..3 {
        assert_eq!(login(&app, "lan", "wrong-password-1").await.status(), 401);
    }
    // Refused before the password is looked at: the right one does not help now.
    let (wait, body) = expect_throttled(login(&app, "lan", &password).await).await;
    assert_eq!(wait, 1);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("1 giây"),
        "the wait in Vietnamese: {body}"
    );
    let (wait, _) = expect_throttled(login(&app, " LAN ", &password).await).await;
    assert_eq!(wait, 1, "one counter whatever the case and spaces");

    // After the wait, one more try; a failure doubles the next wait.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(login(&app, "lan", "wrong-password-2").await.status(), 401);
    let (wait, _) = expect_throttled(login(&app, "lan", &password).await).await;
    assert_eq!(wait, 2);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(login(&app, "lan", "wrong-password-3").await.status(), 401);
    let (wait, _) = expect_throttled(login(&app, "lan", &password).await).await;
    assert_eq!(wait, 2, "capped at login_max_delay_seconds");
    tokio::time::sleep(Duration::from_millis(2100)).await;

    // A success clears the username's count: three failures are free again.
    assert_eq!(login(&app, "lan", &password).await.status(), 200);
    for _ in 0..3 {
        assert_eq!(login(&app, "lan", "wrong-password-4").await.status(), 401);
    }
    expect_throttled(login(&app, "lan", &password).await).await;

    // Other users are not affected.
    let other = app.create_user("minh", Role::Analyst);
    assert_eq!(login(&app, "minh", &other).await.status(), 200);

    // Every attempt is in the audit log, the refused ones as `throttled`.
    let rows: Vec<_> = audit_rows(&app)
        .into_iter()
        .filter(|r| r.action == "login")
        .collect();
    let throttled: Vec<_> = rows
        .iter()
        .filter(|r| audit_detail(r)["reason"] == "throttled")
        .collect();
    assert_eq!(throttled.len(), 5, "{rows:?}");
    for row in &throttled {
        assert_eq!(row.outcome, "denied");
        assert!(row.address_hash.is_some());
        assert!(audit_detail(row)["retry_after"].as_u64().is_some());
    }
    assert_eq!(
        throttled[1].actor.as_deref(),
        Some("LAN"),
        "the name as tried"
    );
    let wrong = rows
        .iter()
        .filter(|r| audit_detail(r)["reason"] == "invalid_credentials")
        .count();
    assert_eq!(wrong, 8);
    let ok = rows.iter().filter(|r| r.outcome == "ok").count();
    assert_eq!(ok, 2);
}
both_backends!(failures_back_off_and_a_success_clears_them, small);

async fn unknown_and_existing_usernames_are_throttled_alike(app: TestApp) {
    let password = app.create_user("hoa", Role::Admin);
    let mut known_times = Vec::new();
    let mut unknown_times = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let known = login(&app, "hoa", "wrong-password-1").await;
        known_times.push(t.elapsed());
        let t = Instant::now();
        let unknown = login(&app, "khong-co-ai", "wrong-password-1").await;
        unknown_times.push(t.elapsed());
        assert_eq!(known.status(), 401);
        assert_eq!(
            known.bytes().await.unwrap(),
            unknown.bytes().await.unwrap(),
            "a wrong password and an unknown user answer alike"
        );
    }
    // An unknown user costs a password verification too.
    known_times.sort();
    unknown_times.sort();
    assert!(
        unknown_times[1] * 3 >= known_times[1],
        "unknown users take about as long: {unknown_times:?} vs {known_times:?}"
    );

    let mut throttled_times = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let known = login(&app, "hoa", &password).await;
        throttled_times.push(t.elapsed());
        let t = Instant::now();
        let unknown = login(&app, "khong-co-ai", &password).await;
        throttled_times.push(t.elapsed());
        assert_eq!(retry_after(&known), retry_after(&unknown));
        let (_, known) = expect_throttled(known).await;
        let (_, unknown) = expect_throttled(unknown).await;
        assert_eq!(
            known, unknown,
            "throttled alike whether the user exists or not"
        );
    }
    // A throttled attempt costs no password verification: the quickest is quicker than any
    // attempt that was checked (minimums, to stay clear of scheduling noise).
    throttled_times.sort();
    assert!(
        throttled_times[0] < known_times[0].min(unknown_times[0]),
        "throttled attempts are refused at once: {throttled_times:?} vs {known_times:?}"
    );
}
both_backends!(unknown_and_existing_usernames_are_throttled_alike, small);

async fn the_client_address_is_throttled_across_usernames(app: TestApp) {
    let password = app.create_user("tuan", Role::Analyst);
    let attacker = "203.0.113.7";
    // Six usernames once each: under every per-username limit, at the address's.
    for i in 0..6 {
        let response = login_from(&app, attacker, &format!("user-{i}"), "guess-123456").await;
        assert_eq!(response.status(), 401);
    }
    let (wait, _) = expect_throttled(login_from(&app, attacker, "tuan", &password).await).await;
    assert_eq!(wait, 1);
    expect_throttled(login_from(&app, attacker, "someone-else", "x").await).await;
    // Another address is not affected, and tuan's own count is clean.
    assert_eq!(
        login_from(&app, "198.51.100.20", "tuan", &password)
            .await
            .status(),
        200
    );
    // A success does not clear the address's count.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        login_from(&app, attacker, "tuan", &password).await.status(),
        200
    );
    assert_eq!(
        login_from(&app, attacker, "user-7", "guess-123456")
            .await
            .status(),
        401
    );
    expect_throttled(login_from(&app, attacker, "user-8", "guess-123456").await).await;

    // The audit log holds hashes, never the addresses.
    let rows = audit_rows(&app);
    assert!(rows.len() >= 10);
    let mut hashes = std::collections::BTreeSet::new();
    for row in &rows {
        let text = format!("{row:?}");
        assert!(
            !text.contains("203.0.113") && !text.contains("198.51.100"),
            "no raw address: {text}"
        );
        hashes.insert(row.address_hash.clone().expect("an address hash"));
    }
    assert_eq!(hashes.len(), 2, "one hash per address: {hashes:?}");
}
both_backends!(
    the_client_address_is_throttled_across_usernames,
    small_behind_proxy
);

async fn parallel_guesses_do_not_slip_past_the_limit(app: TestApp) {
    app.create_user("khoa", Role::Admin);
    let attempts = (0..10).map(|i| {
        let app = &app;
        async move {
            login(app, "khoa", &format!("parallel-guess-{i}"))
                .await
                .status()
                .as_u16()
        }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(checked + refused, 10, "{statuses:?}");
    assert!(
        checked <= 3,
        "at most the allowed failures reach the password check: {statuses:?}"
    );
}
both_backends!(parallel_guesses_do_not_slip_past_the_limit, small);

async fn the_html_login_is_throttled(app: TestApp) {
    let password = app.create_user("thu", Role::Analyst);
    let form = |password: String| {
        app.client
            .post(app.url("/login"))
            .form(&[("username", "thu".to_string()), ("password", password)])
            .send()
    };
    for _ in 0..3 {
        let response = form("wrong-password-1".into()).await.unwrap();
        assert_eq!(response.status(), 401);
    }
    let response = form(password.clone()).await.unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(retry_after(&response), 1);
    assert!(response.headers().get(SET_COOKIE).is_none());
    let page = response.text().await.unwrap();
    assert!(
        page.contains("Xin chờ 1 giây rồi thử lại"),
        "the page says how long to wait: {page}"
    );
    assert!(page.contains("name=\"password\""), "the form again");

    // The JSON API shares the count.
    expect_throttled(login(&app, "thu", &password).await).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let response = form(password).await.unwrap();
    assert_eq!(
        response.status(),
        303,
        "after the wait the right password works"
    );
}
both_backends!(the_html_login_is_throttled, small);

async fn a_wrong_current_password_is_throttled(app: TestApp) {
    let password = app.create_user("ngoc", Role::Clerk);
    let body: Value = login(&app, "ngoc", &password).await.json().await.unwrap();
    let token = body["token"].as_str().unwrap().to_string();
    let change = |current: String| {
        app.client
            .post(app.url("/api/v1/auth/password"))
            .bearer_auth(&token)
            .json(&json!({"current_password": current, "new_password": "Mật khẩu mới 2026"}))
            .send()
    };
    for _ in 0..3 {
        let response = change("not-it-123456".into()).await.unwrap();
        expect_error(response, 422, "validation_failed").await;
    }
    expect_throttled(change(password.clone()).await.unwrap()).await;
    // The login of that username waits too.
    expect_throttled(login(&app, "ngoc", &password).await).await;
    let refusals: Vec<_> = audit_rows(&app)
        .into_iter()
        .filter(|r| r.action == "password.change")
        .map(|r| (r.outcome.clone(), audit_detail(&r)["reason"].clone()))
        .collect();
    assert_eq!(
        refusals,
        [
            ("denied".to_string(), json!("wrong_current_password")),
            ("denied".to_string(), json!("wrong_current_password")),
            ("denied".to_string(), json!("wrong_current_password")),
            ("denied".to_string(), json!("throttled")),
        ]
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(change(password).await.unwrap().status(), 204);
}
both_backends!(a_wrong_current_password_is_throttled, small);

async fn default_limits_leave_room_for_typos(app: TestApp) {
    let password = app.create_user("anh", Role::Analyst);
    for _ in 0..4 {
        assert_eq!(login(&app, "anh", "typo-password-1").await.status(), 401);
    }
    assert_eq!(login(&app, "anh", &password).await.status(), 200);
}
both_backends!(default_limits_leave_room_for_typos);

/// `sipas_device=…` from a login's `Set-Cookie` headers.
fn device_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sipas_device="))
        .and_then(|v| v.split(';').next())
        .expect("a device cookie after a successful login")
        .to_string()
}

async fn login_with_device(
    app: &TestApp,
    address: &str,
    username: &str,
    password: &str,
    cookie: &str,
) -> reqwest::Response {
    app.client
        .post(app.url(LOGIN))
        .header("X-Forwarded-For", address)
        .header(reqwest::header::COOKIE, cookie)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
}

async fn a_device_cookie_gets_its_user_past_a_throttled_address(app: TestApp) {
    let password = app.create_user("lan", Role::Analyst);
    let minh_password = app.create_user("minh", Role::Analyst);
    let office = "203.0.113.9";
    // Lan logged in from this browser before: it holds a device cookie for her.
    let first = login_from(&app, office, "lan", &password).await;
    assert_eq!(first.status(), 200);
    let device = device_cookie(&first);
    // Someone behind the same address guesses other accounts until the address is blocked.
    for i in 0..6 {
        let response = login_from(&app, office, &format!("user-{i}"), "guess-123456").await;
        assert_eq!(response.status(), 401);
    }
    expect_throttled(login_from(&app, office, "lan", &password).await).await;
    // The cookie is Lan's only, and cannot be altered.
    expect_throttled(login_with_device(&app, office, "minh", &minh_password, &device).await).await;
    let forged = device.replace("~lan~", "~minh~");
    expect_throttled(login_with_device(&app, office, "minh", &minh_password, &forged).await).await;
    // With it, Lan gets in (and is not counted against the office's address).
    let response = login_with_device(&app, office, "lan", &password, &device).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());

    // The per-username limit still applies to a device cookie's logins.
    for _ in 0..3 {
        let response = login_with_device(&app, office, "lan", "guess-123456", &device).await;
        assert_eq!(response.status(), 401);
    }
    let (_, body) =
        expect_throttled(login_with_device(&app, office, "lan", &password, &device).await).await;
    assert_eq!(body["error"]["code"], "too_many_attempts");
    // The audit log tells the trusted success apart from nothing: it is an ordinary login.
    let rows = audit_rows(&app);
    let ok = rows
        .iter()
        .filter(|r| r.action == "login" && r.outcome == "ok")
        .count();
    assert_eq!(ok, 2, "two successful logins of Lan");
}
both_backends!(
    a_device_cookie_gets_its_user_past_a_throttled_address,
    small_behind_proxy
);
