//! A 2025-style reform loaded through the import endpoint, and the 2024 report in either tree, on
//! SQLite and PostgreSQL.
//!
//! Before: Tỉnh Bình Định → Huyện Tuy Phước → its one-stop office and 13 communes (the default
//! tree). On 2025-07-01 (`valid_to` is the first day a unit no longer exists, so the last day of
//! the old units is 2025-06-30) the district is abolished: Phước Sơn, Phước Hiệp and Phước Thuận
//! merge into Xã Tuy Phước Mới under the province; the other communes merge into two more new
//! communes, except Phước Hưng, which keeps its borders and moves under the province; the
//! district's one-stop office closes without a successor.

use std::collections::BTreeMap;

use diesel::prelude::*;
use serde_json::{json, Value};
use sipas::domain::Role;
use sipas::store::schema::responses;

use crate::common::*;

const REPORT: &str = "/api/v1/reports/sipas-dich-vu";
const YEAR_2024: &str = "from=2024-01-01&to=2025-01-01";
const MERGED: &str = "xa-tuy-phuoc-moi";

/// Every rating of the full answer set set to `score`.
fn rated(score: i64) -> Value {
    let mut answers = full_answers();
    for (_, v) in answers.as_object_mut().unwrap().iter_mut() {
        if v.is_number() {
            *v = json!(score);
        }
    }
    answers
}

async fn submit(app: &TestApp, clerk: &str, unit: &str, at: &str, score: i64) {
    let body = json!({
        "client_id": new_client_id(), "unit": unit, "channel": "paper",
        "submitted_at": at, "answers": rated(score),
    });
    let (status, answer) = status_and_json(
        post_auth(
            app,
            "/api/v1/forms/sipas-dich-vu/responses",
            Some(clerk),
            &body,
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{body}: {answer}");
}

/// (key → (responses, index value)) of a grouped report.
fn by_unit(r: &Value) -> BTreeMap<String, (u64, Option<f64>)> {
    r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["key"]["unit"].as_str().unwrap_or("null").to_string(),
                (
                    g["responses"].as_u64().unwrap(),
                    g["index"]["value"].as_f64(),
                ),
            )
        })
        .collect()
}

fn group<'a>(r: &'a Value, unit: &str) -> &'a Value {
    r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"]["unit"] == unit)
        .unwrap_or_else(|| panic!("group {unit} in {r}"))
}

/// The reform as a CSV file for `POST /api/v1/units/import` (names as stored, so that only
/// validity and parents change).
async fn reform_csv(app: &TestApp) -> String {
    let (_, units) = status_and_json(app.get("/api/v1/units").await).await;
    let name = |code: &str| -> String {
        units
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["code"] == code)
            .and_then(|u| u["name"].as_str())
            .unwrap_or_else(|| panic!("{code}"))
            .to_string()
    };
    let mut csv = String::from("code,name,level,parent,valid_from,valid_to,replaces\n");
    let closed = "2000-01-01,2025-07-01,";
    csv += &format!("tuy-phuoc,{},huyen,binh-dinh,{closed}\n", name("tuy-phuoc"));
    csv += &format!(
        "tuy-phuoc-mc,{},mot_cua,tuy-phuoc,{closed}\n",
        name("tuy-phuoc-mc")
    );
    let merged = ["phuoc-son", "phuoc-hiep", "phuoc-thuan"];
    let east = [
        "tt-tuy-phuoc",
        "phuoc-thang",
        "phuoc-quang",
        "phuoc-hoa",
        "phuoc-loc",
        "phuoc-nghia",
    ];
    let west = ["tt-dieu-tri", "phuoc-an", "phuoc-thanh"];
    for code in merged.iter().chain(&east).chain(&west) {
        csv += &format!("{code},{},xa,tuy-phuoc,{closed}\n", name(code));
    }
    csv += &format!(
        "phuoc-hung,{},xa,binh-dinh,2000-01-01,,\n",
        name("phuoc-hung")
    );
    csv += &format!(
        "{MERGED},Xã Tuy Phước Mới,xa,binh-dinh,2025-07-01,,{}\n",
        merged.join(";")
    );
    csv += &format!(
        "xa-tuy-phuoc-dong,Xã Tuy Phước Đông,xa,binh-dinh,2025-07-01,,{}\n",
        east.join(";")
    );
    csv += &format!(
        "xa-tuy-phuoc-tay,Xã Tuy Phước Tây,xa,binh-dinh,2025-07-01,,{}\n",
        west.join(";")
    );
    csv
}

