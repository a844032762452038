//! The citizen's pages in a real browser: headless Chromium driven over WebDriver (harness in
//! `tests/browser/harness.rs`) against the real application on a real port with a fresh SQLite
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

// ---------------------------------------------------------------------------------------------
// Kiosk
// ---------------------------------------------------------------------------------------------

/// A citizen answers at the kiosk and presses Gửi: thanks, saved, then a fresh form for the next
/// citizen; exactly one response is stored, for the kiosk's unit and channel.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosk_answer_thanks_then_fresh_form() {
    let Some((browser, app)) = start().await else {
        return;
    };
    let url = kiosk_url(&app).await;
    browser.goto(&url).await;
    assert_enhanced(&browser).await;
    let form = browser.find("form.kiosk").await;
    for (attr, want) in [
        ("data-idle-seconds", "3"),
        ("data-warning-seconds", "3"),
        ("data-thanks-seconds", "2"),
    ] {
        assert_eq!(
            form.attr(attr).await.unwrap().as_deref(),
            Some(want),
            "{attr} on the kiosk form"
        );
    }
    assert_eq!(browser.field("channel").await, "kiosk");
    assert_eq!(browser.field("unit").await, "phuoc-son");
    let first_client_id = browser.field("client_id").await;
    assert!(!first_client_id.is_empty(), "a client_id in the form");

    answer_kiosk_sections(&browser).await;
    let progress = browser.text("#progress").await;
    assert!(
        progress.starts_with("Đã trả lời 17/") && progress.ends_with("câu"),
        "progress after 17 answers: {progress:?}"
    );
    browser.click("form[data-outbox] button[type=submit]").await;
    wait_saved(&browser).await;

    // After the thank-you time: a fresh form, nothing checked, a new client_id.
    browser
        .wait_until(
            "a fresh kiosk form after the thank-you screen",
            r#"const f = document.querySelector('form.kiosk');
               const id = document.querySelector('form.kiosk input[name=client_id]');
               const thanks = document.querySelector('#thanks');
               return !!f && !!id && id.value !== '' && id.value !== arguments[0]
                 && document.querySelectorAll('input[type=radio]:checked').length === 0
                 && (!thanks || thanks.hidden || thanks.getClientRects().length === 0);"#,
            vec![json!(first_client_id)],
        )
        .await;
    browser.wait_visible("#step-1 .step-next").await;
    let second_client_id = browser.field("client_id").await;
    assert_ne!(second_client_id, first_client_id, "a new client_id");

    let (id, form_id, unit, channel, client_id) = only_response(&app);
    assert_eq!(
        (form_id.as_str(), unit.as_str(), channel.as_str()),
        (SERVICE, "phuoc-son", "kiosk")
    );
    assert_eq!(client_id.as_deref(), Some(first_client_id.as_str()));
    assert_service_answers(&app, &id);
}

/// A kiosk left alone: the warning comes and takes the focus; "Tôi cần thêm thời gian" keeps the
/// answers; left alone again, the answers are cleared and nothing is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosk_idle_warning_then_reset() {
    let Some((browser, app)) = start().await else {
        return;
    };
    browser.goto(&kiosk_url(&app).await).await;
    assert_enhanced(&browser).await;
    let first_client_id = browser.field("client_id").await;
    browser.choose("da_pakn", "khong").await;
    let progress = browser.text("#progress").await;
    assert!(
        progress.starts_with("Đã trả lời 1/"),
        "progress after one answer: {progress:?}"
    );

    browser.wait_visible("#idle-warning").await;
    let focused = browser
        .js(
            "const a = document.activeElement; return a && a.closest('#idle-warning') ? a.tagName + '#' + a.id : null",
            vec![],
        )
        .await;
    assert_eq!(
        focused, "BUTTON#idle-continue",
        "the warning's button has the focus"
    );
    let button = browser.text("#idle-continue").await;
    assert!(button.contains("Tôi cần thêm thời gian"), "{button:?}");

    browser.click("#idle-continue").await;
    browser.wait_hidden("#idle-warning").await;
    assert_eq!(
        browser.checked("da_pakn").await.as_deref(),
        Some("khong"),
        "the answer is kept"
    );

    // Nobody touches it again: the warning comes back, then the answers are cleared.
    browser.wait_visible("#idle-warning").await;
    browser
        .wait_until(
            "the answers cleared after the warning time",
            r#"return document.querySelectorAll('input[type=radio]:checked').length === 0
                 && !!document.querySelector('form.kiosk input[name=client_id]');"#,
            vec![],
        )
        .await;
    browser.wait_hidden("#idle-warning").await;
    let progress = browser.text("#progress").await;
    assert!(
        progress.starts_with("Đã trả lời 0/"),
        "progress after the reset: {progress:?}"
    );
    assert_ne!(
        browser.field("client_id").await,
        first_client_id,
        "the next citizen gets a new client_id"
    );
    assert_eq!(app.counts(), (0, 0), "nothing stored");
}

