//! 422: the answers and envelope fields refused, each with its field and code.

use super::*;

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