async fn the_2024_report_in_either_tree(app: TestApp) {
    let clerk = app.token_for(Role::Clerk).await;
    let admin = app.token_for(Role::Admin).await;
    let analyst = app.token_for(Role::Analyst).await;

    // 2024, in the old tree: Phước Sơn all satisfied (3), Phước Hiệp not (1), Phước Thuận
    // satisfied (2); Thị trấn Tuy Phước not (2); the district's one-stop office satisfied (1).
    let may = "2024-05-02T09:30:00+07:00";
    for _ in 0..3 {
        submit(&app, &clerk, "phuoc-son", may, 5).await;
    }
    submit(&app, &clerk, "phuoc-hiep", "2024-12-31T23:30:00+07:00", 2).await;
    for _ in 0..2 {
        submit(&app, &clerk, "phuoc-thuan", may, 4).await;
    }
    for _ in 0..2 {
        submit(&app, &clerk, "tt-tuy-phuoc", may, 3).await;
    }
    submit(&app, &clerk, "tuy-phuoc-mc", may, 5).await;
    // Outside 2024: before the reform to an old commune, after it to the merged one.
    submit(&app, &clerk, "phuoc-son", "2025-03-01T10:00:00+07:00", 1).await;

    // The reform, through the import endpoint.
    let csv = reform_csv(&app).await;
    let response = app
        .client
        .post(app.url("/api/v1/units/import"))
        .bearer_auth(&admin)
        .header("Content-Type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    let (status, imported) = status_and_json(response).await;
    assert_eq!(status, 200, "{imported}");
    assert_eq!(
        imported["created"],
        json!([MERGED, "xa-tuy-phuoc-dong", "xa-tuy-phuoc-tay"])
    );
    assert_eq!(imported["updated"].as_array().unwrap().len(), 15);
    assert_eq!(imported["mappings_created"].as_array().unwrap().len(), 12);
    // An old commune no longer takes responses after the reform; the merged one does.
    let late = json!({"unit": "phuoc-son", "channel": "paper",
        "submitted_at": "2025-09-01T10:00:00+07:00", "answers": rated(5)});
    let refused = post_auth(
        &app,
        "/api/v1/forms/sipas-dich-vu/responses",
        Some(&clerk),
        &late,
    )
    .await;
    expect_error(refused, 422, "validation_failed").await;
    submit(&app, &clerk, MERGED, "2025-09-01T10:00:00+07:00", 5).await;

    // As given (the default): each response counts for the unit it was given to, under the
    // district as stored.
    let as_given = report_of(
        &app,
        &analyst,
        &format!("{YEAR_2024}&unit=tuy-phuoc&group_by=unit"),
    )
    .await;
    assert_eq!(as_given["selection"]["tree"], "as_given");
    let expected: BTreeMap<String, (u64, Option<f64>)> = [
        ("phuoc-son", (3, Some(100.0))),
        ("phuoc-thuan", (2, Some(100.0))),
        ("tuy-phuoc-mc", (1, Some(100.0))),
        ("phuoc-hiep", (1, Some(0.0))),
        ("tt-tuy-phuoc", (2, Some(0.0))),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(by_unit(&as_given), expected);
    let explicit = report_of(
        &app,
        &analyst,
        &format!("{YEAR_2024}&unit=tuy-phuoc&group_by=unit&tree=as_given"),
    )
    .await;
    assert_eq!(explicit, as_given);
    let root = report_of(&app, &analyst, &format!("{YEAR_2024}&group_by=unit")).await;
    assert_eq!(root["selection"]["unit"], "binh-dinh");
    assert_eq!(by_unit(&root)["tuy-phuoc"].0, 9);

    // Today's tree: the merged commune holds exactly its predecessors' responses, pooled.
    let current = report_of(
        &app,
        &analyst,
        &format!("{YEAR_2024}&group_by=unit&tree=current"),
    )
    .await;
    assert_eq!(current["selection"]["tree"], "current");
    assert_eq!(current["selection"]["unit"], "binh-dinh");
    assert_eq!(current["responses"], 9);
    let groups = by_unit(&current);
    assert_eq!(
        groups.keys().collect::<Vec<_>>(),
        ["tuy-phuoc-mc", "xa-tuy-phuoc-dong", MERGED],
        "{current}"
    );
    assert_eq!(groups[MERGED].0, 3 + 1 + 2);
    assert_eq!(groups["xa-tuy-phuoc-dong"], (2, Some(0.0)));
    // The closed office without a successor still counts, under the province.
    assert_eq!(groups["tuy-phuoc-mc"], (1, Some(100.0)));
    // Pooled: 5 of 6 satisfied on every item — 83.33, not the mean of the three communes (66.67).
    let merged = group(&current, MERGED);
    let value = merged["index"]["value"].as_f64().unwrap();
    assert!((value - 83.33).abs() < 1e-9, "{merged}");
    assert_eq!(report_item(merged, "TC1")["n"], 6);
    assert_eq!(report_item(merged, "TC1")["satisfied"], 5);
    assert_eq!(
        report_item(merged, "KQ3")["distribution"],
        json!({"1": 0, "2": 1, "3": 0, "4": 2, "5": 3})
    );

    // The merged commune selected in today's tree: the old communes' 2024 responses, the same
    // numbers as its group.
    let selected = report_of(
        &app,
        &analyst,
        &format!("{YEAR_2024}&unit={MERGED}&tree=current"),
    )
    .await;
    assert_eq!(selected["responses"], 6);
    let only = &selected["groups"][0];
    assert_eq!(only["index"], merged["index"]);
    assert_eq!(only["parts"], merged["parts"]);
    // All time: the 2025 responses too (before the reform to Phước Sơn, after it to the new one).
    let all_time = report_of(&app, &analyst, &format!("unit={MERGED}&tree=current")).await;
    assert_eq!(all_time["responses"], 8);

    // As given, the merged commune has nothing in 2024 (it did not exist), only its own later one.
    let empty = report_of(&app, &analyst, &format!("{YEAR_2024}&unit={MERGED}")).await;
    assert_eq!(empty["responses"], 0);
    assert_eq!(empty["groups"][0]["index"]["reason"], "no_answers");
    let own = report_of(&app, &analyst, &format!("unit={MERGED}")).await;
    assert_eq!(own["responses"], 1);
    // An old unit is not in today's tree: the answer says where its responses went.
    let body = expect_error(
        app.get_auth(&format!("{REPORT}?unit=phuoc-son&tree=current"), &analyst)
            .await,
        400,
        "bad_query",
    )
    .await;
    assert!(
        body["error"]["message_en"]
            .as_str()
            .unwrap()
            .contains(MERGED),
        "{body}"
    );
    for query in ["unit=tuy-phuoc&tree=current", "tree=today", "tree=1"] {
        expect_error(
            app.get_auth(&format!("{REPORT}?{query}"), &analyst).await,
            400,
            "bad_query",
        )
        .await;
    }
    expect_error(
        app.get_auth(&format!("{REPORT}?unit=nowhere&tree=current"), &analyst)
            .await,
        404,
        "unknown_unit",
    )
    .await;
    // The old commune as given: unchanged.
    let old = report_of(&app, &analyst, &format!("{YEAR_2024}&unit=phuoc-son")).await;
    assert_eq!(old["responses"], 3);

    // Every stored response still has the unit it was given to.
    let stored: BTreeMap<String, i64> = responses::table
        .group_by(responses::unit)
        .select((responses::unit, diesel::dsl::count_star()))
        .load::<(String, i64)>(&mut app.db())
        .unwrap()
        .into_iter()
        .collect();
    let expected: BTreeMap<String, i64> = [
        ("phuoc-son", 4),
        ("phuoc-hiep", 1),
        ("phuoc-thuan", 2),
        ("tt-tuy-phuoc", 2),
        ("tuy-phuoc-mc", 1),
        (MERGED, 1),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(stored, expected);
}
both_backends!(the_2024_report_in_either_tree);

/// Charts and exports share the report's query: `tree=current` maps the units there too.
async fn charts_and_exports_in_todays_tree(app: TestApp) {
    let clerk = app.token_for(Role::Clerk).await;
    let admin = app.token_for(Role::Admin).await;
    let analyst = app.token_for(Role::Analyst).await;
    let may = "2024-05-02T09:30:00+07:00";
    submit(&app, &clerk, "phuoc-son", may, 5).await;
    submit(&app, &clerk, "phuoc-hiep", may, 4).await;
    submit(&app, &clerk, "phuoc-thang", may, 2).await;
    let response = app
        .client
        .post(app.url("/api/v1/units/import"))
        .bearer_auth(&admin)
        .header("Content-Type", "text/csv")
        .body(reform_csv(&app).await)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    // CSV export of the merged commune in today's tree: the unit column is mapped.
    let path = format!("/api/v1/exports/sipas-dich-vu.csv?{YEAR_2024}&unit={MERGED}&tree=current");
    let response = app.get_auth(&path, &analyst).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let unit_at = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "unit")
        .expect("a unit column");
    let units: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[unit_at].to_string())
        .collect();
    assert_eq!(units, [MERGED, MERGED]);
    // As given: the units the responses were given to.
    let path = format!("/api/v1/exports/sipas-dich-vu.csv?{YEAR_2024}&unit=tuy-phuoc");
    let text = app.get_auth(&path, &analyst).await.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut units: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[unit_at].to_string())
        .collect();
    units.sort();
    assert_eq!(units, ["phuoc-hiep", "phuoc-son", "phuoc-thang"]);
    expect_error(
        app.get_auth("/api/v1/exports/sipas-dich-vu.csv?tree=later", &analyst)
            .await,
        400,
        "bad_query",
    )
    .await;

    // The units chart in today's tree names today's communes.
    let chart = |tree: &'static str| {
        let app = &app;
        let analyst = analyst.clone();
        async move {
            let response = app
                .get_auth(
                    &format!("{REPORT}/charts/units.svg?{YEAR_2024}&tree={tree}"),
                    &analyst,
                )
                .await;
            assert_eq!(response.status(), 200, "units chart, tree={tree}");
            response.text().await.unwrap()
        }
    };
    let current = chart("current").await;
    assert!(current.contains("Tuy Phước Mới"), "today's commune named");
    assert!(current.contains("Tuy Phước Đông"));
    let as_given = chart("as_given").await;
    assert!(!as_given.contains("Tuy Phước Mới"));
    expect_error(
        app.get_auth(&format!("{REPORT}/charts/units.svg?tree=x"), &analyst)
            .await,
        400,
        "bad_query",
    )
    .await;
}
both_backends!(charts_and_exports_in_todays_tree);

