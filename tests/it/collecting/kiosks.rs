//! Kiosk tablets through the real HTTP stack, on SQLite and PostgreSQL: registration by an admin
//! (a device link shown once, with its QR codes; only the token's SHA-256 stored), the kiosk page
//! `/k/{token}` and its submissions (unit and channel come from the kiosk, not from the body),
//! revocation, and the per-device rate limit.

use crate::common;

use std::collections::BTreeMap;

use common::*;
use diesel::prelude::*;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{json, Value};
use sipas::domain::Role;
use sipas::store::schema::{kiosks, responses};

const SERVICE: &str = "sipas-dich-vu";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A fresh admin and a kiosk of `phuoc-son`: (admin token, kiosk id, kiosk token).
async fn kiosk_of_phuoc_son(app: &TestApp) -> (String, String, String) {
    let admin = app.token_for(Role::Admin).await;
    let body = register_kiosk(app, &admin, "Quầy 1", "phuoc-son").await;
    (
        admin,
        body["id"].as_str().unwrap().to_string(),
        body["token"].as_str().unwrap().to_string(),
    )
}

/// The urlencoded fields of a kiosk submission: client id, then the answers (numbers as text),
/// then `extra` (e.g. a unit or channel the body claims).
fn fields(client_id: &str, answers: &Value, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out = client_fields(client_id, answers);
    out.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    out
}

/// POSTs urlencoded fields to `/k/{token}` (as the page does: `?form=sipas-dich-vu`), as a
/// plain form or, with `json`, the way the page's script does.
async fn post_kiosk(
    app: &TestApp,
    token: &str,
    fields: &[(String, String)],
    json: bool,
) -> reqwest::Response {
    post_urlencoded(app, &format!("/k/{token}?form=sipas-dich-vu"), fields, json).await
}

/// Every stored response: (id, unit, channel, client_id).
fn stored(app: &TestApp) -> Vec<(String, String, String, Option<String>)> {
    responses::table
        .select((
            responses::id,
            responses::unit,
            responses::channel,
            responses::client_id,
        ))
        .order(responses::seq)
        .load(&mut app.db())
        .expect("read responses")
}

