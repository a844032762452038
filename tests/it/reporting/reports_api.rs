//! `GET /api/v1/reports/{form_id}` end to end over HTTP on SQLite and PostgreSQL: responses are
//! submitted through the API by a clerk (so that `submitted_at` is honoured) at chosen times and
//! units, and the report is checked against numbers computed by hand (METHOD.md, API.md).

use crate::common;

use common::*;
use serde_json::{json, Map, Value};
use sipas::domain::Role;

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

// ---------------------------------------------------------------------------------------------
// Ungrouped: shape and hand-computed values
// ---------------------------------------------------------------------------------------------

async fn ungrouped_report_matches_hand_computation(app: TestApp) {
    let s = staff(&app).await;
    seed_units(&app, &s.clerk).await;
    let r = report_of(&app, &s.analyst, "unit=phuoc-son").await;
    assert_eq!(r["form"], "sipas-dich-vu");
    num(&r["target"], 90.0);
    assert_eq!(r["method"], "top2_share");
    assert_eq!(r["selection"]["unit"], "phuoc-son");
    assert!(r["selection"]["from"].is_null() && r["selection"]["to"].is_null());
    let g = only_group(&r);
    assert_eq!(g["key"], json!({}), "ungrouped key is {{}}");
    assert_eq!(responses(g), 3);
    assert!(g.get("sample").is_none(), "no population: no sample");
    assert!(g.get("change").is_none());
    assert_rounded(&r, "report");

    // The shape of API.md.
    has_keys(
        &g["index"],
        &["value", "ci95", "meets_target", "verdict", "gap"],
    );
    let dich_vu = report_part(g, "dich_vu");
    has_keys(
        dich_vu,
        &[
            "code",
            "value",
            "ci95",
            "meets_target",
            "verdict",
            "gap",
            "elements",
        ],
    );
    has_keys(
        report_element(g, "tiep_can"),
        &[
            "code",
            "value",
            "ci95",
            "meets_target",
            "verdict",
            "gap",
            "items",
        ],
    );
    has_keys(
        report_item(g, "TC1"),
        &[
            "code",
            "n",
            "satisfied",
            "value",
            "ci95",
            "meets_target",
            "verdict",
            "gap",
            "mean_score",
            "distribution",
        ],
    );

    // Items. TC1: 5, 3, 4 → n 3, satisfied 2 → 66.67; Wilson(2/3, 3) = [20.77, 93.85];
    // mean (5+3+4)/3 = 4; gap 66.67 − 90 = −23.33.
    let tc1 = report_item(g, "TC1");
    assert_eq!(tc1["n"], 3);
    assert_eq!(tc1["satisfied"], 2);
    num(&tc1["value"], 66.67);
    ci(&tc1["ci95"], 20.77, 93.85);
    num(&tc1["mean_score"], 4.0);
    num(&tc1["gap"], -23.33);
    assert_eq!(tc1["meets_target"], false);
    assert_eq!(tc1["verdict"], "chua_du_can_cu");
    assert_eq!(
        tc1["distribution"],
        json!({"1": 0, "2": 0, "3": 1, "4": 1, "5": 1})
    );
    // TC2: 4, 2 → 50, mean 3.
    num(&report_item(g, "TC2")["value"], 50.0);
    num(&report_item(g, "TC2")["mean_score"], 3.0);
    // TT1: 4, 5 → 100; Wilson(1, 2): centre 1.9604/2.9208 = 0.671186, half 0.671049·0.49
    // = 0.328814 → [34.24, 100]; meets the target but the evidence is thin.
    let tt1 = report_item(g, "TT1");
    num(&tt1["value"], 100.0);
    ci(&tt1["ci95"], 34.24, 100.0);
    assert_eq!(tt1["meets_target"], true);
    assert_eq!(tt1["verdict"], "chua_du_can_cu");
    num(&tt1["gap"], 10.0);
    // TC3: nobody → n 0, nulls, an all-zero distribution.
    let tc3 = report_item(g, "TC3");
    assert_eq!(tc3["n"], 0);
    assert_eq!(tc3["satisfied"], 0);
    no_answers(tc3);
    assert!(tc3["mean_score"].is_null());
    assert_eq!(
        tc3["distribution"],
        json!({"1": 0, "2": 0, "3": 0, "4": 0, "5": 0})
    );

    // Elements: tiep_can (66.67 + 50)/2 = 58.33 (§8); tthc = TT1 = 100; pakn = PA1 = 100 (one
    // answer from the one respondent routed to it); cong_chuc, ket_qua: no answers.
    let tiep_can = report_element(g, "tiep_can");
    num(&tiep_can["value"], 58.33);
    // Var = 3/2 · 161250/324 = 746.53 (as §8) → 58.33 ± 53.55 = [4.78, 100 (clipped)].
    ci(&tiep_can["ci95"], 4.78, 100.0);
    assert_eq!(tiep_can["verdict"], "chua_du_can_cu");
    assert_eq!(tiep_can["reason"], "few_responses");
    num(&report_element(g, "tthc")["value"], 100.0);
    num(&report_element(g, "pakn")["value"], 100.0);
    no_answers(report_element(g, "cong_chuc"));
    no_answers(report_element(g, "ket_qua"));
    let codes: Vec<&str> = report_part(g, "dich_vu")["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["tiep_can", "tthc", "cong_chuc", "ket_qua", "pakn"],
        "form order"
    );

    // Part = form = (58.33 + 100 + 100)/3 = 86.11; gap −3.89.
    // Form = ⅙·TC1 + ⅙·TC2 + ⅓·TT1 + ⅓·PA1; residuals (y* − p)/W·c:
    //   TC1 (W 3, p 66.67): r1 +11.11/6, r2 −22.22/6, r3 +11.11/6
    //   TC2 (W 2, p 50):    r1 +25/6, r3 −25/6; TT1, PA1 (p 100): 0
    //   u = 6.01852, −3.70370, −2.31481; Σu² = 55.2984; Var = 3/2 · 55.2984 = 82.9475
    //   86.11 ± 1.96·9.10755 = [68.26, 103.96 → 100].
    let index = &g["index"];
    num(&index["value"], 86.11);
    ci(&index["ci95"], 68.26, 100.0);
    assert_eq!(index["meets_target"], false);
    num(&index["gap"], -3.89);
    // 3 responses: no verdict on a linearised interval from so few.
    assert_eq!(index["verdict"], "chua_du_can_cu");
    assert_eq!(index["reason"], "few_responses");
    num(&dich_vu["value"], 86.11);
    ci(&dich_vu["ci95"], 68.26, 100.0);
    assert_eq!(dich_vu["verdict"], "chua_du_can_cu");

    // Default unit: the root of the tree, which pools all 9 responses.
    let root = report_of(&app, &s.analyst, "").await;
    assert_eq!(root["selection"]["unit"], "binh-dinh");
    assert_eq!(responses(only_group(&root)), 9);
    assert_eq!(root["responses"], 9);
}
both_backends!(ungrouped_report_matches_hand_computation);

