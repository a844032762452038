//! The phone form in the browser: 360 px, offline with the outbox, keyboard only, the scripted
//! thank-you after errors; the delegates' form starts blank.

use super::*;

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
