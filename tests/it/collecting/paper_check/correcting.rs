//! Recording outcomes: a correct sheet changes nothing; a wrong one with corrections makes a new
//! version of the response (the old one kept and readable), and the report follows; who may
//! check; the refusals, which store nothing.

use super::*;

/// Three stored sheets of `phuoc-son` (batch `b1`) entered by `op-an` and `op-binh`, all of them
/// in a sample: (admin token, sample id, response ids by serial 1–3).
async fn sampled(app: &TestApp, operators: [&str; 2]) -> (String, String, Vec<String>) {
    let admin = app.token_for(Role::Admin).await;
    let clerk = app.token_for(Role::Clerk).await;
    insert_batch(app, "b1", "phuoc-son", 1, 10);
    let answers = full_answers();
    let right = answers_with(json!({"TC1": 1}));
    let mut ids = Vec::new();
    for serial in 1..=3 {
        let sheet = sheet_number("phuoc-son", serial);
        // Sheet 2: reconciled with TC1 = 5 where the first operator had typed 1.
        let (state, first) = if serial == 2 {
            ("reconciled", &right)
        } else {
            ("agreed", &answers)
        };
        let entries = [(operators[0], first), (operators[1], &answers)];
        let id = stored_sheet(
            app,
            &clerk,
            "b1",
            &sheet,
            state,
            &answers,
            &entries,
            "2026-11-02",
        )
        .await;
        ids.push(id);
    }
    let sample = drawn(
        app,
        &admin,
        json!({"form": "sipas-dich-vu", "count_per_unit": 3, "seed": 1}),
    )
    .await;
    assert_eq!(sheets_of(&sample).len(), 3);
    (admin, id_of(&sample), ids)
}