// ---------------------------------------------------------------------------------------------
// Phone
// ---------------------------------------------------------------------------------------------

/// The phone form on a 360×740 screen: no sideways scrolling, touch targets of 44 px, and a
/// submission through the outbox.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_360px_layout_and_submit() {
    let Some((browser, app)) = start().await else {
        return;
    };
    browser.phone_viewport(360, 740).await;
    browser.goto(&app.url(PHONE_FORM)).await;
    assert_enhanced(&browser).await;
    let width = browser.js("return window.innerWidth", vec![]).await;
    assert_eq!(width, 360, "the viewport is 360 px wide");

    const LAYOUT_JS: &str = r#"
        const small = [];
        const measure = (e, what) => {
          if (e.getClientRects().length === 0) return; // hidden by routing
          const h = e.getBoundingClientRect().height;
          if (h < 44) small.push(what + ' ' + h.toFixed(1) + 'px');
        };
        document.querySelectorAll('label.opt, label:has(input[type=radio])')
          .forEach(l => measure(l, 'label of ' + l.querySelector('input').name + '=' + l.querySelector('input').value));
        document.querySelectorAll('form button[type=submit]').forEach(b => measure(b, 'button ' + b.textContent.trim()));
        return {scrollWidth: document.documentElement.scrollWidth, small};"#;
    let layout = browser.js(LAYOUT_JS, vec![]).await;
    assert!(
        layout["scrollWidth"].as_u64().unwrap() <= 360,
        "no horizontal scroll at 360 px: {layout}"
    );
    assert_eq!(
        layout["small"],
        json!([]),
        "touch targets at least 44 px high"
    );
    let submit = browser.find("form[data-outbox] button[type=submit]").await;
    assert_eq!(submit.text().await.unwrap().trim(), "Gửi");

    answer_service_form(&browser).await;
    let client_id = browser.field("client_id").await;
    browser.click("form[data-outbox] button[type=submit]").await;
    wait_saved(&browser).await;
    let layout = browser.js(LAYOUT_JS, vec![]).await;
    assert!(
        layout["scrollWidth"].as_u64().unwrap() <= 360,
        "no horizontal scroll on the thank-you panel: {layout}"
    );

    let (id, form_id, unit, channel, stored_client_id) = only_response(&app);
    assert_eq!(
        (form_id.as_str(), unit.as_str(), channel.as_str()),
        (SERVICE, "phuoc-son", "phone")
    );
    assert_eq!(stored_client_id, Some(client_id));
    assert_service_answers(&app, &id);
}