async fn item_verdicts_read_the_wilson_bounds(app: TestApp) {
    let s = staff(&app).await;
    seed_units(&app, &s.clerk).await;
    // phuoc-thang: TC1 = 1 once. Wilson(0, 1): centre = 1.9208/4.8416 = 0.396728,
    // half = 1.96/4.8416 · √(3.8416/4) = 0.396728 → [0, 79.35]: below 90 → khong_dat.
    let r = report_of(&app, &s.analyst, "unit=phuoc-thang").await;
    let g = only_group(&r);
    let tc1 = report_item(g, "TC1");
    num(&tc1["value"], 0.0);
    ci(&tc1["ci95"], 0.0, 79.35);
    assert_eq!(tc1["verdict"], "khong_dat");
    assert_eq!(tc1["meets_target"], false);
    // The form index from one response: value 0 but no verdict from one answer.
    num(&g["index"]["value"], 0.0);
    assert_eq!(g["index"]["verdict"], "chua_du_can_cu");
    assert_eq!(g["index"]["reason"], "few_responses");
}
both_backends!(item_verdicts_read_the_wilson_bounds);

async fn composite_verdicts_need_thirty_responses(app: TestApp) {
    let s = staff(&app).await;
    for _ in 0..29 {
        paper(
            &app,
            &s.clerk,
            "phuoc-an",
            json!({"da_pakn": "khong", "TC1": 5}),
        )
        .await;
    }
    // 29 responses, all satisfied: 100 with a zero-width interval, yet too few for a verdict.
    let r = report_of(&app, &s.analyst, "unit=phuoc-an").await;
    let index = &only_group(&r)["index"];
    num(&index["value"], 100.0);
    assert_eq!(index["meets_target"], true);
    assert_eq!(index["verdict"], "chua_du_can_cu");
    assert_eq!(index["reason"], "few_responses");
    // The item's Wilson interval needs no such guard: Wilson(1, 29) = [88.30, 100] → not dat.
    assert_eq!(
        report_item(only_group(&r), "TC1")["verdict"],
        "chua_du_can_cu"
    );

    paper(
        &app,
        &s.clerk,
        "phuoc-an",
        json!({"da_pakn": "khong", "TC1": 5}),
    )
    .await;
    // 30: the lower bound 100 ≥ 90 → dat, and no reason.
    let r = report_of(&app, &s.analyst, "unit=phuoc-an").await;
    let g = only_group(&r);
    assert_eq!(responses(g), 30);
    assert_eq!(g["index"]["verdict"], "dat");
    assert!(g["index"].get("reason").is_none(), "{}", g["index"]);
    assert_eq!(report_part(g, "dich_vu")["verdict"], "dat");
    assert_eq!(report_element(g, "tiep_can")["verdict"], "dat");
    // Wilson(1, 30): centre = (1 + 0.064027)/1.128053 = 0.943243; half = 0.056757 → 88.65 < 90.
    assert_eq!(report_item(g, "TC1")["verdict"], "chua_du_can_cu");
    num(&report_item(g, "TC1")["ci95"][0], 88.65);
}
both_backends!(composite_verdicts_need_thirty_responses);

