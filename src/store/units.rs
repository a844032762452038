//! Units of the administrative tree.

use diesel::prelude::*;

use super::models::UnitRow;
use super::schema::units;
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

/// Sets (or clears) the population a unit serves (METHOD.md §6); returns whether the unit exists.
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
