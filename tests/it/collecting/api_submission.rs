//! `POST /api/v1/forms/{form_id}/responses`: what is refused (and then never stored), what is
//! accepted, and what is stored, over the real HTTP API on SQLite and PostgreSQL.
//! Idempotency, concurrency and transactions are in `api_idempotency.rs`.

use crate::common;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::*;
use diesel::prelude::*;
use serde_json::{json, Value};
use sipas::domain::Role;
use unicode_normalization::UnicodeNormalization;

const SERVICE_FORM: &str = "sipas-dich-vu";
const HOUSEHOLD_FORM: &str = "sipas-ho-gia-dinh";
const DELEGATES_FORM: &str = "khao-sat-dai-bieu";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn responses_path(form: &str) -> String {
    format!("/api/v1/forms/{form}/responses")
}

/// A submission body with a fresh client_id for unit `phuoc-son`.
fn submission(channel: &str, answers: Value) -> Value {
    json!({
        "client_id": uuid::Uuid::new_v4().to_string(),
        "unit": "phuoc-son",
        "channel": channel,
        "answers": answers,
    })
}

/// A household-form submission (web channel).
fn household(answers: Value) -> Value {
    submission("web", answers)
}

async fn post_to(
    app: &TestApp,
    form: &str,
    body: &Value,
    token: Option<&str>,
) -> reqwest::Response {
    let mut request = app.client.post(app.url(&responses_path(form))).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("POST")
}

async fn post_raw(
    app: &TestApp,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    app.client
        .post(app.url(&responses_path(SERVICE_FORM)))
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .expect("POST")
}

/// Asserts a 201 with `{"id"}` and returns the id.
async fn expect_created(send: impl std::future::Future<Output = reqwest::Response>) -> String {
    let response = send.await;
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(status, 201, "expected 201 Created, got {status}: {body}");
    body["id"].as_str().expect("id in the 201 body").to_string()
}

/// Sends a request, expects the error `status`/`code`, and checks that nothing was stored.
async fn refused(
    app: &TestApp,
    status: u16,
    code: &str,
    send: impl std::future::Future<Output = reqwest::Response>,
) -> Value {
    let before = app.counts();
    let body = expect_error(send.await, status, code).await;
    assert_eq!(
        app.counts(),
        before,
        "nothing may be stored by a refused request ({body})"
    );
    body
}

/// After a refused request, the same client (and its pooled keep-alive connection) can still
/// submit: the server did not leave an unread body behind on the connection.
async fn next_submission_is_stored(app: &TestApp) {
    let before = app.counts().0;
    expect_created(app.submit(&valid_submission())).await;
    assert_eq!(app.counts().0, before + 1, "the next submission is stored");
}

/// Submits `body` to `form` (optionally as staff), expects 422 `validation_failed` and returns the
/// (field, code) pairs; checks that nothing was stored and that every field error has messages.
async fn invalid(
    app: &TestApp,
    form: &str,
    body: &Value,
    token: Option<&str>,
) -> Vec<(String, String)> {
    let error = refused(
        app,
        422,
        "validation_failed",
        post_to(app, form, body, token),
    )
    .await;
    for field in error["error"]["fields"]
        .as_array()
        .expect("fields in a 422 body")
    {
        for key in ["message", "message_en"] {
            assert!(
                field[key].as_str().is_some_and(|m| !m.is_empty()),
                "{key} of field error {field}"
            );
        }
    }
    field_errors(&error)
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(f, c)| (f.to_string(), c.to_string()))
        .collect()
}

/// Asserts that the 422 for `body` reports exactly these (field, code) pairs, in any order.
async fn expect_fields(app: &TestApp, form: &str, body: &Value, expected: &[(&str, &str)]) {
    let mut got = invalid(app, form, body, None).await;
    let mut want = pairs(expected);
    got.sort();
    want.sort();
    assert_eq!(got, want, "field errors for {body}");
}

/// A stored response as an analyst reads it through `GET /api/v1/responses/{id}`.
async fn read_back(app: &TestApp, id: &str) -> Value {
    let token = app.token_for(Role::Analyst).await;
    let response = app
        .get_auth(&format!("/api/v1/responses/{id}"), &token)
        .await;
    assert_eq!(response.status(), 200, "GET the stored response {id}");
    response.json().await.expect("stored response JSON")
}

fn instant(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .expect("RFC 3339 time")
        .with_timezone(&Utc)
}

// ---------------------------------------------------------------------------------------------
// 400, 404, 413, 415: requests that are refused before any answer is looked at
// ---------------------------------------------------------------------------------------------

async fn body_that_is_not_json_is_400(app: TestApp) {
    refused(
        &app,
        400,
        "malformed_json",
        post_raw(&app, "application/json", "{\"unit\": \"phuoc-son\", "),
    )
    .await;
    refused(
        &app,
        400,
        "malformed_json",
        post_raw(&app, "application/json", ""),
    )
    .await;
}
both_backends!(body_that_is_not_json_is_400);

