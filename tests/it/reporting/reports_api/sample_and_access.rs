//! Sample adequacy once a unit has a population; bad queries and who may read reports.

use super::*;

// ---------------------------------------------------------------------------------------------
// Sample adequacy
// ---------------------------------------------------------------------------------------------

async fn sample_appears_once_a_unit_has_a_population(app: TestApp) {
    let s = staff(&app).await;
    let admin = app.token_for(Role::Admin).await;
    seed_units(&app, &s.clerk).await;
    let before = report_of(&app, &s.analyst, "unit=phuoc-son").await;
    assert!(only_group(&before).get("sample").is_none());

    let response = app
        .client
        .patch(app.url("/api/v1/units/phuoc-son"))
        .bearer_auth(&admin)
        .json(&json!({"population": 1000}))
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "PATCH population: {}",
        response.status()
    );

    // required = ⌈1000/(1 + 1000·0.0025)⌉ = ⌈285.71⌉ = 286; actual 3 → not adequate.
    let after = report_of(&app, &s.analyst, "unit=phuoc-son").await;
    let sample = &only_group(&after)["sample"];
    assert_eq!(sample["required"], 286, "{sample}");
    assert_eq!(sample["actual"], 3);
    assert_eq!(sample["adequate"], false);

    // Grouped by unit: the sample of each child that has a population, only.
    let r = report_of(&app, &s.analyst, "unit=tuy-phuoc&group_by=unit").await;
    assert_eq!(
        group(&r, "unit", json!("phuoc-son"))["sample"]["required"],
        286
    );
    assert!(group(&r, "unit", json!("phuoc-hoa"))
        .get("sample")
        .is_none());
    // Units without a population: none.
    let r = report_of(&app, &s.analyst, "unit=tuy-phuoc").await;
    assert!(only_group(&r).get("sample").is_none());
}
both_backends!(sample_appears_once_a_unit_has_a_population);

// ---------------------------------------------------------------------------------------------
// Errors and access
// ---------------------------------------------------------------------------------------------

async fn bad_queries_are_refused(app: TestApp) {
    let analyst = app.token_for(Role::Analyst).await;
    for query in [
        "from=2024-13-01",
        "to=yesterday",
        "from=2024-5-1x",
        "from=2024-05-01&to=2024-05-01",
        "from=2024-06-01&to=2024-05-01",
        "group_by=weekday",
        "group_by=TC1",
        "group_by=period&period=week",
        "period=year",
        "group_by=unit&period=month",
    ] {
        let path = format!("{REPORT}?{query}");
        let response = app.get_auth(&path, &analyst).await;
        assert_eq!(response.status(), 400, "{query}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "bad_query", "{query}: {body}");
        assert!(body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
        assert!(body["error"]["message_en"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    report_error(
        &app,
        &analyst,
        &format!("{REPORT}?unit=nowhere"),
        404,
        "unknown_unit",
    )
    .await;
    report_error(
        &app,
        &analyst,
        "/api/v1/reports/no-such-form",
        404,
        "unknown_form",
    )
    .await;
}
both_backends!(bad_queries_are_refused);

async fn only_analysts_and_admins_read_reports(app: TestApp) {
    expect_error(app.get(REPORT).await, 401, "unauthenticated").await;
    report_error(&app, "not-a-token", REPORT, 401, "unauthenticated").await;
    let clerk = app.token_for(Role::Clerk).await;
    report_error(&app, &clerk, REPORT, 403, "forbidden").await;
    let admin = app.token_for(Role::Admin).await;
    let r = report_of(&app, &admin, "").await;
    assert_eq!(r["form"], "sipas-dich-vu");
    // Other forms through the same endpoint: the delegates' survey, target 80, score_share.
    let analyst = app.token_for(Role::Analyst).await;
    let response = app
        .get_auth("/api/v1/reports/khao-sat-dai-bieu", &analyst)
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    num(&body["target"], 80.0);
    assert_eq!(body["method"], "score_share");
    let _: &Map<String, Value> = body["groups"][0]["key"].as_object().unwrap();
}
both_backends!(only_analysts_and_admins_read_reports);