// ---------------------------------------------------------------------------------------------
// Grouping by unit
// ---------------------------------------------------------------------------------------------

async fn grouped_by_unit_pools_each_child_and_ranks(app: TestApp) {
    let s = staff(&app).await;
    seed_units(&app, &s.clerk).await;
    let r = report_of(&app, &s.analyst, "unit=tuy-phuoc&group_by=unit").await;
    assert_rounded(&r, "report");
    // One group per child with responses, by index (desc), ties by count (desc); the child with
    // no answered item (null index) last. binh-dinh's own response is outside tuy-phuoc.
    //   phuoc-hoa 100 (2), phuoc-an 100 (1), phuoc-son 86.11 (3), phuoc-thang 0 (1), phuoc-loc –.
    assert_eq!(
        keys(&r, "unit"),
        vec![
            json!("phuoc-hoa"),
            json!("phuoc-an"),
            json!("phuoc-son"),
            json!("phuoc-thang"),
            json!("phuoc-loc"),
        ]
    );
    let counts: Vec<u64> = groups(&r).iter().map(responses).collect();
    assert_eq!(counts, vec![2, 1, 3, 1, 1]);
    num(
        &group(&r, "unit", json!("phuoc-son"))["index"]["value"],
        86.11,
    );
    no_answers(&group(&r, "unit", json!("phuoc-loc"))["index"]);

    // Each child's numbers are those of its own ungrouped report.
    for g in groups(&r) {
        let unit = g["key"]["unit"].as_str().unwrap();
        let alone = report_of(&app, &s.analyst, &format!("unit={unit}")).await;
        assert_eq!(numbers(g), numbers(only_group(&alone)), "{unit}");
    }

    // The district pools its responses, it does not average its children:
    // TC1 answers 5,3,4 | 5,5 | 5 | 1 → 5 of 7 = 71.43 (the mean of children would be 66.67).
    let district = report_of(&app, &s.analyst, "unit=tuy-phuoc").await;
    let g = only_group(&district);
    assert_eq!(responses(g), 8);
    assert_eq!(report_item(g, "TC1")["n"], 7);
    num(&report_item(g, "TC1")["value"], 71.43);
    let sum: u64 = groups(&r).iter().map(responses).sum();
    assert_eq!(sum, 8, "the children's responses add up to the district's");
    assert_eq!(r["responses"], 8);
}
both_backends!(grouped_by_unit_pools_each_child_and_ranks);