/// Gửi without a network: the answer waits in the outbox (localStorage), nothing reaches the
/// server; with the network back it is sent once, and a reload sends nothing more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_offline_then_reconnect() {
    let Some((browser, app)) = start().await else {
        return;
    };
    browser.goto(&app.url(PHONE_FORM)).await;
    assert_enhanced(&browser).await;
    answer_service_form(&browser).await;
    let client_id = browser.field("client_id").await;

    browser.set_offline(true).await;
    browser.click("form[data-outbox] button[type=submit]").await;
    wait_status(&browser, "queued").await;
    let outbox = browser
        .local_storage("sipas-outbox")
        .await
        .expect("the outbox in localStorage");
    assert!(
        outbox.contains(&client_id),
        "the queued answer (client_id {client_id}) is in the outbox: {outbox}"
    );
    assert_eq!(app.counts().0, 0, "nothing stored while offline");

    browser.set_offline(false).await;
    wait_saved(&browser).await;
    let (_, _, _, channel, stored_client_id) = eventually("the response in the database", || {
        let rows = stored(&app);
        async move { (rows.len() == 1).then(|| rows[0].clone()) }
    })
    .await;
    assert_eq!(channel, "phone");
    assert_eq!(stored_client_id.as_deref(), Some(client_id.as_str()));
    let outbox = browser.local_storage("sipas-outbox").await;
    assert!(
        outbox_is_empty(&outbox),
        "the outbox is emptied: {outbox:?}"
    );

    // A reload finds nothing left to send.
    browser.refresh().await;
    browser
        .wait_until(
            "the reloaded page",
            "return document.readyState === 'complete' && !!document.querySelector('form[data-outbox]')",
            vec![],
        )
        .await;
    let outbox = browser.local_storage("sipas-outbox").await;
    assert!(
        outbox_is_empty(&outbox),
        "the outbox is empty after a reload: {outbox:?}"
    );
    assert_eq!(stored(&app).len(), 1, "still exactly one response");
}

fn outbox_is_empty(outbox: &Option<String>) -> bool {
    match outbox.as_deref() {
        None => true,
        Some(s) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Array(a)) => a.is_empty(),
            Ok(Value::Object(o)) => o.is_empty(),
            Ok(Value::Null) => true,
            _ => false,
        },
    }
}

