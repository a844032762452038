//! Submissions through a kiosk (unit and channel from the kiosk, never from the body), and the
//! rate limit per kiosk.

use super::*;

// ---------------------------------------------------------------------------------------------
// Submissions through a kiosk
// ---------------------------------------------------------------------------------------------

async fn kiosk_submission_shows_thank_you(app: TestApp) {
    let (_, _, token) = kiosk_of_phuoc_son(&app).await;
    let client_id = new_client_id();
    // The body claims another unit and channel: the kiosk decides both.
    let page = Page::from(
        post_kiosk(
            &app,
            &token,
            &fields(
                &client_id,
                &full_answers(),
                &[("unit", "tt-dieu-tri"), ("channel", "web")],
            ),
            false,
        )
        .await,
    )
    .await;
    page.assert_thank_you();

    // Back to a fresh kiosk form after a few seconds.
    let content = attr(page.one("meta[http-equiv=refresh]"), "content");
    let (seconds, url) = content
        .split_once(';')
        .unwrap_or_else(|| panic!("refresh content {content:?}"));
    assert_eq!(seconds.trim(), "8", "SIPAS_KIOSK_THANKS_SECONDS");
    let url = url
        .trim()
        .strip_prefix("url=")
        .or_else(|| url.trim().strip_prefix("URL="))
        .unwrap_or_else(|| panic!("url= in {content:?}"));
    assert_eq!(url, format!("/k/{token}?form=sipas-dich-vu"));
    let fresh = Page::get(&app, url).await;
    fresh.assert_html(200);
    assert_ne!(fresh.hidden("client_id"), client_id);

    let rows = stored(&app);
    assert_eq!(rows.len(), 1, "{rows:?}");
    let (_, unit, channel, stored_client) = &rows[0];
    assert_eq!(unit, "phuoc-son", "the kiosk's unit, not the body's");
    assert_eq!(channel, "kiosk", "the kiosk channel, not the body's");
    assert_eq!(stored_client.as_deref(), Some(client_id.as_str()));
    assert_eq!(
        app.counts().1,
        full_answers().as_object().unwrap().len() as i64,
        "every answer stored"
    );

    // A double tap on the page stores nothing more.
    let page = Page::from(
        post_kiosk(
            &app,
            &token,
            &fields(&client_id, &full_answers(), &[]),
            false,
        )
        .await,
    )
    .await;
    assert!((200..300).contains(&page.status), "{}", page.status);
    assert!(page.body.contains("Cảm ơn"));
    assert_eq!(stored(&app).len(), 1);
}
both_backends!(kiosk_submission_shows_thank_you);

async fn kiosk_submission_in_json_mode_is_idempotent(app: TestApp) {
    let (_, _, token) = kiosk_of_phuoc_son(&app).await;
    let client_id = new_client_id();
    let body = fields(
        &client_id,
        &full_answers(),
        &[("unit", "tuy-phuoc-mc"), ("channel", "phone")],
    );
    let response = post_kiosk(&app, &token, &body, true).await;
    assert!(response.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let (status, first) = status_and_json(response).await;
    assert_eq!(status, 201, "{first}");
    let id = first["id"].as_str().expect("id").to_string();
    assert!(uuid::Uuid::parse_str(&id).is_ok());
    let counts = app.counts();
    assert_eq!(counts.0, 1);

    // The script resends after a lost acknowledgement: the same id, stored once.
    let (status, again) = status_and_json(post_kiosk(&app, &token, &body, true).await).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["id"], id.as_str());
    assert_eq!(app.counts(), counts, "stored once");

    let rows = stored(&app);
    assert_eq!(
        rows,
        [(
            id.clone(),
            "phuoc-son".to_string(),
            "kiosk".to_string(),
            Some(client_id.clone())
        )]
    );

    // As the API reads it back.
    let analyst = app.token_for(Role::Analyst).await;
    let read: Value = app
        .get_auth(&format!("/api/v1/responses/{id}"), &analyst)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["unit"], "phuoc-son", "{read}");
    assert_eq!(read["channel"], "kiosk", "{read}");

    // The same client id with other answers is a conflict, and changes nothing.
    let mut changed = full_answers();
    changed["TC1"] = json!(1);
    expect_error(
        post_kiosk(&app, &token, &fields(&client_id, &changed, &[]), true).await,
        409,
        "duplicate_conflict",
    )
    .await;
    assert_eq!(app.counts(), counts);
}
both_backends!(kiosk_submission_in_json_mode_is_idempotent);