async fn versions(app: &TestApp, token: &str, id: &str) -> Value {
    let path = format!("/api/v1/responses/{id}/versions");
    let (status, body) = status_and_json(app.get_auth(&path, token).await).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn corrections_are_new_versions_and_reach_the_report(app: TestApp) {
    let (admin, sample, ids) = sampled(&app, ["op-an", "op-binh"]).await;
    let before = report_of(&app, &admin, "unit=phuoc-son").await;
    assert_eq!(
        report_item(&before["groups"][0], "TC1")["satisfied"],
        3,
        "{before}"
    );

    // Correct: nothing changes but the sample.
    let (status, body) = status_and_json(
        check(
            &app,
            &admin,
            &sample,
            json!({"sheet": "phuoc-son-000001", "outcome": "correct"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["version"], 1);
    assert_eq!(body["response_id"], ids[0].as_str());
    assert_eq!(
        response_answers(&app, &admin, &ids[0]).await,
        full_answers()
    );
    let v = versions(&app, &admin, &ids[0]).await;
    assert_eq!(v["current_version"], 1);
    assert_eq!(v["versions"], json!([]));

    // Wrong: TC1 was 1 on the paper.
    let (status, body) = status_and_json(
        check(
            &app,
            &admin,
            &sample,
            json!({"sheet": "phuoc-son-000002", "outcome": "sai", "answers": {"TC1": 1}}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["outcome"], "wrong");
    assert_eq!(body["version"], 2);
    // Only op-binh's entry had the wrong value (op-an typed 1; the reconciliation kept 5).
    assert_eq!(body["faulty_operators"], json!(["op-binh"]));
    assert_eq!(
        response_answers(&app, &admin, &ids[1]).await,
        answers_with(json!({"TC1": 1}))
    );
    let v = versions(&app, &admin, &ids[1]).await;
    assert_eq!(v["current_version"], 2);
    let old = &v["versions"][0];
    assert_eq!(old["version"], 1);
    assert_eq!(old["answers"], full_answers());
    assert_eq!(old["reason"], "phuc_tra");
    assert!(old["replaced_by"]
        .as_str()
        .is_some_and(|s| s.starts_with("admin-")));
    // The report (its cache read before the correction) counts the corrected answer.
    let after = report_of(&app, &admin, "unit=phuoc-son").await;
    assert_eq!(
        report_item(&after["groups"][0], "TC1")["satisfied"],
        2,
        "{after}"
    );
    assert_eq!(report_item(&after["groups"][0], "TC1")["n"], 3);

    // A corrected survey date moves the response, keeping the time of day.
    let (status, body) = status_and_json(
        check(
            &app,
            &admin,
            &sample,
            json!({"sheet": "phuoc-son-000003", "outcome": "wrong", "survey_date": "2026-11-01"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["faulty_operators"], json!(["op-an", "op-binh"]));
    let (_, stored) = status_and_json(
        app.get_auth(&format!("/api/v1/responses/{}", ids[2]), &admin)
            .await,
    )
    .await;
    assert_eq!(stored["submitted_at"], "2026-11-01T02:30:00+00:00");
    let v = versions(&app, &admin, &ids[2]).await;
    assert_eq!(v["versions"][0]["submitted_at"], "2026-11-02T02:30:00Z");

    // The sample shows the outcomes.
    let (_, read) = status_and_json(
        app.get_auth(&format!("/api/v1/paper/samples/{sample}"), &admin)
            .await,
    )
    .await;
    assert_eq!(read["checked"], 3);
    assert_eq!(read["sheets"][1]["outcome"], "wrong");
    assert_eq!(read["sheets"][1]["faulty_operators"], json!(["op-binh"]));

    // Audited: who, sheet, outcome — never the answers.
    let rows = audit_rows_of(&app, "paper.check");
    assert_eq!(rows.len(), 3);
    let outcomes: Vec<Value> = rows
        .iter()
        .rev()
        .map(|r| audit_detail(r)["outcome"].clone())
        .collect();
    assert_eq!(outcomes, [json!("correct"), json!("wrong"), json!("wrong")]);
    assert_eq!(rows[1].target.as_deref(), Some("phuoc-son-000002"));
    assert!(rows
        .iter()
        .all(|r| !r.detail.as_deref().unwrap_or("").contains("TC1")));
    assert!(rows
        .iter()
        .all(|r| r.actor.as_deref().is_some_and(|a| a.starts_with("admin-"))));
}
both_backends!(corrections_are_new_versions_and_reach_the_report);

async fn bad_checks_store_nothing(app: TestApp) {
    let (admin, sample, ids) = sampled(&app, ["op-an", "op-binh"]).await;
    let sheet = "phuoc-son-000001";
    let cases = [
        (
            json!({"sheet": sheet, "outcome": "maybe"}),
            "outcome",
            "not_an_option",
        ),
        (
            json!({"sheet": "nonsense", "outcome": "correct"}),
            "sheet",
            "invalid_format",
        ),
        (
            json!({"sheet": sheet, "outcome": "correct", "answers": {"TC1": 1}}),
            "answers",
            "correction_on_correct",
        ),
        (
            json!({"sheet": sheet, "outcome": "wrong"}),
            "answers",
            "correction_required",
        ),
        (
            json!({"sheet": sheet, "outcome": "wrong", "answers": {"TC1": 9}}),
            "TC1",
            "",
        ),
        (
            json!({"sheet": sheet, "outcome": "wrong", "answers": {"TC1": 5}}),
            "answers",
            "nothing_corrected",
        ),
        (
            json!({"sheet": sheet, "outcome": "wrong", "survey_date": "01/11/2026"}),
            "survey_date",
            "invalid_format",
        ),
        (
            json!({"sheet": sheet, "outcome": "wrong", "survey_date": "2099-01-01"}),
            "submitted_at",
            "in_future",
        ),
    ];
    for (body, field, code) in cases {
        let out = expect_error(
            check(&app, &admin, &sample, body.clone()).await,
            422,
            "validation_failed",
        )
        .await;
        let fields = field_errors(&out);
        assert!(
            fields
                .iter()
                .any(|(f, c)| f == field && (code.is_empty() || c == code)),
            "{field}/{code} for {body}: {out}"
        );
    }
    let r = check(
        &app,
        &admin,
        &sample,
        json!({"sheet": "phuoc-son-000009", "outcome": "correct"}),
    )
    .await;
    expect_error(r, 404, "sheet_not_in_sample").await;
    let none = "0192f0c4-0000-7000-8000-000000000000";
    let r = check(
        &app,
        &admin,
        none,
        json!({"sheet": sheet, "outcome": "correct"}),
    )
    .await;
    expect_error(r, 404, "not_found").await;
    let r = check(
        &app,
        &admin,
        &sample,
        json!({"sheet": sheet, "outcome": "correct", "x": 1}),
    )
    .await;
    expect_error(r, 400, "malformed_json").await;
    // Nothing stored half-way.
    assert_eq!(
        response_answers(&app, &admin, &ids[0]).await,
        full_answers()
    );
    assert_eq!(count_rows(&app, "response_versions"), 0);
    assert!(audit_rows_of(&app, "paper.check").is_empty());
    let (_, read) = status_and_json(
        app.get_auth(&format!("/api/v1/paper/samples/{sample}"), &admin)
            .await,
    )
    .await;
    assert_eq!(read["checked"], 0);
    // Once checked, not again.
    let r = check(
        &app,
        &admin,
        &sample,
        json!({"sheet": sheet, "outcome": "correct"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let r = check(
        &app,
        &admin,
        &sample,
        json!({"sheet": sheet, "outcome": "wrong", "answers": {"TC1": 2}}),
    )
    .await;
    expect_error(r, 409, "already_checked").await;
    assert_eq!(
        response_answers(&app, &admin, &ids[0]).await,
        full_answers()
    );
}
both_backends!(bad_checks_store_nothing);

async fn operators_do_not_check_their_own_sheets(app: TestApp) {
    let (operator, operator_token) = named_user(&app, Role::Clerk).await;
    let (_, other_clerk) = named_user(&app, Role::Clerk).await;
    let (admin, sample, _) = sampled(&app, [operator.as_str(), "op-binh"]).await;
    let body = json!({"sheet": "phuoc-son-000001", "outcome": "correct"});
    let r = check(&app, &operator_token, &sample, body.clone()).await;
    expect_error(r, 403, "own_sheet").await;
    let analyst = app.token_for(Role::Analyst).await;
    expect_error(
        check(&app, &analyst, &sample, body.clone()).await,
        403,
        "forbidden",
    )
    .await;
    assert!(audit_rows_of(&app, "paper.check")
        .iter()
        .all(|r| r.outcome == "denied"));
    // Clerks read the sample they check.
    let (status, _) = status_and_json(
        app.get_auth(&format!("/api/v1/paper/samples/{sample}"), &other_clerk)
            .await,
    )
    .await;
    assert_eq!(status, 200);
    let r = check(&app, &other_clerk, &sample, body).await;
    assert_eq!(r.status(), 201);
    let r = check(
        &app,
        &admin,
        &sample,
        json!({"sheet": "phuoc-son-000002", "outcome": "correct"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let ok: Vec<_> = audit_rows_of(&app, "paper.check")
        .into_iter()
        .filter(|r| r.outcome == "ok")
        .collect();
    assert_eq!(ok.len(), 2);
}
both_backends!(operators_do_not_check_their_own_sheets);