/// The analysts' dashboard offers both trees: the merged commune appears in today's tree with its
/// predecessors' 2024 responses, and the chart links carry the choice.
async fn the_dashboard_shows_either_tree(app: TestApp) {
    let clerk = app.token_for(Role::Clerk).await;
    let admin = app.token_for(Role::Admin).await;
    let analyst = app.token_for(Role::Analyst).await;
    let may = "2024-05-02T09:30:00+07:00";
    submit(&app, &clerk, "phuoc-son", may, 5).await;
    submit(&app, &clerk, "phuoc-hiep", may, 4).await;
    let response = app
        .client
        .post(app.url("/api/v1/units/import"))
        .bearer_auth(&admin)
        .header("Content-Type", "text/csv")
        .body(reform_csv(&app).await)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let dashboard = |query: String| {
        let app = &app;
        let analyst = analyst.clone();
        async move {
            let response = app
                .client
                .get(app.url(&format!("/dashboard?form=sipas-dich-vu&{query}")))
                .header("Cookie", format!("sipas_session={analyst}"))
                .send()
                .await
                .unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (status, current) = dashboard(format!("{YEAR_2024}&unit={MERGED}&tree=current")).await;
    assert_eq!(status, 200, "{current}");
    assert!(
        current.contains("value=\"current\" selected"),
        "the choice is kept"
    );
    assert!(
        current.contains(&format!(
            "unit={MERGED}&amp;from=2024-01-01&amp;to=2025-01-01&amp;tree=current"
        )),
        "the charts are drawn in the same tree"
    );
    // As given, the merged commune had no responses in 2024.
    let (_, as_given) = dashboard(format!("{YEAR_2024}&unit={MERGED}")).await;
    assert_ne!(current, as_given);
    assert!(!as_given.contains("tree=current"));
}
both_backends!(the_dashboard_shows_either_tree);