// ---------------------------------------------------------------------------------------------
// Grouping by period; date ranges
// ---------------------------------------------------------------------------------------------

async fn grouped_by_period_in_local_time(app: TestApp) {
    let s = staff(&app).await;
    seed_periods(&app, &s.clerk).await;

    // Years: 2024 = A B C D (TC1 5 2 4 3 → 2 of 4 = 50), 2025 = E F (5 4 → 100).
    // D at 2024-12-31 23:30 +07:00 belongs to 2024; E at 2025-01-01 00:30 +07:00 (still 2024 in
    // UTC) belongs to 2025.
    let r = report_of(&app, &s.analyst, "group_by=period&period=year").await;
    assert_rounded(&r, "report");
    assert_eq!(keys(&r, "period"), vec![json!("2024"), json!("2025")]);
    let y2024 = group(&r, "period", json!("2024"));
    let y2025 = group(&r, "period", json!("2025"));
    assert_eq!((responses(y2024), responses(y2025)), (4, 2));
    num(&y2024["index"]["value"], 50.0);
    num(&y2025["index"]["value"], 100.0);
    assert!(
        y2024.get("change").is_none(),
        "no change on the first period"
    );
    // Change of 2025 against 2024: delta 50; Var 2024 = 4/3 · 4·12.5² = 833.33 (u = ±50/4),
    // Var 2025 = 0 (all satisfied) → z = 50/√833.33 = 1.73, not significant.
    let change = &y2025["change"];
    assert_eq!(change["previous"], "2024");
    num(&change["delta"], 50.0);
    num(&change["z"], 1.73);
    assert_eq!(change["significant"], false);
    // Without `period`, group_by=period means years.
    let default = report_of(&app, &s.analyst, "group_by=period").await;
    assert_eq!(keys(&default, "period"), vec![json!("2024"), json!("2025")]);

    // Quarters: B (Sep 30 23:50) in Q3, C (Oct 1 00:10, Sep 30 in UTC) in Q4.
    let r = report_of(&app, &s.analyst, "group_by=period&period=quarter").await;
    assert_eq!(
        keys(&r, "period"),
        vec![
            json!("2024-Q2"),
            json!("2024-Q3"),
            json!("2024-Q4"),
            json!("2025-Q1")
        ]
    );
    let counts: Vec<u64> = groups(&r).iter().map(responses).collect();
    assert_eq!(counts, vec![1, 1, 2, 2]);
    // Q2 = 100 (A), Q3 = 0 (B), Q4 = 50 (C 4, D 3), 2025-Q1 = 100.
    let values: Vec<f64> = groups(&r)
        .iter()
        .map(|g| g["index"]["value"].as_f64().unwrap())
        .collect();
    assert_eq!(values, vec![100.0, 0.0, 50.0, 100.0]);
    // Q3 against Q2: delta −100; Q2 has a single response (no variance) → z null.
    let q3 = group(&r, "period", json!("2024-Q3"));
    assert_eq!(q3["change"]["previous"], "2024-Q2");
    num(&q3["change"]["delta"], -100.0);
    assert!(q3["change"]["z"].is_null());

    // Months, in time order.
    let r = report_of(&app, &s.analyst, "group_by=period&period=month").await;
    assert_eq!(
        keys(&r, "period"),
        vec![
            json!("2024-04"),
            json!("2024-09"),
            json!("2024-10"),
            json!("2024-12"),
            json!("2025-01"),
            json!("2025-02")
        ]
    );
    assert!(groups(&r).iter().all(|g| responses(g) == 1));
    assert_eq!(
        group(&r, "period", json!("2025-01"))["change"]["previous"],
        "2024-12"
    );
}
both_backends!(grouped_by_period_in_local_time);

