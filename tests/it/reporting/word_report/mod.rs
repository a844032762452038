//! The Word báo cáo (`GET /api/v1/reports/{form_id}/report.docx`, `sipas report --format docx`)
//! read back: the `.docx` opened as a zip and its XML parsed ([`docx`]), every number of its
//! tables compared with the JSON report of the same selection formatted as the Vietnamese labels
//! do (`reports::labels`), the missing-data cases said in words, the command line's files and
//! refusals, and the file rendered by LibreOffice and read back with poppler.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde_json::{json, Value};
use sipas::administration::units::Unit;
use sipas::domain::Role;
use sipas::reporting::reports::labels::{count, decimal, percent};

use crate::common::*;

mod cli;
mod docx;
mod layout;
mod refusals;
mod render;
mod tables;
mod thin_data;

use docx::Docx;

pub const DOCX_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const FORM: &str = "sipas-dich-vu";
pub const DELEGATES: &str = "khao-sat-dai-bieu";
/// The district of the default tree: the units that serve citizens are its children.
pub const DISTRICT: &str = "tuy-phuoc";
/// The first row of the element tables: the service form's, the delegates' survey's.
pub const OVERALL: &str = "Chỉ số hài lòng chung";
pub const OVERALL_DELEGATES: &str = "Chỉ số chung";

/// The service's local date today (the demo data and the date line are in local time).
pub fn today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
        .date_naive()
}

/// The last whole calendar year (`from`, `to` exclusive) and the year before it: both are
/// inside the three years `sipas demo` fills.
pub fn last_year() -> (NaiveDate, NaiveDate) {
    let y = today().year() - 1;
    (
        NaiveDate::from_ymd_opt(y, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(y + 1, 1, 1).unwrap(),
    )
}

/// `sipas demo` into `database_url`: responses to the service form and to the delegates' survey.
pub fn demo(database_url: &str, responses: u32, delegates: u32, seed: u32) {
    let (n, d, s) = (
        responses.to_string(),
        delegates.to_string(),
        seed.to_string(),
    );
    let service = run_sipas(database_url, &["demo", "--responses", &n, "--seed", &s]);
    assert!(service.status.success(), "demo: {}", describe(&service));
    if delegates > 0 {
        let args = ["demo", "--form", DELEGATES, "--responses", &d, "--seed", &s];
        let survey = run_sipas(database_url, &args);
        assert!(survey.status.success(), "demo: {}", describe(&survey));
    }
}

/// Three years of `sipas demo` data in the app's database (the service form and the delegates'
/// survey), two units given the population they serve (one small enough for its sample, one
/// not); returns an analyst's token.
pub async fn seed_demo(app: &TestApp) -> String {
    demo(&app.database_url, 600, 60, 3);
    let admin = app.token_for(Role::Admin).await;
    for (unit, population) in [("phuoc-son", 5), ("tt-dieu-tri", 100_000)] {
        let response = app
            .client
            .patch(app.url(&format!("/api/v1/units/{unit}")))
            .bearer_auth(&admin)
            .json(&json!({ "population": population }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 204, "population of {unit}");
    }
    app.token_for(Role::Analyst).await
}

/// One paper response to the service form entered by a clerk at `at`; asserts 201.
pub async fn paper_at(app: &TestApp, clerk: &str, unit: &str, at: &str, answers: Value) {
    let body = json!({
        "client_id": new_client_id(),
        "unit": unit,
        "channel": "paper",
        "submitted_at": at,
        "answers": answers,
    });
    let response = post_auth(
        app,
        &format!("/api/v1/forms/{FORM}/responses"),
        Some(clerk),
        &body,
    )
    .await;
    let (status, answer) = status_and_json(response).await;
    assert_eq!(status, 201, "submission {body} answered {answer}");
}

/// GETs the báo cáo of `form` for `query`; expects 200 and a Word document.
pub async fn download(app: &TestApp, token: &str, form: &str, query: &str) -> Docx {
    let path = format!("/api/v1/reports/{form}/report.docx?{query}");
    let response = app.get_auth(&path, token).await;
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"].clone();
    let bytes = response.bytes().await.expect("the body");
    assert_eq!(
        status,
        200,
        "GET {path}: {}",
        String::from_utf8_lossy(&bytes[..bytes.len().min(400)])
    );
    assert_eq!(content_type, DOCX_TYPE, "GET {path}");
    Docx::read(&bytes)
}

/// The JSON report of `form` for `query` (200 expected).
pub async fn json_report(app: &TestApp, token: &str, form: &str, query: &str) -> Value {
    let path = format!("/api/v1/reports/{form}?{query}");
    let (status, body) = status_and_json(app.get_auth(&path, token).await).await;
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}

/// The unit tree as `GET /api/v1/units` gives it.
pub async fn units(app: &TestApp) -> Vec<Unit> {
    let (status, body) = status_and_json(app.get("/api/v1/units").await).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body).expect("units")
}

/// The children of `parent` that exist during `from..to`: the units a báo cáo ranks.
pub fn served(units: &[Unit], parent: &str, (from, to): (NaiveDate, NaiveDate)) -> Vec<Unit> {
    units
        .iter()
        .filter(|u| u.parent.as_deref() == Some(parent))
        .filter(|u| u.valid_from < to && u.valid_to.is_none_or(|end| end > from))
        .cloned()
        .collect()
}

/// "Đạt", "Không đạt", "Chưa đủ căn cứ" or "Không có dữ liệu" for an index of the JSON report.
pub fn verdict(index: &Value) -> &'static str {
    match index["verdict"].as_str() {
        Some("dat") => "Đạt",
        Some("khong_dat") => "Không đạt",
        Some("chua_du_can_cu") => "Chưa đủ căn cứ",
        None => "Không có dữ liệu",
        Some(other) => panic!("unknown verdict {other}"),
    }
}