async fn answers_as_an_array_is_400(app: TestApp) {
    let mut body = valid_submission();
    body["answers"] = json!([{"TC1": 5}]);
    refused(&app, 400, "malformed_json", app.submit(&body)).await;
}
both_backends!(answers_as_an_array_is_400);

async fn missing_unit_is_400(app: TestApp) {
    let mut body = valid_submission();
    body.as_object_mut().unwrap().remove("unit");
    refused(&app, 400, "malformed_json", app.submit(&body)).await;
}
both_backends!(missing_unit_is_400);

async fn unknown_top_level_field_is_400(app: TestApp) {
    let mut body = valid_submission();
    body["respondent_name"] = json!("Nguyễn Văn A");
    refused(&app, 400, "malformed_json", app.submit(&body)).await;
}
both_backends!(unknown_top_level_field_is_400);

async fn text_plain_body_is_415(app: TestApp) {
    let json_text = valid_submission().to_string();
    refused(
        &app,
        415,
        "unsupported_media_type",
        post_raw(&app, "text/plain", json_text),
    )
    .await;
    next_submission_is_stored(&app).await;
}
both_backends!(text_plain_body_is_415);

/// A valid service-form submission serialised to exactly `len` bytes by padding `y_kien`.
fn submission_of_length(len: usize) -> String {
    let mut body = valid_submission();
    body["answers"]["y_kien"] = json!("");
    let empty = body.to_string().len();
    body["answers"]["y_kien"] = json!("a".repeat(len - empty));
    let text = body.to_string();
    assert_eq!(text.len(), len);
    text
}

/// A JSON submission of `len` bytes is refused with 413, and the next one is stored.
async fn body_of_length_is_413(app: &TestApp, len: usize) {
    let text = submission_of_length(len);
    refused(
        app,
        413,
        "payload_too_large",
        post_raw(app, "application/json", text),
    )
    .await;
    next_submission_is_stored(app).await;
}

async fn body_over_64_kib_is_413(app: TestApp) {
    body_of_length_is_413(&app, 64 * 1024 + 1).await;
}
both_backends!(body_over_64_kib_is_413);

async fn body_of_exactly_64_kib_is_read(app: TestApp) {
    // Not over the limit: the body is parsed, and refused only because the comment is too long.
    let body: Value = serde_json::from_str(&submission_of_length(64 * 1024)).unwrap();
    expect_fields(&app, SERVICE_FORM, &body, &[("y_kien", "too_long")]).await;
}
both_backends!(body_of_exactly_64_kib_is_read);

async fn unknown_form_is_404(app: TestApp) {
    refused(
        &app,
        404,
        "unknown_form",
        post_to(&app, "nope", &valid_submission(), None),
    )
    .await;
    next_submission_is_stored(&app).await;
}
both_backends!(unknown_form_is_404);

async fn unknown_unit_is_404(app: TestApp) {
    let mut body = valid_submission();
    body["unit"] = json!("phuoc-khong-co");
    refused(&app, 404, "unknown_unit", app.submit(&body)).await;
}
both_backends!(unknown_unit_is_404);

async fn unit_code_with_nul_is_unknown_unit(app: TestApp) {
    // Bad input, never a 500: PostgreSQL cannot even compare text containing NUL.
    let mut body = valid_submission();
    body["unit"] = json!("phuoc-son\u{0}");
    refused(&app, 404, "unknown_unit", app.submit(&body)).await;
}
both_backends!(unit_code_with_nul_is_unknown_unit);

// ---------------------------------------------------------------------------------------------
// 422: answers and envelope fields
// ---------------------------------------------------------------------------------------------

async fn unknown_question_code_is_refused(app: TestApp) {
    let body = submission("phone", answers_with(json!({"TC9": 4})));
    expect_fields(&app, SERVICE_FORM, &body, &[("TC9", "unknown_question")]).await;
}
both_backends!(unknown_question_code_is_refused);

async fn scores_outside_1_to_5_are_out_of_range(app: TestApp) {
    for score in [0, 6, -1] {
        let body = submission("phone", answers_with(json!({"TC1": score})));
        expect_fields(&app, SERVICE_FORM, &body, &[("TC1", "out_of_range")]).await;
    }
}
both_backends!(scores_outside_1_to_5_are_out_of_range);

async fn scores_that_are_not_integers_are_wrong_type(app: TestApp) {
    for score in [json!(4.5), json!("4"), json!(true)] {
        let body = submission("phone", answers_with(json!({"TC1": score})));
        expect_fields(&app, SERVICE_FORM, &body, &[("TC1", "wrong_type")]).await;
    }
}
both_backends!(scores_that_are_not_integers_are_wrong_type);

