//! The serials of printed batches (per unit, whatever the form, never overlapping — concurrent
//! prints included), their audit records, the list, and the refusals that record nothing.

use super::*;
use sipas::store::paper::batches::batch_of_sheet;

async fn batches_of_a_unit_follow_each_other(app: TestApp) {
    let clerk = app.token_for(Role::Clerk).await;
    let first = print_ok(&app, &clerk, SERVICE, UNIT, 2).await;
    assert_eq!(
        (
            first["first_serial"].as_i64(),
            first["last_serial"].as_i64()
        ),
        (Some(1), Some(2))
    );
    assert_eq!(first["count"], 2);
    assert_eq!(
        first["double_entry"], true,
        "double entry unless asked otherwise"
    );
    let (status, second) = print(
        &app,
        &clerk,
        &json!({"form": HOUSEHOLD, "unit": UNIT, "count": 5, "double_entry": false}),
    )
    .await;
    assert_eq!(status, 201, "{second}");
    assert_eq!(
        (
            second["first_serial"].as_i64(),
            second["last_serial"].as_i64()
        ),
        (Some(3), Some(7)),
        "serials per unit, across forms"
    );
    assert_eq!(second["double_entry"], false);
    let other = print_ok(&app, &clerk, SERVICE, "tuy-phuoc-mc", 1).await;
    assert_eq!(other["first_serial"], 1, "another unit counts from 1");

    // The sheet's batch, as the entry part looks it up.
    let mut conn = app.db();
    let found = batch_of_sheet(&mut conn, UNIT, 3)
        .unwrap()
        .expect("sheet 3 was printed");
    assert_eq!(found.id, second["id"].as_str().unwrap());
    assert!(!found.double_entry);
    assert_eq!(
        batch_of_sheet(&mut conn, UNIT, 2).unwrap().unwrap().id,
        first["id"].as_str().unwrap()
    );
    assert!(
        batch_of_sheet(&mut conn, UNIT, 8).unwrap().is_none(),
        "never printed"
    );
    assert!(batch_of_sheet(&mut conn, "tuy-phuoc-mc", 2)
        .unwrap()
        .is_none());

    // Each print is recorded once, with who printed it.
    let records = audit_rows_of(&app, "paper.print");
    assert_eq!(records.len(), 3);
    let record = records
        .iter()
        .find(|r| r.target.as_deref() == second["id"].as_str())
        .expect("its record");
    assert_eq!(record.outcome, "ok");
    assert_eq!(record.role.as_deref(), Some("clerk"));
    assert_eq!(record.actor.as_deref(), second["printed_by"].as_str());
    let detail = audit_detail(record);
    assert_eq!(detail["form"], HOUSEHOLD);
    assert_eq!(detail["unit"], UNIT);
    assert_eq!(
        (
            detail["first_serial"].as_i64(),
            detail["last_serial"].as_i64()
        ),
        (Some(3), Some(7))
    );
    assert_eq!(detail["count"], 5);
    assert_eq!(detail["double_entry"], false);

    // The list, newest first, filtered by unit or form.
    let list = |query: &'static str| {
        let app = &app;
        let clerk = &clerk;
        async move {
            let response = app.get_auth(&format!("{BATCHES}{query}"), clerk).await;
            let (status, body) = status_and_json(response).await;
            assert_eq!(status, 200, "{body}");
            body.as_array()
                .unwrap()
                .iter()
                .map(|b| b["id"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    let id = |b: &Value| b["id"].as_str().unwrap().to_string();
    assert_eq!(list("").await, vec![id(&other), id(&second), id(&first)]);
    assert_eq!(list("?unit=phuoc-son").await, vec![id(&second), id(&first)]);
    assert_eq!(
        list("?form=sipas-dich-vu&unit=phuoc-son").await,
        vec![id(&first)]
    );

    // Downloading again draws the same serials and is recorded as such.
    let before = audit_rows_of(&app, "paper.reprint").len();
    let bytes = download(&app, &clerk, &first).await;
    assert!(bytes.starts_with(b"%PDF-"));
    let reprints = audit_rows_of(&app, "paper.reprint");
    assert_eq!(reprints.len(), before + 1);
    assert_eq!(reprints[0].target.as_deref(), first["id"].as_str());
    assert_eq!(
        stored_batches(&app).len(),
        3,
        "a download prints no new batch"
    );
    let missing = app
        .get_auth(
            &format!("{BATCHES}/0192f0c4-0000-7000-8000-000000000000.pdf"),
            &clerk,
        )
        .await;
    expect_error(missing, 404, "not_found").await;
}
both_backends!(batches_of_a_unit_follow_each_other);

async fn concurrent_prints_never_overlap(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let prints = (0..6).map(|i| {
        let (app, admin) = (&app, &admin);
        async move {
            let form = if i % 2 == 0 { SERVICE } else { HOUSEHOLD };
            print_ok(app, admin, form, UNIT, 3 + i).await
        }
    });
    let printed = futures::future::join_all(prints).await;
    let mut ranges: Vec<(i64, i64)> = printed
        .iter()
        .map(|b| {
            (
                b["first_serial"].as_i64().unwrap(),
                b["last_serial"].as_i64().unwrap(),
            )
        })
        .collect();
    ranges.sort_unstable();
    let mut next = 1;
    for (first, last) in &ranges {
        assert_eq!(*first, next, "no gap, no overlap: {ranges:?}");
        next = last + 1;
    }
    let total: i64 = (0..6).map(|i| 3 + i).sum();
    assert_eq!(next - 1, total);
    let stored: Vec<(i64, i64)> = stored_batches(&app)
        .into_iter()
        .map(|(_, f, l)| (f, l))
        .collect();
    assert_eq!(stored, ranges, "as stored");
    assert_eq!(audit_rows_of(&app, "paper.print").len(), 6);
}
both_backends!(concurrent_prints_never_overlap);

async fn bad_prints_record_nothing(app: TestApp) {
    let clerk = app.token_for(Role::Clerk).await;
    for count in [0, -1, 2001] {
        let response = post_auth(
            &app,
            BATCHES,
            Some(&clerk),
            &json!({"form": SERVICE, "unit": UNIT, "count": count}),
        )
        .await;
        let body = expect_error(response, 422, "validation_failed").await;
        assert_eq!(
            field_errors(&body),
            vec![("count".to_string(), "out_of_range".to_string())],
            "{count}"
        );
    }
    let response = post_auth(
        &app,
        BATCHES,
        Some(&clerk),
        &json!({"form": "no-such-form", "unit": UNIT, "count": 1}),
    )
    .await;
    expect_error(response, 404, "unknown_form").await;
    let response = post_auth(
        &app,
        BATCHES,
        Some(&clerk),
        &json!({"form": SERVICE, "unit": "no-such-unit", "count": 1}),
    )
    .await;
    expect_error(response, 404, "unknown_unit").await;
    let response = post_auth(
        &app,
        BATCHES,
        Some(&clerk),
        &json!({"form": SERVICE, "unit": UNIT, "count": "ten"}),
    )
    .await;
    expect_error(response, 400, "malformed_json").await;
    let response = post_auth(
        &app,
        BATCHES,
        Some(&clerk),
        &json!({"form": SERVICE, "unit": UNIT}),
    )
    .await;
    expect_error(response, 400, "malformed_json").await;

    // A closed unit prints nothing.
    let admin = app.token_for(Role::Admin).await;
    let close = app
        .client
        .patch(app.url("/api/v1/units/tuy-phuoc-mc"))
        .bearer_auth(&admin)
        .json(&json!({"valid_to": chrono::Utc::now().date_naive().to_string()}))
        .send()
        .await
        .unwrap();
    assert!(
        close.status().is_success(),
        "{}",
        close.text().await.unwrap()
    );
    let response = post_auth(
        &app,
        BATCHES,
        Some(&clerk),
        &json!({"form": SERVICE, "unit": "tuy-phuoc-mc", "count": 1}),
    )
    .await;
    let body = expect_error(response, 422, "validation_failed").await;
    assert_eq!(
        field_errors(&body),
        vec![("unit".to_string(), "unit_not_valid".to_string())]
    );

    // Analysts do not print; the refusal is recorded as such.
    let analyst = app.token_for(Role::Analyst).await;
    let response = post_auth(
        &app,
        BATCHES,
        Some(&analyst),
        &json!({"form": SERVICE, "unit": UNIT, "count": 1}),
    )
    .await;
    expect_error(response, 403, "forbidden").await;
    expect_error(app.get_auth(BATCHES, &analyst).await, 403, "forbidden").await;
    let denied = audit_rows_of(&app, "paper.print");
    assert_eq!(denied.len(), 1, "only the analyst's refusal");
    assert_eq!(denied[0].outcome, "denied");
    assert!(stored_batches(&app).is_empty(), "nothing stored");
    // The next good print still starts at 1.
    assert_eq!(
        print_ok(&app, &clerk, SERVICE, UNIT, 1).await["first_serial"],
        1
    );
}
both_backends!(bad_prints_record_nothing);
