//! The citizen's pages in a real browser: headless Chromium driven over WebDriver (harness in
//! `tests/browser/harness/`) against the real application on a real port with a fresh SQLite
//! file. Each test checks what the browser shows and what the database holds: the kiosk's round
//! trip and idle reset, a 360 px phone, the offline outbox, single-use invitations, keyboard use,
//! and axe-core on every kind of page.
//!
//! Needs `chromium`, `chromedriver` and `npm ci --prefix tests/browser` (axe-core); without them
//! each test prints SKIPPED, unless `SIPAS_REQUIRE_BROWSER=1` (CI).

#[path = "../common/mod.rs"]
mod common;

mod harness;

use common::*;
use diesel::prelude::*;
use fantoccini::key::Key;
use harness::*;
use serde_json::{json, Value};
use sipas::domain::Role;
use sipas::store::schema::{answers, responses};

mod accessibility;
mod invitations;
mod kiosk;
mod paper_entry;
mod phone;
mod staff;

const SERVICE: &str = "sipas-dich-vu";
const DELEGATES: &str = "khao-sat-dai-bieu";
const PHONE_FORM: &str = "/f/sipas-dich-vu?unit=phuoc-son&channel=phone";

/// The rated criteria of the service form a citizen without PAKN answers (all required on kiosk
/// and phone).
const ITEMS: [&str; 16] = [
    "TC1", "TC2", "TC3", "TC4", "TT1", "TT2", "TT3", "TT4", "CC1", "CC2", "CC3", "CC4", "CC5",
    "KQ1", "KQ2", "KQ3",
];

/// Short kiosk timings, so that the idle warning, the reset and the thank-you screen come within
/// seconds.
async fn start() -> Option<(Browser, TestApp)> {
    let browser = Browser::start().await?;
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.kiosk_idle_seconds = 3;
        c.kiosk_warning_seconds = 3;
        c.kiosk_thanks_seconds = 2;
    })
    .await
    .expect("a SQLite app always starts");
    Some((browser, app))
}

/// The score given to each item: 3, 4, 5, 3, …
fn score(i: usize) -> String {
    (3 + i % 3).to_string()
}

/// Answers every required question of the service form (no PAKN) by clicking the labels.
async fn answer_service_form(browser: &Browser) {
    browser.choose("da_pakn", "khong").await;
    for (i, item) in ITEMS.iter().enumerate() {
        browser.choose(item, &score(i)).await;
    }
}

/// The section of the kiosk form on screen: its id, "Phần n/N" and the text of its button.
async fn kiosk_section(browser: &Browser) -> Value {
    browser
        .js(
            r#"const shown = [...document.querySelectorAll('section.step')].filter(s => !s.hidden);
               if (shown.length !== 1) return {count: shown.length};
               const s = shown[0];
               return {count: 1, id: s.id, n: s.querySelector('.step-n').textContent,
                 next: s.querySelector('.step-next').textContent.trim(),
                 back: !s.querySelector('.step-back').hidden,
                 radios: [...s.querySelectorAll('input[type=radio]')].map(r => r.name)
                   .filter((v, i, a) => a.indexOf(v) === i),
                 focused: document.activeElement ? document.activeElement.id : null,
                 height: document.documentElement.scrollHeight,
                 width: document.documentElement.scrollWidth};"#,
            vec![],
        )
        .await
}

/// Answers the kiosk form section by section, as `answer_service_form` does, pressing "Tiếp"
/// until the button says "Gửi" (not pressed).
async fn answer_kiosk_sections(browser: &Browser) {
    for _ in 0..20 {
        let section = kiosk_section(browser).await;
        assert_eq!(section["count"], 1, "one section on screen: {section}");
        for name in section["radios"].as_array().unwrap() {
            let name = name.as_str().unwrap();
            if name == "da_pakn" {
                browser.choose(name, "khong").await;
            } else if let Some(i) = ITEMS.iter().position(|i| *i == name) {
                browser.choose(name, &score(i)).await;
            }
        }
        if section["next"] == "Gửi" {
            return;
        }
        let id = section["id"].as_str().unwrap().to_string();
        browser.click(&format!("#{id} .step-next")).await;
    }
    panic!("no last section with Gửi");
}

/// With `SIPAS_SCREENSHOTS=DIR`, saves what the browser shows as `DIR/{name}.png` (to look at).
async fn shot(browser: &Browser, name: &str) {
    if let Ok(dir) = std::env::var("SIPAS_SCREENSHOTS") {
        let png = browser.client.screenshot().await.expect("screenshot");
        std::fs::write(format!("{dir}/{name}.png"), png).expect("write the screenshot");
    }
}

/// The stored responses: (id, form, unit, channel, client_id).
type Row = (String, String, String, String, Option<String>);