async fn expectation_4_is_out_of_range(app: TestApp) {
    let body = submission("phone", answers_with(json!({"KV1": 4})));
    expect_fields(&app, SERVICE_FORM, &body, &[("KV1", "out_of_range")]).await;
}
both_backends!(expectation_4_is_out_of_range);

async fn expectation_3_is_accepted(app: TestApp) {
    let id =
        expect_created(app.submit(&submission("phone", answers_with(json!({"KV1": 3}))))).await;
    assert_eq!(
        read_back(&app, &id).await["answers"]["KV1"],
        json!(3),
        "KV1 stored as the number 3"
    );
}
both_backends!(expectation_3_is_accepted);

async fn choice_outside_the_options_is_not_an_option(app: TestApp) {
    let body = submission("phone", answers_with(json!({"gioi_tinh": "nam_nu"})));
    expect_fields(&app, SERVICE_FORM, &body, &[("gioi_tinh", "not_an_option")]).await;
}
both_backends!(choice_outside_the_options_is_not_an_option);

async fn unknown_channel_is_not_an_option(app: TestApp) {
    let body = submission("email", full_answers());
    expect_fields(&app, SERVICE_FORM, &body, &[("channel", "not_an_option")]).await;
}
both_backends!(unknown_channel_is_not_an_option);

async fn channel_the_form_does_not_take_is_refused(app: TestApp) {
    let body = submission("phone", json!({"da_giai_quyet_tthc": "khong", "GT1": 4}));
    expect_fields(
        &app,
        HOUSEHOLD_FORM,
        &body,
        &[("channel", "channel_not_accepted")],
    )
    .await;
}
both_backends!(channel_the_form_does_not_take_is_refused);

async fn client_id_that_is_not_a_uuid_is_invalid_format(app: TestApp) {
    let mut body = valid_submission();
    body["client_id"] = json!("abc");
    expect_fields(
        &app,
        SERVICE_FORM,
        &body,
        &[("client_id", "invalid_format")],
    )
    .await;
}
both_backends!(client_id_that_is_not_a_uuid_is_invalid_format);

async fn comment_of_2001_characters_is_too_long(app: TestApp) {
    let body = submission("phone", answers_with(json!({"y_kien": "ệ".repeat(2001)})));
    expect_fields(&app, SERVICE_FORM, &body, &[("y_kien", "too_long")]).await;
}
both_backends!(comment_of_2001_characters_is_too_long);

async fn comment_of_2000_multibyte_characters_is_accepted(app: TestApp) {
    // 2,000 characters but 6,000 bytes: the limit counts characters.
    let text = "ệ".repeat(2000);
    let id =
        expect_created(app.submit(&submission("phone", answers_with(json!({"y_kien": text})))))
            .await;
    assert_eq!(read_back(&app, &id).await["answers"]["y_kien"], json!(text));
}
both_backends!(comment_of_2000_multibyte_characters_is_accepted);

async fn comment_length_is_counted_after_nfc(app: TestApp) {
    // 2,000 characters in NFC are 6,000 code points in NFD (e + circumflex + dot below).
    let nfd: String = "ệ".repeat(2000).nfd().collect();
    assert_eq!(nfd.chars().count(), 6000);
    let id = expect_created(app.submit(&submission("phone", answers_with(json!({"y_kien": nfd})))))
        .await;
    assert_eq!(
        read_back(&app, &id).await["answers"]["y_kien"],
        json!("ệ".repeat(2000))
    );
}
both_backends!(comment_length_is_counted_after_nfc);

async fn comment_with_control_characters_is_invalid_text(app: TestApp) {
    for text in [
        "trước\u{0}sau",
        "chuông\u{7}",
        "thoát\u{1b}[31m",
        "xóa\u{7f}",
    ] {
        let body = submission("phone", answers_with(json!({"y_kien": text})));
        expect_fields(&app, SERVICE_FORM, &body, &[("y_kien", "invalid_text")]).await;
    }
}
both_backends!(comment_with_control_characters_is_invalid_text);

async fn several_problems_are_all_reported(app: TestApp) {
    let mut body = submission(
        "phone",
        answers_with(json!({
            "da_pakn": null, "TC1": 0, "TC2": "4", "TC3": null, "gioi_tinh": "x", "TC9": 1,
            "y_kien": "a\u{0}b",
        })),
    );
    body["client_id"] = json!("abc");
    let got = invalid(&app, SERVICE_FORM, &body, None).await;
    let expected = [
        ("client_id", "invalid_format"),
        ("da_pakn", "required"),
        ("TC1", "out_of_range"),
        ("TC2", "wrong_type"),
        ("TC3", "required"),
        ("gioi_tinh", "not_an_option"),
        ("TC9", "unknown_question"),
        ("y_kien", "invalid_text"),
    ];
    for pair in pairs(&expected) {
        assert!(got.contains(&pair), "{pair:?} missing from {got:?}");
    }
}
both_backends!(several_problems_are_all_reported);

