//! The thank-you page of each channel, and the refusals that are pages (never stored).

use super::*;

// ---------------------------------------------------------------------------------------------
// Thank-you pages per channel
// ---------------------------------------------------------------------------------------------

async fn kiosk_returns_to_a_fresh_form(app: TestApp) {
    let admin = app.token_for(sipas::domain::Role::Admin).await;
    let kiosk = register_kiosk(&app, &admin, "Quầy 1", "phuoc-son").await;
    let kiosk_path = format!("/k/{}", kiosk["token"].as_str().expect("a token"));
    let start = Page::get(&app, &kiosk_path).await;
    start.assert_html(200);
    let action = attr(start.one("form[method=post]"), "action");
    assert_eq!(action, format!("{kiosk_path}?form={SERVICE}"));

    let client_id = new_client_id();
    // The unit and channel come from the kiosk, whatever the fields say.
    let response = post_urlencoded(
        &app,
        action,
        &fields("phuoc-loc", "web", &client_id, &full_answers()),
        false,
    )
    .await;
    let page = Page::from(response).await;
    page.assert_thank_you();
    let refresh = page.one("meta[http-equiv=refresh]");
    let content = attr(refresh, "content");
    let (seconds, url) = content
        .split_once(';')
        .unwrap_or_else(|| panic!("refresh content {content:?}"));
    let seconds: u32 = seconds.trim().parse().expect("seconds");
    assert!((3..=60).contains(&seconds), "a few seconds: {seconds}");
    let url = url
        .trim()
        .strip_prefix("url=")
        .or_else(|| url.trim().strip_prefix("URL="))
        .unwrap_or_else(|| panic!("url= in {content:?}"));
    assert_eq!(url, action, "back to the kiosk's own form");

    let fresh = Page::get(&app, url).await;
    fresh.assert_html(200);
    assert_ne!(
        fresh.hidden("client_id"),
        client_id,
        "the next citizen gets a new key"
    );
    assert!(fresh.all("input[type=radio][checked]").is_empty());

    let (_, unit, channel, _) = stored_response(&app);
    assert_eq!((unit.as_str(), channel.as_str()), ("phuoc-son", "kiosk"));
}
both_backends!(kiosk_returns_to_a_fresh_form);

async fn the_public_link_is_not_a_kiosk(app: TestApp) {
    let page = Page::get(&app, "/f/sipas-dich-vu?unit=phuoc-son&channel=kiosk").await;
    page.assert_html(400);
    assert!(page.body.contains("đường dẫn riêng"), "{}", page.body);
    let posted = post_fields(
        &app,
        SERVICE,
        &fields("phuoc-son", "kiosk", &new_client_id(), &full_answers()),
    )
    .await;
    posted.assert_html(400);
    assert_eq!(app.counts(), (0, 0));
}
both_backends!(the_public_link_is_not_a_kiosk);

async fn web_thank_you_does_not_refresh(app: TestApp) {
    let page = post_fields(
        &app,
        SERVICE,
        &fields("phuoc-son", "web", &new_client_id(), &full_answers()),
    )
    .await;
    page.assert_thank_you();
    assert!(!page.has("meta[http-equiv=refresh]"), "{}", page.body);
    assert!(!page
        .body
        .to_ascii_lowercase()
        .contains("http-equiv=\"refresh\""));
    assert_eq!(stored_answers(&app), full_answers_stored());
}
both_backends!(web_thank_you_does_not_refresh);

// ---------------------------------------------------------------------------------------------
// Refusals: pages, never stored
// ---------------------------------------------------------------------------------------------

async fn unknown_form_is_a_404_page(app: TestApp) {
    Page::get(&app, "/f/khong-co-phieu?unit=phuoc-son&channel=web")
        .await
        .assert_html(404);
    let fields = fields("phuoc-son", "phone", &new_client_id(), &full_answers());
    post_fields(&app, "khong-co-phieu", &fields)
        .await
        .assert_html(404);
    assert_eq!(app.counts(), (0, 0));
}
both_backends!(unknown_form_is_a_404_page);

async fn unknown_unit_is_a_404_page(app: TestApp) {
    Page::get(&app, "/f/sipas-dich-vu?unit=xa-khong-co&channel=web")
        .await
        .assert_html(404);
    let fields = fields("xa-khong-co", "phone", &new_client_id(), &full_answers());
    post_fields(&app, SERVICE, &fields).await.assert_html(404);
    assert_eq!(app.counts(), (0, 0));
}
both_backends!(unknown_unit_is_a_404_page);

async fn missing_unit_is_a_400_page(app: TestApp) {
    Page::get(&app, "/f/sipas-dich-vu?channel=web")
        .await
        .assert_html(400);
    Page::get(&app, "/f/sipas-dich-vu?unit=&channel=web")
        .await
        .assert_html(400);
    let mut fields = fields("", "phone", &new_client_id(), &full_answers());
    fields.retain(|(k, _)| k != "unit");
    post_fields(&app, SERVICE, &fields).await.assert_html(400);
    assert_eq!(app.counts(), (0, 0));
}
both_backends!(missing_unit_is_a_400_page);

async fn bogus_channel_is_a_400_page(app: TestApp) {
    Page::get(&app, "/f/sipas-dich-vu?unit=phuoc-son&channel=bogus")
        .await
        .assert_html(400);
    let fields = fields("phuoc-son", "bogus", &new_client_id(), &full_answers());
    post_fields(&app, SERVICE, &fields).await.assert_html(400);
    // A real channel that this form does not take (the household form is paper and web only).
    Page::get(&app, "/f/sipas-ho-gia-dinh?unit=phuoc-son&channel=kiosk")
        .await
        .assert_html(400);
    assert_eq!(app.counts(), (0, 0));
}
both_backends!(bogus_channel_is_a_400_page);

async fn invitation_only_form_is_a_403_page(app: TestApp) {
    let page = Page::get(&app, "/f/khao-sat-dai-bieu?unit=tuy-phuoc").await;
    page.assert_html(403);
    assert!(!page.has("form[method=post]"), "no form to fill in");
    let answers = json!({"nhom": "dai_bieu_hdnd", "DB1": 4, "DB2": 5});
    post_fields(
        &app,
        "khao-sat-dai-bieu",
        &fields("tuy-phuoc", "web", &new_client_id(), &answers),
    )
    .await
    .assert_html(403);
    assert_eq!(app.counts(), (0, 0));
}
both_backends!(invitation_only_form_is_a_403_page);

async fn json_body_is_a_415(app: TestApp) {
    let body = valid_submission();
    let response = app
        .client
        .post(app.url("/f/sipas-dich-vu"))
        .json(&body)
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 415);
    // And a urlencoded body labelled as JSON.
    let urlencoded = serde_urlencoded::to_string(fields(
        "phuoc-son",
        "phone",
        &new_client_id(),
        &full_answers(),
    ))
    .unwrap();
    let response = app
        .client
        .post(app.url("/f/sipas-dich-vu"))
        .header(CONTENT_TYPE, "application/json")
        .body(urlencoded)
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 415);
    assert_eq!(app.counts(), (0, 0));
}
both_backends!(json_body_is_a_415);
