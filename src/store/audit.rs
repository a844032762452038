//! The audit log: append only (the database refuses UPDATE and DELETE on it).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{AuditRow, NewAuditRow};
use super::schema::audit_log;
use super::{DbConnection, StoreError};

pub fn insert(conn: &mut DbConnection, row: &NewAuditRow) -> Result<(), StoreError> {
    diesel::insert_into(audit_log::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
        .map_err(StoreError::from_diesel)
}

/// Which records to read.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// From this time (inclusive), UTC.
    pub from: Option<NaiveDateTime>,
    /// Before this time (exclusive), UTC.
    pub to: Option<NaiveDateTime>,
    pub action: Option<String>,
    pub actor: Option<String>,
    /// Records with an id below this one (paging backwards from the newest).
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// Records matching the filter, newest first.
pub fn list(conn: &mut DbConnection, filter: &AuditFilter) -> Result<Vec<AuditRow>, StoreError> {
    let mut query = audit_log::table.into_boxed();
    if let Some(from) = filter.from {
        query = query.filter(audit_log::at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_log::at.lt(to));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_log::action.eq(action.clone()));
    }
    if let Some(actor) = &filter.actor {
        query = query.filter(audit_log::actor.eq(actor.clone()));
    }
    if let Some(before) = filter.before_id {
        query = query.filter(audit_log::id.lt(before));
    }
    Ok(query
        .order(audit_log::id.desc())
        .limit(filter.limit.clamp(1, 100_000))
        .select(AuditRow::as_select())
        .load(conn)?)
}
