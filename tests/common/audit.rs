//! The audit log as stored, read from the database itself (not through the API under test).

use serde_json::Value;
use sipas::store::audit::{self, AuditFilter};
use sipas::store::models::AuditRow;

use super::TestApp;

/// The whole audit log, oldest first.
pub fn audit_rows(app: &TestApp) -> Vec<AuditRow> {
    let mut rows = audit::list(
        &mut app.db(),
        &AuditFilter {
            limit: 10_000,
            ..Default::default()
        },
    )
    .expect("read the audit log");
    rows.reverse();
    rows
}

/// The audit records of `action`, newest first.
pub fn audit_rows_of(app: &TestApp, action: &str) -> Vec<AuditRow> {
    audit::list(
        &mut app.db(),
        &AuditFilter {
            action: Some(action.to_string()),
            limit: 1000,
            ..AuditFilter::default()
        },
    )
    .expect("read the audit log")
}

/// A record's detail as JSON (`null` when it has none).
pub fn audit_detail(row: &AuditRow) -> Value {
    row.detail
        .as_deref()
        .map(|d| serde_json::from_str(d).expect("detail is JSON"))
        .unwrap_or(Value::Null)
}
