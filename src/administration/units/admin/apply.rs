//! Writing a checked change (in the caller's transaction, with its audit record: `service::units`).

use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use super::{plan, validity_touched, AdminError, Change, Plan, Snapshot};
use crate::store::mappings::{self, MappingRow};
use crate::store::models::UnitRow;
use crate::store::{units, DbConnection, StoreError};

/// Writes a plan (inside the caller's transaction).
pub fn apply(conn: &mut DbConnection, plan: &Plan) -> Result<(), StoreError> {
    for row in &plan.created {
        units::insert(conn, row)?;
    }
    for (_, after) in &plan.updated {
        units::update(conn, after)?;
    }
    for m in &plan.mappings_created {
        mappings::insert(conn, &MappingRow::from(m))?;
    }
    Ok(())
}

/// Makes a change, inside the caller's transaction (which also writes its audit record): takes
/// the units' lock, `build` turns the stored state into the change (and may refuse, e.g. 404 or
/// 409), it is checked as a whole and written. Nothing is written when anything fails (the
/// caller rolls back).
pub fn make_change<B>(
    conn: &mut DbConnection,
    tz: Tz,
    now: NaiveDateTime,
    build: B,
) -> Result<Plan, AdminError>
where
    B: FnOnce(&Snapshot) -> Result<Change, AdminError>,
{
    units::lock_for_change(conn)?;
    let mut snapshot = Snapshot::load(conn)?;
    let change = build(&snapshot)?;
    let touched = validity_touched(&snapshot, &change);
    snapshot.spans = units::response_spans(conn, &touched)?
        .into_iter()
        .map(|(code, first, last)| {
            let local = |t: NaiveDateTime| tz.from_utc_datetime(&t).date_naive();
            (code, (local(first), local(last)))
        })
        .collect();
    let plan = plan(&snapshot, &change, now).map_err(AdminError::Invalid)?;
    apply(conn, &plan)?;
    Ok(plan)
}

/// A unit as the audit log shows it.
pub fn audit_json(row: &UnitRow) -> serde_json::Value {
    serde_json::json!({
        "code": row.code,
        "name": row.name,
        "level": row.level,
        "parent": row.parent,
        "valid_from": row.valid_from,
        "valid_to": row.valid_to,
        "population": row.population,
    })
}