/// Keyboard only: Tab reaches the first question, arrow keys change the choice, Space and Enter
/// on Gửi submit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyboard_only() {
    let Some((browser, app)) = start().await else {
        return;
    };
    browser.goto(&app.url(PHONE_FORM)).await;
    assert_enhanced(&browser).await;

    // Tab until a radio has the focus: it must be the first question's.
    let first_group = browser
        .js(
            "return document.querySelector('form input[type=radio]').name",
            vec![],
        )
        .await;
    let mut focused = Value::Null;
    for _ in 0..10 {
        browser.press(&[Key::Tab]).await;
        focused = browser
            .js(
                "const a = document.activeElement; return a && a.type === 'radio' ? {name: a.name, value: a.value, checked: a.checked} : null",
                vec![],
            )
            .await;
        if !focused.is_null() {
            break;
        }
    }
    assert_eq!(
        focused["name"], first_group,
        "Tab reaches the first radio group first: {focused}"
    );
    let first = browser
        .js(
            "return [...document.querySelectorAll(`input[name=\"${arguments[0]}\"]`)].map(r => r.value)",
            vec![first_group.clone()],
        )
        .await;
    let name = first_group.as_str().unwrap();
    let values: Vec<&str> = first
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(values.len() >= 2, "{values:?}");

    browser.press(&[Key::Down]).await;
    assert_eq!(
        browser.checked(name).await.as_deref(),
        Some(values[1]),
        "ArrowDown chooses the next option"
    );
    browser.press(&[Key::Up]).await;
    assert_eq!(
        browser.checked(name).await.as_deref(),
        Some(values[0]),
        "ArrowUp chooses the previous option"
    );
    browser.press(&[Key::Right]).await;
    assert_eq!(
        browser.checked(name).await.as_deref(),
        Some(values[1]),
        "ArrowRight chooses the next option"
    );

    // The rest by clicking; then Space on Gửi.
    answer_service_form(&browser).await;
    browser
        .js(
            "document.querySelector('form[data-outbox] button[type=submit]').focus()",
            vec![],
        )
        .await;
    browser.press(&[Key::Space]).await;
    wait_saved(&browser).await;
    eventually("one response after Space on Gửi", || {
        let n = stored(&app).len();
        async move { (n == 1).then_some(()) }
    })
    .await;

    // Enter on Gửi, on a fresh form.
    browser.goto(&app.url(PHONE_FORM)).await;
    assert_enhanced(&browser).await;
    answer_service_form(&browser).await;
    browser
        .js(
            "document.querySelector('form[data-outbox] button[type=submit]').focus()",
            vec![],
        )
        .await;
    browser.press(&[Key::Enter]).await;
    wait_saved(&browser).await;
    eventually("two responses after Enter on Gửi", || {
        let n = stored(&app).len();
        async move { (n == 2).then_some(()) }
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Invitations
// ---------------------------------------------------------------------------------------------

/// An invitation answers once: the second visit shows a friendly "used" page (409) and a second
/// submission is refused with 409 `invitation_used`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitation_used_twice() {
    let Some((browser, app)) = start().await else {
        return;
    };
    let (token, url) = invitation(&app).await;
    browser.goto(&url).await;
    assert_enhanced(&browser).await;
    let unit = browser.field("unit").await;
    let channel = browser.field("channel").await;
    browser.choose("nhom", "dai_bieu_hdnd").await;
    browser.choose("DB1", "4").await;
    browser.click("form[data-outbox] button[type=submit]").await;
    wait_saved(&browser).await;
    let rows = stored(&app);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].1, DELEGATES);

    // Opening the link again: the used page, in Vietnamese, with 409.
    browser.goto(&url).await;
    let text = browser.body_text().await;
    assert!(
        text.contains("Thư mời đã được sử dụng"),
        "the used-invitation page: {text}"
    );
    assert!(
        !browser.exists("form[method=post]").await,
        "no form to fill"
    );
    assert_eq!(app.get(&format!("/i/{token}")).await.status(), 409);

    // A second answer with the same invitation (a new client_id) is refused.
    let again = app
        .post_json(
            &format!("/api/v1/forms/{DELEGATES}/responses"),
            &json!({
                "client_id": uuid::Uuid::new_v4().to_string(),
                "unit": unit,
                "channel": channel,
                "answers": {"nhom": "lanh_dao_xa", "DB1": 5},
                "invitation": token,
            }),
        )
        .await;
    expect_error(again, 409, "invitation_used").await;
    let rows = stored(&app);
    assert_eq!(rows.len(), 1, "still one response: {rows:?}");
    assert_eq!(rows[0].1, DELEGATES);
}

// ---------------------------------------------------------------------------------------------
// Accessibility
// ---------------------------------------------------------------------------------------------

/// axe-core: no serious or critical violation on the citizen's pages — the index, the phone form,
/// the form with errors (a submission without JavaScript), the thank-you panel and the thank-you
/// page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accessibility_citizen_pages() {
    let Some(axe) = axe_source() else {
        return;
    };
    let Some((browser, app)) = start().await else {
        return;
    };
    browser.goto(&app.url("/")).await;
    browser.assert_accessible(axe, "the index page").await;

    browser.goto(&app.url(PHONE_FORM)).await;
    assert_enhanced(&browser).await;
    browser.assert_accessible(axe, "the phone form").await;

    // The form with errors: an incomplete answer posted the way a browser without JavaScript
    // posts it (the script's handlers left behind with a clone of the form).
    browser.choose("da_pakn", "khong").await;
    browser.choose("TC1", "4").await;
    native_submit(&browser).await;
    browser
        .wait_until(
            "the form again with its errors",
            "return document.readyState === 'complete' && !!document.querySelector('.error-summary')",
            vec![],
        )
        .await;
    assert_eq!(
        browser.checked("TC1").await.as_deref(),
        Some("4"),
        "the answers given are kept"
    );
    browser.assert_accessible(axe, "the form with errors").await;

    // The thank-you panel (JavaScript) …
    browser.goto(&app.url(PHONE_FORM)).await;
    assert_enhanced(&browser).await;
    answer_service_form(&browser).await;
    browser.click("form[data-outbox] button[type=submit]").await;
    wait_saved(&browser).await;
    browser.assert_accessible(axe, "the thank-you panel").await;

    // … and the thank-you page (without).
    browser.goto(&app.url(PHONE_FORM)).await;
    answer_service_form(&browser).await;
    native_submit(&browser).await;
    browser
        .wait_until(
            "the thank-you page",
            "return document.readyState === 'complete' && !document.querySelector('form[method=post]') && document.body.innerText.includes('Cảm ơn')",
            vec![],
        )
        .await;
    browser.assert_accessible(axe, "the thank-you page").await;
    assert_eq!(stored(&app).len(), 2, "the two complete answers are stored");
}

