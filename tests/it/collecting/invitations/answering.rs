//! Answering through `/i/{token}`: once, in JSON mode, an unknown token, a used one.

use super::*;

// ---------------------------------------------------------------------------------------------
// Answering through /i/{token}
// ---------------------------------------------------------------------------------------------

async fn invitation_page_is_used_once(app: TestApp) {
    let token = one_invitation(&app).await;
    let root = root_unit(&app).await;

    let page = Page::get(&app, &format!("/i/{token}")).await;
    page.assert_html(200);
    assert_eq!(text(page.one("h1")).trim(), DELEGATES_TITLE);
    let form = page.one("form[method=post]");
    assert_eq!(attr(form, "action"), format!("/i/{token}"));
    assert_eq!(page.hidden("unit"), root);
    assert_eq!(page.hidden("channel"), "web");
    assert!(page.has("fieldset#q-nhom"), "the group question");
    assert!(page.has("fieldset#q-DB1"));
    assert!(!page.has("#idle-warning"), "not a kiosk");

    // Answered without the required group: the form again, the invitation still unused.
    let client_id = page.hidden("client_id");
    let mut incomplete = delegate_answers("dai_bieu_hdnd", 4);
    incomplete.as_object_mut().unwrap().remove("nhom");
    let again = Page::from(
        post_invitation(&app, &token, &client_fields(&client_id, &incomplete), false).await,
    )
    .await;
    again.assert_html(422);
    assert!(again.has("fieldset#q-nhom .err"), "{}", again.body);
    assert_eq!(
        attr(again.one("form[method=post]"), "action"),
        format!("/i/{token}")
    );
    assert_eq!(app.counts(), (0, 0));
    assert!(!is_used(&app, &token).await);

    // Answered.
    let answers = delegate_answers("dai_bieu_hdnd", 4);
    let thanks = Page::from(
        post_invitation(&app, &token, &client_fields(&client_id, &answers), false).await,
    )
    .await;
    thanks.assert_html(201);
    assert!(thanks.body.contains("Cảm ơn"), "{}", thanks.body);
    assert!(!thanks.has("form[method=post]"));
    assert!(!thanks.has("meta[http-equiv=refresh]"), "no kiosk refresh");
    assert!(
        !thanks.body.contains(&format!("/i/{token}")),
        "no link back to the used invitation"
    );
    assert!(is_used(&app, &token).await, "the invitation is used up");
    let ids = response_ids(&app);
    assert_eq!(ids.len(), 1);
    let first_id = ids[0].clone();
    let counts = app.counts();
    assert_eq!(counts, (1, 5));

    // Opening the link again: a friendly 409 page, no form.
    let used = Page::get(&app, &format!("/i/{token}")).await;
    used.assert_html(409);
    assert!(used.body.contains("đã được sử dụng"), "{}", used.body);
    assert!(!used.has("form[method=post]"), "no form to fill in again");
    // And in JSON mode.
    let response = app
        .client
        .get(app.url(&format!("/i/{token}")))
        .header(ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    expect_error(response, 409, "invitation_used").await;

    // A second use with a new client id: 409, as a page and as JSON; nothing stored.
    let other = delegate_answers("lanh_dao_xa", 2);
    let page = Page::from(
        post_invitation(
            &app,
            &token,
            &client_fields(&new_client_id(), &other),
            false,
        )
        .await,
    )
    .await;
    page.assert_html(409);
    assert!(page.body.contains("một lần"), "{}", page.body);
    assert!(!page.has("form[method=post]"));
    expect_error(
        post_invitation(&app, &token, &client_fields(&new_client_id(), &other), true).await,
        409,
        "invitation_used",
    )
    .await;
    // Even with the same answers as the first time.
    expect_error(
        post_invitation(
            &app,
            &token,
            &client_fields(&new_client_id(), &answers),
            true,
        )
        .await,
        409,
        "invitation_used",
    )
    .await;
    assert_eq!(app.counts(), counts, "nothing more stored");

    // The resend of the first answer (same client id, same answers) after a lost
    // acknowledgement: the first id, not a second use.
    let (status, body) = status_and_json(
        post_invitation(&app, &token, &client_fields(&client_id, &answers), true).await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], first_id.as_str());
    // As a page, a thank-you again.
    let page = Page::from(
        post_invitation(&app, &token, &client_fields(&client_id, &answers), false).await,
    )
    .await;
    assert!(
        (200..300).contains(&page.status),
        "{}\n{}",
        page.status,
        page.body
    );
    assert!(page.body.contains("Cảm ơn"));
    assert_eq!(app.counts(), counts, "still one response");
}
both_backends!(invitation_page_is_used_once);

