//! Paper campaigns set up directly, without the printing and entry actions (other parts of the
//! feature): a printed batch row, entered sheets in a given state with their entries, and for a
//! stored sheet its response — submitted through the normal JSON API as a clerk (channel `paper`,
//! `submitted_at` from the survey date), then given the client id `paper:<sheet>` in the
//! database (the API takes only UUIDs as client ids). Swap these for the real actions once they
//! exist.

use diesel::prelude::*;
use serde_json::{json, Value};
use sipas::domain::Role;
use sipas::store::schema::{paper_batches, paper_entries, paper_sheets, responses};

use super::TestApp;

/// A user of `role` with a known username, logged in: (username, bearer token).
pub async fn named_user(app: &TestApp, role: Role) -> (String, String) {
    let username = format!(
        "{}-{}",
        role.as_str(),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let password = app.create_user(&username, role);
    let response = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"username": username, "password": password}),
        )
        .await;
    assert_eq!(response.status(), 200, "login of {username}");
    let body: Value = response.json().await.unwrap();
    (username, body["token"].as_str().expect("token").to_string())
}

/// A printed batch of the service form for `unit`, serials `first..=last`.
pub fn insert_batch(app: &TestApp, id: &str, unit: &str, first: i64, last: i64) {
    diesel::insert_into(paper_batches::table)
        .values((
            paper_batches::id.eq(id),
            paper_batches::form_id.eq("sipas-dich-vu"),
            paper_batches::unit.eq(unit),
            paper_batches::first_serial.eq(first),
            paper_batches::last_serial.eq(last),
            paper_batches::double_entry.eq(true),
            paper_batches::printed_at.eq(sipas::store::now_utc()),
            paper_batches::printed_by.eq("admin-test"),
        ))
        .execute(&mut app.db())
        .expect("insert a printed batch");
}

/// The sheet number of `serial` in `unit`.
pub fn sheet_number(unit: &str, serial: u64) -> String {
    format!("{unit}-{serial:06}")
}

/// An entered sheet in `state` with one entry per `(operator, answers)`, surveyed on `date`
/// (`YYYY-MM-DD`); no response.
pub fn insert_sheet(
    app: &TestApp,
    batch: &str,
    sheet: &str,
    state: &str,
    response_id: Option<&str>,
    entries: &[(&str, &Value)],
    date: &str,
) {
    let mut conn = app.db();
    let now = sipas::store::now_utc();
    diesel::insert_into(paper_sheets::table)
        .values((
            paper_sheets::sheet.eq(sheet),
            paper_sheets::batch_id.eq(batch),
            paper_sheets::state.eq(state),
            paper_sheets::response_id.eq(response_id),
            paper_sheets::updated_at.eq(now),
        ))
        .execute(&mut conn)
        .expect("insert a sheet");
    let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("a date");
    for (operator, answers) in entries {
        diesel::insert_into(paper_entries::table)
            .values((
                paper_entries::id.eq(uuid::Uuid::new_v4().to_string()),
                paper_entries::sheet.eq(sheet),
                paper_entries::operator.eq(*operator),
                paper_entries::survey_date.eq(day),
                paper_entries::answers.eq(answers.to_string()),
                paper_entries::entered_at.eq(now),
            ))
            .execute(&mut conn)
            .expect("insert an entry");
    }
}

/// A stored sheet (state `agreed`, or `reconciled`): its response through the JSON API as
/// `clerk` (the token of any clerk), surveyed on `date` at 09:30 local time, the given entries;
/// returns the response id.
#[allow(clippy::too_many_arguments)]
pub async fn stored_sheet(
    app: &TestApp,
    clerk: &str,
    batch: &str,
    sheet: &str,
    state: &str,
    answers: &Value,
    entries: &[(&str, &Value)],
    date: &str,
) -> String {
    let unit = sheet.rsplit_once('-').expect("a sheet number").0;
    let body = json!({
        "client_id": uuid::Uuid::new_v4().to_string(),
        "unit": unit,
        "channel": "paper",
        "submitted_at": format!("{date}T09:30:00+07:00"),
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
    let stored: Value = response.json().await.unwrap_or_default();
    assert_eq!(status, 201, "paper response of {sheet}: {stored}");
    let id = stored["id"].as_str().expect("id").to_string();
    diesel::update(responses::table.filter(responses::id.eq(&id)))
        .set(responses::client_id.eq(format!("paper:{sheet}")))
        .execute(&mut app.db())
        .expect("the sheet's client id");
    insert_sheet(app, batch, sheet, state, Some(&id), entries, date);
    id
}