/// axe-core on the kiosk form, the invitation form and the used-invitation page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accessibility_kiosk_and_invitation_pages() {
    let Some(axe) = axe_source() else {
        return;
    };
    let Some((browser, app)) = start().await else {
        return;
    };
    browser.goto(&kiosk_url(&app).await).await;
    assert_enhanced(&browser).await;
    browser.assert_accessible(axe, "the kiosk form").await;

    let (_, url) = invitation(&app).await;
    browser.goto(&url).await;
    assert_enhanced(&browser).await;
    browser.assert_accessible(axe, "the invitation form").await;
    browser.choose("nhom", "lanh_dao_huyen").await;
    browser.choose("DB2", "3").await;
    browser.click("form[data-outbox] button[type=submit]").await;
    wait_saved(&browser).await;

    browser.goto(&url).await;
    assert!(browser
        .body_text()
        .await
        .contains("Thư mời đã được sử dụng"));
    browser
        .assert_accessible(axe, "the used-invitation page")
        .await;
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

/// Logs in through the page in Chromium on plain `http://127.0.0.1`, registers a kiosk through
/// an admin form (its hidden CSRF field, Chromium's own `Origin`) and logs out; returns the names
/// of the cookies Chromium kept after the login.
async fn staff_round_trip(browser: &Browser, app: &TestApp, password: &str) -> Vec<String> {
    browser.goto(&app.url("/login")).await;
    browser
        .find("#username")
        .await
        .send_keys("quan-tri")
        .await
        .unwrap();
    browser
        .find("#password")
        .await
        .send_keys(password)
        .await
        .unwrap();
    browser.click("button[type=submit]").await;
    eventually("the dashboard after the login", || async {
        browser
            .current_url()
            .await
            .ends_with("/dashboard")
            .then_some(())
    })
    .await;
    let cookies = browser.cdp("Network.getAllCookies", json!({})).await;
    let names: Vec<String> = cookies["cookies"]
        .as_array()
        .expect("cookies")
        .iter()
        .map(|c| c["name"].as_str().unwrap_or_default().to_string())
        .collect();
    browser.goto(&app.url("/admin/kiosks")).await;
    browser
        .find("#name")
        .await
        .send_keys("Quầy trình duyệt")
        .await
        .unwrap();
    browser
        .js(
            "document.querySelector('#unit').value = 'phuoc-son';",
            vec![],
        )
        .await;
    browser
        .click("form[action='/admin/kiosks'] button[type=submit]")
        .await;
    eventually("the registered kiosk's page", || async {
        browser
            .body_text()
            .await
            .contains("Quầy trình duyệt")
            .then_some(())
    })
    .await;
    let count: i64 = sipas::store::schema::kiosks::table
        .count()
        .get_result(&mut app.db())
        .unwrap();
    assert_eq!(
        count, 1,
        "the admin form (session-bound CSRF, same origin) registered it"
    );
    browser.goto(&app.url("/dashboard")).await;
    browser.click("form[action='/logout'] button").await;
    eventually("the login page after the logout", || async {
        browser
            .current_url()
            .await
            .ends_with("/login")
            .then_some(())
    })
    .await;
    browser.goto(&app.url("/dashboard")).await;
    assert!(
        browser.current_url().await.ends_with("/login"),
        "logged out"
    );
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_login_with_bare_and_host_prefixed_cookies() {
    for secure in [false, true] {
        let Some(browser) = Browser::start().await else {
            return;
        };
        let app = TestApp::spawn_with(Backend::Sqlite, |c| c.secure_cookies = secure)
            .await
            .expect("a SQLite app always starts");
        let password = app.create_user("quan-tri", Role::Admin);
        let mut names = staff_round_trip(&browser, &app, &password).await;
        names.sort();
        // Plain http: bare names. Secure (SIPAS_SECURE_COOKIES): `__Host-` names, which
        // Chromium accepts on http://127.0.0.1 (a secure context).
        let prefix = if secure { "__Host-" } else { "" };
        let expected: Vec<String> = ["sipas_csrf", "sipas_device", "sipas_session"]
            .iter()
            .map(|n| format!("{prefix}{n}"))
            .collect();
        assert_eq!(names, expected, "secure = {secure}");
    }
}

// ---------------------------------------------------------------------------------------------
// Kiosk sections, nothing pre-selected, the phone's scripted thank-you
// ---------------------------------------------------------------------------------------------

/// The kiosk at 1280×800: one section per screen, within the screen; "Tiếp" refuses to leave a
/// required question unanswered; "Quay lại" keeps the answers; the last section's "Gửi" stores
/// the response.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosk_sections_one_screen_each() {
    let Some((browser, app)) = start().await else {
        return;
    };
    browser
        .cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": false }),
        )
        .await;
    browser.goto(&kiosk_url(&app).await).await;
    assert_enhanced(&browser).await;
    assert_eq!(browser.js("return window.innerHeight", vec![]).await, 800);

    let first = kiosk_section(&browser).await;
    assert_eq!(first["id"], "step-1", "{first}");
    let total: u64 = first["n"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(total >= 6, "several sections: {first}");
    assert_eq!(first["back"], false, "no Quay lại on the first section");
    assert_eq!(first["next"], "Tiếp");
    assert!(
        !browser.visible("p.submit button").await,
        "one button per section"
    );

    // Tiếp without the required answer: a message, still on the first section.
    browser.click("#step-1 .step-next").await;
    browser
        .wait_visible("#step-1 .step-error[role=alert]")
        .await;
    assert!(browser
        .text("#step-1 .step-error")
        .await
        .contains("bắt buộc"));
    assert_eq!(kiosk_section(&browser).await["id"], "step-1");
    browser.choose("da_pakn", "khong").await;
    assert!(
        !browser.exists("#step-1 .step-error").await,
        "the message goes once answered"
    );

    let mut seen = Vec::new();
    let mut went_back = false;
    for _ in 0..20 {
        let section = kiosk_section(&browser).await;
        shot(&browser, &format!("kiosk-{}", seen.len() + 1)).await;
        assert_eq!(section["count"], 1, "{section}");
        assert!(
            section["height"].as_u64().unwrap() <= 800,
            "within 800 px: {section}"
        );
        assert!(
            section["width"].as_u64().unwrap() <= 1280,
            "no sideways scroll: {section}"
        );
        let id = section["id"].as_str().unwrap().to_string();
        if !seen.is_empty() {
            assert_eq!(
                section["focused"],
                format!("{id}-title"),
                "focus on the heading: {section}"
            );
        }
        seen.push(id.clone());
        for name in section["radios"].as_array().unwrap() {
            if let Some(i) = ITEMS.iter().position(|i| *i == name.as_str().unwrap()) {
                browser.choose(ITEMS[i], &score(i)).await;
            }
        }
        if section["next"] == "Gửi" {
            break;
        }
        if seen.len() == 3 && !went_back {
            // Back to the previous section: its answers are still there.
            went_back = true;
            browser.click(&format!("#{id} .step-back")).await;
            let back = kiosk_section(&browser).await;
            assert_eq!(back["id"].as_str(), Some(seen[1].as_str()), "{back}");
            for name in back["radios"].as_array().unwrap() {
                let name = name.as_str().unwrap();
                if let Some(i) = ITEMS.iter().position(|i| *i == name) {
                    assert_eq!(browser.checked(name).await, Some(score(i)), "{name} kept");
                }
            }
            browser.click(&format!("#{} .step-next", seen[1])).await;
            seen.pop();
            continue;
        }
        browser.click(&format!("#{id} .step-next")).await;
    }
    let last = kiosk_section(&browser).await;
    assert_eq!(last["next"], "Gửi", "{last}");
    // The PAKN section is skipped without PAKN: one fewer than the sections on the page, and
    // "Phần n/N" counted without it.
    assert_eq!(seen.len() as u64, total, "{seen:?}");
    let on_page = browser
        .js(
            "return document.querySelectorAll('section.step').length",
            vec![],
        )
        .await;
    assert_eq!(on_page.as_u64(), Some(total + 1), "{seen:?}");
    let id = last["id"].as_str().unwrap().to_string();
    browser.click(&format!("#{id} .step-next")).await;
    wait_saved(&browser).await;
    let (id, form_id, _, channel, _) = only_response(&app);
    assert_eq!((form_id.as_str(), channel.as_str()), (SERVICE, "kiosk"));
    assert_service_answers(&app, &id);
}

