//! axe-core on every kind of page: no serious or critical violation.

use super::*;

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