/// "87,48 – 90,21", or "—" without an interval.
pub fn interval(index: &Value) -> String {
    match index["ci95"].as_array() {
        Some(pair) => format!(
            "{} – {}",
            decimal(pair[0].as_f64().unwrap(), 2),
            decimal(pair[1].as_f64().unwrap(), 2)
        ),
        None => "—".to_string(),
    }
}

/// The cells after a row's label: count, index, interval, verdict.
pub fn index_cells(n: &Value, index: &Value) -> Vec<String> {
    vec![
        count(n.as_u64().expect("a count")),
        percent(index["value"].as_f64()),
        interval(index),
        verdict(index).to_string(),
    ]
}

/// `first` then `rest`.
pub fn row(first: Vec<String>, rest: Vec<String>) -> Vec<String> {
    [first, rest].concat()
}

/// The rows of the table "Chỉ số hài lòng chung và theo yếu tố" as the JSON report gives them:
/// the overall index (`overall`: its label), then each part (when the form has several) and each
/// element.
pub fn element_rows(report: &Value, overall: &str) -> Vec<Vec<String>> {
    let g = &report["groups"][0];
    let parts = g["parts"].as_array().expect("parts");
    let mut rows = vec![row(
        vec![overall.to_string()],
        index_cells(&g["responses"], &g["index"]),
    )];
    for part in parts {
        if parts.len() > 1 {
            let label = format!("Phần: {}", part["label"].as_str().unwrap());
            rows.push(row(vec![label], index_cells(&part["n"], part)));
        }
        for e in part["elements"].as_array().unwrap() {
            let label = e["label"].as_str().unwrap().to_string();
            rows.push(row(vec![label], index_cells(&e["n"], e)));
        }
    }
    rows
}

/// The rows of the table of criteria: each element's label on a row of its own, then its items.
pub fn item_rows(report: &Value, form: &sipas::forms::Form) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for part in report["groups"][0]["parts"].as_array().unwrap() {
        for e in part["elements"].as_array().unwrap() {
            rows.push(vec![e["label"].as_str().unwrap().to_string()]);
            for i in e["items"].as_array().unwrap() {
                let code = i["code"].as_str().unwrap();
                let text = sipas::reporting::reports::labels::item_text(form, code);
                assert!(!text.is_empty(), "{code} has a text in the form");
                rows.push(row(
                    vec![code.to_string(), text.to_string()],
                    index_cells(&i["n"], i),
                ));
            }
        }
    }
    rows
}