/// The delegates' form: nothing checked on a fresh form (0 answered); "Không đánh giá được" on
/// every item rates nothing: the form comes back saying so, with those choices kept, and
/// nothing is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delegates_form_starts_blank_and_refuses_no_rating() {
    let Some((browser, app)) = start().await else {
        return;
    };
    let (token, url) = invitation(&app).await;
    browser.goto(&url).await;
    assert_eq!(browser.checked_count().await, 0, "nothing pre-selected");
    let progress = browser.text("#progress").await;
    assert!(progress.starts_with("Đã trả lời 0/"), "{progress:?}");
    browser.choose("nhom", "dai_bieu_hdnd").await;
    for i in 1..=16 {
        browser.choose(&format!("DB{i}"), "").await;
    }
    let progress = browser.text("#progress").await;
    assert!(progress.starts_with("Đã trả lời 17/17"), "{progress:?}");
    browser.click("form[data-outbox] button[type=submit]").await;
    browser.wait_visible(".error-summary").await;
    shot(&browser, "delegates-no-rating").await;
    let summary = browser.text(".error-summary").await;
    assert!(
        summary.contains("Phiếu chưa đánh giá tiêu chí nào"),
        "{summary}"
    );
    assert_eq!(
        browser.checked("DB7").await.as_deref(),
        Some(""),
        "the choice is kept"
    );
    assert_eq!(app.counts(), (0, 0), "nothing stored");
    assert_eq!(
        app.get(&format!("/i/{token}")).await.status(),
        200,
        "the invitation is unused"
    );
    for path in [
        PHONE_FORM,
        "/f/sipas-dich-vu?unit=phuoc-son&channel=web",
        "/f/sipas-ho-gia-dinh?unit=phuoc-son&channel=web",
    ] {
        browser.goto(&app.url(path)).await;
        assert_eq!(
            browser.checked_count().await,
            0,
            "nothing pre-selected on {path}"
        );
    }
}

