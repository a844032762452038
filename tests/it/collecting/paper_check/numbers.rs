//! The numbers on a known situation: error rates per batch and per operator (with their Wilson
//! intervals), the response rate per unit with its totals, and their refusals.

use super::*;

fn num(value: &Value, expected: f64) {
    let got = value
        .as_f64()
        .unwrap_or_else(|| panic!("a number: {value}"));
    assert!((got - expected).abs() < 1e-6, "{got} ≠ {expected}");
}

/// docs/method.md §7, computed here again: the Wilson 95 % interval of k of n, in percent.
fn wilson(k: f64, n: f64) -> (f64, f64) {
    let (z, p) = (1.96f64, k / n);
    let d = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / d;
    let half = z / d * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    (
        100.0 * (centre - half).max(0.0),
        100.0 * (centre + half).min(1.0),
    )
}

/// Batch A (`phuoc-son` 1–10): 1–4 stored (op-an, op-binh), 5 waiting, 6 disputed; batch B
/// (`phuoc-son` 11–15): 11 stored (op-chi alone); batch C (`tt-dieu-tri` 1–20): 1–2 stored
/// (op-an, op-chi), 3 waiting. All stored sheets sampled; checked: A1 correct, A2 wrong (TC1),
/// A3 correct, B11 wrong (TC2), C1 correct.
async fn known_situation(app: &TestApp) -> String {
    let admin = app.token_for(Role::Admin).await;
    let clerk = app.token_for(Role::Clerk).await;
    insert_batch(app, "A", "phuoc-son", 1, 10);
    insert_batch(app, "B", "phuoc-son", 11, 15);
    insert_batch(app, "C", "tt-dieu-tri", 1, 20);
    let a = full_answers();
    let (ab, chi, ac) = (
        [("op-an", &a), ("op-binh", &a)],
        [("op-chi", &a)],
        [("op-an", &a), ("op-chi", &a)],
    );
    let day = "2026-11-02";
    for serial in 1..=4 {
        stored_sheet(
            app,
            &clerk,
            "A",
            &sheet_number("phuoc-son", serial),
            "agreed",
            &a,
            &ab,
            day,
        )
        .await;
    }
    insert_sheet(app, "A", "phuoc-son-000005", "waiting", None, &ab[..1], day);
    insert_sheet(app, "A", "phuoc-son-000006", "disputed", None, &ab, day);
    stored_sheet(
        app,
        &clerk,
        "B",
        "phuoc-son-000011",
        "agreed",
        &a,
        &chi,
        day,
    )
    .await;
    for serial in 1..=2 {
        stored_sheet(
            app,
            &clerk,
            "C",
            &sheet_number("tt-dieu-tri", serial),
            "agreed",
            &a,
            &ac,
            day,
        )
        .await;
    }
    insert_sheet(
        app,
        "C",
        "tt-dieu-tri-000003",
        "waiting",
        None,
        &ac[..1],
        day,
    );
    let sample = drawn(
        app,
        &admin,
        json!({"form": "sipas-dich-vu", "count_per_unit": 10}),
    )
    .await;
    assert_eq!(sheets_of(&sample).len(), 7);
    let sample = id_of(&sample);
    for body in [
        json!({"sheet": "phuoc-son-000001", "outcome": "correct"}),
        json!({"sheet": "phuoc-son-000002", "outcome": "wrong", "answers": {"TC1": 2}}),
        json!({"sheet": "phuoc-son-000003", "outcome": "correct"}),
        json!({"sheet": "phuoc-son-000011", "outcome": "wrong", "answers": {"TC2": 1}}),
        json!({"sheet": "tt-dieu-tri-000001", "outcome": "correct"}),
    ] {
        let r = check(app, &admin, &sample, body.clone()).await;
        assert_eq!(r.status(), 201, "{body}");
    }
    admin
}

fn rate_of<'a>(list: &'a Value, key: &str, name: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|r| r[key] == name)
        .unwrap_or_else(|| panic!("{name} in {list}"))
}

