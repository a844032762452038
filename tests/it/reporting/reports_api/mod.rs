//! `GET /api/v1/reports/{form_id}` end to end over HTTP on SQLite and PostgreSQL: responses are
//! submitted through the API by a clerk (so that `submitted_at` is honoured) at chosen times and
//! units, and the report is checked against numbers computed by hand (METHOD.md, API.md).

use crate::common::*;
use serde_json::{json, Map, Value};
use sipas::domain::Role;

mod grouped;
mod sample_and_access;
mod ungrouped;

const REPORT: &str = "/api/v1/reports/sipas-dich-vu";
/// A time in 2024 for responses whose date does not matter.
const MAY_2024: &str = "2024-05-02T09:30:00+07:00";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

struct Staff {
    clerk: String,
    analyst: String,
}

async fn staff(app: &TestApp) -> Staff {
    Staff {
        clerk: app.token_for(Role::Clerk).await,
        analyst: app.token_for(Role::Analyst).await,
    }
}

/// Submits one response to the service form as a clerk; asserts 201. Kiosk answers come only
/// through a registered kiosk's link, at the server's time: one is registered for `unit`, and
/// the stored time is then set to `at` in the database.
async fn submit(app: &TestApp, clerk: &str, unit: &str, channel: &str, at: &str, answers: Value) {
    if channel == "kiosk" {
        return kiosk_at(app, unit, at, &answers).await;
    }
    let body = json!({
        "client_id": uuid::Uuid::new_v4().to_string(),
        "unit": unit,
        "channel": channel,
        "submitted_at": at,
        "answers": answers,
    });
    let response = app
        .client
        .post(app.url("/api/v1/forms/sipas-dich-vu/responses"))
        .bearer_auth(clerk)
        .json(&body)
        .send()
        .await
        .expect("POST");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    assert_eq!(status, 201, "submission {body} answered {text}");
}

async fn kiosk_at(app: &TestApp, unit: &str, at: &str, answers: &Value) {
    use diesel::prelude::*;
    use sipas::store::schema::responses;
    let admin = app.token_for(Role::Admin).await;
    let kiosk = register_kiosk(app, &admin, "Quầy", unit).await;
    let path = format!(
        "/k/{}?form=sipas-dich-vu",
        kiosk["token"].as_str().expect("kiosk token")
    );
    let mut fields = vec![("client_id".to_string(), new_client_id())];
    fields.extend(answer_fields(answers));
    let (status, body) = status_and_json(post_urlencoded(app, &path, &fields, true).await).await;
    assert_eq!(status, 201, "kiosk submission answered {body}");
    let id = body["id"].as_str().expect("id").to_string();
    let time = chrono::DateTime::parse_from_rfc3339(at)
        .expect("RFC 3339")
        .naive_utc();
    let updated = diesel::update(responses::table.filter(responses::id.eq(&id)))
        .set(responses::submitted_at.eq(time))
        .execute(&mut app.db())
        .expect("set the kiosk answer's time");
    assert_eq!(updated, 1);
}

/// A paper response (items optional) at `MAY_2024`.
async fn paper(app: &TestApp, clerk: &str, unit: &str, answers: Value) {
    submit(app, clerk, unit, "paper", MAY_2024, answers).await;
}

/// A paper response that rates nothing, as versions before the `no_rating` rule could store:
/// stored with one rating through the API, which is then removed in the database (its answer row
/// and its compact copy, so that reports read what is left).
async fn paper_rating_nothing(app: &TestApp, clerk: &str, unit: &str) {
    use diesel::prelude::*;
    use sipas::store::schema::{answers, responses};
    paper(app, clerk, unit, json!({"da_pakn": "khong", "TC1": 5})).await;
    let mut conn = app.db();
    let seq: i64 = responses::table
        .select(responses::seq)
        .order(responses::seq.desc())
        .first(&mut conn)
        .expect("the response just stored");
    diesel::delete(
        answers::table
            .filter(answers::response_seq.eq(seq))
            .filter(answers::question.eq("TC1")),
    )
    .execute(&mut conn)
    .expect("remove its rating");
    diesel::update(responses::table.filter(responses::seq.eq(seq)))
        .set(responses::packed.eq(None::<Vec<u8>>))
        .execute(&mut conn)
        .expect("remove its compact copy");
}

async fn report_error(app: &TestApp, token: &str, path: &str, status: u16, code: &str) {
    expect_error(app.get_auth(path, token).await, status, code).await;
}

fn groups(r: &Value) -> &Vec<Value> {
    r["groups"].as_array().expect("groups is an array")
}

fn only_group(r: &Value) -> &Value {
    let g = groups(r);
    assert_eq!(g.len(), 1, "one group in {r}");
    &g[0]
}

/// The group whose key `name` is `value`.
fn group<'a>(r: &'a Value, name: &str, value: Value) -> &'a Value {
    groups(r)
        .iter()
        .find(|g| g["key"][name] == value)
        .unwrap_or_else(|| panic!("a group {name} = {value} in {r}"))
}

fn keys(r: &Value, name: &str) -> Vec<Value> {
    groups(r).iter().map(|g| g["key"][name].clone()).collect()
}

fn responses(g: &Value) -> u64 {
    g["responses"].as_u64().expect("responses")
}

#[track_caller]
fn num(v: &Value, expected: f64) {
    let x = v.as_f64().unwrap_or_else(|| panic!("a number, got {v}"));
    assert!((x - expected).abs() < 1e-9, "expected {expected}, got {x}");
}

