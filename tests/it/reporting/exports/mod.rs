//! `GET /api/v1/exports/{form_id}.{csv|xlsx|parquet}`: responses submitted through the API,
//! downloaded by an analyst and read back — CSV parsed, XLSX opened, Parquet read by polars —
//! equal what was submitted; filters, headers and errors.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use chrono::{DateTime, FixedOffset, SubsecRound};
use polars::prelude::*;
use serde_json::{json, Value};
use sipas::domain::Role;

use crate::common::*;

mod read_back;
mod selection_and_errors;

const FORM: &str = "sipas-dich-vu";
const PAPER_TIME: &str = "2024-12-31T23:30:00+07:00";
const FORMULA_COMMENT: &str = "=1+1 là công thức";
const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// One submitted response as the export must show it.
#[derive(Debug, Clone)]
struct Expected {
    unit: String,
    channel: String,
    submitted_at: String,
    /// Code → exported text ("" when not answered), for every question code.
    values: BTreeMap<String, String>,
}

/// Every question code of the form in form order, with its label, from the forms API.
async fn form_codes(app: &TestApp) -> Vec<(String, String)> {
    let form: Value = app
        .get(&format!("/api/v1/forms/{FORM}"))
        .await
        .json()
        .await
        .unwrap();
    let pair = |q: &Value| {
        (
            q["code"].as_str().unwrap().to_string(),
            q["label"].as_str().unwrap().to_string(),
        )
    };
    let mut out: Vec<(String, String)> = form["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(pair)
        .collect();
    for part in form["parts"].as_array().unwrap() {
        for element in part["elements"].as_array().unwrap() {
            out.extend(element["items"].as_array().unwrap().iter().map(pair));
        }
    }
    out.extend(form["expectations"].as_array().unwrap().iter().map(pair));
    out.extend(form["comments"].as_array().unwrap().iter().map(pair));
    out
}

fn answers(changes: Value) -> Value {
    let mut answers = full_answers();
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            answers.as_object_mut().unwrap().remove(k);
        } else {
            answers[k] = v.clone();
        }
    }
    answers
}

/// Submits the fixture responses; returns them by id.
async fn seed(app: &TestApp) -> BTreeMap<String, Expected> {
    let clerk = app.token_for(Role::Clerk).await;
    let analyst = app.token_for(Role::Analyst).await;
    let codes = form_codes(app).await;
    let submissions: Vec<(Value, Option<&str>)> = vec![
        (
            json!({"unit": "phuoc-son", "channel": "phone", "answers": answers(json!({
                "gioi_tinh": "nu", "nhom_tuoi": "25_34", "linh_vuc": "ho_tich", "KV1": 3, "KV4": 1,
                "y_kien": "Cán bộ rất nhiệt tình, hướng dẫn tận tâm. Cảm ơn!"
            }))}),
            None,
        ),
        (
            json!({"unit": "phuoc-loc", "channel": "kiosk", "answers": answers(json!({
                "da_pakn": "co", "PA1": 4, "PA2": 2, "PA3": 1, "gioi_tinh": "nam",
                "y_kien": "Phòng chờ hơi nóng; cần thêm quạt.\nỞ quầy \"Một cửa\" phải đợi lâu."
            }))}),
            None,
        ),
        (
            // Web: items are optional; only a few answered, no respondent details, no comment.
            json!({"unit": "phuoc-son", "channel": "web", "answers": {"da_pakn": "khong", "TC1": 3, "KQ3": 5}}),
            None,
        ),
        (
            json!({"unit": "phuoc-son", "channel": "paper", "submitted_at": PAPER_TIME,
                "answers": answers(json!({"TT4": null, "dan_toc": "kinh",
                    "y_kien": "Ý kiến ghi trên phiếu giấy: thủ tục đất đai còn chậm, đề nghị rút ngắn."}))}),
            Some(clerk.as_str()),
        ),
        (
            json!({"unit": "tuy-phuoc-mc", "channel": "phone", "answers": answers(json!({"y_kien": FORMULA_COMMENT}))}),
            None,
        ),
    ];
    // Kiosk answers come only through a registered kiosk's own link.
    let admin = app.token_for(Role::Admin).await;
    let kiosk = register_kiosk(app, &admin, "Quầy 1", "phuoc-loc").await;
    let kiosk_path = format!("/k/{}?form={FORM}", kiosk["token"].as_str().unwrap());
    let mut out = BTreeMap::new();
    for (mut body, token) in submissions {
        body["client_id"] = json!(uuid::Uuid::new_v4().to_string());
        let response = if body["channel"] == "kiosk" {
            let mut fields = vec![(
                "client_id".to_string(),
                body["client_id"].as_str().unwrap().to_string(),
            )];
            fields.extend(answer_fields(&body["answers"]));
            post_urlencoded(app, &kiosk_path, &fields, true).await
        } else {
            let mut request = app
                .client
                .post(app.url(&format!("/api/v1/forms/{FORM}/responses")))
                .json(&body);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            request.send().await.unwrap()
        };
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        let id = response.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        // The stored time (UTC), as the export must show it: local, with offset, to the second.
        let stored: Value = app
            .get_auth(&format!("/api/v1/responses/{id}"), &analyst)
            .await
            .json()
            .await
            .unwrap();
        let utc = DateTime::parse_from_rfc3339(stored["submitted_at"].as_str().unwrap()).unwrap();
        let local = utc
            .with_timezone(&FixedOffset::east_opt(7 * 3600).unwrap())
            .trunc_subsecs(0)
            .to_rfc3339();
        let values = codes
            .iter()
            .map(|(code, _)| {
                let text = match &body["answers"][code] {
                    Value::Null => String::new(),
                    Value::Number(n) => n.to_string(),
                    Value::String(s) => s.clone(),
                    other => panic!("unexpected answer {other}"),
                };
                (code.clone(), text)
            })
            .collect();
        out.insert(
            id,
            Expected {
                unit: body["unit"].as_str().unwrap().to_string(),
                channel: body["channel"].as_str().unwrap().to_string(),
                submitted_at: local,
                values,
            },
        );
    }
    let paper = out.values().find(|e| e.channel == "paper").unwrap();
    assert_eq!(paper.submitted_at, PAPER_TIME, "the fixture's paper time");
    out
}