async fn error_rates_per_batch_and_operator(app: TestApp) {
    let admin = known_situation(&app).await;
    let path = "/api/v1/paper/error-rates?form=sipas-dich-vu";
    let (status, r) = status_and_json(app.get_auth(path, &admin).await).await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(
        (r["total"]["checked"].clone(), r["total"]["wrong"].clone()),
        (json!(5), json!(2))
    );
    num(&r["total"]["rate_percent"], 40.0);
    let a = rate_of(&r["batches"], "batch", "A");
    assert_eq!(
        (a["checked"].clone(), a["wrong"].clone()),
        (json!(3), json!(1))
    );
    assert_eq!(a["unit"], "phuoc-son");
    assert_eq!(
        (a["first_serial"].clone(), a["last_serial"].clone()),
        (json!(1), json!(10))
    );
    num(&a["rate_percent"], 100.0 / 3.0);
    let (low, high) = wilson(1.0, 3.0);
    num(&a["ci_low"], low);
    num(&a["ci_high"], high);
    let b = rate_of(&r["batches"], "batch", "B");
    assert_eq!(
        (b["checked"].clone(), b["wrong"].clone()),
        (json!(1), json!(1))
    );
    let c = rate_of(&r["batches"], "batch", "C");
    assert_eq!(
        (c["checked"].clone(), c["wrong"].clone()),
        (json!(1), json!(0))
    );
    num(&c["rate_percent"], 0.0);
    for (op, checked, wrong) in [("op-an", 4, 1), ("op-binh", 3, 1), ("op-chi", 2, 1)] {
        let o = rate_of(&r["operators"], "operator", op);
        assert_eq!(
            (o["checked"].clone(), o["wrong"].clone()),
            (json!(checked), json!(wrong)),
            "{op}"
        );
    }
    assert_eq!(r["operators"].as_array().unwrap().len(), 3);
    let clerk = app.token_for(Role::Clerk).await;
    expect_error(app.get_auth(path, &clerk).await, 403, "forbidden").await;
    let r = app
        .get_auth("/api/v1/paper/error-rates?form=nope", &admin)
        .await;
    expect_error(r, 404, "unknown_form").await;
    expect_error(
        app.get_auth("/api/v1/paper/error-rates", &admin).await,
        400,
        "bad_query",
    )
    .await;
}
both_backends!(error_rates_per_batch_and_operator);

async fn response_rate_per_unit(app: TestApp) {
    let admin = known_situation(&app).await;
    let (_, units) = status_and_json(app.get("/api/v1/units").await).await;
    let name_of = |code: &str| {
        units
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["code"] == code)
            .unwrap()["name"]
            .clone()
    };
    let path = "/api/v1/paper/progress?form=sipas-dich-vu";
    let (status, p) = status_and_json(app.get_auth(path, &admin).await).await;
    assert_eq!(status, 200, "{p}");
    let rows = p["units"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{p}");
    let row = |code: &str| rows.iter().find(|r| r["unit"] == code).unwrap();
    let phuoc = row("phuoc-son");
    assert_eq!(phuoc["name"], name_of("phuoc-son"));
    let counts = |r: &Value| {
        ["printed", "returned", "stored", "pending", "checked"].map(|k| r[k].as_u64().unwrap())
    };
    assert_eq!(counts(phuoc), [15, 7, 5, 2, 4]);
    num(&phuoc["returned_percent"], 700.0 / 15.0);
    num(&phuoc["stored_percent"], 500.0 / 15.0);
    let tt = row("tt-dieu-tri");
    assert_eq!(tt["name"], name_of("tt-dieu-tri"));
    assert_eq!(counts(tt), [20, 3, 2, 1, 1]);
    num(&tt["stored_percent"], 10.0);
    assert_eq!(counts(&p["total"]), [35, 10, 7, 3, 5]);
    num(&p["total"]["stored_percent"], 20.0);
    assert_eq!(p["total"]["unit"], Value::Null);
    let analyst = app.token_for(Role::Analyst).await;
    expect_error(app.get_auth(path, &analyst).await, 403, "forbidden").await;
    let r = app
        .get_auth("/api/v1/paper/progress?form=nope", &admin)
        .await;
    expect_error(r, 404, "unknown_form").await;
    // Another form: nothing printed, no rows.
    let (_, other) = status_and_json(
        app.get_auth("/api/v1/paper/progress?form=sipas-ho-gia-dinh", &admin)
            .await,
    )
    .await;
    assert_eq!(other["units"], json!([]));
    assert_eq!(other["total"]["printed"], 0);
}
both_backends!(response_rate_per_unit);