/// The phone, after the form came back with errors: the scripted submission shows the thanks
/// with "Trả lời phiếu mới" and the tab title no longer says "Cần xem lại".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_scripted_thanks_after_errors() {
    let Some((browser, app)) = start().await else {
        return;
    };
    browser.phone_viewport(360, 740).await;
    browser.goto(&app.url(PHONE_FORM)).await;
    browser.choose("TC1", "4").await;
    native_submit(&browser).await;
    let title = browser.js("return document.title", vec![]).await;
    assert!(
        title.as_str().unwrap().starts_with("Cần xem lại – "),
        "{title}"
    );
    shot(&browser, "phone-errors").await;
    let first = browser.text(".error-summary li").await;
    assert!(
        first.starts_with("Câu 1 – ") && first.chars().count() < 50,
        "{first:?}"
    );
    answer_service_form(&browser).await;
    browser.click("form[data-outbox] button[type=submit]").await;
    wait_saved(&browser).await;
    let title = browser.js("return document.title", vec![]).await;
    assert!(
        title.as_str().unwrap().starts_with("Cảm ơn ông/bà – "),
        "{title}"
    );
    shot(&browser, "phone-thanks").await;
    let again = browser.find("#thanks a.button").await;
    assert_eq!(again.text().await.unwrap().trim(), "Trả lời phiếu mới");
    let href = again.attr("href").await.unwrap().unwrap();
    assert!(
        href.starts_with("/f/sipas-dich-vu?unit=phuoc-son"),
        "{href}"
    );
    assert_eq!(only_response(&app).3, "phone");
}

