//! Required answers per channel, routing (PAKN, the household form's parts), a response that
//! rates nothing, and the invitation-only form.

use super::*;

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
