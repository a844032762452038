//! What is refused, with nothing stored: sheets of no batch or of another form, bad sheet
//! numbers, dates and digits, a sheet already stored (the message says where), roles.

use serde_json::json;
use sipas::domain::Role;

use super::*;

async fn bad_entries_store_nothing(app: TestApp) {
    printed_batch(&app, FORM, "phuoc-son", (1, 10), false);
    printed_batch(&app, "sipas-ho-gia-dinh", "phuoc-son", (11, 20), false);
    let clerk = app.token_for(Role::Clerk).await;
    let cases = [
        (
            entry("phuoc-son-000099", "2026-11-02", full_answers()),
            422,
            "unknown_sheet",
        ),
        (
            entry("phuoc-son-000011", "2026-11-02", full_answers()),
            422,
            "unknown_sheet",
        ),
        (
            entry("tuy-phuoc-000001", "2026-11-02", full_answers()),
            422,
            "unknown_sheet",
        ),
    ];
    for (body, status, code) in cases {
        let response = post_auth(&app, "/api/v1/paper/entries", Some(&clerk), &body).await;
        expect_error(response, status, code).await;
    }
    let fields = [
        (
            entry("phuoc-son", "2026-11-02", full_answers()),
            ("sheet", "invalid_format"),
        ),
        (
            entry("phuoc-son-000001", "31/02/2026", full_answers()),
            ("survey_date", "invalid_date"),
        ),
        (
            entry("phuoc-son-000001", "2099-01-01", full_answers()),
            ("survey_date", "in_future"),
        ),
        (
            entry(
                "phuoc-son-000001",
                "2026-11-02",
                answers_with(json!({"TC1": 7})),
            ),
            ("TC1", "out_of_range"),
        ),
        (
            entry(
                "phuoc-son-000001",
                "2026-11-02",
                answers_with(json!({"gioi_tinh": "x"})),
            ),
            ("gioi_tinh", "not_an_option"),
        ),
    ];
    for (body, (field, code)) in fields {
        let response = post_auth(&app, "/api/v1/paper/entries", Some(&clerk), &body).await;
        let err = expect_error(response, 422, "validation_failed").await;
        assert!(
            field_errors(&err).contains(&(field.to_string(), code.to_string())),
            "{body}: {err}"
        );
    }
    let unknown_form = json!({"form": "nope", "sheet": "phuoc-son-000001", "survey_date": "2026-11-02", "answers": {}});
    expect_error(
        post_auth(&app, "/api/v1/paper/entries", Some(&clerk), &unknown_form).await,
        404,
        "unknown_form",
    )
    .await;
    assert_eq!(paper_counts(&app), (0, 0));
    assert_eq!(app.counts().0, 0);
    assert!(audit_rows_of(&app, "paper.entry").is_empty());

    let analyst = app.token_for(Role::Analyst).await;
    let body = entry("phuoc-son-000001", "2026-11-02", full_answers());
    expect_error(
        post_auth(&app, "/api/v1/paper/entries", Some(&analyst), &body).await,
        403,
        "forbidden",
    )
    .await;
    expect_error(
        post_auth(&app, "/api/v1/paper/entries", None, &body).await,
        401,
        "unauthenticated",
    )
    .await;
    assert_eq!(paper_counts(&app), (0, 0));
}
both_backends!(bad_entries_store_nothing);

async fn a_stored_sheet_says_where_it_is(app: TestApp) {
    printed_batch(&app, FORM, "phuoc-son", (1, 10), false);
    let (an, binh) = (
        app.token_for(Role::Clerk).await,
        app.token_for(Role::Clerk).await,
    );
    let body = entry("phuoc-son-000003", "2026-11-02", full_answers());
    let (status, first) = send_entry(&app, &an, &body).await;
    assert_eq!(status, 201);
    let id = first["response_id"].as_str().unwrap();
    for token in [&an, &binh] {
        let response = post_auth(&app, "/api/v1/paper/entries", Some(token), &body).await;
        let err = expect_error(response, 409, "sheet_already_stored").await;
        let message = err["error"]["message"].as_str().unwrap();
        assert!(message.contains(id) && message.contains("lúc"), "{message}");
    }
    assert_eq!(paper_counts(&app), (1, 1));
    assert_eq!(app.counts().0, 1);
}
both_backends!(a_stored_sheet_says_where_it_is);
