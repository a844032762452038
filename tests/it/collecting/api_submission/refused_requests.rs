//! 400, 404, 413, 415: requests refused before any answer is looked at; and what an attacker
//! sends (answer codes given twice, 10 MB bodies, deep JSON, huge ratings).

use super::*;

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