async fn from_and_to_are_local_dates_to_exclusive(app: TestApp) {
    let s = staff(&app).await;
    seed_periods(&app, &s.clerk).await;
    // to=2025-01-01 (exclusive): A B C D, including D at 23:30 on Dec 31 → 50 over 4.
    let r = report_of(&app, &s.analyst, "to=2025-01-01").await;
    assert_eq!(r["selection"]["to"], "2025-01-01");
    let g = only_group(&r);
    assert_eq!(responses(g), 4);
    num(&g["index"]["value"], 50.0);
    // from=2025-01-01: E (00:30 local, the day before in UTC) and F → 100 over 2.
    let r = report_of(&app, &s.analyst, "from=2025-01-01").await;
    assert_eq!(r["selection"]["from"], "2025-01-01");
    let g = only_group(&r);
    assert_eq!(responses(g), 2);
    num(&g["index"]["value"], 100.0);
    // Q4 2024: C (Oct 1 00:10 local) and D; not B (Sep 30 23:50) → TC1 4, 3 → 50.
    let r = report_of(&app, &s.analyst, "from=2024-10-01&to=2025-01-01").await;
    let g = only_group(&r);
    assert_eq!(responses(g), 2);
    num(&g["index"]["value"], 50.0);
    // One day: Dec 31 holds D only.
    let r = report_of(&app, &s.analyst, "from=2024-12-31&to=2025-01-01").await;
    assert_eq!(responses(only_group(&r)), 1);
    num(&only_group(&r)["index"]["value"], 0.0);
    // Grouped by period inside a range.
    let r = report_of(
        &app,
        &s.analyst,
        "from=2024-10-01&to=2025-02-01&group_by=period&period=month",
    )
    .await;
    assert_eq!(
        keys(&r, "period"),
        vec![json!("2024-10"), json!("2024-12"), json!("2025-01")]
    );
}
both_backends!(from_and_to_are_local_dates_to_exclusive);

async fn an_empty_selection_has_null_indices(app: TestApp) {
    let s = staff(&app).await;
    seed_periods(&app, &s.clerk).await;
    let range = "from=2023-01-01&to=2023-02-01";
    // Ungrouped: still one group, with 0 responses and null indices (never 0).
    let r = report_of(&app, &s.analyst, range).await;
    assert_eq!(r["responses"], 0);
    let g = only_group(&r);
    assert_eq!(g["key"], json!({}));
    assert_eq!(responses(g), 0);
    no_answers(&g["index"]);
    no_answers(report_part(g, "dich_vu"));
    no_answers(report_element(g, "tiep_can"));
    let tc1 = report_item(g, "TC1");
    assert_eq!(tc1["n"], 0);
    no_answers(tc1);
    // Grouped: no groups at all.
    for group_by in [
        "group_by=unit",
        "group_by=period",
        "group_by=period&period=month",
        "group_by=channel",
        "group_by=gioi_tinh",
    ] {
        let r = report_of(&app, &s.analyst, &format!("{range}&{group_by}")).await;
        assert_eq!(r["groups"], json!([]), "{group_by}: {r}");
        assert_eq!(r["responses"], 0);
    }
    // A unit with no responses at all, ungrouped.
    let r = report_of(&app, &s.analyst, "unit=phuoc-nghia").await;
    assert_eq!(responses(only_group(&r)), 0);
    no_answers(&only_group(&r)["index"]);
}
both_backends!(an_empty_selection_has_null_indices);