fn stored(app: &TestApp) -> Vec<Row> {
    responses::table
        .select((
            responses::id,
            responses::form_id,
            responses::unit,
            responses::channel,
            responses::client_id,
        ))
        .order(responses::seq)
        .load(&mut app.db())
        .expect("read responses")
}

/// The single stored response.
fn only_response(app: &TestApp) -> Row {
    let rows = stored(app);
    assert_eq!(rows.len(), 1, "exactly one stored response: {rows:?}");
    rows.into_iter().next().unwrap()
}

/// The stored answers of the response `id`, by question: number or text.
fn stored_answers(app: &TestApp, id: &str) -> Vec<(String, Option<i32>, Option<String>)> {
    answers::table
        .inner_join(responses::table)
        .filter(responses::id.eq(id))
        .select((answers::question, answers::num_value, answers::text_value))
        .order(answers::question)
        .load(&mut app.db())
        .expect("read answers")
}

/// Checks that the stored answers are exactly what `answer_service_form` clicked.
fn assert_service_answers(app: &TestApp, id: &str) {
    let mut expected: Vec<(String, Option<i32>, Option<String>)> = ITEMS
        .iter()
        .enumerate()
        .map(|(i, item)| (item.to_string(), Some(score(i).parse().unwrap()), None))
        .collect();
    expected.push(("da_pakn".into(), None, Some("khong".into())));
    expected.sort();
    assert_eq!(stored_answers(app, id), expected, "the stored answers");
}

async fn admin_post(app: &TestApp, path: &str, body: Value) -> Value {
    let token = app.token_for(Role::Admin).await;
    let response = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("POST");
    let status = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(status, 201, "POST {path}: {text}");
    serde_json::from_str(&text).expect("JSON answer")
}

/// Registers a kiosk for phuoc-son; its page URL.
async fn kiosk_url(app: &TestApp) -> String {
    let kiosk = admin_post(
        app,
        "/api/v1/kiosks",
        json!({"name": "Quầy 1", "unit": "phuoc-son"}),
    )
    .await;
    let url = kiosk["url"].as_str().expect("kiosk url").to_string();
    let token = kiosk["token"].as_str().expect("kiosk token");
    assert_eq!(url, app.url(&format!("/k/{token}")), "{kiosk}");
    url
}

/// One invitation to the delegates' survey: (token, url).
async fn invitation(app: &TestApp) -> (String, String) {
    let created = admin_post(
        app,
        &format!("/api/v1/forms/{DELEGATES}/invitations"),
        json!({"count": 1, "group": "dai_bieu_hdnd"}),
    )
    .await;
    let invitations = created["invitations"].as_array().expect("invitations");
    assert_eq!(invitations.len(), 1, "{created}");
    let token = invitations[0]["token"].as_str().expect("token").to_string();
    let url = invitations[0]["url"].as_str().expect("url").to_string();
    assert_eq!(url, app.url(&format!("/i/{token}")));
    (token, url)
}

/// The state of `#outbox-status` (sending, saved, queued, failed).
const STATUS_JS: &str =
    "const s = document.querySelector('#outbox-status'); return s ? s.dataset.state : null";

/// Waits until `#outbox-status` says `state`.
async fn wait_status(browser: &Browser, state: &str) {
    browser
        .wait_until(
            &format!("#outbox-status data-state={state}"),
            &format!("{STATUS_JS} === arguments[0] || null"),
            vec![json!(state)],
        )
        .await;
}

/// Waits for the thank-you panel with the status "saved".
async fn wait_saved(browser: &Browser) {
    wait_status(browser, "saved").await;
    browser.wait_visible("#thanks").await;
}

/// The page is enhanced by sipas.js: the form submits through the outbox.
async fn assert_enhanced(browser: &Browser) {
    assert!(
        browser.exists("form[data-outbox]").await,
        "the form has data-outbox"
    );
    assert!(
        browser.exists("#outbox-status[role=status]").await,
        "#outbox-status with role=status"
    );
}

/// Submits the page's form as a browser without JavaScript would: the outbox attribute removed,
/// the form replaced by a clone (which has none of the script's listeners), then Gửi clicked.
async fn native_submit(browser: &Browser) {
    let before = browser.current_url().await;
    browser
        .js(
            r#"const f = document.querySelector('form[method=post]');
               f.removeAttribute('data-outbox');
               const plain = f.cloneNode(true);
               plain.noValidate = true;
               f.replaceWith(plain);
               plain.querySelector('button[type=submit]').setAttribute('id', 'native-submit');
               window.__sipas_before_native_submit = true;"#,
            vec![],
        )
        .await;
    browser.click("#native-submit").await;
    browser
        .wait_until(
            &format!("a new page after the native submission from {before}"),
            "return document.readyState === 'complete' && window.__sipas_before_native_submit !== true",
            vec![],
        )
        .await;
}
