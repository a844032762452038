//! The citizen's round trip without JavaScript, through the real HTTP server: choose a unit and a
//! form, get the HTML form, post it urlencoded, see the thank-you page or the form again with the
//! errors. What is stored is read back from the database.

use std::collections::BTreeMap;

use crate::common::*;
use diesel::prelude::*;
use reqwest::header::{CONTENT_TYPE, LOCATION};
use scraper::ElementRef;
use serde_json::{json, Value};
use sipas::store::schema::{answers, responses};
use unicode_normalization::{is_nfc, UnicodeNormalization};

mod refused_input;
mod submitting;
mod thanks_and_refusals;
mod the_form;

const SERVICE: &str = "sipas-dich-vu";

/// Every rated criterion of the service form, in order.
const ITEMS: [&str; 19] = [
    "TC1", "TC2", "TC3", "TC4", "TT1", "TT2", "TT3", "TT4", "CC1", "CC2", "CC3", "CC4", "CC5",
    "KQ1", "KQ2", "KQ3", "PA1", "PA2", "PA3",
];

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The urlencoded fields of a submission: envelope first, then the answers (numbers as text).
fn fields(unit: &str, channel: &str, client_id: &str, answers: &Value) -> Vec<(String, String)> {
    let mut out = vec![
        ("unit".to_string(), unit.to_string()),
        ("channel".to_string(), channel.to_string()),
        ("client_id".to_string(), client_id.to_string()),
    ];
    out.extend(answer_fields(answers));
    out
}

async fn post_fields(app: &TestApp, form_id: &str, fields: &[(String, String)]) -> Page {
    Page::from(post_urlencoded(app, &format!("/f/{form_id}"), fields, false).await).await
}

/// The single stored response: (form, unit, channel, client_id).
fn stored_response(app: &TestApp) -> (String, String, String, Option<String>) {
    let rows: Vec<(String, String, String, Option<String>)> = responses::table
        .select((
            responses::form_id,
            responses::unit,
            responses::channel,
            responses::client_id,
        ))
        .load(&mut app.db())
        .expect("read responses");
    assert_eq!(rows.len(), 1, "exactly one stored response: {rows:?}");
    rows.into_iter().next().unwrap()
}

/// The answers of the single stored response, by code: (number, text).
fn stored_answers(app: &TestApp) -> BTreeMap<String, (Option<i32>, Option<String>)> {
    stored_response(app);
    let rows: Vec<(String, Option<i32>, Option<String>)> = answers::table
        .select((answers::question, answers::num_value, answers::text_value))
        .load(&mut app.db())
        .expect("read answers");
    rows.into_iter().map(|(q, n, t)| (q, (n, t))).collect()
}

fn num(n: i32) -> (Option<i32>, Option<String>) {
    (Some(n), None)
}

fn txt(s: &str) -> (Option<i32>, Option<String>) {
    (None, Some(s.to_string()))
}

/// What `full_answers()` is stored as.
fn full_answers_stored() -> BTreeMap<String, (Option<i32>, Option<String>)> {
    full_answers()
        .as_object()
        .unwrap()
        .iter()
        .map(|(code, value)| {
            let stored = match value {
                Value::String(s) => txt(s),
                n => num(n.as_i64().unwrap() as i32),
            };
            (code.clone(), stored)
        })
        .collect()
}
