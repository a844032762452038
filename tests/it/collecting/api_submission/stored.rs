//! What is stored: comments in NFC, answers read back; `submitted_at` by role; units in time.

use super::*;

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
