//! The audit log for administrators: pages of records, newest first, and the export of every
//! matching record. Reading the export is itself recorded (`audit.export`). Nothing changes a
//! record: the table is append-only (the database refuses UPDATE and DELETE).

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::{record, Actor, Refusal, ServiceError};
use crate::domain::Role;
use crate::reporting::reports::load::local_midnight_utc;
use crate::store::audit::{self as store_audit, AuditFilter};
use crate::store::models::AuditRow;
use crate::store::DbConnection;

/// Records per page when `limit` is not given.
pub const DEFAULT_LIMIT: i64 = 100;
/// Most records per page.
pub const MAX_LIMIT: i64 = 1000;
/// Records read from the database per page of an export.
pub const EXPORT_PAGE: i64 = 1000;

/// Which records, as the front door received them (text; empty counts as absent). Every filter
/// is optional and they combine.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// First local date (YYYY-MM-DD, in `SIPAS_TZ`), inclusive.
    pub from: Option<String>,
    /// Last local date (YYYY-MM-DD), exclusive.
    pub to: Option<String>,
    /// Exact action, e.g. `export`, `login`, `kiosk.create`.
    pub action: Option<String>,
    /// Exact username.
    pub actor: Option<String>,
    /// Only records with a smaller id: the `next_before_id` of the previous page.
    pub before_id: Option<String>,
    /// Records per page, 1–1000 (default 100). Not for the export, which holds every match.
    pub limit: Option<String>,
}

/// A value given: trimmed, empty as absent.
pub fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// 400 `bad_query`; `detail` says what is wrong (in English, as the API always did).
fn bad_query(detail: String) -> ServiceError {
    ServiceError::refused(
        Refusal::BadRequest,
        "bad_query",
        format!("Tham số truy vấn không hợp lệ: {detail}"),
        format!("Invalid query: {detail}"),
    )
}

fn date(name: &str, value: Option<&str>) -> Result<Option<NaiveDate>, ServiceError> {
    value
        .map(|v| {
            NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map_err(|_| bad_query(format!("{name} must be a date YYYY-MM-DD, not \"{v}\"")))
        })
        .transpose()
}

impl Selection {
    /// The database filter; dates are local days in `tz`, `to` exclusive.
    pub fn filter(&self, tz: chrono_tz::Tz) -> Result<AuditFilter, ServiceError> {
        let from = date("from", given(&self.from))?;
        let to = date("to", given(&self.to))?;
        if let (Some(f), Some(t)) = (from, to) {
            if f >= t {
                return Err(bad_query(format!(
                    "from ({f}) must be before to ({t}); to is exclusive"
                )));
            }
        }
        let before_id = given(&self.before_id)
            .map(|v| {
                v.parse::<i64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| bad_query(format!("before_id must be a record id, not \"{v}\"")))
            })
            .transpose()?;
        let limit = match given(&self.limit) {
            None => DEFAULT_LIMIT,
            Some(v) => v
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| {
                    bad_query(format!(
                        "limit must be a number from 1 to {MAX_LIMIT}, not \"{v}\""
                    ))
                })?,
        };
        Ok(AuditFilter {
            from: from.map(|d| local_midnight_utc(d, tz)),
            to: to.map(|d| local_midnight_utc(d, tz)),
            action: given(&self.action).map(str::to_string),
            actor: given(&self.actor).map(str::to_string),
            before_id,
            limit,
        })
    }

    /// The filters as given, for the record of an export.
    fn as_detail(&self) -> Value {
        json!({
            "from": given(&self.from),
            "to": given(&self.to),
            "action": given(&self.action),
            "actor": given(&self.actor),
            "before_id": given(&self.before_id),
        })
    }
}

/// A page of records, newest first.
#[derive(Debug)]
pub struct Page {
    pub rows: Vec<AuditRow>,
    /// The `before_id` of the next (older) page; none on the last page.
    pub next_before_id: Option<i64>,
}

/// One page of the records `selection` matches (admin), at most its `limit`.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    selection: &Selection,
    tz: chrono_tz::Tz,
) -> Result<Page, ServiceError> {
    actor.require(&[Role::Admin])?;
    let mut filter = selection.filter(tz)?;
    let limit = filter.limit;
    // One more than asked: whether there is a next page.
    filter.limit = limit + 1;
    let mut rows = store_audit::list(conn, &filter)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_before_id = more.then(|| rows.last().map(|r| r.id)).flatten();
    Ok(Page {
        rows,
        next_before_id,
    })
}

/// Starts the export of every record `selection` matches (admin; its `limit` is ignored):
/// records it (`audit.export`, the filters in the detail) and returns the filter of its first
/// page, for [`export_page`].
pub fn export(
    conn: &mut DbConnection,
    actor: &Actor,
    selection: &Selection,
    tz: chrono_tz::Tz,
) -> Result<AuditFilter, ServiceError> {
    actor.require(&[Role::Admin])?;
    let mut filter = selection.filter(tz)?;
    filter.limit = EXPORT_PAGE;
    record(
        conn,
        &actor.entry("audit.export").detail(selection.as_detail()),
    )?;
    Ok(filter)
}

/// One page of an [`export`], and the filter of the next one (none after the last). Records
/// written meanwhile have larger ids and are not included.
pub fn export_page(
    conn: &mut DbConnection,
    actor: &Actor,
    filter: &AuditFilter,
) -> Result<(Vec<AuditRow>, Option<AuditFilter>), ServiceError> {
    actor.require(&[Role::Admin])?;
    let rows = store_audit::list(conn, filter)?;
    let next = (rows.len() as i64 == filter.limit).then(|| AuditFilter {
        before_id: rows.last().map(|r| r.id),
        ..filter.clone()
    });
    Ok((rows, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selections_are_checked() {
        let tz = chrono_tz::Asia::Ho_Chi_Minh;
        let q = |from: &str, to: &str, limit: &str, before: &str| Selection {
            from: Some(from.into()),
            to: Some(to.into()),
            limit: Some(limit.into()),
            before_id: Some(before.into()),
            ..Default::default()
        };
        let f = q("2026-01-01", "2026-01-02", "", "").filter(tz).unwrap();
        assert_eq!(f.limit, DEFAULT_LIMIT);
        // Local midnight in Hà Nội is 17:00 UTC the day before.
        assert_eq!(f.from.unwrap().to_string(), "2025-12-31 17:00:00");
        assert!(q("2026-01-02", "2026-01-01", "", "").filter(tz).is_err());
        assert!(q("2026-13-01", "", "", "").filter(tz).is_err());
        assert!(q("", "", "0", "").filter(tz).is_err());
        assert!(q("", "", "1001", "").filter(tz).is_err());
        assert!(q("", "", "x", "").filter(tz).is_err());
        assert!(q("", "", "1000", "-1").filter(tz).is_err());
        assert_eq!(
            q("", "", "1000", "7").filter(tz).unwrap().before_id,
            Some(7)
        );
    }
}