fn expected_header(codes: &[(String, String)]) -> Vec<String> {
    ["id", "unit", "channel", "submitted_at"]
        .into_iter()
        .map(String::from)
        .chain(codes.iter().map(|(c, _)| c.clone()))
        .collect()
}

/// The expected row of `id` as text, in header order.
fn expected_row(id: &str, e: &Expected, codes: &[(String, String)]) -> Vec<String> {
    [id, &e.unit, &e.channel, &e.submitted_at]
        .into_iter()
        .map(String::from)
        .chain(codes.iter().map(|(c, _)| e.values[c].clone()))
        .collect()
}

async fn download(app: &TestApp, path: &str, token: &str) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let response = app.get_auth(path, token).await;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.unwrap().to_vec();
    assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&body));
    (headers, body)
}

fn header_value(headers: &reqwest::header::HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("header {name}"))
        .to_string()
}

/// CSV bytes → records (checks the BOM).
fn parse_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM");
    let text = std::str::from_utf8(&bytes[3..]).expect("UTF-8");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("a CSV record").iter().map(String::from).collect())
        .collect()
}

/// The exported rows by id (first column), without the header rows.
fn by_id(rows: &[Vec<String>]) -> BTreeMap<String, Vec<String>> {
    rows.iter().map(|r| (r[0].clone(), r.clone())).collect()
}

async fn csv_export(app: &TestApp, query: &str, token: &str) -> Vec<Vec<String>> {
    let (_, body) = download(app, &format!("/api/v1/exports/{FORM}.csv{query}"), token).await;
    parse_csv(&body)
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        // `submitted_at`: a local date-time cell; read back as the other formats' text (the
        // service's zone here is Asia/Ho_Chi_Minh, +07:00 all year).
        Data::DateTime(d) => {
            let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap();
            let seconds = (d.as_f64() * 86_400.0).round() as i64;
            let local = epoch + chrono::Duration::seconds(seconds);
            format!("{}+07:00", local.format("%Y-%m-%dT%H:%M:%S"))
        }
        other => panic!("unexpected cell {other:?}"),
    }
}

fn sheet_rows(workbook: &mut Xlsx<Cursor<Vec<u8>>>, name: &str, width: usize) -> Vec<Vec<String>> {
    let range = workbook
        .worksheet_range(name)
        .unwrap_or_else(|e| panic!("sheet {name}: {e}"));
    // calamine's range starts at the first used cell; all sheets here start at A1.
    assert_eq!(range.start(), Some((0, 0)), "{name} starts at A1");
    range
        .rows()
        .map(|r| {
            let mut row: Vec<String> = r.iter().map(cell_text).collect();
            row.resize(width.max(row.len()), String::new());
            row
        })
        .collect()
}

fn parquet_rows(bytes: Vec<u8>, width: usize) -> (DataFrame, Vec<Vec<String>>) {
    let df = ParquetReader::new(Cursor::new(bytes))
        .finish()
        .expect("the Parquet file reads");
    assert_eq!(df.width(), width);
    let mut rows = vec![vec![String::new(); width]; df.height()];
    for (c, column) in df.columns().iter().enumerate() {
        let series = column.as_materialized_series();
        for (r, row) in rows.iter_mut().enumerate() {
            row[c] = match series.get(r).unwrap() {
                AnyValue::Null => String::new(),
                AnyValue::String(s) => s.to_string(),
                AnyValue::StringOwned(s) => s.to_string(),
                AnyValue::Int8(v) => v.to_string(),
                other => panic!("unexpected value {other:?} in {}", column.name()),
            };
        }
    }
    (df, rows)
}

fn assert_rows_equal(
    what: &str,
    got: &BTreeMap<String, Vec<String>>,
    expected: &BTreeMap<String, Expected>,
    codes: &[(String, String)],
    csv: bool,
) {
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "{what}: one row per response"
    );
    for (id, e) in expected {
        let mut want = expected_row(id, e, codes);
        if csv && want.last().map(String::as_str) == Some(FORMULA_COMMENT) {
            // A comment that would run as a formula is exported to CSV as text.
            *want.last_mut().unwrap() = format!("'{FORMULA_COMMENT}");
        }
        assert_eq!(&got[id], &want, "{what}: row of {id}");
    }
}
