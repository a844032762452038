//! Old → new unit mappings of administrative reforms (one successor per old unit).

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::unit_mappings;
use super::{DbConnection, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = unit_mappings)]
pub struct MappingRow {
    pub old_code: String,
    pub new_code: String,
    pub effective: NaiveDate,
}

/// Every mapping, by old code.
pub fn list(conn: &mut DbConnection) -> Result<Vec<MappingRow>, StoreError> {
    Ok(unit_mappings::table
        .select(MappingRow::as_select())
        .order(unit_mappings::old_code)
        .load(conn)?)
}

pub fn insert(conn: &mut DbConnection, row: &MappingRow) -> Result<(), StoreError> {
    diesel::insert_into(unit_mappings::table)
        .values(row)
        .execute(conn)
        .map(drop)
        .map_err(StoreError::from_diesel)
}