// ---------------------------------------------------------------------------------------------
// Grouping by channel and by respondent questions
// ---------------------------------------------------------------------------------------------

async fn grouped_by_channel(app: TestApp) {
    let s = staff(&app).await;
    // kiosk ×1, phone ×2 with the complete answers of `full_answers()`:
    //   tiep_can (TC 5 4 4 3) = 75, tthc (TT 5 5 4 2) = 75, cong_chuc = 100, ket_qua = 100
    //   → 87.5; web ×1 with TC1 = 1 → 0; no paper.
    submit(
        &app,
        &s.clerk,
        "phuoc-son",
        "kiosk",
        MAY_2024,
        full_answers(),
    )
    .await;
    for _ in 0..2 {
        submit(
            &app,
            &s.clerk,
            "phuoc-son",
            "phone",
            MAY_2024,
            full_answers(),
        )
        .await;
    }
    submit(
        &app,
        &s.clerk,
        "phuoc-son",
        "web",
        MAY_2024,
        json!({"da_pakn": "khong", "TC1": 1}),
    )
    .await;
    let r = report_of(&app, &s.analyst, "group_by=channel").await;
    let mut got: Vec<String> = keys(&r, "channel")
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    got.sort();
    assert_eq!(got, ["kiosk", "phone", "web"], "no paper group");
    let kiosk = group(&r, "channel", json!("kiosk"));
    let phone = group(&r, "channel", json!("phone"));
    let web = group(&r, "channel", json!("web"));
    assert_eq!(
        (responses(kiosk), responses(phone), responses(web)),
        (1, 2, 1)
    );
    num(&kiosk["index"]["value"], 87.5);
    num(&report_element(kiosk, "tiep_can")["value"], 75.0);
    num(&phone["index"]["value"], 87.5);
    num(&web["index"]["value"], 0.0);
    no_answers(report_element(web, "tthc"));
}
both_backends!(grouped_by_channel);

async fn grouped_by_gender_with_a_null_group(app: TestApp) {
    let s = staff(&app).await;
    seed_units(&app, &s.clerk).await;
    let r = report_of(&app, &s.analyst, "unit=phuoc-son&group_by=gioi_tinh").await;
    assert_rounded(&r, "report");
    assert_eq!(groups(&r).len(), 3, "nam, nu and not answered: {r}");
    // nu: r1 → tiep_can (TC1 5, TC2 4) 100, tthc (TT1 4) 100 → 100.
    let nu = group(&r, "gioi_tinh", json!("nu"));
    assert_eq!(responses(nu), 1);
    num(&nu["index"]["value"], 100.0);
    // nam: r2 → tiep_can (TC1 3) 0, tthc (TT1 5) 100 → 50.
    let nam = group(&r, "gioi_tinh", json!("nam"));
    num(&nam["index"]["value"], 50.0);
    // Not answered: key {"gioi_tinh": null}; r3 → tiep_can (TC1 4, TC2 2) 50, pakn 100 → 75.
    let none = group(&r, "gioi_tinh", Value::Null);
    assert_eq!(none["key"], json!({"gioi_tinh": null}));
    assert_eq!(responses(none), 1);
    num(&none["index"]["value"], 75.0);
    let sum: u64 = groups(&r).iter().map(responses).sum();
    assert_eq!(sum, 3);
}
both_backends!(grouped_by_gender_with_a_null_group);

