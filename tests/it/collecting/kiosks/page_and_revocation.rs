//! The kiosk page, and what revoking a kiosk does.

use super::*;

// ---------------------------------------------------------------------------------------------
// The kiosk page, and revocation
// ---------------------------------------------------------------------------------------------

async fn kiosk_page_shows_the_service_form(app: TestApp) {
    let (_, _, token) = kiosk_of_phuoc_son(&app).await;
    let page = Page::get(&app, &format!("/k/{token}")).await;
    page.assert_html(200);

    let form = page.one("form[method=post]");
    assert_eq!(attr(form, "action"), format!("/k/{token}?form={SERVICE}"));
    assert!(
        attr(form, "class").split_whitespace().any(|c| c == "kiosk"),
        "kiosk mode: {:?}",
        form.value()
    );
    assert_eq!(attr(form, "data-idle-seconds"), "90");
    assert_eq!(page.hidden("unit"), "phuoc-son");
    assert_eq!(page.hidden("channel"), "kiosk");
    assert!(uuid::Uuid::parse_str(&page.hidden("client_id")).is_ok());
    assert!(page.has("#idle-warning"), "the idle dialog");
    assert!(
        text(page.one("h1")).contains("hài lòng"),
        "the service form's title: {}",
        text(page.one("h1"))
    );
    // The service form's questions.
    for code in ["da_pakn", "TC1", "KQ3"] {
        assert!(page.has(&format!("fieldset#q-{code}")), "{code} is asked");
    }
    assert!(page.body.contains("Xã Phước Sơn"), "the unit is named");

    // The same with `?form=` spelled out; a form a kiosk cannot show is a 404 page.
    Page::get(&app, &format!("/k/{token}?form=sipas-dich-vu"))
        .await
        .assert_html(200);
    Page::get(&app, &format!("/k/{token}?form=khao-sat-dai-bieu"))
        .await
        .assert_html(404);
    Page::get(&app, &format!("/k/{token}?form=khong-co"))
        .await
        .assert_html(404);

    // A fresh client id on every load.
    let again = Page::get(&app, &format!("/k/{token}")).await;
    assert_ne!(again.hidden("client_id"), page.hidden("client_id"));
}
both_backends!(kiosk_page_shows_the_service_form);

async fn unknown_kiosk_is_a_404_page(app: TestApp) {
    let page = Page::get(&app, "/k/nonsense").await;
    page.assert_html(404);
    assert!(!page.has("form[method=post]"), "no form:\n{}", page.body);
    let made_up = "0".repeat(64);
    Page::get(&app, &format!("/k/{made_up}"))
        .await
        .assert_html(404);

    let page = Page::from(
        post_kiosk(
            &app,
            "nonsense",
            &fields(&new_client_id(), &full_answers(), &[]),
            false,
        )
        .await,
    )
    .await;
    page.assert_html(404);
    expect_error(
        post_kiosk(
            &app,
            "nonsense",
            &fields(&new_client_id(), &full_answers(), &[]),
            true,
        )
        .await,
        404,
        "unknown_kiosk",
    )
    .await;
    assert_eq!(app.counts(), (0, 0));
}
both_backends!(unknown_kiosk_is_a_404_page);

async fn revoked_kiosk_link_stops_working(app: TestApp) {
    let (admin, id, token) = kiosk_of_phuoc_son(&app).await;
    let other = register_kiosk(&app, &admin, "Quầy 2", "phuoc-son").await;
    let other_token = other["token"].as_str().unwrap();
    Page::get(&app, &format!("/k/{token}"))
        .await
        .assert_html(200);

    let response = delete_auth(&app, &format!("/api/v1/kiosks/{id}"), Some(&admin)).await;
    assert_eq!(response.status(), 204);
    assert!(response.bytes().await.unwrap().is_empty(), "no body");

    Page::get(&app, &format!("/k/{token}"))
        .await
        .assert_html(404);
    let page = Page::from(
        post_kiosk(
            &app,
            &token,
            &fields(&new_client_id(), &full_answers(), &[]),
            false,
        )
        .await,
    )
    .await;
    page.assert_html(404);
    expect_error(
        post_kiosk(
            &app,
            &token,
            &fields(&new_client_id(), &full_answers(), &[]),
            true,
        )
        .await,
        404,
        "unknown_kiosk",
    )
    .await;
    assert_eq!(
        app.counts(),
        (0, 0),
        "nothing stored through a revoked kiosk"
    );

    // The other kiosk still works.
    Page::get(&app, &format!("/k/{other_token}"))
        .await
        .assert_html(200);

    // The list shows it revoked; the row is kept (revoked_at set).
    let list: Value = app
        .get_auth("/api/v1/kiosks", &admin)
        .await
        .json()
        .await
        .unwrap();
    let revoked = list
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == id.as_str())
        .expect("the revoked kiosk is still listed");
    assert!(revoked["revoked_at"].is_string(), "{revoked}");
    let rows = kiosk_rows(&app);
    assert!(rows.iter().any(|r| r.0 == id && r.4), "{rows:?}");
    assert!(
        rows.iter()
            .any(|r| r.0 == other["id"].as_str().unwrap() && !r.4),
        "{rows:?}"
    );

    // Revoking again is harmless; an unknown id is a 404.
    let again = delete_auth(&app, &format!("/api/v1/kiosks/{id}"), Some(&admin)).await;
    assert_eq!(again.status(), 204, "a second revocation is harmless");
    expect_error(
        delete_auth(
            &app,
            &format!("/api/v1/kiosks/{}", uuid::Uuid::new_v4()),
            Some(&admin),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    expect_error(
        delete_auth(&app, "/api/v1/kiosks/khong-co", Some(&admin)).await,
        404,
        "not_found",
    )
    .await;
}
both_backends!(revoked_kiosk_link_stops_working);
