//! The happy paths through the JSON API: single entry, double entry that agrees, double entry
//! that disagrees and is reconciled, the supervisor's lists and the operators' rates.

use serde_json::json;
use sipas::domain::Role;

use super::*;

async fn single_entry_is_a_paper_response_on_its_survey_date(app: TestApp) {
    printed_batch(&app, FORM, "phuoc-son", (1, 50), false);
    let clerk = app.token_for(Role::Clerk).await;
    let admin = app.token_for(Role::Admin).await;
    let body = entry("Phuoc-Son-000007", "02/11/2026", full_answers());
    let (status, out) = send_entry(&app, &clerk, &body).await;
    assert_eq!(status, 201, "{out}");
    assert_eq!(out["sheet"], "phuoc-son-000007");
    assert_eq!(out["state"], "agreed");
    let id = out["response_id"]
        .as_str()
        .expect("a response id")
        .to_string();
    let (status, stored) = status_and_json(
        app.get_auth(&format!("/api/v1/responses/{id}"), &admin)
            .await,
    )
    .await;
    assert_eq!(status, 200, "{stored}");
    assert_eq!(stored["channel"], "paper");
    assert_eq!(stored["unit"], "phuoc-son");
    // Noon in Asia/Ho_Chi_Minh (UTC+7) on the survey date.
    assert!(
        stored["submitted_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-02T05:00:00"),
        "{stored}"
    );
    assert_eq!(stored["answers"]["TC1"], 5);
    let entries = audit_rows_of(&app, "paper.entry");
    assert_eq!(entries.len(), 1);
    let detail = audit_detail(&entries[0]);
    assert_eq!(detail["sheet"], "phuoc-son-000007");
    assert_eq!(detail["state"], "agreed");
    assert_eq!(detail["form"], FORM);
    assert!(
        detail.get("answers").is_none() && !entries[0].detail.as_deref().unwrap().contains("TC1")
    );
    assert_eq!(entries[0].role.as_deref(), Some("clerk"));
    let created = audit_rows_of(&app, "response.create");
    assert_eq!(created.len(), 1);
    assert_eq!(audit_detail(&created[0])["channel"], "paper");
}
both_backends!(single_entry_is_a_paper_response_on_its_survey_date);

async fn double_entry_stores_once_both_agree(app: TestApp) {
    printed_batch(&app, FORM, "phuoc-son", (1, 50), true);
    let (an, binh) = (
        app.token_for(Role::Clerk).await,
        app.token_for(Role::Clerk).await,
    );
    let analyst = app.token_for(Role::Analyst).await;
    let before = reported(&app, &analyst).await;
    let (status, out) = send_entry(
        &app,
        &an,
        &entry("phuoc-son-000001", "2026-11-02", full_answers()),
    )
    .await;
    assert_eq!(
        (status, out["state"].as_str()),
        (201, Some("waiting")),
        "{out}"
    );
    assert!(out["response_id"].is_null());
    assert_eq!(app.counts().0, 0, "a waiting sheet is no response");
    assert_eq!(reported(&app, &analyst).await, before);
    // The same sheet typed differently (case, a date in another notation) by another clerk.
    let (status, out) = send_entry(
        &app,
        &binh,
        &entry(" PHUOC-SON-1 ", "02112026", full_answers()),
    )
    .await;
    assert_eq!(
        (status, out["state"].as_str()),
        (201, Some("agreed")),
        "{out}"
    );
    assert!(out["response_id"].is_string());
    assert_eq!(app.counts().0, 1);
    assert_eq!(reported(&app, &analyst).await, before + 1);
    let states: Vec<_> = audit_rows_of(&app, "paper.entry")
        .iter()
        .map(|r| audit_detail(r)["state"].clone())
        .collect();
    assert_eq!(states, [json!("agreed"), json!("waiting")]);
}
both_backends!(double_entry_stores_once_both_agree);