// ---------------------------------------------------------------------------------------------
// Required answers per channel, and routing
// ---------------------------------------------------------------------------------------------

// (kiosk answers come only through a kiosk's link: the kiosk channel's rules are in kiosks.rs)
async fn missing_item_is_required_on_phone_and_kiosk(app: TestApp) {
    for channel in ["phone"] {
        let body = submission(channel, answers_with(json!({"TC1": null})));
        expect_fields(&app, SERVICE_FORM, &body, &[("TC1", "required")]).await;
    }
}
both_backends!(missing_item_is_required_on_phone_and_kiosk);

async fn missing_item_is_accepted_on_web_and_paper(app: TestApp) {
    let clerk = app.token_for(Role::Clerk).await;
    for (channel, token) in [("web", None), ("paper", Some(clerk.as_str()))] {
        let body = submission(channel, answers_with(json!({"TC1": null})));
        let id = expect_created(post_to(&app, SERVICE_FORM, &body, token)).await;
        let stored = read_back(&app, &id).await;
        assert_eq!(stored["channel"], channel);
        assert!(
            stored["answers"].get("TC1").is_none(),
            "no TC1 stored: {stored}"
        );
    }
    assert_eq!(app.counts().0, 2);
}
both_backends!(missing_item_is_accepted_on_web_and_paper);

async fn da_pakn_is_required_on_every_channel(app: TestApp) {
    let clerk = app.token_for(Role::Clerk).await;
    for channel in ["phone", "web", "paper"] {
        let body = submission(channel, answers_with(json!({"da_pakn": null})));
        let got = invalid(&app, SERVICE_FORM, &body, Some(&clerk)).await;
        assert_eq!(got, pairs(&[("da_pakn", "required")]), "{channel}");
    }
}
both_backends!(da_pakn_is_required_on_every_channel);

async fn pakn_item_without_pakn_is_hidden_by_routing(app: TestApp) {
    let body = submission("phone", answers_with(json!({"da_pakn": "khong", "PA1": 4})));
    expect_fields(&app, SERVICE_FORM, &body, &[("PA1", "hidden_by_routing")]).await;
}
both_backends!(pakn_item_without_pakn_is_hidden_by_routing);

async fn pakn_items_with_pakn_are_stored(app: TestApp) {
    let answers = answers_with(json!({"da_pakn": "co", "PA1": 5, "PA2": 4, "PA3": 2}));
    let id = expect_created(app.submit(&submission("phone", answers))).await;
    let stored = read_back(&app, &id).await;
    for (code, value) in [("PA1", 5), ("PA2", 4), ("PA3", 2)] {
        assert_eq!(stored["answers"][code], json!(value), "{code} in {stored}");
    }
    assert_eq!(stored["answers"]["da_pakn"], "co");
}
both_backends!(pakn_items_with_pakn_are_stored);

async fn pakn_items_are_required_on_phone_when_shown(app: TestApp) {
    let body = submission("phone", answers_with(json!({"da_pakn": "co"})));
    expect_fields(
        &app,
        SERVICE_FORM,
        &body,
        &[
            ("PA1", "required"),
            ("PA2", "required"),
            ("PA3", "required"),
        ],
    )
    .await;
}
both_backends!(pakn_items_are_required_on_phone_when_shown);

async fn household_service_item_without_procedure_is_hidden_by_routing(app: TestApp) {
    let body = household(json!({"da_giai_quyet_tthc": "khong", "GT1": 4, "TC1": 5}));
    expect_fields(&app, HOUSEHOLD_FORM, &body, &[("TC1", "hidden_by_routing")]).await;
}
both_backends!(household_service_item_without_procedure_is_hidden_by_routing);

async fn household_policy_items_alone_are_accepted(app: TestApp) {
    let clerk = app.token_for(Role::Clerk).await;
    for (channel, token) in [("web", None), ("paper", Some(clerk.as_str()))] {
        let body = submission(
            channel,
            json!({"da_giai_quyet_tthc": "khong", "GT1": 4, "GT2": 5, "CL1": 3, "KT2": 4}),
        );
        let id = expect_created(post_to(&app, HOUSEHOLD_FORM, &body, token)).await;
        let stored = read_back(&app, &id).await;
        assert_eq!(stored["form"], HOUSEHOLD_FORM);
        assert_eq!(stored["answers"]["CL1"], json!(3));
    }
}
both_backends!(household_policy_items_alone_are_accepted);

async fn household_service_items_with_procedure_are_accepted(app: TestApp) {
    let body = household(json!({
        "da_giai_quyet_tthc": "co", "da_pakn": "khong", "GT1": 4, "TC1": 5, "TT1": 4, "CC1": 3, "KQ1": 5,
    }));
    let id = expect_created(post_to(&app, HOUSEHOLD_FORM, &body, None)).await;
    let stored = read_back(&app, &id).await;
    for (code, value) in [("TC1", 5), ("TT1", 4), ("CC1", 3), ("KQ1", 5)] {
        assert_eq!(stored["answers"][code], json!(value), "{code} in {stored}");
    }
}
both_backends!(household_service_items_with_procedure_are_accepted);

