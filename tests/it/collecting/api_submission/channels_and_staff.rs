//! Channels that need credentials, staff entry audited without naming the response, and its own
//! limit.

use super::*;

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
