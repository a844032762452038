//! Deadlines, the response rate per group, and the delegates' report.

use super::*;

// ---------------------------------------------------------------------------------------------
// Deadlines
// ---------------------------------------------------------------------------------------------

/// Today's local date in the service's time zone.
fn local_today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
        .date_naive()
}

async fn an_invitation_past_its_deadline_is_refused(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let today = local_today();
    let yesterday = today - chrono::Days::new(1);
    // A deadline before today is refused, and nothing is issued.
    let body = json!({"count": 1, "group": "dai_bieu_hdnd", "deadline": yesterday.to_string()});
    let refused = expect_error(
        post_auth(&app, INVITATIONS, Some(&admin), &body).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        field_errors(&refused),
        [("deadline".into(), "in_past".into())]
    );
    assert!(invitation_rows(&app).is_empty());

    // Today's deadline: answerable all day.
    let body = json!({"count": 2, "group": "dai_bieu_hdnd", "deadline": today.to_string()});
    let (status, issued) =
        status_and_json(post_auth(&app, INVITATIONS, Some(&admin), &body).await).await;
    assert_eq!(status, 201, "{issued}");
    let tokens: Vec<String> = issued["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["token"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !is_used(&app, &tokens[0]).await,
        "open until the end of its last day"
    );
    let client_id = new_client_id();
    let fields = client_fields(&client_id, &delegate_answers("dai_bieu_hdnd", 4));
    assert_eq!(
        post_invitation(&app, &tokens[0], &fields, true)
            .await
            .status(),
        201
    );

    // The day after (the deadline moved back, as time would): a polite page, and 410.
    diesel::update(invitations::table)
        .set(invitations::deadline.eq(Some(yesterday)))
        .execute(&mut app.db())
        .unwrap();
    let page = Page::get(&app, &format!("/i/{}", tokens[1])).await;
    page.assert_html(410);
    assert!(page.body.contains("đã hết hạn"), "{}", page.body);
    let json_get = app
        .client
        .get(app.url(&format!("/i/{}", tokens[1])))
        .header(ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    expect_error(json_get, 410, "invitation_expired").await;
    let root = root_unit(&app).await;
    let late = api_body(
        &root,
        Some(&tokens[1]),
        delegate_answers("dai_bieu_hdnd", 3),
    );
    expect_error(
        app.post_json(RESPONSES, &late).await,
        410,
        "invitation_expired",
    )
    .await;
    let late_page = fields_for_new(&delegate_answers("dai_bieu_hdnd", 3));
    let response = post_invitation(&app, &tokens[1], &late_page, true).await;
    expect_error(response, 410, "invitation_expired").await;
    assert_eq!(
        response_ids(&app).len(),
        1,
        "nothing stored after the deadline"
    );
    // A resend of the answer given in time is still answered with its id.
    let again = post_invitation(&app, &tokens[0], &fields, true).await;
    assert_eq!(again.status(), 200);
}
both_backends!(an_invitation_past_its_deadline_is_refused);

fn fields_for_new(answers: &Value) -> Vec<(String, String)> {
    client_fields(&new_client_id(), answers)
}

// ---------------------------------------------------------------------------------------------
// Statistics and the report
// ---------------------------------------------------------------------------------------------

async fn stats_give_the_response_rate_per_group(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let analyst = app.token_for(Role::Analyst).await;

    // Nothing issued yet.
    let (status, empty) = status_and_json(app.get_auth(STATS, &analyst).await).await;
    assert_eq!(status, 200, "{empty}");
    assert_eq!(empty["groups"], json!([]));
    assert_eq!(empty["total"]["issued"], 0);
    assert_eq!(empty["total"]["rate"], 0.0);

    let delegates = issue(&app, &admin, 3, "dai_bieu_hdnd").await;
    issue(&app, &admin, 2, "lanh_dao_xa").await;
    let (status, body) = status_and_json(
        post_invitation(
            &app,
            &delegates[1],
            &client_fields(&new_client_id(), &delegate_answers("dai_bieu_hdnd", 4)),
            true,
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");

    let (status, stats) = status_and_json(app.get_auth(STATS, &analyst).await).await;
    assert_eq!(status, 200, "{stats}");
    assert_eq!(stats["form"], DELEGATES);
    let groups: BTreeMap<String, (i64, i64, f64)> = stats["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            (
                g["group"].as_str().unwrap().to_string(),
                (
                    g["issued"].as_i64().unwrap(),
                    g["used"].as_i64().unwrap(),
                    g["rate"].as_f64().unwrap(),
                ),
            )
        })
        .collect();
    assert_eq!(
        groups,
        BTreeMap::from([
            ("dai_bieu_hdnd".to_string(), (3, 1, 33.33)),
            ("lanh_dao_xa".to_string(), (2, 0, 0.0)),
        ]),
        "{stats}"
    );
    assert_eq!(stats["total"]["issued"], 5, "{stats}");
    assert_eq!(stats["total"]["used"], 1, "{stats}");
    assert_eq!(stats["total"]["rate"], 20.0, "{stats}");

    // Admins may read them too; clerks may not; nobody without a login.
    let (status, by_admin) = status_and_json(app.get_auth(STATS, &admin).await).await;
    assert_eq!(status, 200);
    assert_eq!(by_admin, stats);
    let clerk = app.token_for(Role::Clerk).await;
    expect_error(
        get_opt_auth(&app, STATS, Some(&clerk)).await,
        403,
        "forbidden",
    )
    .await;
    expect_error(
        get_opt_auth(&app, STATS, None).await,
        401,
        "unauthenticated",
    )
    .await;
    expect_error(
        app.get_auth("/api/v1/forms/khong-co-phieu/invitations/stats", &analyst)
            .await,
        404,
        "unknown_form",
    )
    .await;
}
both_backends!(stats_give_the_response_rate_per_group);

async fn delegates_report_uses_its_own_target_and_method(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let tokens = issue(&app, &admin, 3, "dai_bieu_hdnd").await;
    for (token, score) in tokens.iter().zip([5, 3, 4]) {
        let (status, body) = status_and_json(
            post_invitation(
                &app,
                token,
                &client_fields(&new_client_id(), &delegate_answers("dai_bieu_hdnd", score)),
                true,
            )
            .await,
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }

    let analyst = app.token_for(Role::Analyst).await;
    let (status, report) = status_and_json(
        app.get_auth(&format!("/api/v1/reports/{DELEGATES}"), &analyst)
            .await,
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["form"], DELEGATES);
    assert_eq!(report["target"], 80.0, "{report}");
    assert_eq!(report["method"], "score_share", "{report}");
    assert_eq!(report["responses"], 3, "{report}");
    let group = &report["groups"][0];
    assert_eq!(group["responses"], 3, "{report}");
    // score_share: 100·(score − 1)/4, averaged: DB1 = (100 + 50 + 75) / 3 = 75.
    let db1 = group["parts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["elements"].as_array().unwrap())
        .flat_map(|e| e["items"].as_array().unwrap())
        .find(|i| i["code"] == "DB1")
        .expect("DB1 in the report");
    assert_eq!(db1["n"], 3, "{db1}");
    assert_eq!(db1["value"], 75.0, "{db1}");

    let clerk = app.token_for(Role::Clerk).await;
    expect_error(
        app.get_auth(&format!("/api/v1/reports/{DELEGATES}"), &clerk)
            .await,
        403,
        "forbidden",
    )
    .await;
}
both_backends!(delegates_report_uses_its_own_target_and_method);