#[track_caller]
fn ci(v: &Value, low: f64, high: f64) {
    let pair = v.as_array().unwrap_or_else(|| panic!("ci95 pair, got {v}"));
    assert_eq!(pair.len(), 2);
    num(&pair[0], low);
    num(&pair[1], high);
}

/// An index object with no answers under it: all null, reason no_answers.
#[track_caller]
fn no_answers(index: &Value) {
    for field in ["value", "ci95", "meets_target", "verdict", "gap"] {
        assert!(index[field].is_null(), "{field} null in {index}");
        assert!(
            index.as_object().unwrap().contains_key(field),
            "{field} present in {index}"
        );
    }
    assert_eq!(index["reason"], "no_answers", "{index}");
}

#[track_caller]
fn has_keys(v: &Value, keys: &[&str]) {
    let map = v
        .as_object()
        .unwrap_or_else(|| panic!("an object, got {v}"));
    for k in keys {
        assert!(map.contains_key(*k), "{k} in {v}");
    }
}

/// Every percentage in the report has at most 2 decimals.
fn assert_rounded(v: &Value, path: &str) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                let here = format!("{path}.{k}");
                match (k.as_str(), x) {
                    ("value" | "gap" | "mean_score" | "delta" | "z", Value::Number(n)) => {
                        two_decimals(n.as_f64().unwrap(), &here)
                    }
                    ("ci95", Value::Array(pair)) => {
                        for b in pair {
                            two_decimals(b.as_f64().unwrap(), &here);
                        }
                    }
                    _ => assert_rounded(x, &here),
                }
            }
        }
        Value::Array(xs) => {
            for (i, x) in xs.iter().enumerate() {
                assert_rounded(x, &format!("{path}[{i}]"));
            }
        }
        _ => {}
    }
}

fn two_decimals(x: f64, path: &str) {
    assert!(
        ((x * 100.0).round() / 100.0 - x).abs() < 1e-9,
        "{path} = {x} is not rounded to 2 decimals"
    );
}

/// The numbers of a group without its key (and its sample, which depends on the unit).
fn numbers(g: &Value) -> Value {
    json!({"responses": g["responses"], "index": g["index"], "parts": g["parts"],
           "expectations": g["expectations"]})
}

// ---------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------

/// Responses at `MAY_2024` on paper, in several units of the default tree:
/// - phuoc-son: r1 (TC1 5, TC2 4, TT1 4; nu), r2 (TC1 3, TT1 5; nam), r3 (PAKN: TC1 4, TC2 2,
///   PA1 5; gender not answered);
/// - phuoc-hoa: 2 × TC1 5; phuoc-an: 1 × TC1 5; phuoc-thang: 1 × TC1 1;
/// - phuoc-loc: one response with no rated item (stored before the `no_rating` rule);
/// - binh-dinh (the province, outside tuy-phuoc): 1 × TC1 1.
async fn seed_units(app: &TestApp, clerk: &str) {
    paper(
        app,
        clerk,
        "phuoc-son",
        json!({"da_pakn": "khong", "TC1": 5, "TC2": 4, "TT1": 4, "gioi_tinh": "nu"}),
    )
    .await;
    paper(
        app,
        clerk,
        "phuoc-son",
        json!({"da_pakn": "khong", "TC1": 3, "TT1": 5, "gioi_tinh": "nam"}),
    )
    .await;
    paper(
        app,
        clerk,
        "phuoc-son",
        json!({"da_pakn": "co", "TC1": 4, "TC2": 2, "PA1": 5}),
    )
    .await;
    for _ in 0..2 {
        paper(
            app,
            clerk,
            "phuoc-hoa",
            json!({"da_pakn": "khong", "TC1": 5}),
        )
        .await;
    }
    paper(
        app,
        clerk,
        "phuoc-an",
        json!({"da_pakn": "khong", "TC1": 5}),
    )
    .await;
    paper(
        app,
        clerk,
        "phuoc-thang",
        json!({"da_pakn": "khong", "TC1": 1}),
    )
    .await;
    paper_rating_nothing(app, clerk, "phuoc-loc").await;
    paper(
        app,
        clerk,
        "binh-dinh",
        json!({"da_pakn": "khong", "TC1": 1}),
    )
    .await;
}

/// TC1 answers at times around year and quarter boundaries (unit phuoc-son, paper):
/// A 2024-04-01 08:00 → 5, B 2024-09-30 23:50 → 2, C 2024-10-01 00:10 → 4,
/// D 2024-12-31 23:30 → 3, E 2025-01-01 00:30 → 5, F 2025-02-15 10:00 → 4 (all +07:00).
/// C and E are on the previous day in UTC.
async fn seed_periods(app: &TestApp, clerk: &str) {
    for (at, tc1) in [
        ("2024-04-01T08:00:00+07:00", 5),
        ("2024-09-30T23:50:00+07:00", 2),
        ("2024-10-01T00:10:00+07:00", 4),
        ("2024-12-31T23:30:00+07:00", 3),
        ("2025-01-01T00:30:00+07:00", 5),
        ("2025-02-15T10:00:00+07:00", 4),
    ] {
        submit(
            app,
            clerk,
            "phuoc-son",
            "paper",
            at,
            json!({"da_pakn": "khong", "TC1": tc1}),
        )
        .await;
    }
}