/// The units of a `group_by=unit` report, ranked, and the `served` units without responses.
pub struct Ranking {
    /// (code, name, group) in the report's order.
    pub ranked: Vec<(String, String, Value)>,
    /// The names of the served units the report has no group for, sorted.
    pub silent: Vec<String>,
}

/// The ranking of a `group_by=unit` report, the units named as in `tree`.
pub fn ranking(by_unit: &Value, tree: &[Unit], served: &[Unit]) -> Ranking {
    let names: HashMap<&str, &str> = tree
        .iter()
        .map(|u| (u.code.as_str(), u.name.as_str()))
        .collect();
    let ranked: Vec<(String, String, Value)> = by_unit["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let code = g["key"]["unit"].as_str().expect("a unit key").to_string();
            let name = names
                .get(code.as_str())
                .copied()
                .unwrap_or(&code)
                .to_string();
            (code, name, g.clone())
        })
        .collect();
    let mut silent: Vec<String> = served
        .iter()
        .filter(|u| !ranked.iter().any(|(code, _, _)| *code == u.code))
        .map(|u| u.name.clone())
        .collect();
    silent.sort();
    Ranking { ranked, silent }
}

/// The rows of the units table for `r`: the ranked units with their index, and the units
/// without responses ("0", no index, "Chưa có phiếu").
pub fn unit_rows(r: &Ranking) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let ranked = r
        .ranked
        .iter()
        .map(|(_, name, g)| {
            row(
                vec![name.clone()],
                index_cells(&g["responses"], &g["index"]),
            )
        })
        .collect();
    let silent = r
        .silent
        .iter()
        .map(|name| {
            vec![
                name.clone(),
                "0".into(),
                "—".into(),
                "—".into(),
                "Chưa có phiếu".into(),
            ]
        })
        .collect();
    (ranked, silent)
}

/// Rows numbered from 1 (STT) whose tail, from the first unit without responses on, is compared
/// sorted: the report does not rank those.
pub fn assert_ranked_rows(
    table: &[Vec<String>],
    ranked: Vec<Vec<String>>,
    silent: &[Vec<String>],
    what: &str,
) {
    for (i, row) in table.iter().enumerate() {
        assert_eq!(row[0], (i + 1).to_string(), "{what}: row {i} numbered");
    }
    let rows: Vec<Vec<String>> = table.iter().map(|r| r[1..].to_vec()).collect();
    assert_eq!(rows.len(), ranked.len() + silent.len(), "{what}: {rows:#?}");
    assert_eq!(rows[..ranked.len()], ranked[..], "{what}: the ranked units");
    let mut tail = rows[ranked.len()..].to_vec();
    tail.sort();
    let mut expected = silent.to_vec();
    expected.sort();
    assert_eq!(tail, expected, "{what}: the units without responses");
}

/// The table without its heading row, after checking that heading.
#[track_caller]
pub fn body_of(table: Vec<Vec<String>>, heading: &[&str]) -> Vec<Vec<String>> {
    assert_eq!(table[0], heading, "the heading row");
    table[1..].to_vec()
}

pub const INDEX_HEADING: [&str; 4] = [
    "Số trả lời",
    "Chỉ số",
    "Khoảng tin cậy 95 % (%)",
    "Kết luận",
];

/// `first` followed by the index columns' headings.
pub fn heading(first: &[&'static str]) -> Vec<&'static str> {
    [first, &INDEX_HEADING[..]].concat()
}

/// Text that a report must never show: a float that was not a number.
#[track_caller]
pub fn assert_no_float_garbage(text: &str) {
    assert!(!text.contains("NaN"), "NaN in the document:\n{text}");
    assert!(
        !text.to_lowercase().contains("inf"),
        "an infinite number in the document:\n{text}"
    );
}