/// A response that rates nothing (no item 1–5) is refused on every channel with the field code
/// `no_rating` on the first item shown, and nothing is stored.
async fn a_response_that_rates_nothing_is_refused(app: TestApp) {
    let clerk = app.token_for(Role::Clerk).await;
    for channel in ["web", "paper"] {
        let token = (channel == "paper").then_some(clerk.as_str());
        // Only the routing question; then every item sent as not answered (null).
        let mut blank = json!({"da_pakn": "khong"});
        for code in ["TC1", "TT1", "CC1", "KQ3"] {
            blank[code] = Value::Null;
        }
        for answers in [
            json!({"da_pakn": "khong"}),
            blank,
            json!({"da_pakn": "khong", "KV1": 2, "y_kien": "Không có gì."}),
        ] {
            let body = submission(channel, answers);
            let got = invalid(&app, SERVICE_FORM, &body, token).await;
            assert_eq!(got, pairs(&[("TC1", "no_rating")]), "{channel}: {body}");
        }
        // Household form: the policy part is always shown.
        let body = household(json!({"da_giai_quyet_tthc": "khong", "gioi_tinh": "nu"}));
        let got = invalid(&app, HOUSEHOLD_FORM, &body, None).await;
        assert_eq!(got, pairs(&[("GT1", "no_rating")]));
    }
    // The delegates' form, entered from paper: the group alone rates nothing.
    let mut body = delegates_submission("paper");
    body["answers"] = json!({"nhom": "dai_bieu_hdnd", "DB1": null});
    let got = invalid(&app, DELEGATES_FORM, &body, Some(&clerk)).await;
    assert_eq!(got, pairs(&[("DB1", "no_rating")]));
    // On the phone, the missing items are listed too; no_rating takes the first one's place.
    let got = invalid(
        &app,
        SERVICE_FORM,
        &submission("phone", json!({"da_pakn": "khong"})),
        None,
    )
    .await;
    assert_eq!(
        got.first(),
        Some(&("TC1".to_string(), "no_rating".to_string()))
    );
    assert!(
        got[1..].iter().all(|(_, code)| code == "required"),
        "{got:?}"
    );
    assert_eq!(app.counts(), (0, 0), "nothing stored");
    // One rated item is enough where items are optional.
    let id =
        expect_created(app.submit(&submission("web", json!({"da_pakn": "khong", "KQ2": 4})))).await;
    assert_eq!(read_back(&app, &id).await["answers"]["KQ2"], json!(4));
}
both_backends!(a_response_that_rates_nothing_is_refused);

// ---------------------------------------------------------------------------------------------
// Invitation-only form
// ---------------------------------------------------------------------------------------------

fn delegates_submission(channel: &str) -> Value {
    json!({
        "client_id": uuid::Uuid::new_v4().to_string(),
        "unit": "tuy-phuoc",
        "channel": channel,
        "answers": {"nhom": "dai_bieu_hdnd", "DB1": 4, "DB2": 3, "DB16": 5},
    })
}

async fn invitation_only_form_refuses_anonymous_submission(app: TestApp) {
    let body = delegates_submission("web");
    expect_fields(
        &app,
        DELEGATES_FORM,
        &body,
        &[("invitation", "invitation_required")],
    )
    .await;
}
both_backends!(invitation_only_form_refuses_anonymous_submission);

async fn clerk_may_enter_invitation_only_form_from_paper(app: TestApp) {
    let clerk = app.token_for(Role::Clerk).await;
    let body = delegates_submission("paper");
    let id = expect_created(post_to(&app, DELEGATES_FORM, &body, Some(&clerk))).await;
    let stored = read_back(&app, &id).await;
    assert_eq!(stored["form"], DELEGATES_FORM);
    assert_eq!(stored["answers"]["nhom"], "dai_bieu_hdnd");
}
both_backends!(clerk_may_enter_invitation_only_form_from_paper);

async fn any_invitation_token_is_unknown(app: TestApp) {
    let mut body = delegates_submission("web");
    body["invitation"] = json!("k7Qx2vLm9pRt");
    let got = invalid(&app, DELEGATES_FORM, &body, None).await;
    assert_eq!(got, pairs(&[("invitation", "unknown_invitation")]));
}
both_backends!(any_invitation_token_is_unknown);

// ---------------------------------------------------------------------------------------------
// What is stored
// ---------------------------------------------------------------------------------------------