async fn invitation_page_in_json_mode(app: TestApp) {
    let token = one_invitation(&app).await;
    let client_id = new_client_id();
    let answers = delegate_answers("dai_bieu_hdnd", 5);
    let (status, body) = status_and_json(
        post_invitation(&app, &token, &client_fields(&client_id, &answers), true).await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().expect("id");
    assert_eq!(response_ids(&app), [id]);

    let (status, again) = status_and_json(
        post_invitation(&app, &token, &client_fields(&client_id, &answers), true).await,
    )
    .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["id"], id);

    // Same client id, other answers: a conflict, not a second response.
    let (status, conflict) = status_and_json(
        post_invitation(
            &app,
            &token,
            &client_fields(&client_id, &delegate_answers("dai_bieu_hdnd", 1)),
            true,
        )
        .await,
    )
    .await;
    assert_eq!(status, 409, "{conflict}");
    assert_eq!(
        conflict["error"]["code"], "duplicate_conflict",
        "{conflict}"
    );
    assert_eq!(response_ids(&app), [id]);

    // A 422 in JSON mode has the API's error shape.
    let other = one_invitation(&app).await;
    let body = expect_error(
        post_invitation(
            &app,
            &other,
            &client_fields(&new_client_id(), &json!({"DB1": 7})),
            true,
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    let mut got = field_errors(&body);
    got.sort();
    assert_eq!(
        got,
        [
            ("DB1".to_string(), "out_of_range".to_string()),
            ("nhom".to_string(), "required".to_string())
        ],
        "{body}"
    );
    assert!(
        !is_used(&app, &other).await,
        "a refused answer does not use the invitation"
    );
}
both_backends!(invitation_page_in_json_mode);

async fn unknown_invitation_is_a_404_page(app: TestApp) {
    let page = Page::get(&app, "/i/nonsense").await;
    page.assert_html(404);
    assert!(!page.has("form[method=post]"));
    Page::get(&app, &format!("/i/{}", "0".repeat(64)))
        .await
        .assert_html(404);
    let answers = delegate_answers("dai_bieu_hdnd", 4);
    Page::from(
        post_invitation(
            &app,
            "nonsense",
            &client_fields(&new_client_id(), &answers),
            false,
        )
        .await,
    )
    .await
    .assert_html(404);
    expect_error(
        post_invitation(
            &app,
            "nonsense",
            &client_fields(&new_client_id(), &answers),
            true,
        )
        .await,
        404,
        "unknown_invitation",
    )
    .await;
    // A kiosk token is not an invitation, nor the reverse.
    let token = one_invitation(&app).await;
    Page::get(&app, &format!("/k/{token}"))
        .await
        .assert_html(404);
    assert_eq!(app.counts(), (0, 0));
}
both_backends!(unknown_invitation_is_a_404_page);

async fn a_used_invitation_is_refused_before_its_answers_are_checked(app: TestApp) {
    let token = one_invitation(&app).await;
    let first = client_fields(&new_client_id(), &delegate_answers("dai_bieu_hdnd", 4));
    assert_eq!(
        post_invitation(&app, &token, &first, true).await.status(),
        201
    );

    // Incomplete or out-of-range answers through a used invitation: 409, not "fix your form".
    let incomplete = client_fields(&new_client_id(), &json!({"DB1": 9}));
    expect_error(
        post_invitation(&app, &token, &incomplete, true).await,
        409,
        "invitation_used",
    )
    .await;
    let page = post_invitation(&app, &token, &incomplete, false).await;
    assert_eq!(page.status(), 409);
    assert!(page.text().await.unwrap().contains("đã được"));
    let unit = root_unit(&app).await;
    expect_error(
        app.post_json(RESPONSES, &api_body(&unit, Some(&token), json!({"DB1": 9})))
            .await,
        409,
        "invitation_used",
    )
    .await;
    assert_eq!(app.counts().0, 1);
}
both_backends!(a_used_invitation_is_refused_before_its_answers_are_checked);