/// Waits for the page a click on `css` leads to.
async fn click_and_wait_for_page(browser: &Browser, css: &str) {
    browser.js("window.__sipas_old_page = true;", vec![]).await;
    browser.click(css).await;
    browser
        .wait_until(
            "the next page",
            "return document.readyState === 'complete' && window.__sipas_old_page !== true",
            vec![],
        )
        .await;
}

/// The dashboard in a real browser: an analyst logs in, chooses each grouping of the real
/// "Nhóm theo" select (the "Kỳ" select is sent with it, as a browser does), submits, and sees
/// a table and drawn charts, never an error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_every_grouping_in_the_browser() {
    let Some((browser, app)) = start().await else {
        return;
    };
    for channel in ["phone", "web"] {
        let mut body = valid_submission();
        body["channel"] = json!(channel);
        assert_eq!(app.submit(&body).await.status(), 201);
    }
    let password = app.create_user("lan", Role::Analyst);
    browser.goto(&app.url("/login")).await;
    browser
        .js(
            "document.getElementById('username').value = 'lan';
             document.getElementById('password').value = arguments[0];",
            vec![json!(password)],
        )
        .await;
    click_and_wait_for_page(&browser, "form.card button[type=submit]").await;
    assert!(browser.current_url().await.contains("/dashboard"));
    let values = browser
        .js(
            "return Array.from(document.querySelectorAll('select#group_by option')).map(o => o.value);",
            vec![],
        )
        .await;
    let values: Vec<String> = values
        .as_array()
        .expect("option values")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect();
    assert!(values.len() >= 5, "{values:?}");
    for value in &values {
        browser
            .find("select#group_by")
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("choose {value:?}: {e}"));
        click_and_wait_for_page(&browser, "form.controls button[type=submit]").await;
        let url = browser.current_url().await;
        assert!(
            url.contains("period="),
            "the form sends its Kỳ select: {url}"
        );
        assert!(
            !browser.exists(".error-summary").await,
            "group_by={value}: {}",
            browser.body_text().await
        );
        assert!(browser.exists("#index-table tbody tr").await, "{value}");
        assert!(browser.exists("#element-table").await, "{value}");
        browser
            .js(
                "document.querySelectorAll('figure img').forEach(i => { i.loading = 'eager'; });",
                vec![],
            )
            .await;
        browser
            .wait_until(
                &format!("the charts of group_by={value} drawn"),
                "const imgs = Array.from(document.querySelectorAll('figure img'));
                 return imgs.length >= 6 && imgs.every(i => i.complete && i.naturalWidth > 0);",
                vec![],
            )
            .await;
    }
}