async fn comment_is_stored_nfc_and_trimmed(app: TestApp) {
    let nfc = "Thủ tục nhanh, công chức tận tình. Cảm ơn!";
    let nfd: String = nfc.nfd().collect();
    assert_ne!(nfd, nfc, "the test text must differ between NFD and NFC");
    assert!(
        nfd.contains("u\u{0309}"),
        "NFD splits ủ into u + combining hook"
    );
    let sent = format!("  \n{nfd}\t ");
    let id =
        expect_created(app.submit(&submission("phone", answers_with(json!({"y_kien": sent})))))
            .await;
    assert_eq!(
        read_back(&app, &id).await["answers"]["y_kien"],
        json!(nfc),
        "NFC, without surrounding white space"
    );
}
both_backends!(comment_is_stored_nfc_and_trimmed);

async fn answers_read_back_as_numbers_and_option_codes(app: TestApp) {
    let answers = answers_with(json!({"gioi_tinh": "nu", "nhom_tuoi": "35_49", "KV3": 2}));
    let id = expect_created(app.submit(&submission("phone", answers.clone()))).await;
    let stored = read_back(&app, &id).await;
    assert_eq!(stored["id"], id);
    assert_eq!(stored["form"], SERVICE_FORM);
    assert_eq!(stored["unit"], "phuoc-son");
    assert_eq!(stored["channel"], "phone");
    assert_eq!(
        stored["answers"], answers,
        "every answer read back with its JSON type"
    );
    assert!(stored["answers"]["TC1"].is_i64(), "scores are numbers");
    assert!(
        stored["answers"]["nhom_tuoi"].is_string(),
        "choices are option codes"
    );
    let stored_rows = app.counts().1;
    assert_eq!(
        stored_rows,
        answers.as_object().unwrap().len() as i64,
        "one answer row per answer"
    );
}
both_backends!(answers_read_back_as_numbers_and_option_codes);

// ---------------------------------------------------------------------------------------------
// submitted_at and credentials
// ---------------------------------------------------------------------------------------------

const PAPER_TIME: &str = "2024-05-02T09:30:00+07:00";

fn with_time(time: &str) -> Value {
    let mut body = submission("paper", full_answers());
    body["submitted_at"] = json!(time);
    body
}

/// Submits with `submitted_at = PAPER_TIME` as this role (None: anonymous); returns the stored time.
async fn stored_time_as(app: &TestApp, role: Option<Role>) -> DateTime<Utc> {
    let token = match role {
        Some(role) => Some(app.token_for(role).await),
        None => None,
    };
    let mut body = with_time(PAPER_TIME);
    if !matches!(role, Some(Role::Clerk | Role::Admin)) {
        // Paper is refused to them (403 `channel_not_allowed`); the time is ignored on any channel.
        body["channel"] = json!("web");
    }
    let id = expect_created(post_to(app, SERVICE_FORM, &body, token.as_deref())).await;
    let stored = read_back(app, &id).await;
    instant(stored["submitted_at"].as_str().expect("submitted_at"))
}

fn assert_server_now(stored: DateTime<Utc>, who: &str) {
    let skew = (Utc::now() - stored).num_seconds().abs();
    assert!(
        skew < 60,
        "{who}: submitted_at ignored, the server's clock used; stored {stored}"
    );
}

async fn anonymous_submitted_at_is_ignored(app: TestApp) {
    assert_server_now(stored_time_as(&app, None).await, "anonymous");
}
both_backends!(anonymous_submitted_at_is_ignored);

async fn analyst_submitted_at_is_ignored(app: TestApp) {
    assert_server_now(stored_time_as(&app, Some(Role::Analyst)).await, "analyst");
}
both_backends!(analyst_submitted_at_is_ignored);

async fn clerk_submitted_at_is_honoured(app: TestApp) {
    let stored = stored_time_as(&app, Some(Role::Clerk)).await;
    assert_eq!(stored, instant("2024-05-02T02:30:00+00:00"));
}
both_backends!(clerk_submitted_at_is_honoured);

async fn admin_submitted_at_is_honoured(app: TestApp) {
    let stored = stored_time_as(&app, Some(Role::Admin)).await;
    assert_eq!(stored, instant("2024-05-02T02:30:00+00:00"));
}
both_backends!(admin_submitted_at_is_honoured);

async fn clerk_submitted_at_in_the_future_is_refused(app: TestApp) {
    let clerk = app.token_for(Role::Clerk).await;
    let tomorrow = (Utc::now() + Duration::days(1)).to_rfc3339();
    let got = invalid(&app, SERVICE_FORM, &with_time(&tomorrow), Some(&clerk)).await;
    assert_eq!(got, pairs(&[("submitted_at", "in_future")]));
}
both_backends!(clerk_submitted_at_in_the_future_is_refused);