async fn grouped_by_pakn_routing_question(app: TestApp) {
    let s = staff(&app).await;
    seed_units(&app, &s.clerk).await;
    let r = report_of(&app, &s.analyst, "unit=phuoc-son&group_by=da_pakn").await;
    assert_eq!(groups(&r).len(), 2);
    // co: r3 → tiep_can (TC1 4, TC2 2) 50, pakn (PA1 5) 100 → 75.
    let co = group(&r, "da_pakn", json!("co"));
    assert_eq!(responses(co), 1);
    num(&report_element(co, "pakn")["value"], 100.0);
    num(&co["index"]["value"], 75.0);
    // khong: r1, r2 → TC1 5 3 = 50, TC2 4 = 100 → tiep_can 75; TT1 4 5 → tthc 100 → 87.5;
    // pakn was never asked: null with a reason, and left out of the part.
    let khong = group(&r, "da_pakn", json!("khong"));
    assert_eq!(responses(khong), 2);
    num(&report_element(khong, "tiep_can")["value"], 75.0);
    no_answers(report_element(khong, "pakn"));
    assert_eq!(report_item(khong, "PA1")["n"], 0);
    num(&khong["index"]["value"], 87.5);
}
both_backends!(grouped_by_pakn_routing_question);

async fn group_responses_add_up_to_the_ungrouped_count(app: TestApp) {
    let s = staff(&app).await;
    seed_units(&app, &s.clerk).await;
    seed_periods(&app, &s.clerk).await;
    submit(
        &app,
        &s.clerk,
        "phuoc-hoa",
        "kiosk",
        MAY_2024,
        full_answers(),
    )
    .await;
    for selection in ["", "unit=tuy-phuoc&", "from=2024-06-01&"] {
        let total = report_of(&app, &s.analyst, selection.trim_end_matches('&')).await;
        let total = responses(only_group(&total));
        assert!(total > 0);
        for group_by in [
            "group_by=unit",
            "group_by=period",
            "group_by=period&period=quarter",
            "group_by=period&period=month",
            "group_by=channel",
            "group_by=gioi_tinh",
            "group_by=da_pakn",
            "group_by=linh_vuc",
        ] {
            let r = report_of(&app, &s.analyst, &format!("{selection}{group_by}")).await;
            let sum: u64 = groups(&r).iter().map(responses).sum();
            assert_eq!(sum, total, "{selection}{group_by}");
            assert_eq!(r["responses"], total, "{selection}{group_by}");
        }
    }
}
both_backends!(group_responses_add_up_to_the_ungrouped_count);

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

/// The PAKN element counts those who answered its items; expectations give n and the share of
/// each option; the selection names its unit.
async fn element_n_and_expectation_options(app: TestApp) {
    let s = staff(&app).await;
    for (pakn, kv1) in [
        (true, Some(3)),
        (false, Some(1)),
        (false, Some(3)),
        (false, None),
    ] {
        let mut answers = full_answers();
        if pakn {
            answers["da_pakn"] = json!("co");
            answers["PA1"] = json!(5);
        }
        if let Some(v) = kv1 {
            answers["KV1"] = json!(v);
        }
        submit(&app, &s.clerk, "phuoc-son", "paper", MAY_2024, answers).await;
    }
    let r = report_of(&app, &s.analyst, "unit=phuoc-son").await;
    assert_eq!(r["selection"]["unit_name"], "Xã Phước Sơn");
    let g = only_group(&r);
    assert_eq!(responses(g), 4);
    assert_eq!(report_element(g, "pakn")["n"], 1);
    assert_eq!(report_element(g, "pakn")["reason"], "few_responses");
    assert_eq!(report_element(g, "tiep_can")["n"], 4);
    assert_eq!(report_part(g, "dich_vu")["n"], 4);
    let kv1 = g["expectations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == "KV1")
        .expect("KV1");
    assert_eq!(kv1["n"], 3);
    assert!(kv1["label"].as_str().is_some_and(|l| !l.is_empty()));
    num(&kv1["value"], 66.67);
    let options = kv1["options"].as_array().unwrap();
    let shares: Vec<(&str, u64, f64)> = options
        .iter()
        .map(|o| {
            (
                o["label"].as_str().unwrap(),
                o["n"].as_u64().unwrap(),
                o["share"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shares,
        [("Ít", 1, 33.33), ("Nhiều", 0, 0.0), ("Rất nhiều", 2, 66.67)]
    );
}
both_backends!(element_n_and_expectation_options);