async fn incomplete_kiosk_submission_is_refused(app: TestApp) {
    let (_, _, token) = kiosk_of_phuoc_son(&app).await;
    let mut answers = full_answers();
    let object = answers.as_object_mut().unwrap();
    object.remove("da_pakn");
    object.remove("TC2");
    object.insert("TC3".into(), json!(9));

    // JSON mode: the API's error shape, with the fields.
    let body = expect_error(
        post_kiosk(&app, &token, &fields(&new_client_id(), &answers, &[]), true).await,
        422,
        "validation_failed",
    )
    .await;
    let mut fields_got = field_errors(&body);
    fields_got.sort();
    let codes: Vec<&str> = fields_got.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(codes, ["TC2", "TC3", "da_pakn"], "{body}");
    assert!(
        fields_got.contains(&("TC3".to_string(), "out_of_range".to_string())),
        "{body}"
    );
    for field in body["error"]["fields"].as_array().unwrap() {
        assert!(
            field["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{field}"
        );
    }
    assert_eq!(app.counts(), (0, 0), "nothing stored");

    // As a page: the kiosk form again, with the errors and the answers kept.
    let client_id = new_client_id();
    let page =
        Page::from(post_kiosk(&app, &token, &fields(&client_id, &answers, &[]), false).await).await;
    page.assert_html(422);
    let form = page.one("form[method=post]");
    assert_eq!(
        attr(form, "action"),
        format!("/k/{token}?form=sipas-dich-vu")
    );
    assert_eq!(page.hidden("client_id"), client_id);
    assert_eq!(page.hidden("channel"), "kiosk");
    assert!(page.has("fieldset#q-da_pakn .err"));
    assert!(page.has("fieldset#q-TC2 .err"));
    assert!(page
        .all("input[type=radio][name=TC1][checked]")
        .iter()
        .any(|r| attr(*r, "value") == "5"));
    assert_eq!(app.counts(), (0, 0), "nothing stored");

    // Not urlencoded: refused.
    let response = app
        .client
        .post(app.url(&format!("/k/{token}")))
        .header(ACCEPT, "application/json")
        .json(&valid_submission())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    assert_eq!(app.counts(), (0, 0));
}
both_backends!(incomplete_kiosk_submission_is_refused);

// ---------------------------------------------------------------------------------------------
// Rate limit per kiosk
// ---------------------------------------------------------------------------------------------

fn three_then_one_a_minute(config: &mut sipas::platform::config::Config) {
    config.kiosk_burst = 3;
    config.kiosk_per_hour = 60;
}

/// The `Retry-After` of a refusal: whole seconds, at least one.
fn retry_after_seconds(response: &reqwest::Response) -> u64 {
    let seconds = retry_after(response);
    assert!(seconds >= 1, "Retry-After ≥ 1: {seconds}");
    seconds
}

async fn kiosk_submissions_are_rate_limited(app: TestApp) {
    let (admin, _, token) = kiosk_of_phuoc_son(&app).await;
    let other = register_kiosk(&app, &admin, "Quầy 2", "tt-dieu-tri").await;
    let other_token = other["token"].as_str().unwrap();

    let first = fields(&new_client_id(), &full_answers(), &[]);
    for n in 1..=3 {
        let submission = if n == 1 {
            first.clone()
        } else {
            fields(&new_client_id(), &full_answers(), &[])
        };
        let (status, body) =
            status_and_json(post_kiosk(&app, &token, &submission, true).await).await;
        assert_eq!(status, 201, "submission {n} passes: {body}");
        if n == 1 {
            // Only stored answers count: resends of a stored answer (a lost acknowledgement) and
            // forms sent back for corrections do not use up the limit.
            for _ in 0..5 {
                let (status, _) =
                    status_and_json(post_kiosk(&app, &token, &first, true).await).await;
                assert_eq!(status, 200, "a resend is answered, not limited");
                let incomplete = fields(&new_client_id(), &json!({"TC1": 5}), &[]);
                let (status, _) =
                    status_and_json(post_kiosk(&app, &token, &incomplete, true).await).await;
                assert_eq!(status, 422, "a form to correct is answered, not limited");
            }
        }
    }
    assert_eq!(app.counts().0, 3);

    // The fourth: 429 with Retry-After, nothing stored.
    let before = app.counts();
    let response = post_kiosk(
        &app,
        &token,
        &fields(&new_client_id(), &full_answers(), &[]),
        true,
    )
    .await;
    let seconds = retry_after_seconds(&response);
    assert!(
        seconds <= 60,
        "one a minute: at most 60 s to wait, got {seconds}"
    );
    expect_error(response, 429, "too_many_requests").await;
    assert_eq!(app.counts(), before, "nothing stored from the refused one");

    // As a page: 429 too, with Retry-After.
    let response = post_kiosk(
        &app,
        &token,
        &fields(&new_client_id(), &full_answers(), &[]),
        false,
    )
    .await;
    retry_after_seconds(&response);
    let page = Page::from(response).await;
    page.assert_html(429);
    assert_eq!(
        app.counts(),
        before,
        "nothing stored from the refused page either"
    );

    // Reading the kiosk page is not limited.
    Page::get(&app, &format!("/k/{token}"))
        .await
        .assert_html(200);

    // Another kiosk is not affected.
    let (status, body) = status_and_json(
        post_kiosk(
            &app,
            other_token,
            &fields(&new_client_id(), &full_answers(), &[]),
            true,
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "another kiosk still submits: {body}");
    let rows = stored(&app);
    assert_eq!(rows.len(), 4);
    assert_eq!(
        rows.iter().filter(|r| r.1 == "tt-dieu-tri").count(),
        1,
        "{rows:?}"
    );
    assert!(rows.iter().all(|r| r.2 == "kiosk"));

    // The public form (not a kiosk link) is not limited by the kiosk's bucket.
    let response = app.submit(&valid_submission()).await;
    assert_eq!(response.status(), 201);
}
both_backends!(kiosk_submissions_are_rate_limited, three_then_one_a_minute);

async fn kiosk_of_a_closed_unit_stops(app: TestApp) {
    let (admin, _, token) = kiosk_of_phuoc_son(&app).await;
    // Phước Sơn closes (e.g. merged into another commune): valid until yesterday.
    let yesterday = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
        .date_naive()
        - chrono::Days::new(1);
    use sipas::store::schema::units;
    let changed = diesel::update(units::table.filter(units::code.eq("phuoc-son")))
        .set(units::valid_to.eq(Some(yesterday)))
        .execute(&mut app.db())
        .expect("close the unit");
    assert_eq!(changed, 1);

    // No new kiosk for it.
    let body = expect_error(
        post_auth(
            &app,
            "/api/v1/kiosks",
            Some(&admin),
            &json!({"name": "Quầy 3", "unit": "phuoc-son"}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&body)[0].0, "unit", "{body}");
    assert_eq!(kiosk_rows(&app).len(), 1);

    // Its kiosk's page and submissions are refused, and nothing is stored.
    let page = Page::get(&app, &format!("/k/{token}")).await;
    assert_eq!(page.status, 410, "a closed unit's kiosk: unit_closed");
    assert!(!page.has("form[method=post]"));
    let response = post_kiosk(
        &app,
        &token,
        &fields(&new_client_id(), &full_answers(), &[]),
        true,
    )
    .await;
    assert_eq!(response.status(), 410);
    assert_eq!(app.counts(), (0, 0));

    // The description says so (schemathesis found the 410 undocumented).
    let spec: serde_json::Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    for method in ["get", "head", "post"] {
        let responses = &spec["paths"]["/k/{token}"][method]["responses"];
        assert!(
            responses.get("410").is_some(),
            "{method} /k/{{token}}: {responses}"
        );
    }
}
both_backends!(kiosk_of_a_closed_unit_stops);