async fn clerk_submitted_at_badly_formatted_is_refused(app: TestApp) {
    let clerk = app.token_for(Role::Clerk).await;
    for time in ["02/05/2024 09:30", "2024-05-02", "hôm qua"] {
        let got = invalid(&app, SERVICE_FORM, &with_time(time), Some(&clerk)).await;
        assert_eq!(
            got,
            pairs(&[("submitted_at", "invalid_format")]),
            "for {time:?}"
        );
    }
}
both_backends!(clerk_submitted_at_badly_formatted_is_refused);

async fn invalid_bearer_token_is_401(app: TestApp) {
    let body = with_time(PAPER_TIME);
    let send = post_to(&app, SERVICE_FORM, &body, Some("not-a-real-token"));
    refused(&app, 401, "unauthenticated", send).await;
}
both_backends!(invalid_bearer_token_is_401);

// ---------------------------------------------------------------------------------------------
// Units in time
// ---------------------------------------------------------------------------------------------

async fn closed_unit_is_not_valid(app: TestApp) {
    use sipas::store::schema::units;
    let closed = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    let updated = diesel::update(units::table.find("phuoc-son"))
        .set(units::valid_to.eq(Some(closed)))
        .execute(&mut app.db())
        .expect("close phuoc-son");
    assert_eq!(updated, 1);
    let got = invalid(&app, SERVICE_FORM, &valid_submission(), None).await;
    assert_eq!(got, pairs(&[("unit", "unit_not_valid")]));
}
both_backends!(closed_unit_is_not_valid);

async fn closed_unit_takes_paper_forms_from_before_it_closed(app: TestApp) {
    use sipas::store::schema::units;
    let closed = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    diesel::update(units::table.find("phuoc-son"))
        .set(units::valid_to.eq(Some(closed)))
        .execute(&mut app.db())
        .expect("close phuoc-son");
    let clerk = app.token_for(Role::Clerk).await;
    // 2019-12-31 23:30 local time (UTC+7): the last day the unit existed.
    let body = with_time("2019-12-31T23:30:00+07:00");
    let id = expect_created(post_to(&app, SERVICE_FORM, &body, Some(&clerk))).await;
    assert_eq!(read_back(&app, &id).await["unit"], "phuoc-son");
    // 2020-01-01 00:30 local time is already after the unit closed, though still 2019 in UTC.
    let got = invalid(
        &app,
        SERVICE_FORM,
        &with_time("2020-01-01T00:30:00+07:00"),
        Some(&clerk),
    )
    .await;
    assert_eq!(got, pairs(&[("unit", "unit_not_valid")]));
}
both_backends!(closed_unit_takes_paper_forms_from_before_it_closed);

// ---------------------------------------------------------------------------------------------
// Channels, staff entry, and what an attacker sends
// ---------------------------------------------------------------------------------------------

async fn kiosk_and_paper_need_their_credentials(app: TestApp) {
    let analyst = app.token_for(Role::Analyst).await;
    let clerk = app.token_for(Role::Clerk).await;
    let cases = [
        ("kiosk", None),
        ("kiosk", Some(clerk.as_str())),
        ("paper", None),
        ("paper", Some(analyst.as_str())),
    ];
    for (channel, token) in cases {
        let body = submission(channel, full_answers());
        let error = refused(
            &app,
            403,
            "channel_not_allowed",
            post_to(&app, SERVICE_FORM, &body, token),
        )
        .await;
        assert!(
            !error["error"]["message"].as_str().unwrap_or("").is_empty(),
            "{error}"
        );
    }
    // A clerk's paper entry is taken.
    let body = submission("paper", full_answers());
    let id = expect_created(post_to(&app, SERVICE_FORM, &body, Some(&clerk))).await;
    assert_eq!(read_back(&app, &id).await["channel"], "paper");
}
both_backends!(kiosk_and_paper_need_their_credentials);

/// The `response.create` audit records, oldest first, as the admin reads them.
async fn entry_records(app: &TestApp, admin: &str) -> Vec<Value> {
    let response = app
        .get_auth("/api/v1/audit?action=response.create", admin)
        .await;
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 200, "{body}");
    let mut records = body["records"].as_array().cloned().unwrap_or_default();
    records.reverse();
    records
}

