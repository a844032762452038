//! Printed batches (`paper_batches`): which serials of a unit were printed, for which form, when
//! and by whom. Serials are per unit, whatever the form; batches of a unit never overlap.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::store::schema::{paper_batches, units};
use crate::store::{DbConnection, StoreError};

/// One printed batch, as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = paper_batches)]
pub struct BatchRow {
    pub id: String,
    pub form_id: String,
    pub unit: String,
    pub first_serial: i64,
    pub last_serial: i64,
    pub double_entry: bool,
    pub printed_at: NaiveDateTime,
    /// The username of who printed it (`(command line)` from `sipas paper print`).
    pub printed_by: String,
}

impl BatchRow {
    /// How many sheets the batch holds.
    pub fn count(&self) -> i64 {
        self.last_serial - self.first_serial + 1
    }
}

/// Holds the unit's row until the transaction ends, so that two prints for the same unit allocate
/// their serials one after the other. PostgreSQL only (`SELECT … FOR UPDATE`); SQLite transactions
/// that write already hold the database's write lock (`store::lock_for_write`).
pub fn lock_unit(conn: &mut DbConnection, unit: &str) -> Result<(), StoreError> {
    if let DbConnection::Pg(pg) = conn {
        units::table
            .find(unit)
            .select(units::code)
            .for_update()
            .load::<String>(pg)?;
    }
    Ok(())
}

/// The last serial printed for a unit, whatever the form (0 when none).
pub fn last_serial(conn: &mut DbConnection, unit: &str) -> Result<i64, StoreError> {
    let last: Option<i64> = paper_batches::table
        .filter(paper_batches::unit.eq(unit))
        .select(diesel::dsl::max(paper_batches::last_serial))
        .first(conn)?;
    Ok(last.unwrap_or(0))
}

pub fn insert(conn: &mut DbConnection, batch: &BatchRow) -> Result<(), StoreError> {
    diesel::insert_into(paper_batches::table)
        .values(batch)
        .execute(conn)
        .map(|_| ())
        .map_err(StoreError::from_diesel)
}

/// The batch with this id.
pub fn get(conn: &mut DbConnection, id: &str) -> Result<Option<BatchRow>, StoreError> {
    Ok(paper_batches::table
        .find(id)
        .select(BatchRow::as_select())
        .first(conn)
        .optional()?)
}

/// The printed batches, newest first, of a form and/or a unit when given.
pub fn list(
    conn: &mut DbConnection,
    form: Option<&str>,
    unit: Option<&str>,
) -> Result<Vec<BatchRow>, StoreError> {
    let mut query = paper_batches::table.into_boxed();
    if let Some(form) = form {
        query = query.filter(paper_batches::form_id.eq(form.to_string()));
    }
    if let Some(unit) = unit {
        query = query.filter(paper_batches::unit.eq(unit.to_string()));
    }
    Ok(query
        .order((
            paper_batches::printed_at.desc(),
            paper_batches::first_serial.desc(),
        ))
        .select(BatchRow::as_select())
        .load(conn)?)
}

/// The batch that printed the sheet `serial` of `unit` (the sheet number `<unit>-<serial>`), if
/// any: a sheet number no batch covers was never printed.
pub fn batch_of_sheet(
    conn: &mut DbConnection,
    unit: &str,
    serial: i64,
) -> Result<Option<BatchRow>, StoreError> {
    Ok(paper_batches::table
        .filter(paper_batches::unit.eq(unit))
        .filter(paper_batches::first_serial.le(serial))
        .filter(paper_batches::last_serial.ge(serial))
        .select(BatchRow::as_select())
        .first(conn)
        .optional()?)
}
