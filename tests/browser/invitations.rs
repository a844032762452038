//! A single-use invitation in the browser.

use super::*;

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
