//! Units of the administrative tree.

use chrono::NaiveDateTime;
use diesel::dsl::{max, min};
use diesel::prelude::*;

use super::models::UnitRow;
use super::schema::{responses, units};
use super::{DbConnection, StoreError};

pub fn list(conn: &mut DbConnection) -> Result<Vec<UnitRow>, StoreError> {
    Ok(units::table
        .select(UnitRow::as_select())
        .order(units::code)
        .load(conn)?)
}

/// The unit with this code; `None` also for text that cannot be a unit code (never queried).
pub fn get(conn: &mut DbConnection, code: &str) -> Result<Option<UnitRow>, StoreError> {
    if !crate::domain::is_unit_code(code) {
        return Ok(None);
    }
    Ok(units::table
        .find(code)
        .select(UnitRow::as_select())
        .first(conn)
        .optional()?)
}

/// Inserts the given tree when the table is empty (first start); returns how many were inserted.
/// Rows must be ordered parents first.
pub fn seed_if_empty(conn: &mut DbConnection, rows: &[UnitRow]) -> Result<usize, StoreError> {
    conn.transaction(|c| {
        let existing: i64 = units::table.count().get_result(c)?;
        if existing > 0 {
            return Ok(0);
        }
        for row in rows {
            diesel::insert_into(units::table).values(row).execute(c)?;
        }
        Ok(rows.len())
    })
    .map_err(StoreError::from_diesel)
}

/// Sets (or clears) the population a unit serves (docs/method.md §10); returns whether the unit
/// exists.
pub fn set_population(
    conn: &mut DbConnection,
    code: &str,
    population: Option<i64>,
) -> Result<bool, StoreError> {
    if !crate::domain::is_unit_code(code) {
        return Ok(false);
    }
    let n = diesel::update(units::table.find(code))
        .set(units::population.eq(population))
        .execute(conn)
        .map_err(StoreError::from_diesel)?;
    Ok(n == 1)
}

/// Inserts a new unit (its parent must exist already).
pub fn insert(conn: &mut DbConnection, row: &UnitRow) -> Result<(), StoreError> {
    diesel::insert_into(units::table)
        .values(row)
        .execute(conn)
        .map(drop)
        .map_err(StoreError::from_diesel)
}

/// Writes a unit's changeable fields (name, level, parent, validity, population); returns whether
/// it exists. `code` and `created_at` never change.
pub fn update(conn: &mut DbConnection, row: &UnitRow) -> Result<bool, StoreError> {
    let n = diesel::update(units::table.find(&row.code))
        .set((
            units::name.eq(&row.name),
            units::level.eq(&row.level),
            units::parent.eq(&row.parent),
            units::valid_from.eq(row.valid_from),
            units::valid_to.eq(row.valid_to),
            units::population.eq(row.population),
        ))
        .execute(conn)
        .map_err(StoreError::from_diesel)?;
    Ok(n == 1)
}

/// For each of these units that has responses: the first and last `submitted_at` (UTC).
pub fn response_spans(
    conn: &mut DbConnection,
    codes: &[String],
) -> Result<Vec<(String, NaiveDateTime, NaiveDateTime)>, StoreError> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, Option<NaiveDateTime>, Option<NaiveDateTime>)> = responses::table
        .filter(responses::unit.eq_any(codes))
        .group_by(responses::unit)
        .select((
            responses::unit,
            min(responses::submitted_at),
            max(responses::submitted_at),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(unit, first, last)| Some((unit, first?, last?)))
        .collect())
}

/// Inside a transaction that changes the tree: waits for other such changes to finish and keeps
/// them out until this one ends (checks read the whole tree). Reads and submissions go on.
pub fn lock_for_change(conn: &mut DbConnection) -> Result<(), StoreError> {
    let sql = match conn {
        // Conflicts with itself and with writes to `units`; not with reads or foreign-key checks.
        DbConnection::Pg(_) => "LOCK TABLE units IN SHARE ROW EXCLUSIVE MODE",
        // The first write of a transaction takes SQLite's write lock (waiting `busy_timeout`).
        DbConnection::Sqlite(_) => "UPDATE units SET code = code WHERE 1 = 0",
    };
    diesel::sql_query(sql)
        .execute(conn)
        .map(drop)
        .map_err(StoreError::from_diesel)
}
