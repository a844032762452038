//! The kiosk in the browser: an answer, its thank-you and the fresh form after it; the idle warning
//! and reset; one screen per section with nothing pre-selected.

use super::*;

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
