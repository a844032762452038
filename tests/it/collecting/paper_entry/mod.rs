//! Paper sheets entered by clerks (`POST /api/v1/paper/entries`, `/entry`): single and double
//! entry, the supervisor's reconciliation, the operators' disagreement rates, the refusals.

mod api;
mod page;
mod refusals;

use diesel::prelude::*;
use serde_json::{json, Value};
use sipas::store::paper::batches::BatchRow;
use sipas::store::schema::paper_batches;

use crate::common::*;

pub const FORM: &str = "sipas-dich-vu";

/// A printed batch of `unit`, serials `first..=last`, inserted as the printing side would.
pub fn printed_batch(
    app: &TestApp,
    form: &str,
    unit: &str,
    serials: (i64, i64),
    double_entry: bool,
) {
    let row = BatchRow {
        id: uuid::Uuid::new_v4().to_string(),
        form_id: form.to_string(),
        unit: unit.to_string(),
        first_serial: serials.0,
        last_serial: serials.1,
        double_entry,
        printed_at: chrono::Utc::now().naive_utc(),
        printed_by: "test".to_string(),
    };
    diesel::insert_into(paper_batches::table)
        .values(&row)
        .execute(&mut app.db())
        .expect("insert a printed batch");
}

/// An entry body for the service form.
pub fn entry(sheet: &str, survey_date: &str, answers: Value) -> Value {
    json!({"form": FORM, "sheet": sheet, "survey_date": survey_date, "answers": answers})
}

/// POSTs an entry with a bearer token; (status, body).
pub async fn send_entry(app: &TestApp, token: &str, body: &Value) -> (u16, Value) {
    status_and_json(post_auth(app, "/api/v1/paper/entries", Some(token), body).await).await
}

/// How many sheets are stored in `paper_sheets`, and entries in `paper_entries`.
pub fn paper_counts(app: &TestApp) -> (i64, i64) {
    use sipas::store::schema::{paper_entries, paper_sheets};
    let mut conn = app.db();
    let sheets = paper_sheets::table.count().get_result(&mut conn).unwrap();
    let entries = paper_entries::table.count().get_result(&mut conn).unwrap();
    (sheets, entries)
}

/// The number of responses the report of phuoc-son counts.
pub async fn reported(app: &TestApp, analyst: &str) -> i64 {
    report_of(app, analyst, "unit=phuoc-son").await["responses"]
        .as_i64()
        .expect("responses count")
}
