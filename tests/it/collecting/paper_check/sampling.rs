//! Drawing samples: the same seed draws the same sheets, shares and counts per unit, the batch
//! filter, pending sheets never drawn, and the refusals.

use super::*;
use sipas::collecting::paper::check::{draw_unit, SampleSize};

/// Stored sheets 1–30 and pending 31–32 of `phuoc-son` (batch `b1`), stored 1–10 of `tt-dieu-tri`
/// (batch `b2`); returns (admin token, stored sheets of each unit in sheet order).
async fn campaign(app: &TestApp) -> (String, Vec<String>, Vec<String>) {
    let admin = app.token_for(Role::Admin).await;
    let clerk = app.token_for(Role::Clerk).await;
    insert_batch(app, "b1", "phuoc-son", 1, 40);
    insert_batch(app, "b2", "tt-dieu-tri", 1, 20);
    let answers = full_answers();
    let entries = [("op-an", &answers), ("op-binh", &answers)];
    let mut phuoc = Vec::new();
    for serial in 1..=30 {
        let sheet = sheet_number("phuoc-son", serial);
        stored_sheet(
            app,
            &clerk,
            "b1",
            &sheet,
            "agreed",
            &answers,
            &entries,
            "2026-11-02",
        )
        .await;
        phuoc.push(sheet);
    }
    for serial in 31..=32 {
        let sheet = sheet_number("phuoc-son", serial);
        insert_sheet(
            app,
            "b1",
            &sheet,
            "waiting",
            None,
            &entries[..1],
            "2026-11-02",
        );
    }
    let mut tt = Vec::new();
    for serial in 1..=10 {
        let sheet = sheet_number("tt-dieu-tri", serial);
        stored_sheet(
            app,
            &clerk,
            "b2",
            &sheet,
            "reconciled",
            &answers,
            &entries,
            "2026-11-03",
        )
        .await;
        tt.push(sheet);
    }
    (admin, phuoc, tt)
}