async fn every_staff_entry_is_audited_without_naming_the_response(app: TestApp) {
    let clerk = app.token_for(Role::Clerk).await;
    let admin = app.token_for(Role::Admin).await;
    let first = submission("paper", full_answers());
    let mut ids = vec![expect_created(post_to(&app, SERVICE_FORM, &first, Some(&clerk))).await];
    let mut other = submission("web", full_answers());
    other["unit"] = json!("phuoc-hoa");
    ids.push(expect_created(post_to(&app, SERVICE_FORM, &other, Some(&admin))).await);
    // A resend (200) and a citizen's answer are not staff entries.
    let resend = post_to(&app, SERVICE_FORM, &first, Some(&clerk)).await;
    assert_eq!(resend.status().as_u16(), 200);
    expect_created(app.submit(&valid_submission())).await;

    let records = entry_records(&app, &admin).await;
    assert_eq!(records.len(), 2, "one record per stored entry: {records:?}");
    let expected = [
        ("clerk", "phuoc-son", "paper"),
        ("admin", "phuoc-hoa", "web"),
    ];
    for (record, (role, unit, channel)) in records.iter().zip(expected) {
        assert_eq!(record["role"], role, "{record}");
        assert!(record["actor"]
            .as_str()
            .is_some_and(|a| a.starts_with(role)));
        assert_eq!(record["target"], SERVICE_FORM);
        assert_eq!(record["outcome"], "ok");
        assert_eq!(record["detail"]["unit"], unit, "{record}");
        assert_eq!(record["detail"]["channel"], channel, "{record}");
        let text = record.to_string();
        assert!(
            ids.iter().all(|id| !text.contains(id.as_str())),
            "the record never names a response: {text}"
        );
    }
    // Nor does the response name who entered it.
    let stored = read_back(&app, &ids[0]).await.to_string();
    let actor = records[0]["actor"].as_str().unwrap().to_string();
    assert!(!stored.contains(&actor), "{stored}");
}
both_backends!(every_staff_entry_is_audited_without_naming_the_response);

async fn staff_entry_has_a_limit_of_its_own(app: TestApp) {
    let clerk = app.token_for(Role::Clerk).await;
    for _ in 0..2 {
        let body = submission("paper", full_answers());
        expect_created(post_to(&app, SERVICE_FORM, &body, Some(&clerk))).await;
    }
    let body = submission("paper", full_answers());
    let response = post_to(&app, SERVICE_FORM, &body, Some(&clerk)).await;
    assert!(response.headers().contains_key("retry-after"));
    refused(&app, 429, "too_many_requests", async { response }).await;
    // Citizens from the same address are not held back by the clerk's limit.
    expect_created(app.submit(&valid_submission())).await;
    let admin = app.token_for(Role::Admin).await;
    assert_eq!(entry_records(&app, &admin).await.len(), 2);
}

/// A clerk may send 2 at once, then one an hour.
fn staff_limited(config: &mut sipas::platform::config::Config) {
    config.staff_burst = 2;
    config.staff_per_hour = 1;
}
both_backends!(staff_entry_has_a_limit_of_its_own, staff_limited);

async fn duplicate_answer_code_is_400(app: TestApp) {
    let client_id = new_client_id();
    let text = format!(
        r#"{{"client_id": "{client_id}", "unit": "phuoc-son", "channel": "web", "answers": {{"da_pakn": "khong", "TC1": 5, "TC1": 1}}}}"#
    );
    let error = refused(
        &app,
        400,
        "malformed_json",
        post_raw(&app, "application/json", text),
    )
    .await;
    assert!(
        error["error"]["message"].as_str().unwrap().contains("TC1"),
        "names the answer: {error}"
    );
    // A field given twice at the top level is refused too.
    let text = format!(
        r#"{{"client_id": "{client_id}", "unit": "phuoc-son", "channel": "web", "channel": "paper", "answers": {{"da_pakn": "khong"}}}}"#
    );
    refused(
        &app,
        400,
        "malformed_json",
        post_raw(&app, "application/json", text),
    )
    .await;
    next_submission_is_stored(&app).await;
}
both_backends!(duplicate_answer_code_is_400);

async fn ten_megabyte_body_is_413(app: TestApp) {
    body_of_length_is_413(&app, 10 * 1024 * 1024).await;
}
both_backends!(ten_megabyte_body_is_413);

async fn json_nested_30000_deep_is_400(app: TestApp) {
    let deep = format!(
        r#"{{"unit": "phuoc-son", "channel": "web", "answers": {{"y_kien": {}{}}}}}"#,
        "[".repeat(30_000),
        "]".repeat(30_000)
    );
    refused(
        &app,
        400,
        "malformed_json",
        post_raw(&app, "application/json", deep),
    )
    .await;
    next_submission_is_stored(&app).await;
}
both_backends!(json_nested_30000_deep_is_400);

async fn huge_and_negative_ratings_are_refused(app: TestApp) {
    for rating in ["9223372036854775808", "18446744073709551616", "-1", "1e400"] {
        let text = format!(
            r#"{{"unit": "phuoc-son", "channel": "web", "answers": {{"da_pakn": "khong", "TC1": {rating}}}}}"#
        );
        let before = app.counts();
        let response = post_raw(&app, "application/json", text).await;
        let (status, body) = status_and_json(response).await;
        assert!(
            status == 422 || status == 400,
            "TC1 = {rating}: {status} {body}"
        );
        assert!(body["error"]["code"].is_string(), "{body}");
        assert_eq!(app.counts(), before, "nothing stored for TC1 = {rating}");
    }
    next_submission_is_stored(&app).await;
}
both_backends!(huge_and_negative_ratings_are_refused);
