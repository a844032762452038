//! Invitations through the JSON API: taken once, also by concurrent uses.

use super::*;

// ---------------------------------------------------------------------------------------------
// Through the JSON API
// ---------------------------------------------------------------------------------------------

async fn json_api_takes_an_invitation_once(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let tokens = issue(&app, &admin, 3, "lanh_dao_huyen").await;
    let root = root_unit(&app).await;

    let first = api_body(
        &root,
        Some(&tokens[0]),
        delegate_answers("lanh_dao_huyen", 4),
    );
    let (status, body) = status_and_json(app.post_json(RESPONSES, &first).await).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    assert!(is_used(&app, &tokens[0]).await);
    let counts = app.counts();

    // A second use with a new client id.
    let second = api_body(
        &root,
        Some(&tokens[0]),
        delegate_answers("lanh_dao_huyen", 2),
    );
    expect_error(
        app.post_json(RESPONSES, &second).await,
        409,
        "invitation_used",
    )
    .await;
    assert_eq!(app.counts(), counts, "nothing stored");
    // The resend of the first: the first id.
    let (status, again) = status_and_json(app.post_json(RESPONSES, &first).await).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["id"], id.as_str());
    assert_eq!(app.counts(), counts);

    // An unknown token.
    let body = expect_error(
        app.post_json(
            RESPONSES,
            &api_body(
                &root,
                Some("nonsense"),
                delegate_answers("lanh_dao_huyen", 4),
            ),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        field_errors(&body),
        [("invitation".to_string(), "unknown_invitation".to_string())]
    );
    // No invitation.
    let body = expect_error(
        app.post_json(
            RESPONSES,
            &api_body(&root, None, delegate_answers("lanh_dao_huyen", 4)),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        field_errors(&body),
        [("invitation".to_string(), "invitation_required".to_string())]
    );
    // The wrong unit for the invitation.
    let body = expect_error(
        app.post_json(
            RESPONSES,
            &api_body(
                "phuoc-son",
                Some(&tokens[1]),
                delegate_answers("lanh_dao_huyen", 4),
            ),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    let fields = field_errors(&body);
    assert_eq!(fields.len(), 1, "{body}");
    assert_eq!(fields[0].0, "unit", "{body}");
    // An invitation of this form on another form is not an invitation there.
    let mut service = valid_submission();
    service["invitation"] = json!(tokens[2]);
    let body = expect_error(
        app.post_json("/api/v1/forms/sipas-dich-vu/responses", &service)
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        field_errors(&body),
        [("invitation".to_string(), "unknown_invitation".to_string())]
    );

    assert_eq!(
        app.counts(),
        counts,
        "nothing stored by the refused requests"
    );
    assert!(!is_used(&app, &tokens[1]).await, "refused: still unused");
    assert!(!is_used(&app, &tokens[2]).await, "refused: still unused");

    // The unused one still works, through the page too.
    let page = Page::get(&app, &format!("/i/{}", tokens[1])).await;
    page.assert_html(200);
    // And the used one's page says so.
    let page = Page::get(&app, &format!("/i/{}", tokens[0])).await;
    page.assert_html(409);
    assert!(page.body.contains("đã được sử dụng"));
}
both_backends!(json_api_takes_an_invitation_once);

async fn concurrent_uses_store_one_response(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let tokens = issue(&app, &admin, 2, "dai_bieu_hdnd").await;
    let root = root_unit(&app).await;

    // Eight at once through the JSON API, different client ids.
    let sends = (0..8).map(|i| {
        let body = api_body(
            &root,
            Some(&tokens[0]),
            delegate_answers("dai_bieu_hdnd", 1 + i % 5),
        );
        let app = &app;
        async move { status_and_json(app.post_json(RESPONSES, &body).await).await }
    });
    let results = futures::future::join_all(sends).await;
    let created = results.iter().filter(|(s, _)| *s == 201).count();
    let used = results
        .iter()
        .filter(|(s, b)| *s == 409 && b["error"]["code"] == "invitation_used")
        .count();
    assert_eq!((created, used), (1, 7), "{results:?}");
    assert_eq!(response_ids(&app).len(), 1, "exactly one response stored");
    assert!(is_used(&app, &tokens[0]).await);

    // Eight at once through the page's script.
    let sends = (0..8).map(|i| {
        let fields = client_fields(
            &new_client_id(),
            &delegate_answers("dai_bieu_hdnd", 1 + i % 5),
        );
        let app = &app;
        let token = tokens[1].clone();
        async move { status_and_json(post_invitation(app, &token, &fields, true).await).await }
    });
    let results = futures::future::join_all(sends).await;
    let created = results.iter().filter(|(s, _)| *s == 201).count();
    let used = results
        .iter()
        .filter(|(s, b)| *s == 409 && b["error"]["code"] == "invitation_used")
        .count();
    assert_eq!((created, used), (1, 7), "{results:?}");
    assert_eq!(response_ids(&app).len(), 2, "one more response stored");
    let (responses, answers) = app.counts();
    assert_eq!((responses, answers), (2, 10), "no stray answers");
}
both_backends!(concurrent_uses_store_one_response);

async fn twenty_concurrent_uses_of_one_invitation_create_one_response(app: TestApp) {
    // Through the HTTP API only: ten distinct answers and ten resends of one of them.
    let token = one_invitation(&app).await;
    let root = root_unit(&app).await;
    let resent = api_body(&root, Some(&token), delegate_answers("dai_bieu_hdnd", 4));
    let bodies: Vec<Value> = (0..20)
        .map(|i| match i % 2 {
            0 => resent.clone(),
            _ => api_body(
                &root,
                Some(&token),
                delegate_answers("dai_bieu_hdnd", 1 + i % 5),
            ),
        })
        .collect();
    let sends = bodies.iter().map(|body| {
        let app = &app;
        async move { status_and_json(app.post_json(RESPONSES, body).await).await }
    });
    let results = futures::future::join_all(sends).await;
    let created: Vec<&Value> = results
        .iter()
        .filter(|(s, _)| *s == 201)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(created.len(), 1, "exactly one 201: {results:?}");
    let id = created[0]["id"].as_str().expect("id");
    for (k, (status, body)) in results.iter().enumerate() {
        match status {
            201 => {}
            // A replay of the one stored answer, for its own client_id only.
            200 => {
                assert_eq!(body["id"], id, "{body}");
                assert_eq!(k % 2, 0, "only resends of the stored answer replay: {body}");
            }
            409 => assert_eq!(body["error"]["code"], "invitation_used", "{body}"),
            _ => panic!("unexpected {status}: {body}"),
        }
    }
    // Whichever answer won, the invitation is used: a new answer is refused over HTTP.
    let again = api_body(&root, Some(&token), delegate_answers("dai_bieu_hdnd", 2));
    let (status, body) = status_and_json(app.post_json(RESPONSES, &again).await).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (409, json!("invitation_used"))
    );
    assert_eq!(app.counts().0, 1, "one response stored");
}
both_backends!(twenty_concurrent_uses_of_one_invitation_create_one_response);