async fn the_same_seed_draws_the_same_sheets(app: TestApp) {
    let (admin, phuoc, tt) = campaign(&app).await;
    let body = json!({"form": "sipas-dich-vu", "share_percent": 10, "seed": 12345});
    let first = drawn(&app, &admin, body.clone()).await;
    let again = drawn(&app, &admin, body).await;
    assert_ne!(first["id"], again["id"], "two samples recorded");
    assert_eq!(first["seed"], 12345);
    assert_eq!(first["share_percent"], "10");
    assert_eq!(
        sheets_of(&first),
        sheets_of(&again),
        "same seed, same sheets"
    );
    // 10 % rounded up per unit: 3 of 30, 1 of 10.
    let sheets = sheets_of(&first);
    assert_eq!(sheets.len(), 4, "{first}");
    assert_eq!(first["size"], 4);
    assert_eq!(first["checked"], 0);
    // Exactly the documented draw (collecting::paper::check), unit by unit.
    let ten = SampleSize::Share { basis_points: 1000 };
    let mut expected = draw_unit(12345, "phuoc-son", &phuoc, ten);
    expected.extend(draw_unit(12345, "tt-dieu-tri", &tt, ten));
    expected.sort();
    let mut got = sheets.clone();
    got.sort();
    assert_eq!(got, expected);
    // Another seed, another sample.
    let other = drawn(
        &app,
        &admin,
        json!({"form": "sipas-dich-vu", "share_percent": "10", "seed": 54321}),
    )
    .await;
    assert_ne!(
        sheets_of(&other),
        sheets,
        "a different seed draws differently"
    );
    // Pending sheets are never drawn, whatever the size.
    let all = drawn(
        &app,
        &admin,
        json!({"form": "sipas-dich-vu", "share_percent": 100}),
    )
    .await;
    let all_sheets = sheets_of(&all);
    assert_eq!(all_sheets.len(), 40);
    assert!(!all_sheets.contains(&sheet_number("phuoc-son", 31)));
    // Without a seed one is drawn and shown: drawing with it again gives the same sheets.
    let unseeded = drawn(
        &app,
        &admin,
        json!({"form": "sipas-dich-vu", "count_per_unit": 4}),
    )
    .await;
    let seed = unseeded["seed"].as_i64().expect("a seed");
    let reseeded = drawn(
        &app,
        &admin,
        json!({"form": "sipas-dich-vu", "count_per_unit": 4, "seed": seed}),
    )
    .await;
    assert_eq!(sheets_of(&unseeded), sheets_of(&reseeded));
    // Read back by id.
    let id = first["id"].as_str().unwrap();
    let (status, read) = status_and_json(
        app.get_auth(&format!("/api/v1/paper/samples/{id}"), &admin)
            .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(sheets_of(&read), sheets);
    assert_eq!(read["sheets"][0]["outcome"], Value::Null);
    // Audited with the seed.
    let rows = audit_rows_of(&app, "paper.sample");
    assert_eq!(rows.len(), 6);
    // Newest first: the first sample is the last record.
    let oldest = rows.last().unwrap();
    let detail = audit_detail(oldest);
    assert_eq!(detail["seed"], 12345);
    assert_eq!(detail["count"], 4);
    assert_eq!(detail["form"], "sipas-dich-vu");
    assert_eq!(oldest.target.as_deref(), Some(id));
    assert_eq!(oldest.outcome, "ok");
}
both_backends!(the_same_seed_draws_the_same_sheets);

async fn counts_per_unit_and_the_batch_filter(app: TestApp) {
    let (admin, _, tt) = campaign(&app).await;
    let five = drawn(
        &app,
        &admin,
        json!({"form": "sipas-dich-vu", "count_per_unit": 5, "seed": 7}),
    )
    .await;
    let sheets = sheets_of(&five);
    assert_eq!(
        sheets
            .iter()
            .filter(|s| s.starts_with("phuoc-son-"))
            .count(),
        5
    );
    assert_eq!(
        sheets
            .iter()
            .filter(|s| s.starts_with("tt-dieu-tri-"))
            .count(),
        5
    );
    assert!(
        sheets.windows(2).all(|w| w[0] < w[1]),
        "in sheet order: {sheets:?}"
    );
    let twenty = drawn(
        &app,
        &admin,
        json!({"form": "sipas-dich-vu", "count_per_unit": 20, "seed": 7}),
    )
    .await;
    let sheets = sheets_of(&twenty);
    assert_eq!(
        sheets
            .iter()
            .filter(|s| s.starts_with("phuoc-son-"))
            .count(),
        20
    );
    assert_eq!(
        sheets
            .iter()
            .filter(|s| s.starts_with("tt-dieu-tri-"))
            .count(),
        10,
        "all of a small unit"
    );
    let of_b2 = drawn(
        &app,
        &admin,
        json!({"form": "sipas-dich-vu", "count_per_unit": 20, "batch": "b2", "seed": 7}),
    )
    .await;
    assert_eq!(sheets_of(&of_b2), tt);
    assert_eq!(of_b2["batch"], "b2");
    assert_eq!(of_b2["count_per_unit"], 20);
}
both_backends!(counts_per_unit_and_the_batch_filter);

async fn bad_sample_requests_store_nothing(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let clerk = app.token_for(Role::Clerk).await;
    // No stored sheet yet.
    let r = draw(
        &app,
        &admin,
        json!({"form": "sipas-dich-vu", "share_percent": 5}),
    )
    .await;
    expect_error(r, 422, "empty_sample").await;
    insert_batch(&app, "b1", "phuoc-son", 1, 10);
    let answers = full_answers();
    let entries = [("op-an", &answers)];
    stored_sheet(
        &app,
        &clerk,
        "b1",
        "phuoc-son-000001",
        "agreed",
        &answers,
        &entries,
        "2026-11-02",
    )
    .await;
    let form = "sipas-dich-vu";
    for (body, field) in [
        (
            json!({"form": form, "share_percent": 5, "count_per_unit": 2}),
            "share_percent",
        ),
        (json!({"form": form}), "share_percent"),
        (json!({"form": form, "share_percent": 0}), "share_percent"),
        (json!({"form": form, "share_percent": 101}), "share_percent"),
        (
            json!({"form": form, "share_percent": "abc"}),
            "share_percent",
        ),
        (json!({"form": form, "count_per_unit": 0}), "count_per_unit"),
        (
            json!({"form": form, "count_per_unit": 1, "seed": 9007199254740992u64}),
            "seed",
        ),
        (
            json!({"form": form, "count_per_unit": 1, "batch": "nope"}),
            "batch",
        ),
    ] {
        let body = expect_error(
            draw(&app, &admin, body.clone()).await,
            422,
            "validation_failed",
        )
        .await;
        assert!(
            field_errors(&body).iter().any(|(f, _)| f == field),
            "{field} in {body}"
        );
    }
    let r = draw(
        &app,
        &admin,
        json!({"form": form, "count_per_unit": 1, "seed": -1}),
    )
    .await;
    expect_error(r, 400, "malformed_json").await;
    let r = draw(
        &app,
        &admin,
        json!({"form": "no-such-form", "count_per_unit": 1}),
    )
    .await;
    expect_error(r, 404, "unknown_form").await;
    let r = draw(
        &app,
        &admin,
        json!({"form": form, "count_per_unit": 1, "extra": 1}),
    )
    .await;
    expect_error(r, 400, "malformed_json").await;
    let r = draw(&app, &clerk, json!({"form": form, "count_per_unit": 1})).await;
    expect_error(r, 403, "forbidden").await;
    let r = post_auth(&app, "/api/v1/paper/samples", None, &json!({"form": form})).await;
    assert_eq!(r.status(), 401);
    assert_eq!(count_rows(&app, "paper_samples"), 0);
    assert_eq!(count_rows(&app, "paper_sample_sheets"), 0);
    assert!(audit_rows_of(&app, "paper.sample")
        .iter()
        .all(|r| r.outcome == "denied"));
    let r = app
        .get_auth(
            "/api/v1/paper/samples/0192f0c4-0000-7000-8000-000000000000",
            &admin,
        )
        .await;
    expect_error(r, 404, "not_found").await;
}
both_backends!(bad_sample_requests_store_nothing);