async fn disagreement_waits_for_the_supervisor(app: TestApp) {
    printed_batch(&app, FORM, "phuoc-son", (1, 50), true);
    let (an, binh, chi) = (
        app.token_for(Role::Clerk).await,
        app.token_for(Role::Clerk).await,
        app.token_for(Role::Clerk).await,
    );
    let admin = app.token_for(Role::Admin).await;
    let analyst = app.token_for(Role::Analyst).await;
    let before = reported(&app, &analyst).await;
    let sheet = "phuoc-son-000002";
    send_entry(&app, &an, &entry(sheet, "2026-11-02", full_answers())).await;
    let (status, out) = send_entry(
        &app,
        &binh,
        &entry(sheet, "2026-11-02", answers_with(json!({"TC1": 2}))),
    )
    .await;
    assert_eq!(
        (status, out["state"].as_str()),
        (201, Some("disputed")),
        "{out}"
    );
    assert_eq!(
        reported(&app, &analyst).await,
        before,
        "a disputed sheet is not in reports"
    );
    let third = post_auth(
        &app,
        "/api/v1/paper/entries",
        Some(&chi),
        &entry(sheet, "2026-11-02", full_answers()),
    )
    .await;
    expect_error(third, 409, "sheet_disputed").await;
    let again = post_auth(
        &app,
        "/api/v1/paper/entries",
        Some(&an),
        &entry(sheet, "2026-11-02", full_answers()),
    )
    .await;
    expect_error(again, 409, "sheet_already_entered").await;

    let (status, list) = status_and_json(
        app.get_auth(
            &format!("/api/v1/paper/sheets?form={FORM}&state=disputed"),
            &admin,
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["counts"]["disputed"], 1);
    assert_eq!(list["counts"]["waiting"], 0);
    let listed = &list["sheets"][0];
    assert_eq!(listed["sheet"], sheet);
    let typed: Vec<_> = listed["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["answers"]["TC1"].clone())
        .collect();
    assert_eq!(typed, [json!(5), json!(2)]);

    let path = format!("/api/v1/paper/sheets/{sheet}/reconcile");
    let refused = post_auth(
        &app,
        &path,
        Some(&chi),
        &json!({"survey_date": "2026-11-02", "answers": full_answers()}),
    )
    .await;
    expect_error(refused, 403, "forbidden").await;
    let decision = json!({"survey_date": "2026-11-02", "answers": answers_with(json!({"TC1": 2}))});
    let (status, done) =
        status_and_json(post_auth(&app, &path, Some(&admin), &decision).await).await;
    assert_eq!(
        (status, done["state"].as_str()),
        (200, Some("reconciled")),
        "{done}"
    );
    assert_eq!(
        reported(&app, &analyst).await,
        before + 1,
        "the report changes only now"
    );
    let id = done["response_id"].as_str().unwrap();
    let (_, stored) = status_and_json(
        app.get_auth(&format!("/api/v1/responses/{id}"), &admin)
            .await,
    )
    .await;
    assert_eq!(stored["answers"]["TC1"], 2);
    let rec = audit_rows_of(&app, "paper.reconcile");
    let outcomes: Vec<_> = rec.iter().map(|r| r.outcome.as_str()).collect();
    assert_eq!(
        outcomes,
        ["ok", "denied"],
        "the decision, and the clerk's refusal"
    );
    assert_eq!(audit_detail(&rec[0])["sheet"], sheet);
    let twice = post_auth(&app, &path, Some(&admin), &decision).await;
    expect_error(twice, 409, "sheet_already_stored").await;

    // an: 1 compared, 1 disagreement; binh the same.
    let (status, rates) = status_and_json(
        app.get_auth(&format!("/api/v1/paper/operators?form={FORM}"), &admin)
            .await,
    )
    .await;
    assert_eq!(status, 200, "{rates}");
    let rows = rates.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{rates}");
    for r in rows {
        assert_eq!(
            (
                r["entered"].as_i64(),
                r["compared"].as_i64(),
                r["disagreements"].as_i64()
            ),
            (Some(1), Some(1), Some(1))
        );
        assert_eq!(r["disagreement_rate"], 100.0);
    }
    let (_, other_unit) = status_and_json(
        app.get_auth(
            &format!("/api/v1/paper/operators?form={FORM}&unit=tuy-phuoc"),
            &admin,
        )
        .await,
    )
    .await;
    assert_eq!(other_unit, json!([]));
}
both_backends!(disagreement_waits_for_the_supervisor);