/// Every kiosk row: (id, name, unit, token_hash, revoked).
fn kiosk_rows(app: &TestApp) -> Vec<(String, String, String, String, bool)> {
    let rows: Vec<(
        String,
        String,
        String,
        String,
        Option<chrono::NaiveDateTime>,
    )> = kiosks::table
        .select((
            kiosks::id,
            kiosks::name,
            kiosks::unit,
            kiosks::token_hash,
            kiosks::revoked_at,
        ))
        .order(kiosks::id)
        .load(&mut app.db())
        .expect("read kiosks");
    rows.into_iter()
        .map(|(id, name, unit, hash, revoked)| (id, name, unit, hash, revoked.is_some()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------------------------

async fn admin_registers_a_kiosk(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let body = register_kiosk(&app, &admin, "Quầy 1", "phuoc-son").await;

    let id = body["id"].as_str().expect("id");
    assert!(uuid::Uuid::parse_str(id).is_ok(), "id is a UUID: {id}");
    assert_eq!(body["name"], "Quầy 1");
    assert_eq!(body["unit"], "phuoc-son");
    assert!(body["revoked_at"].is_null(), "{body}");
    let token = body["token"].as_str().expect("token");
    assert_secret_token(token);
    let url = format!("{}/k/{token}", app.address);
    assert_eq!(body["url"], url.as_str());
    assert_qr_codes(&body, &url);

    // Stored: the SHA-256 of the token, never the token itself.
    let rows = kiosk_rows(&app);
    assert_eq!(
        rows,
        [(
            id.to_string(),
            "Quầy 1".to_string(),
            "phuoc-son".to_string(),
            sha256_hex(token),
            false
        )]
    );
    let (_, name, unit, hash, _) = &rows[0];
    for column in [id, name.as_str(), unit.as_str(), hash.as_str()] {
        assert!(!column.contains(token), "the token is not stored: {column}");
    }

    // Two kiosks get different tokens.
    let second = register_kiosk(&app, &admin, "Quầy 2", "phuoc-son").await;
    assert_ne!(second["token"], body["token"]);
    assert_ne!(second["id"], body["id"]);
    assert_eq!(kiosk_rows(&app).len(), 2);
}
both_backends!(admin_registers_a_kiosk);

async fn kiosk_list_hides_tokens(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let first = register_kiosk(&app, &admin, "Quầy 1", "phuoc-son").await;
    let second = register_kiosk(&app, &admin, "Quầy tiếp dân", "tt-dieu-tri").await;

    let response = app.get_auth("/api/v1/kiosks", &admin).await;
    assert_eq!(response.status(), 200);
    let list: Value = response.json().await.unwrap();
    let list = list.as_array().expect("an array of kiosks");
    assert_eq!(list.len(), 2, "{list:?}");
    let by_id: BTreeMap<String, &Value> = list
        .iter()
        .map(|k| (k["id"].as_str().unwrap().to_string(), k))
        .collect();
    for registered in [&first, &second] {
        let listed = by_id[registered["id"].as_str().unwrap()];
        assert_eq!(listed["name"], registered["name"]);
        assert_eq!(listed["unit"], registered["unit"]);
        assert!(listed["created_at"].is_string(), "{listed}");
        assert!(listed["revoked_at"].is_null(), "{listed}");
        for secret in ["token", "url", "qr_png", "qr_svg"] {
            assert!(
                listed.get(secret).is_none(),
                "{secret} is not shown again: {listed}"
            );
        }
        let text = listed.to_string();
        assert!(!text.contains(registered["token"].as_str().unwrap()));
    }
}
both_backends!(kiosk_list_hides_tokens);

async fn kiosk_administration_is_for_admins(app: TestApp) {
    let (_, id, _) = kiosk_of_phuoc_son(&app).await;
    let body = json!({"name": "Quầy 9", "unit": "phuoc-son"});
    let delete_path = format!("/api/v1/kiosks/{id}");
    for role in [Role::Analyst, Role::Clerk] {
        let token = app.token_for(role).await;
        expect_error(
            post_auth(&app, "/api/v1/kiosks", Some(&token), &body).await,
            403,
            "forbidden",
        )
        .await;
        expect_error(
            get_opt_auth(&app, "/api/v1/kiosks", Some(&token)).await,
            403,
            "forbidden",
        )
        .await;
        expect_error(
            delete_auth(&app, &delete_path, Some(&token)).await,
            403,
            "forbidden",
        )
        .await;
    }
    expect_error(
        post_auth(&app, "/api/v1/kiosks", None, &body).await,
        401,
        "unauthenticated",
    )
    .await;
    expect_error(
        get_opt_auth(&app, "/api/v1/kiosks", None).await,
        401,
        "unauthenticated",
    )
    .await;
    expect_error(
        delete_auth(&app, &delete_path, None).await,
        401,
        "unauthenticated",
    )
    .await;
    expect_error(
        get_opt_auth(&app, "/api/v1/kiosks", Some("not-a-session-token")).await,
        401,
        "unauthenticated",
    )
    .await;

    // Nothing changed: one kiosk, not revoked.
    let rows = kiosk_rows(&app);
    assert_eq!(rows.len(), 1);
    assert!(!rows[0].4, "not revoked");
}
both_backends!(kiosk_administration_is_for_admins);

async fn bad_kiosk_bodies_are_refused(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let post = |body: Value| {
        let app = &app;
        let admin = admin.clone();
        async move { post_auth(app, "/api/v1/kiosks", Some(&admin), &body).await }
    };

    expect_error(
        post(json!({"name": "Quầy 1", "unit": "phuoc-son", "token": "mine"})).await,
        400,
        "malformed_json",
    )
    .await;
    expect_error(post(json!({"name": "Quầy 1"})).await, 400, "malformed_json").await;

    for name in ["", "   "] {
        let body = expect_error(
            post(json!({"name": name, "unit": "phuoc-son"})).await,
            422,
            "validation_failed",
        )
        .await;
        let fields = field_errors(&body);
        assert_eq!(fields.len(), 1, "{body}");
        assert_eq!(fields[0].0, "name", "{body}");
    }
    let long: String = "Q".repeat(101);
    let body = expect_error(
        post(json!({"name": long, "unit": "phuoc-son"})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&body)[0].0, "name");

    expect_error(
        post(json!({"name": "Quầy 1", "unit": "xa-khong-co"})).await,
        404,
        "unknown_unit",
    )
    .await;

    assert!(kiosk_rows(&app).is_empty(), "no kiosk stored");
}
both_backends!(bad_kiosk_bodies_are_refused);

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
    assert!(
        [404, 410].contains(&page.status),
        "a closed unit's kiosk: {}",
        page.status
    );
    assert!(!page.has("form[method=post]"));
    let response = post_kiosk(
        &app,
        &token,
        &fields(&new_client_id(), &full_answers(), &[]),
        true,
    )
    .await;
    assert!(
        [404, 410].contains(&response.status().as_u16()),
        "{}",
        response.status()
    );
    assert_eq!(app.counts(), (0, 0));
}
both_backends!(kiosk_of_a_closed_unit_stops);
