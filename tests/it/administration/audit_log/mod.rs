//! The audit log: who downloaded or changed what, readable and exportable by administrators only,
//! recorded before the data leaves (no record, no data), append-only in the database itself.

use diesel::connection::SimpleConnection;
use diesel::Connection;
use serde_json::{json, Value};
use sipas::domain::Role;

use crate::common::*;

mod integrity;
mod reading;
mod recorded;

const FORM: &str = "sipas-dich-vu";

/// The records `GET /api/v1/audit?{query}` lists, as admin.
async fn records(app: &TestApp, admin: &str, query: &str) -> Vec<Value> {
    let (status, body) =
        status_and_json(app.get_auth(&format!("/api/v1/audit?{query}"), admin).await).await;
    assert_eq!(status, 200, "audit page: {body}");
    body["records"].as_array().expect("records").clone()
}

/// The newest record of `action`.
async fn newest(app: &TestApp, admin: &str, action: &str) -> Value {
    let found = records(app, admin, &format!("action={action}&limit=1")).await;
    assert_eq!(found.len(), 1, "a record of {action}");
    found[0].clone()
}

/// The local (Hà Nội) date of today, shifted by `days`.
fn local_day(days: i64) -> String {
    (chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
        .date_naive()
        + chrono::TimeDelta::days(days))
    .to_string()
}

fn assert_address_hash(record: &Value) {
    let hash = record["address_hash"].as_str().expect("an address hash");
    assert_eq!(hash.len(), 32, "16 bytes of hex: {hash}");
    assert!(hash.chars().all(|c| c.is_ascii_hexdigit()), "{hash}");
    assert!(
        !record.to_string().contains("127.0.0.1"),
        "no address: {record}"
    );
}
